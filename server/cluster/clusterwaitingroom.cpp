// SPDX-License-Identifier: MIT
#include "clusterwaitingroom.h"

#include "redisclient.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcRoom, "whisper.cluster.room")

namespace whisper {

namespace {

// KEYS[1] the node's hash, KEYS[2] the stream, KEYS[3] the entering
// identity's recent partners; ARGV: op ('e' enter, 'r' remove), node id,
// client id, entry, now (ms since the epoch). An entering entry gains the
// recent partners still excluded, recorded by whichever nodes served those
// pairs: encodeWaitingEntry() writes the exclusions last, so they are
// appended before the closing `]}`. The stream is capped near 100,000
// events: a leader that falls further behind rebuilds from the hashes.
constexpr char kRoomScript[] = R"lua(
local entry = ARGV[4]
if ARGV[1] == 'e' then
  local recent = redis.call('HGETALL', KEYS[3])
  local now = tonumber(ARGV[5])
  local add = {}
  for i = 1, #recent, 2 do
    if tonumber(recent[i + 1]) > now then
      add[#add + 1] = '["' .. recent[i] .. '","' .. recent[i + 1] .. '"]'
    end
  end
  if #add > 0 and string.sub(entry, -2) == ']}' then
    local head = string.sub(entry, 1, -3)
    local sep = ','
    if string.sub(head, -1) == '[' then sep = '' end
    entry = head .. sep .. table.concat(add, ',') .. ']}'
  end
  redis.call('HSET', KEYS[1], ARGV[3], entry)
elseif redis.call('HDEL', KEYS[1], ARGV[3]) == 0 then
  return 0
end
redis.call('XADD', KEYS[2], 'MAXLEN', '~', '100000', '*', 'op', ARGV[1], 'node', ARGV[2],
           'id', ARGV[3], 'entry', entry)
return 1
)lua";

// KEYS[1], KEYS[2] the two identities' recent partners; ARGV: key A, key
// B, until (ms since the epoch). Each hash lives as long as its newest
// exclusion.
constexpr char kRecentScript[] = R"lua(
redis.call('HSET', KEYS[1], ARGV[2], ARGV[3])
redis.call('PEXPIREAT', KEYS[1], ARGV[3])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
redis.call('PEXPIREAT', KEYS[2], ARGV[3])
return 1
)lua";

QByteArray recentKey(std::uint64_t identityKey) {
    return QByteArrayLiteral("whisper:recent:") + QByteArray::number(identityKey);
}

QByteArray nowText() {
    return QByteArray::number(QDateTime::currentMSecsSinceEpoch());
}

QString idText(std::uint64_t id) {
    return QString::number(id);
}

} // namespace

QByteArray encodeWaitingEntry(const WaitingEntry &entry) {
    const MatchCandidate &c = entry.candidate;
    QJsonArray excludes;
    for (const Exclusion &e : c.excludes)
        excludes.append(QJsonArray{idText(e.key), QString::number(e.untilMs)});
    const QJsonObject o{{QStringLiteral("id"), idText(c.id)},
                        {QStringLiteral("lat"), c.pos.latDeg},
                        {QStringLiteral("lon"), c.pos.lonDeg},
                        {QStringLiteral("r"), c.rangeKm},
                        {QStringLiteral("k"), idText(c.identityKey)},
                        {QStringLiteral("s"), QString::number(entry.sinceMs)},
                        {QStringLiteral("x"), excludes}};
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

std::optional<WaitingEntry> decodeWaitingEntry(const QByteArray &json) {
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError || !doc.isObject())
        return std::nullopt;
    const QJsonObject o = doc.object();
    bool okId = false, okKey = false, okSince = false;
    WaitingEntry entry;
    MatchCandidate &c = entry.candidate;
    c.id = o.value(QStringLiteral("id")).toString().toULongLong(&okId);
    c.identityKey = o.value(QStringLiteral("k")).toString().toULongLong(&okKey);
    entry.sinceMs = o.value(QStringLiteral("s")).toString().toLongLong(&okSince);
    c.pos.latDeg = o.value(QStringLiteral("lat")).toDouble(1000);
    c.pos.lonDeg = o.value(QStringLiteral("lon")).toDouble(1000);
    c.rangeKm = o.value(QStringLiteral("r")).toDouble(-1);
    if (!okId || !okKey || !okSince || c.id == 0 || qAbs(c.pos.latDeg) > 90 ||
        qAbs(c.pos.lonDeg) > 180 || c.rangeKm < 0)
        return std::nullopt;
    for (const QJsonValue &v : o.value(QStringLiteral("x")).toArray()) {
        const QJsonArray pair = v.toArray();
        bool okK = false, okU = false;
        Exclusion e;
        e.key = pair.at(0).toString().toULongLong(&okK);
        e.untilMs = pair.at(1).toString().toLongLong(&okU);
        if (okK && okU)
            c.excludes.push_back(e);
    }
    return entry;
}

ClusterWaitingRoom::ClusterWaitingRoom(RedisClient &redis, const QString &nodeId, QObject *parent)
    : WaitingRoom(parent)
    , m_redis(redis)
    , m_nodeId(nodeId)
    , m_hashKey(hashKey(nodeId)) {
    connect(&m_local, &WaitingRoom::entered, this, &WaitingRoom::entered);
    connect(&m_local, &WaitingRoom::removed, this, &WaitingRoom::removed);
    // Redis may have restarted empty, or a leader may have dropped this
    // node's entries while it could not renew its heartbeat: write them all.
    connect(&m_redis, &RedisClient::connected, this, &ClusterWaitingRoom::publishAll);
}

QByteArray ClusterWaitingRoom::hashKey(const QString &nodeId) {
    return QByteArrayLiteral("whisper:waiting:") + nodeId.toUtf8();
}

QByteArray ClusterWaitingRoom::streamKey() {
    return QByteArrayLiteral("whisper:room");
}

bool ClusterWaitingRoom::isAvailable() const {
    return m_redis.isConnected();
}

bool ClusterWaitingRoom::enter(const WaitingEntry &entry) {
    if (!m_local.enter(entry))
        return false;
    m_redis.command({QByteArrayLiteral("EVAL"), QByteArray(kRoomScript), QByteArrayLiteral("3"),
                     m_hashKey, streamKey(), recentKey(entry.candidate.identityKey),
                     QByteArrayLiteral("e"), m_nodeId.toUtf8(),
                     QByteArray::number(entry.candidate.id), encodeWaitingEntry(entry), nowText()});
    return true;
}

bool ClusterWaitingRoom::remove(ClientId id) {
    if (!m_local.remove(id))
        return false;
    m_redis.command({QByteArrayLiteral("EVAL"), QByteArray(kRoomScript), QByteArrayLiteral("3"),
                     m_hashKey, streamKey(), recentKey(0), QByteArrayLiteral("r"),
                     m_nodeId.toUtf8(), QByteArray::number(id), QByteArray(), nowText()});
    return true;
}

void ClusterWaitingRoom::rememberPartners(std::uint64_t keyA, std::uint64_t keyB, qint64 untilMs) {
    m_redis.command({QByteArrayLiteral("EVAL"), QByteArray(kRecentScript), QByteArrayLiteral("2"),
                     recentKey(keyA), recentKey(keyB), QByteArray::number(keyA),
                     QByteArray::number(keyB), QByteArray::number(untilMs)});
}

void ClusterWaitingRoom::publishAll() {
    const QList<WaitingEntry> all = m_local.entries();
    m_redis.command({QByteArrayLiteral("DEL"), m_hashKey});
    for (const WaitingEntry &entry : all)
        m_redis.command({QByteArrayLiteral("EVAL"), QByteArray(kRoomScript), QByteArrayLiteral("3"),
                         m_hashKey, streamKey(), recentKey(entry.candidate.identityKey),
                         QByteArrayLiteral("e"), m_nodeId.toUtf8(),
                         QByteArray::number(entry.candidate.id), encodeWaitingEntry(entry),
                         nowText()});
    if (!all.isEmpty())
        qCInfo(lcRoom) << all.size() << "waiting clients written to Redis again";
}

} // namespace whisper
