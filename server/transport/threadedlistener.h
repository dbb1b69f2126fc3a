// SPDX-License-Identifier: MIT
#pragma once

#include "iothread.h"
#include "listener.h"
#include "tcplistener.h"

#include <QMetaMethod>

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
    // Invoked queued, by name (m_drainMethod), from the I/O threads.
    Q_INVOKABLE void drain(int index);

    TcpListener m_tcp;
    std::vector<Worker> m_threads;
    std::size_t m_next = 0; // round robin
    std::vector<IoEvent> m_batch;
    // drain(int), looked up once. An I/O thread wakes this object through
    // it rather than through a queued lambda: the lambda would be a functor
    // object our code builds on the I/O thread and Qt runs on this one,
    // handed over by locks inside Qt that ThreadSanitizer cannot see (Qt is
    // not built for it). A queued QMetaMethod call keeps the whole hand-over
    // (the call event and its argument) inside Qt, and the events
    // themselves come through BatchQueue's lock.
    QMetaMethod m_drainMethod;
};

} // namespace whisper
