// SPDX-License-Identifier: MIT
#pragma once

#include "connection.h"
#include "httpresponder.h"
#include "leakybucket.h"
#include "peerlimiter.h"

#include <QByteArray>
#include <QHostAddress>

#include <atomic>
#include <memory>

class QSocketNotifier;

namespace whisper::metrics {
class Counter;
}

namespace whisper {

// RFC 6455 server side on a raw, non-blocking socket descriptor: the HTTP
// upgrade, frame parsing and writing, with no QTcpSocket/QWebSocket objects
// behind it. Written for the relay's hot path: one read() per
// readiness, one sendmsg() per frame with no copy, no write-notifier toggling
// unless the socket is full, and only a few hundred bytes per idle connection.
// Frames written while the event loop handles one batch of ready sockets are
// sent together at the end of that iteration: a client that gets its
// partner's message and its own `delivered` in one batch costs one system
// call, not two.
//
// Unlike QWebSocket, a text frame with invalid UTF-8 is passed on as it is, so
// the session answers it with `error` and keeps the connection open, as
// protocol v1 requires.
//
// Memory per connection is bounded whatever the peer does: the output buffer
// holds at most `maxOutputBytes` (sent bytes are compacted away, so a peer
// that reads a trickle cannot make it grow), a peer whose unread output
// would exceed that is dropped (recorded as 1008), and the peer's pings are
// answered only at `pingRate`: a flood of them closes with 1008.
class WebSocketConnection final : public Connection {
    Q_OBJECT
public:
    struct Limits {
        qint64 maxMessageBytes = 16 * 1024; // larger messages close with 1009
        qint64 maxOutputBytes = 128 * 1024; // output held for a slow reader
        int closeTimeoutMs = 2000;          // wait for the peer's close frame
        LeakRate pingRate{10, 1000, 0};     // the peer's pings; beyond: 1008
        // Counts upgrades refused or timed out (null: not counted).
        metrics::Counter *handshakeFailures = nullptr;
        // Answers requests that are not upgrades (the browser client); null:
        // they get 400 like any failed handshake.
        std::shared_ptr<const HttpResponder> http;
        // Reverse proxies whose X-Forwarded-For names the client (forwardedfor.h).
        QList<QPair<QHostAddress, int>> trustedProxies;
        // While set, upgrades that came through a trusted proxy get HTTP 503,
        // so the proxy tries another node (a draining server); null: never.
        std::shared_ptr<const std::atomic<bool>> refuseProxiedUpgrades;
    };

    // Takes ownership of `fd` (connected, non-blocking) and of `slot` (its
    // place in the per-address counts, may be null).
    WebSocketConnection(int fd, const QHostAddress &peer, const Limits &limits,
                        QObject *parent = nullptr, std::unique_ptr<PeerSlot> slot = {});
    ~WebSocketConnection() override;

    bool isOpen() const { return m_state == State::Open; }

    void sendText(QByteArrayView utf8) override;
    void ping() override;
    void close(QWebSocketProtocol::CloseCode code, const QString &reason) override;
    void abort() override;
    // Stops (or resumes) reading from the socket: the I/O threads' brake
    // when the main thread falls behind.
    void setReadingPaused(bool paused);
    QHostAddress peerAddress() const override { return m_peer; }
    QUrl requestUrl() const override;
    QString origin() const override { return QString::fromUtf8(m_origin); }
    int closeCode() const override { return m_closeCode; }

Q_SIGNALS:
    // The upgrade succeeded; frames flow from now on.
    void handshakeComplete();
    // The request was not a valid WebSocket upgrade; the socket is closed.
    void handshakeFailed();

private:
    // Http: answering a plain HTTP request, closed once the answer is out.
    enum class State : quint8 { Handshake, Http, Open, Closing, Closed };

    class ReadNotifier;
    void onReadable();
    void onWritable();
    bool handshake();
    void rejectHandshake(const char *response);
    void answerHttp(QByteArrayView head);
    std::size_t consumeFrames(char *data, std::size_t size);
    void onMessage(quint8 opcode, QByteArrayView payload);
    void failConnection(QWebSocketProtocol::CloseCode code, const char *reason);
    void writeFrame(quint8 opcode, const char *payload, std::size_t size);
    void writeRaw(const char *a, std::size_t na, const char *b, std::size_t nb);
    // Appends to the output buffer within maxOutputBytes; false (and the
    // peer dropped) when it does not fit.
    bool holdOutput(const char *a, std::size_t na, const char *b, std::size_t nb);
    void dropSlowPeer();
    bool admitPing();
    void setWriteNotification(bool enabled);
    // Sends what the handlers of this event-loop iteration queued.
    void flushQueued();
    friend class WriteFlusher;
    // Closes the descriptor and reports `disconnected` from the event loop.
    void finish();

    int m_fd;
    State m_state = State::Handshake;
    quint8 m_fragmentOpcode = 0; // opcode of the message being reassembled
    bool m_writeWanted = false;
    bool m_flushQueued = false;
    bool m_dropped = false; // output over budget: nothing more is written
    // Until a close frame is sent or received: a connection that just ends
    // was lost (1006), which sessions keep for resume, unlike a close.
    int m_closeCode = QWebSocketProtocol::CloseCodeAbnormalDisconnection;
    Limits m_limits;
    QSocketNotifier *m_readNotifier = nullptr;  // a ReadNotifier
    QSocketNotifier *m_writeNotifier = nullptr; // created when a write blocks
    QHostAddress m_peer;
    QByteArray m_in;  // bytes of an incomplete handshake or frame
    QByteArray m_out; // bytes the socket did not take yet
    qsizetype m_outPos = 0;
    QByteArray m_fragments; // a fragmented message so far
    QByteArray m_path;
    QByteArray m_origin;
    LeakyBucket m_pings;
    std::unique_ptr<PeerSlot> m_slot;
};

} // namespace whisper
