// SPDX-License-Identifier: MIT
#pragma once

#include "connection.h"
#include "iothread.h"

#include <memory>

namespace whisper {

// A native WebSocket connection that lives on an I/O thread, as the session
// sees it on the main thread. Calls become commands to that thread; what the
// connection reports arrives as events the listener hands to deliver(), and
// goes out again as this object's signals, on the main thread. Main thread
// only.
class ThreadedConnection final : public Connection {
    Q_OBJECT
public:
    ThreadedConnection(std::shared_ptr<IoChannel> channel, quint64 handle,
                       const IoEvent::Opening &opening, QObject *parent = nullptr);
    // Still open: the connection on the I/O thread is aborted.
    ~ThreadedConnection() override;

    void sendText(QByteArrayView utf8) override;
    void ping() override;
    void close(QWebSocketProtocol::CloseCode code, const QString &reason) override;
    void abort() override;
    QHostAddress peerAddress() const override { return m_peer; }
    QUrl requestUrl() const override { return m_requestUrl; }
    QString origin() const override { return m_origin; }
    int closeCode() const override { return m_closeCode; }

    // An event of the connection on the I/O thread (not Opened). May end
    // in this object's deletion by a receiver: nothing follows the signal.
    void deliver(IoEvent &event);

private:
    // False when the I/O thread is gone.
    bool post(IoCommand::Kind kind, QByteArray data, int value);
    void command(IoCommand::Kind kind, QByteArray data = {}, int value = 0);
    void reportGone();

    std::shared_ptr<IoChannel> m_channel;
    quint64 m_handle;
    bool m_closed = false;  // Closed arrived (or the I/O thread is gone)
    bool m_closing = false; // close() or abort() was asked: no more messages
    int m_closeCode = QWebSocketProtocol::CloseCodeNormal;
    QHostAddress m_peer;
    QUrl m_requestUrl;
    QString m_origin;
};

} // namespace whisper
