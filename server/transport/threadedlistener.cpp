// SPDX-License-Identifier: MIT
#include "threadedlistener.h"

#include "threadedconnection.h"

#include <QLoggingCategory>

#include <unistd.h>

namespace whisper {

Q_LOGGING_CATEGORY(lcThreadedListener, "whisper.server.listener.threaded")

ThreadedListener::ThreadedListener(const ListenerSettings &settings, QObject *parent)
    : ConnectionListener(parent)
    , m_tcp(settings.backlog, settings.socketBufferBytes) {
    m_peerLimiter = std::make_unique<PeerLimiter>(settings.peerLimits);
    connect(&m_tcp, &TcpListener::accepted, this, &ThreadedListener::onAccepted);
    const WebSocketConnection::Limits limits = nativeLimits(settings);
    m_drainMethod = staticMetaObject.method(staticMetaObject.indexOfMethod("drain(int)"));
    Q_ASSERT(m_drainMethod.isValid());
    for (int i = 0; i < settings.ioThreads; ++i) {
        Worker w;
        w.channel = std::make_shared<IoChannel>();
        w.channel->events.setConsumer(
            [this, i] { m_drainMethod.invoke(this, Qt::QueuedConnection, Q_ARG(int, i)); });
        w.thread = std::make_unique<IoThread>(w.channel, limits, settings.handshakeTimeoutMs);
        w.thread->setObjectName(QStringLiteral("whisper-io-%1").arg(i));
        w.thread->startAndWait();
        m_threads.push_back(std::move(w));
    }
    qCInfo(lcThreadedListener) << "native transport on" << settings.ioThreads << "I/O threads";
}

ThreadedListener::~ThreadedListener() {
    m_tcp.close();
    // Threads first: none of them may post to this object once it is gone.
    for (Worker &w : m_threads) {
        w.thread->stop();
        w.channel->events.close();
    }
}

bool ThreadedListener::listen(const QHostAddress &address, quint16 port) {
    return m_tcp.listen(address, port);
}

void ThreadedListener::close() {
    m_tcp.close();
}

void ThreadedListener::onAccepted(int fd, const QHostAddress &peer) {
    std::unique_ptr<PeerSlot> slot = admitPeer(fd, peer);
    if (!slot)
        return;
    Worker &w = m_threads[m_next++ % m_threads.size()];
    IoCommand c;
    c.kind = IoCommand::Kind::Adopt;
    c.value = fd;
    c.peer = std::make_unique<QHostAddress>(peer);
    c.slot = std::move(slot);
    if (!w.channel->commands.push(std::move(c)))
        ::close(fd);
}

void ThreadedListener::drain(int index) {
    const std::shared_ptr<IoChannel> channel = m_threads[std::size_t(index)].channel;
    // A local batch: a receiver could spin a nested event loop (and drain
    // again) while this one is handed out.
    std::vector<IoEvent> batch = std::move(m_batch);
    channel->events.takeAll(batch);
    // Sessions answer and relay to partners on any thread: hold the commands
    // for every thread until the batch is done.
    const bool nested = channel->holding;
    for (Worker &w : m_threads)
        w.channel->holding = true;
    for (IoEvent &e : batch) {
        if (e.kind == IoEvent::Kind::Opened) {
            // The receiver owns it; the events behind this one in the batch
            // find it in the table.
            Q_EMIT newConnection(new ThreadedConnection(channel, e.handle, *e.opening));
            continue;
        }
        if (e.kind == IoEvent::Kind::Text || e.kind == IoEvent::Kind::Binary)
            channel->pendingInputBytes.fetch_sub(e.data.size() + IoChannel::kEventOverheadBytes);
        // Looked up each time: receivers delete connections as they go.
        if (ThreadedConnection *proxy = channel->proxies.value(e.handle))
            proxy->deliver(e);
    }
    if (channel->pendingInputBytes.load() < IoChannel::kMaxPendingInputBytes / 2 &&
        channel->readsPaused.exchange(false)) {
        IoCommand resume;
        resume.kind = IoCommand::Kind::Resume;
        channel->commands.push(std::move(resume));
    }
    batch.clear();
    m_batch = std::move(batch);
    if (nested)
        return;
    for (Worker &w : m_threads) {
        w.channel->holding = false;
        w.channel->commands.pushAll(w.channel->held);
    }
}

} // namespace whisper
