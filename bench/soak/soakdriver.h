// SPDX-License-Identifier: MIT
#pragma once

#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QProcess>
#include <QString>
#include <QTemporaryDir>
#include <QTimer>
#include <QUrl>

#include <memory>
#include <random>
#include <vector>

namespace whisper::soak {

struct SoakOptions {
    QString serverBinary;
    QStringList serverArgs; // extra server arguments
    int clients = 2000;
    int seconds = 600;             // churn time
    int warmupSeconds = 60;        // not judged: the server's memory settles
    int sampleSeconds = 10;        // RSS and descriptor samples
    double messageIntervalS = 2.0; // mean time between a paired client's messages
    double leaveShare = 0.03;      // of a paired client's actions: leave
    double dropShare = 0.03;       // of a paired client's actions: drop the connection
    double growthLimit = 0.05;     // allowed RSS / descriptor growth after warm-up
};

struct Sample {
    double seconds = 0;
    qint64 rssKiB = 0;
    int fds = 0;
    int connected = 0;
    int paired = 0;
    quint64 delivered = 0;
};

class SoakClient;

// Runs the server and the churning clients, keeps the message ledger and the
// samples, and judges the run. Every message carries a unique id as its text;
// the ledger records whether its sender saw `delivered` and how often a
// partner received it. At the end every acknowledged message must have been
// received exactly once, and no message more than once; a sender's messages
// must arrive in order; and a message sent while its partner was away must
// arrive on the partner's resumed connection and be acknowledged only after
// `partner_back`.
class SoakDriver : public QObject {
    Q_OBJECT
public:
    explicit SoakDriver(SoakOptions options, QObject *parent = nullptr);
    ~SoakDriver() override;

    // Starts the server and the clients; emits finished(exitCode) when done.
    void start();

    // For the clients.
    QUrl url() const { return m_url; }
    std::mt19937 &random() { return m_random; }
    const SoakOptions &options() const { return m_options; }
    bool churning() const { return m_churning; }
    // `queued`: sent after `partner_away`, before `partner_back`.
    void recordSent(const QString &id, bool queued);
    // `partnerAway`: the sender has not seen `partner_back` yet.
    void recordDelivered(const QString &id, bool partnerAway);
    // `delivered` after the sender left the pair (a queued message that
    // reached the partner when it resumed).
    void recordLateDelivered(const QString &id);
    // `onResumedConnection`: the receiver's connection carries a resumed
    // session; `inOrder`: after every earlier message of the same sender.
    void recordReceived(const QString &id, bool onResumedConnection, bool inOrder);
    void recordPaired(const QString &pair, SoakClient *client);
    void recordUnpaired(const QString &pair, SoakClient *client);
    SoakClient *partnerOf(const QString &pair, const SoakClient *client) const;
    void count(const char *what) { ++m_counters[QByteArray(what)]; }

Q_SIGNALS:
    void finished(int exitCode);

private:
    struct Entry {
        bool delivered = false;
        bool queued = false;
        bool ackedWhileAway = false;    // `delivered` before `partner_back`
        bool receivedUnresumed = false; // a queued message on a fresh session
        int received = 0;
    };

    bool startServer();
    void takeSample();
    void stopChurn();
    void settleAndJudge();
    int judge();

    SoakOptions m_options;
    QTemporaryDir m_dataDir;
    QProcess m_server;
    QUrl m_url;
    std::mt19937 m_random{20261207};
    std::vector<std::unique_ptr<SoakClient>> m_clients;
    QHash<QString, Entry> m_ledger;
    QHash<QString, QList<SoakClient *>> m_pairs;
    QHash<QByteArray, quint64> m_counters;
    quint64 m_deliveredTotal = 0;
    quint64 m_outOfOrder = 0;
    QElapsedTimer m_clock;
    QTimer m_sampler;
    std::vector<Sample> m_samples;
    bool m_churning = false;
};

} // namespace whisper::soak
