#include "matchmaker.h"

#include <QLoggingCategory>
#include <QtConcurrent/QtConcurrentRun>

namespace whisper {

Q_LOGGING_CATEGORY(lcMatch, "whisper.server.matchmaker")

Matchmaker::Matchmaker(WaitingRoom &room, MatchPolicy policy, int intervalMs, Clock clock,
                       QObject *parent)
    : QObject(parent)
    , m_room(room)
    , m_engine(policy)
    , m_clock(std::move(clock)) {
    m_pool.setMaxThreadCount(1);
    m_timer.setInterval(intervalMs);
    connect(&m_timer, &QTimer::timeout, this, [this] { tick(); });
    connect(&m_watcher, &QFutureWatcher<std::vector<MatchResult>>::finished, this,
            &Matchmaker::onTickDone);
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

void Matchmaker::apply(Op op) {
    if (m_running) {
        m_queued.push_back(std::move(op));
        return;
    }
    if (auto *add = std::get_if<Add>(&op))
        m_engine.add(std::move(add->candidate));
    else
        m_engine.remove(std::get<Remove>(op).id);
}

bool Matchmaker::tick() {
    if (m_running)
        return false;
    m_running = true;
    m_tickTimer.start();
    const qint64 now = m_clock();
    // The engine is only touched by the worker until onTickDone().
    m_watcher.setFuture(QtConcurrent::run(&m_pool, [this, now] { return m_engine.tick(now); }));
    return true;
}

void Matchmaker::onTickDone() {
    const std::vector<MatchResult> results = m_watcher.result();
    m_running = false;
    m_lastTickMs = m_tickTimer.elapsed();

    std::vector<Op> queued;
    queued.swap(m_queued);
    for (Op &op : queued)
        apply(std::move(op));

    int pairs = 0;
    for (const MatchResult &r : results) {
        const bool servedWaits = m_room.contains(r.served);
        const bool partnerWaits = m_room.contains(r.partner);
        if (servedWaits && partnerWaits) {
            // Leaving the room first keeps a client from ever being in a pair
            // and in the room at once.
            m_room.remove(r.served);
            m_room.remove(r.partner);
            ++pairs;
            Q_EMIT matched(r.served, r.partner, r.distanceKm);
            continue;
        }
        // One side left during the tick: the other keeps waiting and is
        // served again on the next tick.
        for (const ClientId id : {r.served, r.partner}) {
            if (const WaitingEntry *entry = m_room.find(id))
                m_engine.add(entry->candidate);
        }
    }
    qCDebug(lcMatch) << "tick took" << m_lastTickMs << "ms, pairs" << pairs << "waiting"
                     << m_room.count();
    Q_EMIT tickFinished(m_lastTickMs, pairs);
}

} // namespace whisper
