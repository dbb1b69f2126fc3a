// SPDX-License-Identifier: MIT
#pragma once

#include <QHostAddress>
#include <QObject>
#include <QString>
#include <QTimer>

class QSocketNotifier;

namespace whisper {

// A listening TCP socket made by hand so that its accept backlog is ours to
// choose: QTcpServer (and so QWebSocketServer) hard-codes 50, which drops
// SYNs during bursts of connects. Accepted descriptors come out non-blocking
// with TCP_NODELAY set (chat frames are small and latency-bound).
class TcpListener : public QObject {
    Q_OBJECT
public:
    // `socketBufferBytes` > 0: SO_SNDBUF and SO_RCVBUF of every accepted
    // socket (the kernel doubles it for its bookkeeping); 0: the kernel's
    // autotuning, which lets one socket hold megabytes.
    explicit TcpListener(int backlog, int socketBufferBytes = 0, QObject *parent = nullptr);
    ~TcpListener() override;

    bool listen(const QHostAddress &address, quint16 port);
    void close();
    QHostAddress serverAddress() const { return m_address; }
    quint16 serverPort() const { return m_port; }
    QString errorString() const { return m_error; }

Q_SIGNALS:
    // The receiver owns `fd`.
    void accepted(int fd, const QHostAddress &peer);

private:
    void onReadable();

    int m_backlog;
    int m_socketBufferBytes;
    int m_fd = -1;
    QSocketNotifier *m_notifier = nullptr;
    QTimer m_retry; // after running out of descriptors
    QHostAddress m_address;
    quint16 m_port = 0;
    QString m_error;
};

} // namespace whisper
