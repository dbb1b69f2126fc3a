// SPDX-License-Identifier: MIT
#include "banbroadcast.h"

#include "moderation.h"
#include "redisclient.h"

#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcBanBroadcast, "whisper.cluster.bans")

namespace whisper {

BanBroadcast::BanBroadcast(RedisClient &publisher, RedisClient &subscriber, Moderation &moderation,
                           QString nodeId, QObject *parent)
    : QObject(parent)
    , m_publisher(publisher)
    , m_moderation(moderation)
    , m_nodeId(std::move(nodeId)) {
    connect(&moderation, &Moderation::bansChanged, this, [this] {
        m_publisher.command({QByteArrayLiteral("PUBLISH"), QByteArray(kChannel), m_nodeId.toUtf8()},
                            [](const RedisReply &reply) {
                                // The others still learn of it at their next periodic re-read.
                                if (reply.isError())
                                    qCWarning(lcBanBroadcast).noquote()
                                        << "cannot tell the other nodes of a ban change:"
                                        << QString::fromUtf8(reply.text);
                            });
    });
    subscriber.subscribe(QByteArray(kChannel), [this](const QByteArray &from) {
        if (from != m_nodeId.toUtf8())
            m_moderation.refresh();
    });
    // Messages published while the subscription was down are lost: read
    // the bans again whenever it comes back.
    connect(&subscriber, &RedisClient::connected, this, [this] { m_moderation.refresh(); });
}

} // namespace whisper
