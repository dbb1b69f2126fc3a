#pragma once

#include "matchengine.h"
#include "waitingroom.h"

#include <QElapsedTimer>
#include <QFutureWatcher>
#include <QObject>
#include <QThreadPool>
#include <QTimer>

#include <functional>
#include <variant>
#include <vector>

namespace whisper {

// Drives the MatchEngine from a timer. Each tick's search runs on a worker
// thread; meanwhile arrivals and departures are queued and applied when the
// tick is over, and results are only announced for clients that still wait.
// Ticks never overlap.
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

    // Test seam: lets tests put many synthetic entries into the engine without
    // a connection each (the machine caps open files). Queued like an arrival.
    void injectForTest(const MatchCandidate &candidate);

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

    WaitingRoom &m_room;
    MatchEngine m_engine;
    Clock m_clock;
    QTimer m_timer;
    QThreadPool m_pool;
    QFutureWatcher<std::vector<MatchResult>> m_watcher;
    QElapsedTimer m_tickTimer;
    std::vector<Op> m_queued; // ops that arrived while the engine was busy
    bool m_running = false;
    qint64 m_lastTickMs = 0;
};

} // namespace whisper
