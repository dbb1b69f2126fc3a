// SPDX-License-Identifier: MIT
#pragma once

#include <QElapsedTimer>
#include <QHash>
#include <QJsonObject>
#include <QObject>
#include <QTimer>
#include <QWebSocket>

namespace whisper::soak {

class SoakDriver;

// One churning chat client: join, chat, leave or drop its connection, and
// come back (with `resume_session` when the server handed out a
// `resume_token`, else as a new session that joins again). Messages go one
// at a time (the next after the previous one's `delivered`), each with a
// unique id that is also its text.
//
// A drop is a TCP abort with no close frame, as a phone losing its network
// would do. Data on the wire at that moment would be lost by the network,
// not by the server, so the client first lets its partner's messages that
// the server already acknowledged arrive (the partner holds back meanwhile);
// its own message in flight is left as it is and re-sent with the same id
// after a resume, which the server must deliver only once.
//
// While the partner is away (after `partner_away`) the client sends a short
// burst of messages at once: the server queues them, and they must reach the
// partner's resumed connection once each, in order, with `delivered` only
// after `partner_back`.
class SoakClient : public QObject {
    Q_OBJECT
public:
    SoakClient(SoakDriver &driver, int index);
    ~SoakClient() override;

    void connectNow();
    // The churn is over: no new actions; messages in flight may finish.
    void stop();
    bool isConnected() const { return m_socket.state() == QAbstractSocket::ConnectedState; }
    bool isPaired() const { return m_state == State::Paired; }
    bool isDropping() const { return m_dropping; }
    bool idle() const { return m_unacked.isEmpty() || m_state != State::Paired; }
    // Partner side of a drop: hold back new messages while the other side
    // lets what is in flight arrive.
    void setHolding(bool holding);
    // The dropped partner is gone: hold until the server says so.
    void releaseHoldWhenPartnerGone();
    int unackedCount() const { return int(m_unacked.size()); }
    quint64 ackedInPair() const { return m_ackedInPair; }
    quint64 receivedInPair() const { return m_receivedInPair; }
    int index() const { return m_index; }

private:
    enum class State { Offline, Lobby, Waiting, Paired };

    void onText(const QString &text);
    void onDisconnected();
    void handle(const QString &type, const QJsonObject &o);
    void act();
    void scheduleAction();
    void join();
    void sendNext();
    void sendJson(const QJsonObject &o);
    void beginDrop();
    void finishDrop();
    void enterPair(const QString &pair);
    void leavePair();
    void onDelivered(const QString &id);
    void onMessage(const QString &id);

    SoakDriver &m_driver;
    int m_index;
    QWebSocket m_socket;
    QTimer m_action;
    QTimer m_dropWait;
    QTimer m_holdRelease;
    State m_state = State::Offline;
    QString m_token;         // the latest resume token, if the server gives them
    QString m_fallbackToken; // the new session's, should a resume be refused
    QElapsedTimer m_dropStarted;
    bool m_resuming = false;
    bool m_stopped = false;
    bool m_holding = false;
    bool m_dropping = false;
    bool m_partnerAway = false; // between `partner_away` and `partner_back`
    bool m_resumedHere = false; // this connection carries a resumed session
    QString m_pair;
    quint64 m_seq = 0;
    // Ids sent, `delivered` not yet seen: one, or a burst while the partner
    // is away.
    QStringList m_unacked;
    QHash<int, quint64> m_lastSeqFrom; // per sender: order of arrival
    quint64 m_ackedInPair = 0;
    quint64 m_receivedInPair = 0;
};

} // namespace whisper::soak
