// SPDX-License-Identifier: MIT
#pragma once

#include "matchengine.h"
#include "waitingroom.h"

#include <QElapsedTimer>
#include <QFutureWatcher>
#include <QObject>
#include <QThreadPool>
#include <QTimer>

#include <atomic>
#include <exception>
#include <functional>
#include <memory>
#include <unordered_set>
#include <variant>
#include <vector>

namespace whisper {

// Drives the MatchEngine from a timer. Each tick's search runs on a worker
// thread that owns the engine for the duration of the tick (the engine's state
// at tick start is the tick's snapshot); meanwhile arrivals and departures are
// queued on the server's thread and applied when the tick is over. A pair is
// announced only when both clients still wait and neither left or re-joined
// during the tick; otherwise whoever still waits is put back with its place in
// the queue. Ticks never overlap.
class Matchmaker : public QObject {
    Q_OBJECT
public:
    using Clock = std::function<qint64()>;

    Matchmaker(WaitingRoom &room, MatchPolicy policy, int intervalMs, Clock clock,
               QObject *parent = nullptr);
    ~Matchmaker() override;

    void start();
    void stop();
    void setInterval(int ms);
    int interval() const { return m_timer.interval(); }

    // Starts a tick now; false when one is still running.
    bool tick();
    bool isTicking() const { return m_running; }
    qint64 lastTickMs() const { return m_lastTickMs; }

    // Ticks that threw (the engine ran out of memory) and were recovered
    // from by rebuilding the engine from the waiting room.
    int failedTicks() const { return m_failedTicks; }

    // Arrivals and departures waiting for the running tick to finish.
    std::size_t queuedCount() const { return m_queued.size(); }

    // Test seam: lets tests put many synthetic entries into the engine without
    // a connection each (the machine caps open files). Queued like an arrival.
    // They are not in the waiting room, so pairs involving them are never
    // announced.
    void injectForTest(const MatchCandidate &candidate);
    // Test seam: `count` synthetic entries that are never eligible with one
    // another (spots of `groupSize` entries sharing one identity, spots too far
    // apart for their 0.1 km ranges), so a tick over them is long and pairs
    // nobody. Ids and identities are far above any real client's.
    void injectSyntheticForTest(int count, int groupSize);
    // Test seam: runs on the worker thread at the start of every tick, before
    // the search, so a test can hold a tick open deterministically.
    void setWorkerHookForTest(std::function<void()> hook) { m_workerHook = std::move(hook); }

Q_SIGNALS:
    void matched(whisper::ClientId served, whisper::ClientId partner, double distanceKm);
    void tickFinished(qint64 durationMs, int pairs);

private:
    struct Add {
        MatchCandidate candidate;
    };
    struct Remove {
        ClientId id;
    };
    using Op = std::variant<Add, Remove>;

    void apply(Op op);
    void onTickDone();
    // A tick threw: the engine's state is unknown, so it is replaced by a
    // new engine holding everyone the room says is waiting.
    void rebuildEngine();

    WaitingRoom &m_room;
    MatchPolicy m_policy;
    // Behind a pointer so that a tick that failed can be answered with a
    // fresh engine.
    std::unique_ptr<MatchEngine> m_engine;
    Clock m_clock;
    QTimer m_timer;
    QThreadPool m_pool;
    QFutureWatcher<void> m_watcher;
    // The running tick's pairs, written by the worker before its future
    // finishes and read here after: handed over by move, where the
    // future's result() is a copy (megabytes on this thread for a big
    // tick).
    MatchResults m_tickResults;
    // What the running tick threw, if anything; read after the hand-over.
    std::exception_ptr m_tickError;
    int m_failedTicks = 0;
    // Which side holds the engine (1: the worker, 2: the server's thread
    // again). The pool and the future already order the hand-over, with
    // mutexes inside Qt that ThreadSanitizer cannot see (Qt is not built
    // for it); a release and an acquire here state the same order where it
    // can, so its reports are about our code.
    std::atomic<int> m_engineOwner{2};
    QElapsedTimer m_tickTimer;
    std::vector<Op> m_queued; // ops that arrived while the engine was busy
    // Clients with an op during the running tick: their results are stale.
    std::unordered_set<ClientId> m_touched;
    std::function<void()> m_workerHook;
    bool m_running = false;
    qint64 m_lastTickMs = 0;
};

} // namespace whisper
