// SPDX-License-Identifier: MIT
#include "matchleader.h"

#include "clusterbus.h"
#include "clusterpairs.h"
#include "clusterwaitingroom.h"
#include "geo.h"
#include "ids.h"
#include "nodeheartbeat.h"
#include "redisclient.h"

#include <QDateTime>
#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcLeader, "whisper.cluster.leader")

namespace whisper {

namespace {

const QByteArray kLeaderKey = QByteArrayLiteral("whisper:leader");
const QByteArray kTermKey = QByteArrayLiteral("whisper:leader:term");
const QByteArray kNodesKey = QByteArrayLiteral("whisper:nodes");

// KEYS[1] the lease, KEYS[2] the term counter; ARGV: node id, lease ms,
// the token this node holds ('' for none). Returns the token this node
// holds now, or nil when another node leads.
constexpr char kLeaseScript[] = R"lua(
local current = redis.call('GET', KEYS[1])
if current and current == ARGV[3] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return current
end
if current then return false end
local token = redis.call('INCR', KEYS[2]) .. ':' .. ARGV[1]
redis.call('SET', KEYS[1], token, 'PX', ARGV[2])
return token
)lua";

// Gives the lease up if this node still holds it.
constexpr char kReleaseScript[] = R"lua(
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1
)lua";

// KEYS[1] the lease, KEYS[2] and KEYS[3] the two nodes' waiting hashes;
// ARGV: token, id a, id b, the match, channel a, channel b. -1: fenced (not
// the leader any more); 3: applied; else bit 1 set if a still waits, bit 2
// if b does (and nothing was written).
constexpr char kMatchScript[] = R"lua(
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return -1 end
local a = redis.call('HEXISTS', KEYS[2], ARGV[2])
local b = redis.call('HEXISTS', KEYS[3], ARGV[3])
if a == 0 or b == 0 then return a + 2 * b end
redis.call('HDEL', KEYS[2], ARGV[2])
redis.call('HDEL', KEYS[3], ARGV[3])
redis.call('PUBLISH', ARGV[5], ARGV[4])
if ARGV[6] ~= ARGV[5] then redis.call('PUBLISH', ARGV[6], ARGV[4]) end
return 3
)lua";

// KEYS[1] the set of nodes; ARGV: the prefixes of a node's heartbeat key,
// of its waiting hash and of its pairs hash. Forgets every node whose
// heartbeat has expired and returns their names: one round trip a lease
// period, however many nodes there are.
constexpr char kSweepScript[] = R"lua(
local dead = {}
for _, name in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if redis.call('EXISTS', ARGV[1] .. name) == 0 then
    redis.call('DEL', ARGV[2] .. name, ARGV[3] .. name)
    redis.call('SREM', KEYS[1], name)
    dead[#dead + 1] = name
  end
end
return dead
)lua";

// How many stream events one read takes; the rest wait for the next.
constexpr int kPollBatch = 10000;
// While events keep coming, reads start at least this far apart, so a
// burst of arrivals is taken in batches rather than one read each.
constexpr int kMinReadSpacingMs = 20;
// After a failed read (the reader's link is down), the next one waits this long.
constexpr int kReadRetryMs = 500;

qint64 nowMs() {
    return QDateTime::currentMSecsSinceEpoch();
}

} // namespace

MatchLeader::MatchLeader(RedisClient &redis, RedisClient &reader, const QString &nodeId,
                         int leaseMs, MatchPolicy policy, int tickMs, QObject *parent)
    : QObject(parent)
    , m_redis(redis)
    , m_reader(reader)
    , m_nodeId(nodeId)
    , m_leaseMs(leaseMs)
    , m_policy(policy)
    , m_tickMs(tickMs) {
    m_leaseTimer.setInterval(qMax(100, leaseMs / 3));
    connect(&m_leaseTimer, &QTimer::timeout, this, &MatchLeader::renew);
    m_pollTimer.setSingleShot(true);
    connect(&m_pollTimer, &QTimer::timeout, this, &MatchLeader::poll);
    // Nothing this node knew about the lease or the room survives an
    // outage: it may have expired, and Redis may have restarted empty.
    connect(&m_redis, &RedisClient::disconnected, this,
            [this] { stepDown("the link to Redis dropped"); });
    connect(&m_redis, &RedisClient::connected, this, &MatchLeader::renew);
}

MatchLeader::~MatchLeader() = default;

void MatchLeader::start() {
    m_leaseTimer.start();
    renew();
}

void MatchLeader::stop() {
    m_leaseTimer.stop();
    if (m_token.isEmpty())
        return;
    m_redis.command({QByteArrayLiteral("EVAL"), QByteArray(kReleaseScript), QByteArrayLiteral("1"),
                     kLeaderKey, m_token});
    m_redis.flush();
    stepDown("the node is stopping");
}

void MatchLeader::renew() {
    if (!m_redis.isConnected())
        return;
    const int generation = m_generation;
    m_redis.command(
        {QByteArrayLiteral("EVAL"), QByteArray(kLeaseScript), QByteArrayLiteral("2"), kLeaderKey,
         kTermKey, m_nodeId.toUtf8(), QByteArray::number(m_leaseMs), m_token},
        [this, generation](const RedisReply &reply) {
            if (generation != m_generation || reply.isError())
                return;
            onLeaseReply(reply.type == RedisReply::Type::String ? reply.text : QByteArray());
        });
    if (!m_token.isEmpty())
        cleanDeadNodes();
}

void MatchLeader::onLeaseReply(const QByteArray &token) {
    if (token == m_token)
        return; // renewed, or still not leading
    if (!m_token.isEmpty())
        stepDown("the lease was lost");
    if (token.isEmpty())
        return;
    m_token = token;
    ++m_generation;
    qCInfo(lcLeader) << "this node leads matchmaking, term" << token.left(token.indexOf(':'));
    m_room = std::make_unique<InProcessWaitingRoom>();
    m_matchmaker = std::make_unique<Matchmaker>(*m_room, m_policy, m_tickMs, &nowMs);
    connect(m_matchmaker.get(), &Matchmaker::matched, this, &MatchLeader::onMatched);
    Q_EMIT leadershipChanged(true);
    rebuild();
}

void MatchLeader::stepDown(const char *why) {
    if (m_token.isEmpty())
        return;
    qCWarning(lcLeader) << "no longer leading matchmaking:" << why;
    m_token.clear();
    ++m_generation;
    m_pollTimer.stop();
    m_matchmaker.reset();
    m_room.reset();
    m_cache.clear();
    // A read still in flight stays so (m_polling): its reply is ignored,
    // and a later term reads once it is back.
    m_rebuilding = false;
    Q_EMIT leadershipChanged(false);
}

void MatchLeader::rebuild() {
    m_rebuilding = true;
    const int generation = m_generation;
    // The stream position first: whatever happens after it is read again
    // from the stream, so the hashes read next miss nothing.
    m_redis.command(
        {QByteArrayLiteral("XREVRANGE"), ClusterWaitingRoom::streamKey(), QByteArrayLiteral("+"),
         QByteArrayLiteral("-"), QByteArrayLiteral("COUNT"), QByteArrayLiteral("1")},
        [this, generation](const RedisReply &reply) {
            if (generation != m_generation)
                return;
            if (reply.isError()) {
                stepDown("the room could not be read");
                return;
            }
            m_lastStreamId = !reply.elements.isEmpty() && !reply.elements[0].elements.isEmpty()
                                 ? reply.elements[0].elements[0].text
                                 : QByteArrayLiteral("0-0");
        });
    m_redis.command(
        {QByteArrayLiteral("SMEMBERS"), kNodesKey}, [this, generation](const RedisReply &nodes) {
            if (generation != m_generation)
                return;
            if (nodes.isError()) {
                stepDown("the room could not be read");
                return;
            }
            auto hashes = std::make_shared<QList<QPair<QString, QList<QByteArray>>>>();
            auto left = std::make_shared<int>(int(nodes.elements.size()));
            if (*left == 0) {
                finishRebuild({});
                return;
            }
            for (const RedisReply &node : nodes.elements) {
                const QString name = QString::fromUtf8(node.text);
                m_redis.command({QByteArrayLiteral("HVALS"), ClusterWaitingRoom::hashKey(name)},
                                [this, generation, name, hashes, left](const RedisReply &values) {
                                    if (generation != m_generation)
                                        return;
                                    QList<QByteArray> entries;
                                    for (const RedisReply &v : values.elements)
                                        entries.append(v.text);
                                    hashes->append({name, entries});
                                    if (--*left == 0)
                                        finishRebuild(*hashes);
                                });
            }
        });
}

void MatchLeader::finishRebuild(const QList<QPair<QString, QList<QByteArray>>> &hashes) {
    int count = 0;
    for (const auto &[node, entries] : hashes)
        for (const QByteArray &json : entries)
            if (const auto entry = decodeWaitingEntry(json)) {
                put(*entry, node);
                ++count;
            }
    m_rebuilding = false;
    qCInfo(lcLeader) << "global waiting room rebuilt:" << count << "clients on" << hashes.size()
                     << "nodes";
    m_matchmaker->start();
    poll();
}

void MatchLeader::poll() {
    if (m_token.isEmpty() || m_rebuilding || m_polling)
        return;
    m_polling = true;
    m_lastRead.start();
    const int generation = m_generation;
    // Redis answers as soon as an event is there, or with nil after
    // kBlockMs: an idle room costs one read per block period.
    m_reader.command(
        {QByteArrayLiteral("XREAD"), QByteArrayLiteral("COUNT"), QByteArray::number(kPollBatch),
         QByteArrayLiteral("BLOCK"), QByteArray::number(kBlockMs), QByteArrayLiteral("STREAMS"),
         ClusterWaitingRoom::streamKey(), m_lastStreamId},
        [this, generation](const RedisReply &reply) { onStreamReply(generation, reply); });
}

void MatchLeader::onStreamReply(int generation, const RedisReply &reply) {
    m_polling = false;
    if (generation != m_generation) {
        // A read of an earlier term: the current one, if any, reads now.
        poll();
        return;
    }
    if (reply.isError()) {
        m_pollTimer.start(kReadRetryMs);
        return;
    }
    qsizetype count = 0;
    if (!reply.isNil() && !reply.elements.isEmpty()) {
        const QList<RedisReply> &events = reply.elements[0].elements.value(1).elements;
        count = events.size();
        for (const RedisReply &event : events) {
            m_lastStreamId = event.elements.value(0).text;
            QList<QByteArray> fields;
            for (const RedisReply &f : event.elements.value(1).elements)
                fields.append(f.text);
            applyStreamEntry(fields);
        }
    }
    // Nothing came within the block period, or a full batch (more are
    // waiting): read on now. Else the next read waits out the spacing.
    if (count == 0 || count >= kPollBatch)
        m_pollTimer.start(0);
    else
        m_pollTimer.start(qMax(0, kMinReadSpacingMs - int(m_lastRead.elapsed())));
}

void MatchLeader::applyStreamEntry(const QList<QByteArray> &fields) {
    QByteArray op, node, id, json;
    for (qsizetype i = 0; i + 1 < fields.size(); i += 2) {
        const QByteArray &name = fields[i];
        if (name == "op")
            op = fields[i + 1];
        else if (name == "node")
            node = fields[i + 1];
        else if (name == "id")
            id = fields[i + 1];
        else if (name == "entry")
            json = fields[i + 1];
    }
    bool ok = false;
    const ClientId client = id.toULongLong(&ok);
    if (!ok)
        return;
    if (op == "r") {
        drop(client);
        return;
    }
    if (const auto entry = decodeWaitingEntry(json); entry && entry->candidate.id == client)
        put(*entry, QString::fromUtf8(node));
}

void MatchLeader::put(const WaitingEntry &entry, const QString &node) {
    const ClientId id = entry.candidate.id;
    // A client that entered again (it left and re-joined) has a new entry.
    m_room->remove(id);
    m_cache.insert(id, Cached{entry, node});
    m_room->enter(entry);
}

void MatchLeader::drop(ClientId id) {
    m_cache.remove(id);
    m_room->remove(id);
}

void MatchLeader::onMatched(ClientId a, ClientId b, double distanceKm) {
    const auto ca = m_cache.constFind(a);
    const auto cb = m_cache.constFind(b);
    if (ca == m_cache.constEnd() || cb == m_cache.constEnd())
        return;
    ClusterMatch match;
    match.pairId = m_nodeId + QLatin1Char('.') + randomOpaqueId();
    match.a = a;
    match.b = b;
    match.identityKeyA = ca->entry.candidate.identityKey;
    match.identityKeyB = cb->entry.candidate.identityKey;
    match.distanceBucketKm = geo::distanceBucketKm(distanceKm);
    const int generation = m_generation;
    m_redis.command({QByteArrayLiteral("EVAL"), QByteArray(kMatchScript), QByteArrayLiteral("3"),
                     kLeaderKey, ClusterWaitingRoom::hashKey(ca->node),
                     ClusterWaitingRoom::hashKey(cb->node), m_token, QByteArray::number(a),
                     QByteArray::number(b), encodeClusterMatch(match),
                     ClusterBus::channelOf(nodeBitsOf(a)), ClusterBus::channelOf(nodeBitsOf(b))},
                    [this, generation, a, b](const RedisReply &reply) {
                        if (generation != m_generation)
                            return;
                        if (reply.isError()) {
                            // Unknown whether it was applied: the stream
                            // says, since a client that still waits is in
                            // its node's hash and is written again on the
                            // next reconnection. Drop both here.
                            drop(a);
                            drop(b);
                            return;
                        }
                        if (reply.integer == -1) {
                            stepDown("another node holds the lease (fenced)");
                            return;
                        }
                        if (reply.integer == 3) {
                            m_cache.remove(a);
                            m_cache.remove(b);
                            return;
                        }
                        // One left meanwhile: whoever still waits goes back.
                        const ClientId sides[] = {a, b};
                        for (int i = 0; i < 2; ++i) {
                            const ClientId id = sides[i];
                            const bool waits = reply.integer & (1 << i);
                            const auto it = m_cache.constFind(id);
                            if (!waits || it == m_cache.constEnd())
                                m_cache.remove(id);
                            else if (!m_room->contains(id))
                                m_room->enter(it->entry);
                        }
                    });
}

void MatchLeader::cleanDeadNodes() {
    const int generation = m_generation;
    m_redis.command({QByteArrayLiteral("EVAL"), QByteArray(kSweepScript), QByteArrayLiteral("1"),
                     kNodesKey, NodeHeartbeat::keyFor(QString()),
                     ClusterWaitingRoom::hashKey(QString()), ClusterPairs::hashKey(QString())},
                    [this, generation](const RedisReply &dead) {
                        if (generation != m_generation || dead.isError())
                            return;
                        for (const RedisReply &node : dead.elements) {
                            // Its heartbeat expired: its clients are gone with it.
                            const QString name = QString::fromUtf8(node.text);
                            QList<ClientId> gone;
                            for (auto it = m_cache.cbegin(); it != m_cache.cend(); ++it)
                                if (it->node == name)
                                    gone.append(it.key());
                            for (const ClientId id : gone)
                                drop(id);
                            qCWarning(lcLeader) << "node" << name << "is gone;" << gone.size()
                                                << "of its waiting clients left the global room";
                        }
                    });
}

} // namespace whisper
