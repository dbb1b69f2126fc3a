// SPDX-License-Identifier: MIT
#pragma once

#include <QAbstractEventDispatcher>
#include <QHash>

#include <atomic>
#include <cstdint>
#include <set>
#include <utility>
#include <vector>

namespace whisper {

// A Qt event dispatcher on Linux epoll. Qt's own Unix dispatcher rebuilds and
// scans a poll() array of every socket notifier on each wake-up, so a server
// with thousands of mostly idle connections pays O(open connections) per
// message; epoll pays only for the sockets that are ready.
//
// Semantics follow QEventDispatcherUNIX: posted events first, then ready
// socket notifiers, then expired timers (each at most once per call, never
// re-entered while its handler runs); zero timers fire on every iteration;
// wakeUp() is thread-safe (an eventfd). A wake-up from the loop's own thread
// (every posted event, e.g. a queued call or deleteLater() in a handler) costs
// no system call: the loop is awake, so it only has to look at the posted
// events again before it blocks. Descriptors epoll cannot watch
// (regular files) are treated as always ready, as poll() would report them.
//
// Install it per thread before the thread's event loop starts:
// QCoreApplication::setEventDispatcher() before the application object, or
// QThread::setEventDispatcher() before start().
class EpollEventDispatcher final : public QAbstractEventDispatcher {
    Q_OBJECT
public:
    explicit EpollEventDispatcher(QObject *parent = nullptr);
    ~EpollEventDispatcher() override;

    bool processEvents(QEventLoop::ProcessEventsFlags flags) override;

    void registerSocketNotifier(QSocketNotifier *notifier) override;
    void unregisterSocketNotifier(QSocketNotifier *notifier) override;

    void registerTimer(int timerId, qint64 interval, Qt::TimerType timerType,
                       QObject *object) override;
    bool unregisterTimer(int timerId) override;
    bool unregisterTimers(QObject *object) override;
    QList<TimerInfo> registeredTimers(QObject *object) const override;
    int remainingTime(int timerId) override;

    void wakeUp() override;
    void interrupt() override;

    // Calls `task(context)` once, on this thread, at the end of the current
    // iteration of processEvents() (after its ready sockets and timers; at
    // the end of the next one when called outside it); the loop does not
    // block while a task waits. For work gathered over one iteration, such
    // as the connections' writes, at no posted event per iteration.
    // Only from the dispatcher's own thread.
    using Task = void (*)(void *context);
    void runAtEndOfIteration(Task task, void *context);

private:
    struct Watch {
        QSocketNotifier *notifiers[3] = {nullptr, nullptr, nullptr}; // Read, Write, Exception
        std::uint32_t events = 0;                                    // what epoll watches now
        bool inEpoll = false;
        bool alwaysReady = false; // a descriptor epoll refuses (regular file)
    };
    struct Timer {
        qint64 intervalMs = 0;
        Qt::TimerType type = Qt::CoarseTimer;
        QObject *object = nullptr;
        qint64 deadlineNs = 0;
        bool active = false; // its timer event is being delivered
    };

    void updateWatch(int fd);
    int waitTimeoutMs(qint64 nowNs) const;
    bool activateTimers();
    bool activateNotifiers(const std::vector<std::pair<int, int>> &ready);
    void scheduleNext(Timer &timer, qint64 nowNs) const;

    int m_epoll = -1;
    int m_wakeFd = -1;
    std::atomic<bool> m_interrupted{false};
    // The thread running processEvents(), and whether it woke itself up since
    // it last delivered posted events.
    std::atomic<Qt::HANDLE> m_loopThread{nullptr};
    bool m_wokenByLoopThread = false;
    std::vector<Watch> m_watches; // indexed by descriptor
    int m_alwaysReadyCount = 0;
    QHash<int, Timer> m_timers;
    std::set<std::pair<qint64, int>> m_deadlines;    // (deadline ns, timer id)
    std::vector<std::pair<int, int>> m_ready;        // (fd, notifier type), reused
    std::vector<std::pair<Task, void *>> m_endTasks; // runAtEndOfIteration(), reused
};

// Whether our event loops run EpollEventDispatcher: yes, unless
// WHISPERCHAT_EVENT_DISPATCHER=qt asks for Qt's own.
bool useEpollDispatcher();

// Installs the dispatcher for the main thread; call before the application
// object exists. WHISPERCHAT_EVENT_DISPATCHER=qt keeps Qt's own (plain Unix,
// never glib) dispatcher, for comparison and as an escape hatch.
void installEventDispatcher();

} // namespace whisper
