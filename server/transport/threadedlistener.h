// SPDX-License-Identifier: MIT
#pragma once

#include "iothread.h"
#include "listener.h"
#include "tcplistener.h"

#include <memory>
#include <vector>

namespace whisper {

// The native transport spread over `ioThreads` I/O threads: accepts on the
// main thread, hands each descriptor to the next thread in turn, and turns
// each upgraded connection into a ThreadedConnection for the sessions, which
// stay on the main thread with all their single-threaded invariants.
class ThreadedListener final : public ConnectionListener {
    Q_OBJECT
public:
    ThreadedListener(const ListenerSettings &settings, QObject *parent = nullptr);
    // Stops the I/O threads; their connections close.
    ~ThreadedListener() override;

    bool listen(const QHostAddress &address, quint16 port) override;
    void close() override;
    QHostAddress serverAddress() const override { return m_tcp.serverAddress(); }
    quint16 serverPort() const override { return m_tcp.serverPort(); }
    QString errorString() const override { return m_tcp.errorString(); }

    int threadCount() const { return int(m_threads.size()); }

private:
    struct Worker {
        std::shared_ptr<IoChannel> channel;
        std::unique_ptr<IoThread> thread;
    };

    void onAccepted(int fd, const QHostAddress &peer);
    void drain(std::size_t index);

    TcpListener m_tcp;
    std::vector<Worker> m_threads;
    std::size_t m_next = 0; // round robin
    std::vector<IoEvent> m_batch;
};

} // namespace whisper
