// SPDX-License-Identifier: MIT
#include "clientquery.h"

#include "ids.h"
#include "redisclient.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QTimer>

Q_LOGGING_CATEGORY(lcQuery, "whisper.cluster.query")

namespace whisper {

namespace {
QByteArray queryChannel(quint32 bits) {
    return QByteArrayLiteral("whisper:query:") + QByteArray::number(bits);
}
QByteArray answerChannel(quint32 bits) {
    return QByteArrayLiteral("whisper:answer:") + QByteArray::number(bits);
}
QJsonObject objectOf(const QByteArray &payload) {
    return QJsonDocument::fromJson(payload).object();
}
} // namespace

ClusterClientQuery::ClusterClientQuery(RedisClient &redis, RedisClient &subscriber,
                                       quint32 nodeBits, int timeoutMs, QObject *parent)
    : QObject(parent)
    , m_redis(redis)
    , m_nodeBits(nodeBits)
    , m_timeoutMs(timeoutMs) {
    subscriber.subscribe(queryChannel(nodeBits),
                         [this](const QByteArray &payload) { onQuery(payload); });
    subscriber.subscribe(answerChannel(nodeBits),
                         [this](const QByteArray &payload) { onAnswer(payload); });
}

void ClusterClientQuery::ask(ClientId client, Callback done) {
    const qint64 q = ++m_next;
    m_pending.insert(q, std::move(done));
    const QJsonObject request{{QStringLiteral("q"), QString::number(q)},
                              {QStringLiteral("from"), QString::number(m_nodeBits)},
                              {QStringLiteral("client"), QString::number(client)}};
    // PUBLISH answers how many nodes listen: none means the node is gone.
    m_redis.command({QByteArrayLiteral("PUBLISH"), queryChannel(nodeBitsOf(client)),
                     QJsonDocument(request).toJson(QJsonDocument::Compact)},
                    [this, q](const RedisReply &reply) {
                        if (reply.isError() || reply.integer == 0)
                            if (const Callback done = m_pending.take(q))
                                done(std::nullopt);
                    });
    QTimer::singleShot(m_timeoutMs, this, [this, q] {
        if (const Callback done = m_pending.take(q)) {
            qCWarning(lcQuery) << "no answer about a client of another node in" << m_timeoutMs
                               << "ms";
            done(std::nullopt);
        }
    });
}

void ClusterClientQuery::onQuery(const QByteArray &payload) {
    const QJsonObject o = objectOf(payload);
    bool okFrom = false, okClient = false;
    const quint32 from = o.value(QStringLiteral("from")).toString().toUInt(&okFrom);
    const ClientId client = o.value(QStringLiteral("client")).toString().toULongLong(&okClient);
    if (!okFrom || !okClient)
        return;
    QJsonObject answer{{QStringLiteral("q"), o.value(QStringLiteral("q"))}};
    const std::optional<Answer> found = m_resolver ? m_resolver(client) : std::nullopt;
    answer.insert(QStringLiteral("found"), found.has_value());
    if (found) {
        if (found->account)
            answer.insert(QStringLiteral("account"), *found->account);
        answer.insert(QStringLiteral("address"), found->address);
        answer.insert(QStringLiteral("account_connections"), found->accountConnections);
        answer.insert(QStringLiteral("address_connections"), found->addressConnections);
    }
    m_redis.command({QByteArrayLiteral("PUBLISH"), answerChannel(from),
                     QJsonDocument(answer).toJson(QJsonDocument::Compact)});
}

void ClusterClientQuery::onAnswer(const QByteArray &payload) {
    const QJsonObject o = objectOf(payload);
    const Callback done = m_pending.take(o.value(QStringLiteral("q")).toString().toLongLong());
    if (!done)
        return;
    if (!o.value(QStringLiteral("found")).toBool()) {
        done(std::nullopt);
        return;
    }
    Answer a;
    if (o.contains(QStringLiteral("account")))
        a.account = o.value(QStringLiteral("account")).toString();
    a.address = o.value(QStringLiteral("address")).toString();
    a.accountConnections = o.value(QStringLiteral("account_connections")).toInt();
    a.addressConnections = o.value(QStringLiteral("address_connections")).toInt();
    done(a);
}

} // namespace whisper
