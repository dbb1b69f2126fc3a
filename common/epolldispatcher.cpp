// SPDX-License-Identifier: MIT
#include "epolldispatcher.h"

#include <QCoreApplication>
#include <QLoggingCategory>
#include <QSocketNotifier>
#include <QThread>
#include <QTimerEvent>

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace whisper {

Q_LOGGING_CATEGORY(lcDispatcher, "whisper.common.dispatcher")

namespace {

constexpr int kMaxEvents = 256;

qint64 monotonicNs() {
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return qint64(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

// What each notifier type listens to; errors and hang-ups wake readers and
// writers alike, as with QEventDispatcherUNIX, so sockets notice them.
constexpr std::uint32_t kWanted[3] = {EPOLLIN | EPOLLRDHUP, EPOLLOUT, EPOLLPRI};
constexpr std::uint32_t kFires[3] = {EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR,
                                     EPOLLOUT | EPOLLHUP | EPOLLERR, EPOLLPRI};

} // namespace

EpollEventDispatcher::EpollEventDispatcher(QObject *parent)
    : QAbstractEventDispatcher(parent) {
    m_epoll = epoll_create1(EPOLL_CLOEXEC);
    m_wakeFd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (m_epoll < 0 || m_wakeFd < 0)
        qFatal("epoll dispatcher: cannot create epoll/eventfd: %s", std::strerror(errno));
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = -1; // the wake-up descriptor
    epoll_ctl(m_epoll, EPOLL_CTL_ADD, m_wakeFd, &ev);
}

EpollEventDispatcher::~EpollEventDispatcher() {
    ::close(m_wakeFd);
    ::close(m_epoll);
}

void EpollEventDispatcher::wakeUp() {
    // On the loop's own thread the loop is running, not blocked: a flag that
    // keeps it from blocking before it delivered the posted events will do,
    // and saves two system calls (write and read of the eventfd) per
    // iteration, which with one relayed message per iteration was a third of
    // the server's system calls.
    if (QThread::currentThreadId() == m_loopThread.load(std::memory_order_relaxed)) {
        m_wokenByLoopThread = true;
        return;
    }
    const std::uint64_t one = 1;
    // A full counter already means "awake"; nothing else can fail here.
    [[maybe_unused]] const auto n = ::write(m_wakeFd, &one, sizeof one);
}

void EpollEventDispatcher::interrupt() {
    m_interrupted.store(true, std::memory_order_release);
    wakeUp();
}

// ---- socket notifiers -------------------------------------------------------

void EpollEventDispatcher::registerSocketNotifier(QSocketNotifier *notifier) {
    const int fd = int(notifier->socket());
    const int type = int(notifier->type());
    if (fd < 0 || type < 0 || type > 2)
        return;
    if (std::size_t(fd) >= m_watches.size())
        m_watches.resize(std::size_t(fd) + 1 + m_watches.size() / 2);
    Watch &w = m_watches[std::size_t(fd)];
    if (w.notifiers[type] && w.notifiers[type] != notifier)
        qCWarning(lcDispatcher) << "several socket notifiers of one type on descriptor" << fd;
    w.notifiers[type] = notifier;
    updateWatch(fd);
}

void EpollEventDispatcher::unregisterSocketNotifier(QSocketNotifier *notifier) {
    const int fd = int(notifier->socket());
    const int type = int(notifier->type());
    if (fd < 0 || std::size_t(fd) >= m_watches.size() || type < 0 || type > 2)
        return;
    Watch &w = m_watches[std::size_t(fd)];
    if (w.notifiers[type] != notifier)
        return;
    w.notifiers[type] = nullptr;
    updateWatch(fd);
}

void EpollEventDispatcher::updateWatch(int fd) {
    Watch &w = m_watches[std::size_t(fd)];
    std::uint32_t events = 0;
    for (int t = 0; t < 3; ++t)
        if (w.notifiers[t])
            events |= kWanted[t];
    const bool any = events != 0;
    if (w.alwaysReady) {
        if (!any) {
            w.alwaysReady = false;
            --m_alwaysReadyCount;
        }
        return;
    }
    if (any == w.inEpoll && events == w.events)
        return;
    epoll_event ev{};
    ev.events = events;
    ev.data.fd = fd;
    int rc = 0;
    if (!any) {
        rc = epoll_ctl(m_epoll, EPOLL_CTL_DEL, fd, nullptr);
        // The descriptor may already be closed, which removed it from epoll.
        if (rc != 0 && (errno == ENOENT || errno == EBADF))
            rc = 0;
        w.inEpoll = false;
    } else if (w.inEpoll) {
        rc = epoll_ctl(m_epoll, EPOLL_CTL_MOD, fd, &ev);
        if (rc != 0 && errno == ENOENT) // closed and reused behind our back
            rc = epoll_ctl(m_epoll, EPOLL_CTL_ADD, fd, &ev);
    } else {
        rc = epoll_ctl(m_epoll, EPOLL_CTL_ADD, fd, &ev);
        if (rc != 0 && errno == EEXIST)
            rc = epoll_ctl(m_epoll, EPOLL_CTL_MOD, fd, &ev);
        if (rc != 0 && errno == EPERM) { // regular file: poll() calls it always ready
            w.alwaysReady = true;
            ++m_alwaysReadyCount;
            w.events = events;
            return;
        }
        w.inEpoll = rc == 0;
    }
    if (rc != 0)
        qCWarning(lcDispatcher) << "epoll_ctl failed for descriptor" << fd << std::strerror(errno);
    w.events = any ? events : 0;
}

bool EpollEventDispatcher::activateNotifiers(const std::vector<std::pair<int, int>> &ready) {
    bool any = false;
    for (const auto &[fd, type] : ready) {
        // An earlier handler may have disabled or deleted this notifier.
        if (std::size_t(fd) >= m_watches.size())
            continue;
        QSocketNotifier *notifier = m_watches[std::size_t(fd)].notifiers[type];
        if (!notifier)
            continue;
        QEvent event(QEvent::SockAct);
        QCoreApplication::sendEvent(notifier, &event);
        any = true;
    }
    return any;
}

// ---- timers -----------------------------------------------------------------

void EpollEventDispatcher::scheduleNext(Timer &timer, qint64 nowNs) const {
    const qint64 intervalNs = timer.intervalMs * 1000000;
    qint64 next = timer.deadlineNs + intervalNs;
    // A timer that fell behind (busy loop, suspended process) fires once and
    // resumes from now instead of catching up with a burst.
    if (next <= nowNs)
        next = nowNs + intervalNs;
    timer.deadlineNs = next;
}

void EpollEventDispatcher::registerTimer(int timerId, qint64 interval, Qt::TimerType timerType,
                                         QObject *object) {
    if (timerId < 1 || interval < 0 || !object)
        return;
    Timer t;
    // Very coarse timers have one-second granularity in Qt.
    t.intervalMs = timerType == Qt::VeryCoarseTimer
                       ? qMax<qint64>(1000, (interval + 500) / 1000 * 1000)
                       : interval;
    t.type = timerType;
    t.object = object;
    t.deadlineNs = monotonicNs() + t.intervalMs * 1000000;
    if (auto it = m_timers.find(timerId); it != m_timers.end())
        m_deadlines.erase({it->deadlineNs, timerId});
    m_timers.insert(timerId, t);
    m_deadlines.insert({t.deadlineNs, timerId});
}

bool EpollEventDispatcher::unregisterTimer(int timerId) {
    const auto it = m_timers.find(timerId);
    if (it == m_timers.end())
        return false;
    m_deadlines.erase({it->deadlineNs, timerId});
    m_timers.erase(it);
    return true;
}

bool EpollEventDispatcher::unregisterTimers(QObject *object) {
    bool any = false;
    for (auto it = m_timers.begin(); it != m_timers.end();) {
        if (it->object == object) {
            m_deadlines.erase({it->deadlineNs, it.key()});
            it = m_timers.erase(it);
            any = true;
        } else {
            ++it;
        }
    }
    return any;
}

QList<QAbstractEventDispatcher::TimerInfo>
EpollEventDispatcher::registeredTimers(QObject *object) const {
    QList<TimerInfo> list;
    for (auto it = m_timers.cbegin(); it != m_timers.cend(); ++it)
        if (it->object == object)
            list.append(TimerInfo(it.key(), int(it->intervalMs), it->type));
    return list;
}

int EpollEventDispatcher::remainingTime(int timerId) {
    const auto it = m_timers.constFind(timerId);
    if (it == m_timers.cend())
        return -1;
    const qint64 left = it->deadlineNs - monotonicNs();
    return left <= 0 ? 0 : int((left + 999999) / 1000000);
}

bool EpollEventDispatcher::activateTimers() {
    if (m_deadlines.empty())
        return false;
    const qint64 now = monotonicNs();
    // Only timers due now, each once: a zero timer re-armed by its own handler
    // waits for the next iteration instead of starving everything else.
    std::vector<int> due;
    for (auto it = m_deadlines.begin(); it != m_deadlines.end() && it->first <= now; ++it)
        due.push_back(it->second);
    bool any = false;
    for (int id : due) {
        auto it = m_timers.find(id);
        if (it == m_timers.end() || it->active || it->deadlineNs > now)
            continue;
        m_deadlines.erase({it->deadlineNs, id});
        scheduleNext(*it, now);
        m_deadlines.insert({it->deadlineNs, id});
        it->active = true;
        QObject *object = it->object;
        QTimerEvent event(id);
        QCoreApplication::sendEvent(object, &event);
        any = true;
        // The handler may have killed, restarted or re-registered the timer.
        if (auto again = m_timers.find(id); again != m_timers.end())
            again->active = false;
    }
    return any;
}

int EpollEventDispatcher::waitTimeoutMs(qint64 nowNs) const {
    if (m_alwaysReadyCount > 0)
        return 0;
    for (const auto &[deadline, id] : m_deadlines) {
        if (m_timers.value(id).active)
            continue; // being delivered further up the stack; cannot fire now
        const qint64 left = deadline - nowNs;
        if (left <= 0)
            return 0;
        return int(qMin<qint64>((left + 999999) / 1000000, 24 * 3600 * 1000));
    }
    return -1;
}

// ---- the loop -----------------------------------------------------------------

bool EpollEventDispatcher::processEvents(QEventLoop::ProcessEventsFlags flags) {
    m_loopThread.store(QThread::currentThreadId(), std::memory_order_relaxed);
    m_interrupted.store(false, std::memory_order_relaxed);
    m_wokenByLoopThread = false; // what was posted so far is delivered now
    Q_EMIT awake();
    QCoreApplication::sendPostedEvents();
    if (m_interrupted.load(std::memory_order_acquire))
        return false;

    const bool mayWait = flags.testFlag(QEventLoop::WaitForMoreEvents);
    // Events posted by the handlers just run (Qt may leave those posted while
    // it delivered for the next round) must not wait behind a blocking call.
    int timeoutMs =
        mayWait && !m_wokenByLoopThread && m_endTasks.empty() ? waitTimeoutMs(monotonicNs()) : 0;
    if (timeoutMs != 0)
        Q_EMIT aboutToBlock();

    epoll_event events[kMaxEvents];
    int n = epoll_wait(m_epoll, events, kMaxEvents, timeoutMs);
    if (n < 0) {
        if (errno != EINTR)
            qCWarning(lcDispatcher) << "epoll_wait failed:" << std::strerror(errno);
        n = 0;
    }
    if (timeoutMs != 0)
        Q_EMIT awake();

    bool any = false;
    m_ready.clear();
    const bool sockets = !flags.testFlag(QEventLoop::ExcludeSocketNotifiers);
    for (int i = 0; i < n; ++i) {
        const int fd = events[i].data.fd;
        if (fd == -1) {
            std::uint64_t count;
            [[maybe_unused]] const auto r = ::read(m_wakeFd, &count, sizeof count);
            any = true; // posted events or an interrupt: let the loop look again
            continue;
        }
        if (!sockets || std::size_t(fd) >= m_watches.size())
            continue;
        const Watch &w = m_watches[std::size_t(fd)];
        for (int t = 0; t < 3; ++t)
            if (w.notifiers[t] && (events[i].events & kFires[t]))
                m_ready.emplace_back(fd, t);
    }
    if (sockets && m_alwaysReadyCount > 0) {
        for (std::size_t fd = 0; fd < m_watches.size(); ++fd) {
            const Watch &w = m_watches[fd];
            if (!w.alwaysReady)
                continue;
            for (int t = 0; t < 3; ++t)
                if (w.notifiers[t])
                    m_ready.emplace_back(int(fd), t);
        }
    }
    if (!m_ready.empty()) {
        // Handlers can re-enter processEvents (nested loops); work on a copy,
        // and hand its capacity back when nothing nested took its place.
        std::vector<std::pair<int, int>> ready;
        ready.swap(m_ready);
        any |= activateNotifiers(ready);
        ready.clear();
        if (m_ready.capacity() < ready.capacity())
            m_ready.swap(ready);
    }
    if (!flags.testFlag(QEventLoop::X11ExcludeTimers))
        any |= activateTimers();
    if (!m_endTasks.empty()) {
        std::vector<std::pair<Task, void *>> tasks;
        tasks.swap(m_endTasks); // a task may add tasks for the next iteration
        for (const auto &[task, context] : tasks)
            task(context);
        tasks.clear();
        if (m_endTasks.capacity() < tasks.capacity())
            m_endTasks.swap(tasks);
        any = true;
    }
    return any;
}

void EpollEventDispatcher::runAtEndOfIteration(Task task, void *context) {
    m_endTasks.emplace_back(task, context);
}

bool useEpollDispatcher() {
    return qEnvironmentVariable("WHISPERCHAT_EVENT_DISPATCHER") != QLatin1String("qt");
}

void installEventDispatcher() {
    // Qt's glib dispatcher costs about 3x the plain Unix one for this workload;
    // threads Qt starts on its own still get a dispatcher, so keep glib off.
    qputenv("QT_NO_GLIB", "1");
    if (useEpollDispatcher())
        QCoreApplication::setEventDispatcher(new EpollEventDispatcher);
}

} // namespace whisper
