// SPDX-License-Identifier: MIT
#include "matchmaker.h"

#include <QLoggingCategory>
#include <QtConcurrent/QtConcurrentRun>

#include <utility>

namespace whisper {

Q_LOGGING_CATEGORY(lcMatch, "whisper.server.matchmaker")

Matchmaker::Matchmaker(WaitingRoom &room, MatchPolicy policy, int intervalMs, Clock clock,
                       QObject *parent)
    : QObject(parent)
    , m_room(room)
    , m_policy(policy)
    , m_engine(std::make_unique<MatchEngine>(policy))
    , m_clock(std::move(clock)) {
    m_pool.setMaxThreadCount(1);
    m_timer.setInterval(intervalMs);
    connect(&m_timer, &QTimer::timeout, this, [this] { tick(); });
    connect(&m_watcher, &QFutureWatcher<void>::finished, this, &Matchmaker::onTickDone);
    connect(&m_room, &WaitingRoom::entered, this,
            [this](const WaitingEntry &entry) { apply(Add{entry.candidate}); });
    connect(&m_room, &WaitingRoom::removed, this, [this](ClientId id) { apply(Remove{id}); });
}

Matchmaker::~Matchmaker() {
    m_timer.stop();
    m_watcher.waitForFinished();
}

void Matchmaker::start() {
    m_timer.start();
}

void Matchmaker::stop() {
    m_timer.stop();
}

void Matchmaker::setInterval(int ms) {
    m_timer.setInterval(ms);
}

void Matchmaker::injectForTest(const MatchCandidate &candidate) {
    apply(Add{candidate});
}

void Matchmaker::injectSyntheticForTest(int count, int groupSize) {
    constexpr ClientId kFirstId = ClientId(1) << 62;
    for (int i = 0; i < count; ++i) {
        const int spot = i / groupSize;
        MatchCandidate c;
        c.id = kFirstId + ClientId(i);
        c.identityKey = kFirstId + ClientId(spot);
        // A grid 0.01 degrees apart (>= 0.6 km) in the Southern Ocean.
        c.pos = {-50.0 + (spot / 1000) * 0.01, -140.0 + (spot % 1000) * 0.01};
        c.rangeKm = 0.1;
        injectForTest(c);
    }
    qCInfo(lcMatch) << "test seam: injected" << count << "synthetic waiting entries";
}

void Matchmaker::apply(Op op) {
    if (m_running) {
        if (const auto *add = std::get_if<Add>(&op))
            m_touched.insert(add->candidate.id);
        else
            m_touched.insert(std::get<Remove>(op).id);
        m_queued.push_back(std::move(op));
        return;
    }
    if (auto *add = std::get_if<Add>(&op))
        m_engine->add(add->candidate);
    else
        m_engine->remove(std::get<Remove>(op).id);
}

bool Matchmaker::tick() {
    if (m_running)
        return false;
    m_running = true;
    m_tickTimer.start();
    const qint64 now = m_clock();
    qCDebug(lcMatch) << "tick started, pending" << m_engine->pendingCount() << "waiting"
                     << m_engine->size();
    // The engine is only touched by the worker until onTickDone().
    m_engineOwner.store(1, std::memory_order_release);
    m_watcher.setFuture(QtConcurrent::run(&m_pool, [this, now] {
        (void)m_engineOwner.load(std::memory_order_acquire);
        // Caught here rather than surfacing through the future: QtConcurrent
        // wraps foreign exceptions, and the server's thread needs to know
        // only that the tick failed, then carries on.
        try {
            if (m_workerHook)
                m_workerHook();
            m_tickResults = m_engine->tick(now);
        } catch (...) {
            m_tickResults = {};
            m_tickError = std::current_exception();
        }
        m_engineOwner.store(2, std::memory_order_release);
    }));
    return true;
}

void Matchmaker::onTickDone() {
    m_watcher.future().waitForFinished();
    (void)m_engineOwner.load(std::memory_order_acquire);
    const MatchResults results = std::exchange(m_tickResults, {});
    m_running = false;
    m_lastTickMs = m_tickTimer.elapsed();
    if (const std::exception_ptr error = std::exchange(m_tickError, nullptr)) {
        ++m_failedTicks;
        QString what = QStringLiteral("unknown exception");
        try {
            std::rethrow_exception(error);
        } catch (const std::exception &e) {
            what = QString::fromLocal8Bit(e.what());
        } catch (...) {
        }
        qCCritical(lcMatch) << "tick failed after" << m_lastTickMs << "ms:" << what
                            << "- rebuilding the engine from the waiting room; failed ticks so far"
                            << m_failedTicks;
        // The queued arrivals and departures are already in the room.
        m_queued.clear();
        m_touched.clear();
        rebuildEngine();
        Q_EMIT tickFinished(m_lastTickMs, 0);
        return;
    }

    std::vector<Op> queued;
    queued.swap(m_queued);
    std::unordered_set<ClientId> touched;
    touched.swap(m_touched);
    for (Op &op : queued)
        apply(std::move(op));

    int pairs = 0;
    for (const MatchResult &r : results) {
        // A client that left and re-joined during the tick may have moved or
        // changed its range: the pair was found with stale data.
        const bool fresh = !touched.contains(r.served) && !touched.contains(r.partner);
        const bool servedWaits = m_room.contains(r.served);
        const bool partnerWaits = m_room.contains(r.partner);
        if (fresh && servedWaits && partnerWaits) {
            // Leaving the room first keeps a client from ever being in a pair
            // and in the room at once.
            m_room.remove(r.served);
            m_room.remove(r.partner);
            ++pairs;
            Q_EMIT matched(r.served, r.partner, r.distanceKm);
            continue;
        }
        // One side left (or re-joined) during the tick: whoever still waits
        // goes back with its place in the queue and is served next tick. A
        // re-joined client is already back through its queued arrival.
        const std::pair<ClientId, std::uint64_t> sides[] = {{r.served, r.servedOrder},
                                                            {r.partner, r.partnerOrder}};
        for (const auto &[id, order] : sides) {
            const WaitingEntry *entry = m_room.find(id);
            if (entry && !m_engine->contains(id))
                m_engine->restore(entry->candidate, order);
        }
    }
    qCDebug(lcMatch) << "tick took" << m_lastTickMs << "ms, pairs" << pairs << "of"
                     << results.size() << "found, waiting" << m_engine->size();
    if (m_lastTickMs > m_timer.interval())
        qCInfo(lcMatch) << "tick took" << m_lastTickMs << "ms, longer than the interval of"
                        << m_timer.interval() << "ms; waiting" << m_engine->size();
    Q_EMIT tickFinished(m_lastTickMs, pairs);
}

void Matchmaker::rebuildEngine() {
    m_engine = std::make_unique<MatchEngine>(m_policy);
    const QList<WaitingEntry> waiting = m_room.entries();
    for (const WaitingEntry &entry : waiting)
        m_engine->add(entry.candidate);
    qCWarning(lcMatch) << "engine rebuilt with" << waiting.size() << "waiting clients";
}

} // namespace whisper
