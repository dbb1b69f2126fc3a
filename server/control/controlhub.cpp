// SPDX-License-Identifier: MIT
#include "controlhub.h"

#include "chatserver.h"
#include "clusterdirectory.h"
#include "ids.h"

#include <QDateTime>
#include <QPointF>

namespace whisper {

using namespace control;

namespace {
constexpr qint64 kMatchWindowMs = 60000;
// How long a new pair across nodes may be missing from the other node's
// pairs in Redis before the hub takes it for ended: far above the time
// that node needs to write it, and a few directory readings.
constexpr qint64 kCrossPairGraceMs = 3000;
} // namespace

bool ControlChanges::isEmpty() const {
    return waitingAdded.isEmpty() && waitingRemoved.isEmpty() && pairsAdded.isEmpty() &&
           pairsRemoved.isEmpty() && pairsMessaged.isEmpty() && events.isEmpty();
}

void ControlChanges::merge(const ControlChanges &later) {
    for (const QString &id : later.waitingRemoved) {
        waitingAdded.remove(id);
        waitingRemoved.insert(id);
    }
    for (auto it = later.waitingAdded.cbegin(); it != later.waitingAdded.cend(); ++it)
        waitingAdded.insert(it.key(), it.value());
    for (const QString &id : later.pairsRemoved) {
        pairsAdded.remove(id);
        pairsMessaged.remove(id);
        pairsRemoved.insert(id);
    }
    for (auto it = later.pairsAdded.cbegin(); it != later.pairsAdded.cend(); ++it)
        pairsAdded.insert(it.key(), it.value());
    pairsMessaged.unite(later.pairsMessaged);
    events.append(later.events);
}

ControlHub::ControlHub(ChatServer &server, QString version, Clock clock, QObject *parent)
    : QObject(parent)
    , m_server(server)
    , m_version(std::move(version))
    , m_clock(clock ? std::move(clock) : [] { return QDateTime::currentMSecsSinceEpoch(); }) {
    m_uptime.start();
    const WaitingRoom &room = server.waitingRoom();
    connect(&room, &WaitingRoom::entered, this, &ControlHub::onEntered);
    connect(&room, &WaitingRoom::removed, this, &ControlHub::onRemoved);
    connect(&server, &ChatServer::pairStarted, this, &ControlHub::onPairStarted);
    connect(&server, &ChatServer::pairEnded, this,
            [this](ClientId notified, protocol::LeftReason reason) {
                onPairEnded(notified, int(reason));
            });
    server.setRelayObserver(this);
    connect(&server, &ChatServer::clientClosed, this, &ControlHub::onClosed);
}

ControlHub::~ControlHub() {
    if (m_server.relayObserver() == this)
        m_server.setRelayObserver(nullptr);
}

QString ControlHub::opaqueId(ClientId id) {
    auto it = m_opaque.constFind(id);
    if (it != m_opaque.constEnd())
        return it.value();
    // Random, so the console learns nothing about connection order.
    const QString opaque = QStringLiteral("c") + randomOpaqueId(6);
    m_opaque.insert(id, opaque);
    m_byOpaque.insert(opaque, id);
    // Another node's client never closes here: forgotten when no view
    // names it any more (forgetRemoteClients).
    if (isRemote(id))
        m_remoteIds.insert(id);
    return opaque;
}

std::optional<ClientId> ControlHub::clientOf(const QString &opaqueId) const {
    const auto it = m_byOpaque.constFind(opaqueId);
    if (it == m_byOpaque.constEnd())
        return std::nullopt;
    return it.value();
}

std::optional<ClientId> ControlHub::memberOfPair(const QString &pairId) const {
    const auto it = m_pairs.constFind(pairId);
    if (it == m_pairs.constEnd())
        return std::nullopt;
    return clientOf(it->a);
}

void ControlHub::onEntered(const WaitingEntry &entry) {
    const ClientId id = entry.candidate.id;
    WaitingClient w;
    w.id = opaqueId(id);
    // Coarsened here, before anything can leave the server.
    w.lat = coarsen(entry.candidate.pos.latDeg);
    w.lon = coarsen(entry.candidate.pos.lonDeg);
    w.rangeKm = std::round(entry.candidate.rangeKm * 10) / 10;
    w.sinceMs = coarsenTime(entry.sinceMs);
    w.account = m_isAccount && m_isAccount(id);
    m_positions.insert(id, QPointF(w.lon, w.lat));
    m_waiting.insert(w.id, w);
    m_changes.waitingRemoved.remove(w.id);
    m_changes.waitingAdded.insert(w.id, w);
}

void ControlHub::onRemoved(ClientId id) {
    const QString opaque = m_opaque.value(id);
    if (opaque.isEmpty() || !m_waiting.remove(opaque))
        return;
    m_changes.waitingAdded.remove(opaque);
    m_changes.waitingRemoved.insert(opaque);
}

QString ControlHub::consolePairId(const QString &chatPairId) const {
    return m_consolePairIds.value(chatPairId);
}

void ControlHub::onPairStarted(const PairRecord &record) {
    PairInfo p;
    // Its own random id, not the one the members got in `matched`: a
    // moderator who is also chatting must not find their own pair here.
    p.id = QStringLiteral("p") + randomOpaqueId(6);
    m_consolePairIds.insert(record.id, p.id);
    p.a = opaqueId(record.a);
    p.b = opaqueId(record.b);
    p.distanceKm = record.distanceBucketKm;
    p.sinceMs = coarsenTime(record.sinceMs);
    const QPointF a = m_positions.value(record.a), b = m_positions.value(record.b);
    p.lonA = a.x();
    p.latA = a.y();
    p.lonB = b.x();
    p.latB = b.y();
    m_pairs.insert(p.id, p);
    int slot;
    if (m_freeCounters.empty()) {
        slot = int(m_counters.size());
        m_counters.emplace_back();
    } else {
        slot = m_freeCounters.back();
        m_freeCounters.pop_back();
    }
    m_counters[size_t(slot)] =
        PairCounter{p.id, record.id, record.a, record.b, m_clock(), 0, true, false};
    m_counterOfMember.insert(record.a, slot);
    m_counterOfMember.insert(record.b, slot);
    m_changes.pairsAdded.insert(p.id, p);
    m_matchTimes.push_back(m_clock());
    addEvent(EventKind::Matched, p.id, tr("within %1 km").arg(p.distanceKm));
}

void ControlHub::releaseCounter(int slot) {
    PairCounter &c = m_counters[size_t(slot)];
    // Its pending count goes with it: a fold skips unused slots, and a later
    // pair in this slot starts clean.
    c = PairCounter{};
    m_freeCounters.push_back(slot);
}

void ControlHub::onPairEnded(ClientId notified, int reason) {
    const auto found = m_counterOfMember.constFind(notified);
    if (found == m_counterOfMember.constEnd())
        return;
    endPair(found.value(), protocol::LeftReason(reason));
}

void ControlHub::endPair(int slot, protocol::LeftReason why) {
    const PairCounter &counter = m_counters[size_t(slot)];
    const QString pairId = counter.pairId;
    m_consolePairIds.remove(counter.chatPairId);
    m_counterOfMember.remove(counter.a);
    m_counterOfMember.remove(counter.b);
    // A member on another node is named by no view of this node now,
    // unless it waits again.
    for (const ClientId member : {counter.a, counter.b})
        if (isRemote(member) && !m_waiting.contains(m_opaque.value(member)))
            forgetRemoteClients({member}, true);
    releaseCounter(slot);
    m_pairs.remove(pairId);
    m_changes.pairsAdded.remove(pairId);
    m_changes.pairsMessaged.remove(pairId);
    m_changes.pairsRemoved.insert(pairId);
    if (why == protocol::LeftReason::Kicked)
        addEvent(EventKind::Kicked, pairId);
    else
        addEvent(EventKind::Left, pairId, protocol::toString(why));
}

void ControlHub::messageRelayed(ClientId to) {
    const auto it = m_counterOfMember.constFind(to);
    if (it == m_counterOfMember.constEnd())
        return;
    PairCounter &counter = m_counters[size_t(it.value())];
    ++counter.messages;
    if (!counter.dirty) {
        counter.dirty = true;
        m_dirtyCounters.push_back(it.value());
    }
    const qint64 second = m_clock() / 1000;
    advanceMessageBuckets(second);
    ++m_messageBuckets[size_t(second % qint64(m_messageBuckets.size()))];
}

void ControlHub::onClosed(ClientId id) {
    // The room and the pair registry have already let go of the client. A
    // pair with a member on another node ends without a pairEnded here
    // (the partner is told on its own node): it ends with the client.
    if (const auto it = m_counterOfMember.constFind(id); it != m_counterOfMember.constEnd()) {
        const PairCounter &c = m_counters[size_t(it.value())];
        if (isRemote(c.a == id ? c.b : c.a))
            endPair(it.value(), protocol::LeftReason::Disconnected);
    }
    m_positions.remove(id);
    m_counterOfMember.remove(id);
    const QString opaque = m_opaque.take(id);
    m_byOpaque.remove(opaque);
}

void ControlHub::addEvent(EventKind kind, const QString &subject, const QString &detail) {
    if (m_changes.events.size() >= kMaxEventsPerFlush)
        m_changes.events.removeFirst();
    // Coarse like since_ms: an exact "matched" time would point a chatting
    // moderator to their own pair.
    m_changes.events.append(Event{kind, coarsenTime(m_clock()), subject, detail});
}

void ControlHub::countRate(std::deque<qint64> &window, qint64 spanMs) const {
    const qint64 cutoff = m_clock() - spanMs;
    while (!window.empty() && window.front() < cutoff)
        window.pop_front();
}

void ControlHub::advanceMessageBuckets(qint64 second) const {
    const qint64 n = qint64(m_messageBuckets.size());
    if (second - m_messageSecond >= n)
        m_messageBuckets.fill(0);
    else
        for (qint64 s = m_messageSecond + 1; s <= second; ++s)
            m_messageBuckets[size_t(s % n)] = 0;
    m_messageSecond = std::max(m_messageSecond, second);
}

Stats ControlHub::stats() const {
    countRate(m_matchTimes, kMatchWindowMs);
    advanceMessageBuckets(m_clock() / 1000);
    qint64 messages = 0;
    for (qint64 b : m_messageBuckets)
        messages += b;
    Stats s;
    s.connections = m_server.connectionCount();
    s.waiting = m_server.waitingCount();
    s.pairs = m_server.pairCount();
    const double upS = std::max(1.0, m_uptime.elapsed() / 1000.0);
    // Rates over the window, or over the uptime while it is shorter.
    s.matchesPerMinute = double(m_matchTimes.size()) * 60.0 / std::min(60.0, upS);
    s.messagesPerSecond = double(messages) / std::min(double(m_messageBuckets.size()), upS);
    s.lastTickMs = m_server.matchmaker().lastTickMs();
    s.tickIntervalMs = m_server.matchmaker().interval();
    s.uptimeS = m_uptime.elapsed() / 1000;
    s.version = m_version;
    s.draining = m_server.isDraining();
    s.nodes = m_nodes;
    return s;
}

void ControlHub::setLocalNode(const QString &nodeId) {
    m_clustered = true;
    m_selfBits = nodeIdBits(nodeId);
}

bool ControlHub::isRemote(ClientId id) const {
    return m_clustered && nodeBitsOf(id) != m_selfBits;
}

void ControlHub::applyCluster(const ClusterSnapshot &snapshot) {
    if (!m_clustered)
        return;
    m_nodes.clear();
    for (const ClusterNodeView &n : snapshot.nodes) {
        NodeStats s;
        s.node = n.node;
        s.connections = n.connections;
        s.waiting = n.waiting;
        s.pairs = n.pairs;
        s.messagesPerSecond = n.messagesPerSecond;
        if (n.redisLatencyUs >= 0)
            s.redisLatencyMs = double(n.redisLatencyUs) / 1000.0;
        s.leader = n.leader;
        s.self = n.node == snapshot.self;
        m_nodes.append(s);
    }
    QSet<ClientId> keep;

    // Waiting clients of the other nodes.
    QSet<QString> waitingNow;
    for (const ClusterWaitingView &v : snapshot.waiting) {
        if (!isRemote(v.id))
            continue; // this node's own come from its room
        keep.insert(v.id);
        WaitingClient w;
        w.id = opaqueId(v.id);
        // The console's grid, as for this node's clients.
        w.lat = coarsen(v.lat);
        w.lon = coarsen(v.lon);
        w.rangeKm = std::round(v.rangeKm * 10) / 10;
        w.sinceMs = coarsenTime(v.sinceMs);
        w.account = false; // only the client's node knows
        m_positions.insert(v.id, QPointF(w.lon, w.lat));
        waitingNow.insert(w.id);
        const auto old = m_waiting.constFind(w.id);
        if (old != m_waiting.constEnd() && *old == w)
            continue;
        m_waiting.insert(w.id, w);
        m_changes.waitingRemoved.remove(w.id);
        m_changes.waitingAdded.insert(w.id, w);
    }
    for (const QString &id : std::as_const(m_remoteWaiting))
        if (!waitingNow.contains(id) && m_waiting.remove(id)) {
            m_changes.waitingAdded.remove(id);
            m_changes.waitingRemoved.insert(id);
        }
    m_remoteWaiting = waitingNow;

    // Pairs wholly on other nodes; those with a member here are this
    // node's own (pairStarted), only their far member's position may be
    // new.
    QHash<QString, QString> pairsNow;
    for (const ClusterPairView &v : snapshot.pairs) {
        const ClusterPairEntry &e = v.entry;
        if (!isRemote(e.a) || !isRemote(e.b)) {
            const QString consoleId = m_consolePairIds.value(v.id);
            const auto pair = m_pairs.find(consoleId);
            if (consoleId.isEmpty() || pair == m_pairs.end())
                continue;
            bool changed = false;
            if (isRemote(e.a) && e.whereA && pair->latA == 0 && pair->lonA == 0) {
                pair->lonA = e.whereA->x();
                pair->latA = e.whereA->y();
                changed = true;
            }
            if (isRemote(e.b) && e.whereB && pair->latB == 0 && pair->lonB == 0) {
                pair->lonB = e.whereB->x();
                pair->latB = e.whereB->y();
                changed = true;
            }
            if (changed)
                m_changes.pairsAdded.insert(pair->id, *pair);
            continue;
        }
        keep.insert(e.a);
        keep.insert(e.b);
        PairInfo p;
        p.id = m_remotePairIds.value(v.id);
        if (p.id.isEmpty())
            p.id = QStringLiteral("p") + randomOpaqueId(6); // not the members' id
        p.a = opaqueId(e.a);
        p.b = opaqueId(e.b);
        p.distanceKm = e.distanceKm;
        p.sinceMs = coarsenTime(e.sinceMs);
        const QPointF a = e.whereA.value_or(m_positions.value(e.a));
        const QPointF b = e.whereB.value_or(m_positions.value(e.b));
        p.lonA = coarsen(a.x());
        p.latA = coarsen(a.y());
        p.lonB = coarsen(b.x());
        p.latB = coarsen(b.y());
        pairsNow.insert(v.id, p.id);
        const auto old = m_pairs.constFind(p.id);
        if (old != m_pairs.constEnd() && *old == p)
            continue;
        // The first reading finds pairs made long ago: no "matched" for them.
        if (old == m_pairs.constEnd() && m_clusterRead)
            addEvent(EventKind::Matched, p.id, tr("within %1 km").arg(p.distanceKm));
        m_pairs.insert(p.id, p);
        m_changes.pairsRemoved.remove(p.id);
        m_changes.pairsAdded.insert(p.id, p);
    }
    for (auto it = m_remotePairIds.cbegin(); it != m_remotePairIds.cend(); ++it)
        if (!pairsNow.contains(it.key()))
            removeRemotePair(it.value());
    m_remotePairIds = pairsNow;

    // A pair with a member here whose partner's node no longer has it
    // ended there (its member left): this node hears no pairEnded for
    // that. A young pair may not be written there yet.
    QHash<quint32, QString> nodeOfBits;
    for (const ClusterNodeView &n : snapshot.nodes)
        nodeOfBits.insert(nodeIdBits(n.node), n.node);
    const qint64 now = m_clock();
    QList<int> ended;
    for (size_t slot = 0; slot < m_counters.size(); ++slot) {
        const PairCounter &c = m_counters[slot];
        if (!c.used || now - c.startedMs < kCrossPairGraceMs)
            continue;
        const ClientId far = isRemote(c.a) ? c.a : isRemote(c.b) ? c.b : 0;
        if (far == 0)
            continue;
        keep.insert(far);
        const QString node = nodeOfBits.value(nodeBitsOf(far));
        if (!node.isEmpty() && !snapshot.pairIdsByNode.value(node).contains(c.chatPairId))
            ended.append(int(slot));
    }
    for (const int slot : std::as_const(ended))
        endPair(slot, protocol::LeftReason::Left);
    for (auto it = m_counterOfMember.cbegin(); it != m_counterOfMember.cend(); ++it)
        if (isRemote(it.key()))
            keep.insert(it.key());
    forgetRemoteClients(keep);
    m_clusterRead = true;
}

void ControlHub::removeRemotePair(const QString &consoleId) {
    if (!m_pairs.remove(consoleId))
        return;
    m_changes.pairsAdded.remove(consoleId);
    m_changes.pairsRemoved.insert(consoleId);
    addEvent(EventKind::Left, consoleId);
}

void ControlHub::forgetRemoteClients(const QSet<ClientId> &ids, bool only) {
    if (only) {
        for (const ClientId id : ids)
            if (m_remoteIds.remove(id)) {
                m_byOpaque.remove(m_opaque.take(id));
                m_positions.remove(id);
            }
        return;
    }
    const QSet<ClientId> &keep = ids;
    for (auto it = m_remoteIds.begin(); it != m_remoteIds.end();) {
        if (keep.contains(*it)) {
            ++it;
            continue;
        }
        m_byOpaque.remove(m_opaque.take(*it));
        m_positions.remove(*it);
        it = m_remoteIds.erase(it);
    }
}

void ControlHub::clearCluster() {
    if (!m_clustered)
        return;
    for (const QString &id : std::as_const(m_remoteWaiting))
        if (m_waiting.remove(id)) {
            m_changes.waitingAdded.remove(id);
            m_changes.waitingRemoved.insert(id);
        }
    m_remoteWaiting.clear();
    for (const QString &id : std::as_const(m_remotePairIds))
        if (m_pairs.remove(id)) {
            m_changes.pairsAdded.remove(id);
            m_changes.pairsRemoved.insert(id);
        }
    m_remotePairIds.clear();
    m_nodes.clear();
    m_clusterRead = false;
    QSet<ClientId> keep;
    for (auto it = m_counterOfMember.cbegin(); it != m_counterOfMember.cend(); ++it)
        keep.insert(it.key());
    forgetRemoteClients(keep);
}

void ControlHub::foldMessageCounts(bool markChanged) const {
    for (const int slot : m_dirtyCounters) {
        PairCounter &c = m_counters[size_t(slot)];
        if (!c.used || !c.dirty) // ended since, or listed twice after reuse
            continue;
        c.dirty = false;
        const auto pair = m_pairs.find(c.pairId);
        if (pair == m_pairs.end())
            continue;
        pair->messages = c.messages;
        if (markChanged)
            m_changes.pairsMessaged.insert(c.pairId);
    }
    m_dirtyCounters.clear();
}

ControlChanges ControlHub::takeChanges() {
    foldMessageCounts();
    return std::exchange(m_changes, {});
}

void ControlHub::discardChanges() {
    foldMessageCounts(false);
    m_changes = {};
}

} // namespace whisper
