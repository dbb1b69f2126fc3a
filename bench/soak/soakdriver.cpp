// SPDX-License-Identifier: MIT
#include "soakdriver.h"
#include "procstats.h"

#include "soakclient.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QLoggingCategory>
#include <QRegularExpression>

#include <cstdio>

namespace whisper::soak {

Q_LOGGING_CATEGORY(lcSoak, "whisper.soak")

namespace {} // namespace

SoakDriver::SoakDriver(SoakOptions options, QObject *parent)
    : QObject(parent)
    , m_options(std::move(options)) {
    connect(&m_sampler, &QTimer::timeout, this, &SoakDriver::takeSample);
}

SoakDriver::~SoakDriver() {
    m_clients.clear();
    if (m_server.state() != QProcess::NotRunning) {
        m_server.kill();
        m_server.waitForFinished(5000);
    }
}

bool SoakDriver::startServer() {
    // Loopback is exempt from the per-address limits: every client comes
    // from 127.0.0.1. Former partners may meet again at once, so cells keep
    // pairing. Every port is a free one: the machine may run other servers.
    QStringList args{QStringLiteral("--listen"),
                     QStringLiteral("127.0.0.1"),
                     QStringLiteral("--port"),
                     QStringLiteral("0"),
                     QStringLiteral("--control-port"),
                     QStringLiteral("0"),
                     QStringLiteral("--http-port"),
                     QStringLiteral("0"),
                     QStringLiteral("--data-dir"),
                     m_dataDir.path(),
                     QStringLiteral("--rate-exempt"),
                     QStringLiteral("127.0.0.0/8"),
                     QStringLiteral("--recent-partner-exclusion-s"),
                     QStringLiteral("0"),
                     QStringLiteral("--max-connections"),
                     QString::number(m_options.clients * 2 + 100)};
    args += m_options.serverArgs;
    m_server.setProgram(m_options.serverBinary);
    m_server.setArguments(args);
    m_server.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    m_server.start();
    if (!m_server.waitForStarted(10000))
        return false;
    static const QRegularExpression ready(QStringLiteral(R"(ready: chat (ws://\S+))"));
    QByteArray out;
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < 20000 && m_server.waitForReadyRead(1000)) {
        out += m_server.readAllStandardOutput();
        const auto match = ready.match(QString::fromUtf8(out));
        if (match.hasMatch()) {
            m_url = QUrl(match.captured(1));
            return true;
        }
    }
    return false;
}

void SoakDriver::start() {
    if (!startServer()) {
        std::fprintf(stderr, "soak: the server did not start\n");
        QMetaObject::invokeMethod(
            this, [this] { Q_EMIT finished(2); }, Qt::QueuedConnection);
        return;
    }
    std::printf("soak: %d clients for %d s (warm-up %d s) against %s (pid %lld)\n",
                m_options.clients, m_options.seconds, m_options.warmupSeconds,
                qPrintable(m_url.toString()), m_server.processId());
    std::printf("%8s %10s %6s %9s %7s %10s\n", "t_s", "rss_kib", "fds", "connected", "paired",
                "delivered");
    std::fflush(stdout);
    m_clock.start();
    m_churning = true;
    // Connect in steps of 100 every 50 ms rather than all at once.
    for (int i = 0; i < m_options.clients; ++i) {
        m_clients.push_back(std::make_unique<SoakClient>(*this, i));
        QTimer::singleShot((i / 100) * 50, m_clients.back().get(), &SoakClient::connectNow);
    }
    m_sampler.start(m_options.sampleSeconds * 1000);
    QTimer::singleShot(m_options.seconds * 1000, this, &SoakDriver::stopChurn);
}

void SoakDriver::recordSent(const QString &id, bool queued) {
    Entry e;
    e.queued = queued;
    m_ledger.insert(id, e);
}

void SoakDriver::recordDelivered(const QString &id, bool partnerAway) {
    auto it = m_ledger.find(id);
    if (it == m_ledger.end()) {
        count("delivered for an unknown id");
        return;
    }
    if (!it->delivered)
        ++m_deliveredTotal;
    it->delivered = true;
    it->ackedWhileAway = it->ackedWhileAway || (it->queued && partnerAway);
}

void SoakDriver::recordLateDelivered(const QString &id) {
    auto it = m_ledger.find(id);
    if (it == m_ledger.end()) {
        count("delivered for an unknown id");
        return;
    }
    if (it->delivered) {
        count("delivered again");
        return;
    }
    count("delivered after the pair ended");
    ++m_deliveredTotal;
    it->delivered = true;
}

void SoakDriver::recordReceived(const QString &id, bool onResumedConnection, bool inOrder) {
    auto it = m_ledger.find(id);
    if (it == m_ledger.end()) {
        count("received an unknown id");
        return;
    }
    ++it->received;
    it->receivedUnresumed = it->receivedUnresumed || (it->queued && !onResumedConnection);
    m_outOfOrder += !inOrder;
}

void SoakDriver::recordPaired(const QString &pair, SoakClient *client) {
    QList<SoakClient *> &members = m_pairs[pair];
    if (!members.contains(client))
        members.append(client);
}

void SoakDriver::recordUnpaired(const QString &pair, SoakClient *client) {
    auto it = m_pairs.find(pair);
    if (it == m_pairs.end())
        return;
    it->removeOne(client);
    if (it->isEmpty())
        m_pairs.erase(it);
}

SoakClient *SoakDriver::partnerOf(const QString &pair, const SoakClient *client) const {
    const auto it = m_pairs.constFind(pair);
    if (it == m_pairs.cend())
        return nullptr;
    for (SoakClient *member : *it)
        if (member != client)
            return member;
    return nullptr;
}

void SoakDriver::takeSample() {
    Sample s;
    s.seconds = m_clock.elapsed() / 1000.0;
    s.rssKiB = whisper::residentKiB(m_server.processId());
    s.fds = whisper::openDescriptors(m_server.processId());
    for (const auto &c : m_clients) {
        s.connected += c->isConnected();
        s.paired += c->isPaired();
    }
    s.delivered = m_deliveredTotal;
    m_samples.push_back(s);
    std::printf("%8.1f %10lld %6d %9d %7d %10llu\n", s.seconds, s.rssKiB, s.fds, s.connected,
                s.paired, static_cast<unsigned long long>(s.delivered));
    std::fflush(stdout);
}

void SoakDriver::stopChurn() {
    m_churning = false;
    m_sampler.stop();
    for (const auto &c : m_clients)
        c->stop();
    // Let messages in flight finish and dropped clients come back.
    auto *settle = new QTimer(this);
    auto *waited = new QElapsedTimer;
    waited->start();
    connect(settle, &QTimer::timeout, this, [this, settle, waited] {
        bool settled = true;
        for (const auto &c : m_clients)
            settled = settled && c->isConnected() && c->idle();
        if (!settled && waited->elapsed() < 20000)
            return;
        settle->stop();
        settle->deleteLater();
        delete waited;
        settleAndJudge();
    });
    settle->start(100);
}

void SoakDriver::settleAndJudge() {
    takeSample();
    int code = judge();
    // The server must also stop cleanly: a crash at exit is a failure too.
    m_server.terminate();
    const bool stopped = m_server.waitForFinished(15000);
    const bool clean =
        stopped && m_server.exitStatus() == QProcess::NormalExit && m_server.exitCode() == 0;
    std::printf("soak: server %s (exit code %d)\n",
                clean ? "stopped cleanly" : "FAILED to stop cleanly", m_server.exitCode());
    std::fflush(stdout);
    if (!clean)
        code = 1;
    Q_EMIT finished(code);
}

int SoakDriver::judge() {
    int failures = 0;
    // Memory and descriptors after the warm-up.
    const Sample *base = nullptr;
    for (const Sample &s : m_samples)
        if (s.seconds >= m_options.warmupSeconds) {
            base = &s;
            break;
        }
    const Sample &last = m_samples.back();
    if (!base || base == &last) {
        std::printf("soak: no sample after the warm-up to compare with\n");
        ++failures;
    } else {
        const double rssGrowth = double(last.rssKiB) / double(base->rssKiB) - 1.0;
        // Descriptors beyond one per connected client: the server's own.
        const int baseOwn = base->fds - base->connected;
        const int lastOwn = last.fds - last.connected;
        const double fdGrowth = double(lastOwn - baseOwn) / double(base->fds);
        std::printf("soak: RSS %lld KiB at %.0f s, %lld KiB at the end (%+.1f %%); descriptors "
                    "%d at %.0f s (%d own), %d at the end (%d own; growth %+.1f %% of %d)\n",
                    base->rssKiB, base->seconds, last.rssKiB, rssGrowth * 100.0, base->fds,
                    base->seconds, baseOwn, last.fds, lastOwn, fdGrowth * 100.0, base->fds);
        if (rssGrowth > m_options.growthLimit) {
            std::printf("soak: FAIL: RSS grew by more than %.0f %%\n", m_options.growthLimit * 100);
            ++failures;
        }
        if (fdGrowth > m_options.growthLimit) {
            std::printf("soak: FAIL: descriptors grew by more than %.0f %%\n",
                        m_options.growthLimit * 100);
            ++failures;
        }
    }
    // Message accounting.
    quint64 sent = 0, delivered = 0, lost = 0, duplicated = 0, unackedArrived = 0;
    quint64 queued = 0, queuedDelivered = 0, queuedLost = 0, queuedDuplicated = 0,
            ackedWhileAway = 0, unresumed = 0;
    for (auto it = m_ledger.cbegin(); it != m_ledger.cend(); ++it) {
        ++sent;
        delivered += it->delivered;
        lost += it->delivered && it->received == 0;
        duplicated += it->received > 1;
        unackedArrived += !it->delivered && it->received == 1;
        if (!it->queued)
            continue;
        ++queued;
        queuedDelivered += it->delivered;
        queuedLost += it->delivered && it->received == 0;
        queuedDuplicated += it->received > 1;
        ackedWhileAway += it->ackedWhileAway;
        unresumed += it->receivedUnresumed;
    }
    std::printf("soak: messages: %llu sent, %llu acknowledged as delivered, %llu of those lost, "
                "%llu received more than once, %llu received without an acknowledgement\n",
                static_cast<unsigned long long>(sent), static_cast<unsigned long long>(delivered),
                static_cast<unsigned long long>(lost), static_cast<unsigned long long>(duplicated),
                static_cast<unsigned long long>(unackedArrived));
    std::printf(
        "soak: sent while the partner was away (queued): %llu, %llu of them acknowledged "
        "as delivered, %llu of those lost, %llu received more than once, %llu "
        "acknowledged before partner_back, %llu received on a connection that had not "
        "resumed; %llu messages received out of order\n",
        static_cast<unsigned long long>(queued), static_cast<unsigned long long>(queuedDelivered),
        static_cast<unsigned long long>(queuedLost),
        static_cast<unsigned long long>(queuedDuplicated),
        static_cast<unsigned long long>(ackedWhileAway), static_cast<unsigned long long>(unresumed),
        static_cast<unsigned long long>(m_outOfOrder));
    QStringList counters;
    for (auto it = m_counters.cbegin(); it != m_counters.cend(); ++it)
        counters << QStringLiteral("%1: %2").arg(QString::fromUtf8(it.key())).arg(it.value());
    counters.sort();
    std::printf("soak: events: %s\n", qPrintable(counters.join(QStringLiteral(", "))));
    if (lost || duplicated) {
        std::printf("soak: FAIL: lost or duplicated messages\n");
        ++failures;
    }
    if (delivered == 0) {
        std::printf("soak: FAIL: nothing was delivered\n");
        ++failures;
    }
    if (ackedWhileAway || unresumed || m_outOfOrder) {
        std::printf("soak: FAIL: a queued message acknowledged too early, received outside a "
                    "resume, or messages out of order\n");
        ++failures;
    }
    // With resume tokens handed out, the churn must have exercised them:
    // drops that came back with resume_session and messages queued meanwhile.
    if (m_counters.value("welcomes with a resume_token") > 0 &&
        (m_counters.value("resumed") == 0 || queuedDelivered == 0)) {
        std::printf("soak: FAIL: no drop was resumed or no queued message delivered\n");
        ++failures;
    }
    std::printf("soak: %s\n", failures ? "FAILED" : "passed");
    std::fflush(stdout);
    return failures ? 1 : 0;
}

} // namespace whisper::soak
