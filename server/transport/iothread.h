// SPDX-License-Identifier: MIT
#pragma once

#include "batchqueue.h"
#include "websocketconnection.h"

#include <QByteArray>
#include <QHash>
#include <QHostAddress>
#include <QSemaphore>
#include <QString>
#include <QThread>
#include <QUrl>

#include <atomic>
#include <memory>

namespace whisper {

class ThreadedConnection;

// What the main thread asks of the I/O thread, about one connection.
struct IoCommand {
    // Resume: the main thread caught up; read the sockets again (no handle).
    enum class Kind : quint8 { Adopt, Send, Ping, Close, Abort, Resume };
    Kind kind = Kind::Send;
    int value = 0;                      // Adopt: the descriptor; Close: the close code
    quint64 handle = 0;                 // the connection (not for Adopt)
    QByteArray data;                    // Send: the text; Close: the reason, UTF-8
    std::unique_ptr<QHostAddress> peer; // Adopt only (a QHostAddress allocates)
    std::unique_ptr<PeerSlot> slot;     // Adopt only: the per-address counts
};

// What the I/O thread reports to the main thread, about one connection.
struct IoEvent {
    enum class Kind : quint8 { Opened, Text, Binary, Pong, Closed };
    struct Opening {
        QHostAddress peer;
        QUrl requestUrl;
        QString origin;
    };
    Kind kind = Kind::Text;
    int closeCode = 0; // Closed
    quint64 handle = 0;
    QByteArray data;                  // Text, Binary
    std::unique_ptr<Opening> opening; // Opened only
};

// Everything one I/O thread and the main thread share. Both queues are
// thread-safe; `proxies` belongs to the main thread alone. Shared ownership:
// proxies can outlive their thread (and the listener) during tear-down, and
// then their commands are dropped.
struct IoChannel {
    BatchQueue<IoCommand> commands;               // to the I/O thread
    BatchQueue<IoEvent> events;                   // to the main thread
    QHash<quint64, ThreadedConnection *> proxies; // main thread only
    // Main thread only: while the listener hands out a batch of events, the
    // commands they cause (replies, relayed messages) collect here and go
    // over in one piece, so the I/O thread wakes once per batch rather than
    // once per reply, and does not preempt the main thread on a shared core.
    bool holding = false;
    std::vector<IoCommand> held;
    // Messages read but not yet handed out by the main thread, in bytes. A
    // main thread slower than the sockets would otherwise let them queue
    // without bound: above kMaxPendingInputBytes the I/O thread stops
    // reading until the main thread is below half of it and says Resume.
    static constexpr qint64 kMaxPendingInputBytes = 1 << 20;
    static constexpr qint64 kEventOverheadBytes = 128; // an event and its allocation
    std::atomic<qint64> pendingInputBytes{0};
    std::atomic<bool> readsPaused{false};
};

// One thread running its own event loop (the epoll dispatcher unless
// WHISPERCHAT_EVENT_DISPATCHER=qt) that owns native WebSocket connections:
// it takes accepted descriptors, does the upgrade, the framing, masking and
// buffering, and trades only whole messages and commands with the main
// thread through its IoChannel. Its connections close when it stops.
class IoThread : public QThread {
    Q_OBJECT
public:
    IoThread(std::shared_ptr<IoChannel> channel, const WebSocketConnection::Limits &limits,
             int handshakeTimeoutMs, QObject *parent = nullptr);
    ~IoThread() override; // stops the thread

    // Returns once the thread accepts commands.
    void startAndWait();
    void stop();

protected:
    void run() override;

private:
    std::shared_ptr<IoChannel> m_channel;
    WebSocketConnection::Limits m_limits;
    int m_handshakeTimeoutMs;
    QSemaphore m_ready;
};

} // namespace whisper
