// SPDX-License-Identifier: MIT
// ChatServer's side of a cluster: events for partners on other nodes, the
// leader's matches, and nodes that died. Nothing here runs on a single node
// (m_peers is null there, and isRemote() is false for every client).
#include "chatserver.h"

#include "geo.h"
#include "ids.h"

#include <QLoggingCategory>

namespace whisper {

Q_LOGGING_CATEGORY(lcPeers, "whisper.server.peers")

bool ChatServer::relayPairEnd(const PairRecord &pair, ClientId notify,
                              protocol::LeftReason reason) {
    if (!isRemote(notify))
        return deliver(notify, protocol::PartnerLeft{reason});
    // The pair is gone here already: the event names the member it came
    // from, so the other node ends that pair and no later one.
    PeerEvent left;
    left.kind = PeerEvent::Kind::Left;
    left.to = notify;
    left.from = pair.partnerOf(notify);
    left.reason = reason;
    return m_peers->post(left);
}

bool ChatServer::postRemote(ClientId to, const protocol::ServerMessage &event) {
    const auto pair = m_pairs->findByMember(to);
    if (!pair)
        return false;
    PeerEvent out;
    out.to = to;
    out.from = pair->partnerOf(to);
    if (const auto *typing = std::get_if<protocol::PartnerTyping>(&event)) {
        out.kind = PeerEvent::Kind::Typing;
        out.active = typing->active;
    } else if (std::holds_alternative<protocol::PartnerAway>(event)) {
        out.kind = PeerEvent::Kind::Away;
    } else if (std::holds_alternative<protocol::PartnerBack>(event)) {
        out.kind = PeerEvent::Kind::Back;
    } else if (const auto *left = std::get_if<protocol::PartnerLeft>(&event)) {
        out.kind = PeerEvent::Kind::Left;
        out.reason = left->reason;
    } else {
        // Everything else a session hears is made on its own node.
        qCWarning(lcPeers) << "no cross-node form for" << protocol::Codec::encode(event).left(24);
        return false;
    }
    return m_peers->post(out);
}

bool ChatServer::kickRemote(ClientId id, bool pairOnly) {
    PeerEvent kick;
    kick.kind = PeerEvent::Kind::Kick;
    kick.to = id;
    kick.pairOnly = pairOnly;
    return m_peers->post(kick);
}

bool ChatServer::pairedWith(ClientId to, ClientId from) const {
    const auto pair = m_pairs->findByMember(to);
    return pair && pair->partnerOf(to) == from;
}

void ChatServer::onPeerEvent(const PeerEvent &event) {
    using Kind = PeerEvent::Kind;
    if (isRemote(event.to))
        return; // not ours (a misrouted event)
    if (event.kind == Kind::Kick) {
        // A moderator's action, checked on the node it was taken on.
        if (event.pairOnly)
            kickPairOf(event.to);
        else
            kickClient(event.to);
        return;
    }
    if (event.kind == Kind::Ack || event.kind == Kind::Nack) {
        Session *sender = m_sessions.value(event.to);
        if (!sender || !pairedWith(event.to, event.from))
            return;
        if (event.kind == Kind::Ack) {
            sender->acknowledge(event.id);
            return;
        }
        sender->send(protocol::Error{
            protocol::ErrorCode::Unavailable,
            event.full ? QStringLiteral("partner is away and %1 messages already wait for them; "
                                        "send again later")
                             .arg(m_config.resumeQueueMax)
                       : QStringLiteral("partner is not reachable"),
            QStringLiteral("message"), std::nullopt});
        return;
    }
    if (!pairedWith(event.to, event.from)) {
        // A message for a pair that ended here: the sender must not wait
        // for a `delivered` that will never come.
        if (event.kind == Kind::Message) {
            PeerEvent nack;
            nack.kind = Kind::Nack;
            nack.to = event.from;
            nack.from = event.to;
            nack.id = event.id;
            m_peers->post(nack);
        }
        return;
    }
    switch (event.kind) {
    case Kind::Message: {
        const std::optional<QString> id =
            event.id.isEmpty() ? std::nullopt : std::optional<QString>(event.id);
        const Handover handover =
            relayMessage(event.to, protocol::IncomingMessage{event.text, event.ts}, event.from, id);
        if (handover == Handover::Queued || (handover == Handover::Delivered && !id))
            return; // a queued message is acknowledged when it reaches the client
        PeerEvent answer;
        answer.kind = handover == Handover::Delivered ? Kind::Ack : Kind::Nack;
        answer.full = handover == Handover::QueueFull;
        answer.to = event.from;
        answer.from = event.to;
        answer.id = event.id;
        m_peers->post(answer);
        return;
    }
    case Kind::Typing:
        deliver(event.to, protocol::PartnerTyping{event.active});
        return;
    case Kind::Away:
        deliver(event.to, protocol::PartnerAway{});
        return;
    case Kind::Back:
        deliver(event.to, protocol::PartnerBack{});
        return;
    case Kind::Left:
        if (const auto pair = m_pairs->removeByMember(event.to)) {
            m_recentPartners.record(pair->identityKeyA, pair->identityKeyB, now());
            deliver(event.to, protocol::PartnerLeft{event.reason});
        }
        return;
    case Kind::Ack:
    case Kind::Nack:
    case Kind::Kick:
        return;
    }
}

void ChatServer::onClusterMatch(const ClusterMatch &match) {
    const ClientId members[] = {match.a, match.b};
    // A local member that is no longer in the room (it left, dropped or
    // was closed while the leader worked) cannot take the pair.
    bool ok[2] = {true, true};
    bool local[2] = {false, false};
    for (int i = 0; i < 2; ++i) {
        local[i] = !isRemote(members[i]);
        if (local[i])
            ok[i] = m_room->contains(members[i]) && !m_pairs->findByMember(members[i]);
    }
    if (!(local[0] || local[1]))
        return;
    if (local[0] && local[1] && !(ok[0] && ok[1])) {
        // Both here, one cannot: the other was taken out of the shared room
        // by the leader's script and goes back in, keeping its place (the
        // entry keeps its arrival time).
        for (int i = 0; i < 2; ++i) {
            const WaitingEntry *entry = ok[i] ? m_room->find(members[i]) : nullptr;
            if (!entry)
                continue;
            const WaitingEntry again = *entry;
            m_room->remove(members[i]);
            m_room->enter(again);
        }
        return;
    }
    for (int i = 0; i < 2; ++i) {
        if (!local[i] || ok[i])
            continue;
        // This member cannot take the pair; the other one's node pairs it on
        // the same announcement: end that pair at once.
        PeerEvent left;
        left.kind = PeerEvent::Kind::Left;
        left.to = members[1 - i];
        left.from = members[i];
        left.reason = protocol::LeftReason::Disconnected;
        m_peers->post(left);
        return;
    }
    PairRecord pair;
    pair.id = match.pairId;
    pair.a = match.a;
    pair.b = match.b;
    pair.identityKeyA = match.identityKeyA;
    pair.identityKeyB = match.identityKeyB;
    pair.sinceMs = now();
    pair.distanceBucketKm = int(match.distanceBucketKm);
    // A remote member's stale pair here (its node died before saying so)
    // gives way to the leader's word.
    for (int i = 0; i < 2; ++i)
        if (!local[i])
            m_pairs->removeByMember(members[i]);
    for (int i = 0; i < 2; ++i)
        if (local[i])
            m_room->remove(members[i]);
    if (!m_pairs->add(pair)) {
        qCWarning(lcPeers) << "cluster match with a member already paired; ignored";
        return;
    }
    Q_EMIT pairStarted(pair);
    for (int i = 0; i < 2; ++i)
        if (local[i])
            deliver(members[i],
                    protocol::Matched{pair.id, randomHandle(), double(pair.distanceBucketKm)});
}

void ChatServer::onNodeLost(quint32 nodeBits) {
    int ended = 0;
    const QList<Session *> sessions = m_sessions.values();
    for (Session *s : sessions) {
        const auto pair = m_pairs->findByMember(s->id());
        if (!pair || nodeBitsOf(pair->partnerOf(s->id())) != nodeBits)
            continue;
        m_pairs->removeByMember(s->id());
        m_recentPartners.record(pair->identityKeyA, pair->identityKeyB, now());
        deliver(s->id(), protocol::PartnerLeft{protocol::LeftReason::Disconnected});
        ++ended;
    }
    qCWarning(lcPeers) << "node" << nodeBits << "is gone;" << ended
                       << "pairs with its clients ended";
}

void ChatServer::checkRemoteNodes() {
    QSet<quint32> nodes;
    for (Session *s : std::as_const(m_sessions)) {
        if (s->state() != Session::State::Paired)
            continue;
        if (const auto pair = m_pairs->findByMember(s->id());
            pair && isRemote(pair->partnerOf(s->id())))
            nodes.insert(nodeBitsOf(pair->partnerOf(s->id())));
    }
    if (!nodes.isEmpty())
        m_peers->checkNodes(nodes);
}

} // namespace whisper
