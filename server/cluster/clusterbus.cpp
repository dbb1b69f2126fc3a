// SPDX-License-Identifier: MIT
#include "clusterbus.h"

#include "ids.h"
#include "redisclient.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>

#include <sodium.h>

Q_LOGGING_CATEGORY(lcBus, "whisper.cluster.bus")

namespace whisper {

namespace {

using Kind = PeerEvent::Kind;

constexpr std::pair<Kind, const char *> kKinds[] = {
    {Kind::Message, "msg"},   {Kind::Typing, "typ"},  {Kind::Left, "left"},   {Kind::Away, "away"},
    {Kind::Back, "back"},     {Kind::Ack, "ack"},     {Kind::Nack, "nack"},   {Kind::Kick, "kick"},
    {Kind::Rebind, "rebind"}, {Kind::Taken, "taken"}, {Kind::Frame, "frame"},
};

QString idText(std::uint64_t id) {
    return QString::number(id);
}

std::uint64_t idOf(const QJsonObject &o, const char *key, bool *ok) {
    bool good = false;
    const std::uint64_t id = o.value(QLatin1String(key)).toString().toULongLong(&good);
    *ok = *ok && good;
    return id;
}

} // namespace

QByteArray encodePeerEvent(const PeerEvent &e) {
    QJsonObject o{{QStringLiteral("to"), idText(e.to)}, {QStringLiteral("f"), idText(e.from)}};
    for (const auto &[kind, name] : kKinds)
        if (kind == e.kind)
            o.insert(QStringLiteral("t"), QLatin1String(name));
    switch (e.kind) {
    case Kind::Message:
        o.insert(QStringLiteral("x"), e.text);
        o.insert(QStringLiteral("ts"), double(e.ts));
        if (!e.id.isEmpty())
            o.insert(QStringLiteral("id"), e.id);
        break;
    case Kind::Typing:
        o.insert(QStringLiteral("a"), e.active);
        break;
    case Kind::Left:
        o.insert(QStringLiteral("r"), protocol::toString(e.reason));
        break;
    case Kind::Ack:
    case Kind::Nack:
        o.insert(QStringLiteral("id"), e.id);
        if (e.full)
            o.insert(QStringLiteral("full"), true);
        break;
    case Kind::Kick:
        if (e.pairOnly)
            o.insert(QStringLiteral("po"), true);
        break;
    case Kind::Rebind:
        o.insert(QStringLiteral("was"), idText(e.was));
        break;
    case Kind::Frame:
        o.insert(QStringLiteral("x"), e.text);
        if (!e.id.isEmpty())
            o.insert(QStringLiteral("id"), e.id);
        break;
    case Kind::Taken:
        break;
    case Kind::Away:
    case Kind::Back:
        break;
    }
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

QByteArray encodeClusterMatch(const ClusterMatch &m) {
    const QJsonObject o{{QStringLiteral("t"), QStringLiteral("m")},
                        {QStringLiteral("p"), m.pairId},
                        {QStringLiteral("a"), idText(m.a)},
                        {QStringLiteral("b"), idText(m.b)},
                        {QStringLiteral("ka"), idText(m.identityKeyA)},
                        {QStringLiteral("kb"), idText(m.identityKeyB)},
                        {QStringLiteral("d"), m.distanceBucketKm}};
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

std::optional<std::variant<PeerEvent, ClusterMatch>> decodeBusMessage(const QByteArray &json) {
    const QJsonDocument doc = QJsonDocument::fromJson(json);
    if (!doc.isObject())
        return std::nullopt;
    const QJsonObject o = doc.object();
    const QString type = o.value(QStringLiteral("t")).toString();
    bool ok = true;
    if (type == QLatin1String("m")) {
        ClusterMatch m;
        m.pairId = o.value(QStringLiteral("p")).toString();
        m.a = idOf(o, "a", &ok);
        m.b = idOf(o, "b", &ok);
        m.identityKeyA = idOf(o, "ka", &ok);
        m.identityKeyB = idOf(o, "kb", &ok);
        m.distanceBucketKm = o.value(QStringLiteral("d")).toDouble();
        if (!ok || m.pairId.isEmpty() || m.a == m.b)
            return std::nullopt;
        return m;
    }
    PeerEvent e;
    bool known = false;
    for (const auto &[kind, name] : kKinds)
        if (type == QLatin1String(name)) {
            e.kind = kind;
            known = true;
        }
    e.to = idOf(o, "to", &ok);
    e.from = idOf(o, "f", &ok);
    if (!known || !ok)
        return std::nullopt;
    e.text = o.value(QStringLiteral("x")).toString();
    e.ts = qint64(o.value(QStringLiteral("ts")).toDouble());
    e.id = o.value(QStringLiteral("id")).toString();
    e.active = o.value(QStringLiteral("a")).toBool();
    e.full = o.value(QStringLiteral("full")).toBool();
    e.pairOnly = o.value(QStringLiteral("po")).toBool();
    if (e.kind == Kind::Rebind) {
        e.was = idOf(o, "was", &ok);
        if (!ok)
            return std::nullopt;
    }
    if (e.kind == Kind::Left) {
        const auto reason = protocol::leftReasonFromString(o.value(QStringLiteral("r")).toString());
        if (!reason)
            return std::nullopt;
        e.reason = *reason;
    }
    return e;
}

ClusterBus::ClusterBus(RedisClient &redis, RedisClient &subscriber, quint32 nodeBits,
                       int recordTtlMs, QObject *parent)
    : PeerLink(parent)
    , m_redis(redis)
    , m_nodeBits(nodeBits)
    , m_recordTtlMs(recordTtlMs) {
    subscriber.subscribe(channelOf(nodeBits),
                         [this](const QByteArray &payload) { onMessage(payload); });
    m_keepTimer.setInterval(qMax(1000, recordTtlMs / 4));
    connect(&m_keepTimer, &QTimer::timeout, this, &ClusterBus::keepRecords);
    m_keepTimer.start();
}

QByteArray ClusterBus::resumeKeyOf(quint32 nodeBits) {
    return QByteArrayLiteral("whisper:resume:") + QByteArray::number(nodeBits);
}

QString ClusterBus::tokenPrefix() const {
    return QString::number(m_nodeBits, 16) + QLatin1Char('.');
}

void ClusterBus::keepRecords() {
    if (m_redis.isConnected())
        m_redis.command({QByteArrayLiteral("PEXPIRE"), resumeKeyOf(m_nodeBits),
                         QByteArray::number(m_recordTtlMs)});
}

void ClusterBus::saveResume(const QByteArray &lookup, const QByteArray &tokenHash,
                            const ResumeRecord &record) {
    if (!m_redis.isConnected())
        return;
    m_redis.command(
        {QByteArrayLiteral("HSET"), resumeKeyOf(m_nodeBits), lookup, tokenHash + record.toJson()});
    // A new hash has no lifetime yet: give it one now.
    keepRecords();
}

void ClusterBus::dropResume(const QByteArray &lookup) {
    if (m_redis.isConnected())
        m_redis.command({QByteArrayLiteral("HDEL"), resumeKeyOf(m_nodeBits), lookup});
}

void ClusterBus::takeResume(const QString &token,
                            std::function<void(std::optional<ResumeRecord>)> done) {
    // KEYS[1] the node's records; ARGV[1] the lookup key. Spent here, so
    // two nodes never both resume the same client.
    static const QByteArray take = QByteArrayLiteral(R"lua(
local v = redis.call('HGET', KEYS[1], ARGV[1])
if v then redis.call('HDEL', KEYS[1], ARGV[1]) end
return v
)lua");
    bool ok = false;
    const int dot = int(token.indexOf(QLatin1Char('.')));
    const quint32 bits = dot > 0 ? token.left(dot).toUInt(&ok, 16) : 0;
    if (!ok || !m_redis.isConnected()) {
        QMetaObject::invokeMethod(
            this, [done] { done(std::nullopt); }, Qt::QueuedConnection);
        return;
    }
    const QByteArray hash = resumeTokenHash(token);
    m_redis.command(
        {QByteArrayLiteral("EVAL"), take, QByteArrayLiteral("1"), resumeKeyOf(bits),
         resumeLookupKey(token)},
        [done, hash](const RedisReply &reply) {
            const QByteArray &v = reply.text;
            if (reply.type != RedisReply::Type::String || v.size() <= hash.size() ||
                sodium_memcmp(v.constData(), hash.constData(), std::size_t(hash.size())) != 0) {
                done(std::nullopt);
                return;
            }
            done(ResumeRecord::fromJson(QByteArrayView(v).sliced(hash.size())));
        });
}

QByteArray ClusterBus::channelOf(quint32 nodeBits) {
    return QByteArrayLiteral("whisper:ev:") + QByteArray::number(nodeBits);
}

bool ClusterBus::isLocal(ClientId id) const {
    return nodeBitsOf(id) == m_nodeBits;
}

bool ClusterBus::post(const PeerEvent &event) {
    if (!m_redis.isConnected())
        return false;
    m_redis.command(
        {QByteArrayLiteral("PUBLISH"), channelOf(nodeBitsOf(event.to)), encodePeerEvent(event)});
    return true;
}

void ClusterBus::checkNodes(const QSet<quint32> &nodeBits) {
    for (const quint32 bits : nodeBits)
        m_redis.command({QByteArrayLiteral("EXISTS"),
                         QByteArrayLiteral("whisper:idbits:") + QByteArray::number(bits)},
                        [this, bits](const RedisReply &reply) {
                            // An error (Redis down) says nothing about the node.
                            if (reply.type == RedisReply::Type::Integer && reply.integer == 0)
                                Q_EMIT nodeLost(bits);
                        });
}

void ClusterBus::onMessage(const QByteArray &payload) {
    const auto decoded = decodeBusMessage(payload);
    if (!decoded) {
        qCWarning(lcBus) << "unreadable event on the node's channel;" << payload.size()
                         << "bytes dropped";
        return;
    }
    if (const auto *match = std::get_if<ClusterMatch>(&*decoded))
        Q_EMIT matched(*match);
    else
        Q_EMIT received(std::get<PeerEvent>(*decoded));
}

} // namespace whisper
