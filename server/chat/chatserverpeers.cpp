// SPDX-License-Identifier: MIT
// ChatServer's side of a cluster: events for partners on other nodes, the
// leader's matches, and nodes that died. Nothing here runs on a single node
// (m_peers is null there, and isRemote() is false for every client).
#include "chatserver.h"

#include "geo.h"
#include "ids.h"

#include <QDateTime>
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
    // The console here shows the pair too: it ended for this node now.
    Q_EMIT pairEnded(notify, reason);
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

void ChatServer::acknowledgeSender(ClientId sender, ClientId recipient, const QString &id) {
    if (!isRemote(sender)) {
        if (Session *s = m_sessions.value(sender))
            s->acknowledge(id);
        return;
    }
    PeerEvent ack;
    ack.kind = PeerEvent::Kind::Ack;
    ack.to = sender;
    ack.from = recipient;
    ack.id = id;
    m_peers->post(ack);
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
    if (event.kind == Kind::Taken) {
        letGo(event.to, event.from);
        return;
    }
    if (event.kind == Kind::Rebind) {
        rebind(event.to, event.was, event.from);
        return;
    }
    if (event.kind == Kind::Frame) {
        Session *s = m_sessions.value(event.to);
        if (!s || s->state() == Session::State::Closed)
            return;
        if (s->isAway())
            m_resume->enqueue(event.to, QueuedFrame{event.text.toUtf8(), event.from, event.id}, -1);
        else
            s->connection().sendText(event.text.toUtf8());
        if (!event.id.isEmpty() && event.from && !s->isAway())
            acknowledgeSender(event.from, event.to, event.id);
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
        m_remoteAway.insert(event.from, RemoteAway{});
        deliver(event.to, protocol::PartnerAway{});
        return;
    case Kind::Back:
        m_remoteAway.remove(event.from);
        deliver(event.to, protocol::PartnerBack{});
        return;
    case Kind::Left:
        m_remoteAway.remove(event.from);
        if (const auto pair = m_pairs->removeByMember(event.to)) {
            m_recentPartners.record(pair->identityKeyA, pair->identityKeyB, now());
            deliver(event.to, protocol::PartnerLeft{event.reason});
        }
        return;
    case Kind::Ack:
    case Kind::Nack:
    case Kind::Kick:
    case Kind::Rebind:
    case Kind::Taken:
    case Kind::Frame:
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
    int affected = 0;
    const qint64 t = now();
    const QList<Session *> sessions = m_sessions.values();
    for (Session *s : sessions) {
        const auto pair = m_pairs->findByMember(s->id());
        const ClientId partner = pair ? pair->partnerOf(s->id()) : 0;
        if (!pair || nodeBitsOf(partner) != nodeBits)
            continue;
        if (m_config.resumeGraceSec > 0) {
            // Its client may resume on another node: away until then.
            RemoteAway &away = m_remoteAway[partner];
            if (away.nodeDead)
                continue;
            away.nodeDead = true;
            away.deadlineMs = t + qint64(m_config.resumeGraceSec) * 1000;
            deliver(s->id(), protocol::PartnerAway{});
            ++affected;
            continue;
        }
        m_pairs->removeByMember(s->id());
        m_recentPartners.record(pair->identityKeyA, pair->identityKeyB, t);
        deliver(s->id(), protocol::PartnerLeft{protocol::LeftReason::Disconnected});
        ++affected;
    }
    if (affected)
        qCWarning(lcPeers) << "node" << nodeBits << "is gone;" << affected
                           << (m_config.resumeGraceSec > 0 ? "partners told it is away"
                                                           : "pairs with its clients ended");
}

void ChatServer::endRemoteAway(ClientId partner) {
    m_remoteAway.remove(partner);
    const auto pair = m_pairs->findByMember(partner);
    if (!pair)
        return;
    const ClientId member = pair->partnerOf(partner);
    m_pairs->removeByMember(member);
    m_recentPartners.record(pair->identityKeyA, pair->identityKeyB, now());
    // The held messages were never acknowledged: their senders know.
    deliver(member, protocol::PartnerLeft{protocol::LeftReason::Disconnected});
}

void ChatServer::adoptResumed(Session &fresh, const ResumeRecord &record) {
    const ClientId was = record.clientId;
    const ClientId id = fresh.id();
    std::optional<WaitingEntry> entry;
    if (record.state == QLatin1String("waiting")) {
        WaitingEntry e;
        e.candidate.id = id;
        // Already snapped by the node it joined on.
        e.candidate.pos = geo::GeoPoint{record.waitingLat, record.waitingLon};
        e.candidate.rangeKm = record.waitingRangeKm;
        e.candidate.identityKey = record.identityKey;
        e.candidate.excludes = m_recentPartners.activeFor(record.identityKey, now());
        e.sinceMs = record.waitingSinceMs;
        entry = e;
    }
    // Paired: with a partner on another node, the pair is made here and
    // that node learns the new id; with a partner on this node, its pair
    // with the old id becomes this one (rebind, below, after `resumed`).
    const ClientId partner = record.state == QLatin1String("paired") ? record.partnerId : 0;
    const bool partnerHere = partner && !isRemote(partner);
    std::optional<PairRecord> pair;
    if (partnerHere && pairedWith(partner, was)) {
        pair = m_pairs->findByMember(partner);
    } else if (partner && !partnerHere) {
        PairRecord p;
        p.id = record.pairId;
        p.a = id;
        p.b = partner;
        p.identityKeyA = record.identityKey;
        p.identityKeyB = record.partnerIdentityKey;
        p.sinceMs = now();
        p.distanceBucketKm = int(record.distanceKm);
        // A stale record of the partner here gives way.
        m_pairs->removeByMember(partner);
        if (m_pairs->add(p))
            pair = p;
    }
    ResumeRecord effective = record;
    if (effective.state == QLatin1String("paired") && !pair)
        effective.state = QStringLiteral("lobby");
    fresh.adopt(effective, entry);
    m_lastPingMs.insert(id, now());

    protocol::Resumed resumed;
    resumed.state = effective.state;
    if (pair) {
        resumed.pair = record.pairId;
        resumed.partner = record.partnerHandle;
        resumed.distanceKm = record.distanceKm;
    }
    resumed.resumeToken = newResumeToken(m_peers->tokenPrefix());
    qCDebug(lcPeers) << "session" << was << "resumed here as" << id << "," << resumed.state;
    fresh.send(resumed);
    if (entry)
        m_room->enter(*entry);
    if (pair && partnerHere) {
        rebind(partner, was, id);
    } else if (pair) {
        Q_EMIT pairStarted(*pair);
        // The partner's node learns the new id first; what the old node
        // held for this client follows (the order on each channel is kept).
        PeerEvent again;
        again.kind = PeerEvent::Kind::Rebind;
        again.to = partner;
        again.from = id;
        again.was = was;
        m_peers->post(again);
    }
    // The record in Redis, with the pair as it is now.
    bindResume(fresh, resumed.resumeToken);
    PeerEvent taken;
    taken.kind = PeerEvent::Kind::Taken;
    taken.to = was;
    taken.from = id;
    m_peers->post(taken);
}

void ChatServer::letGo(ClientId id, ClientId movedTo) {
    Session *s = m_sessions.value(id);
    if (!s || s->state() == Session::State::Closed)
        return;
    // No partner_left: the pair goes on from the other node.
    m_pairs->removeByMember(id);
    m_room->remove(id);
    if (const auto record = m_resume->unpark(id)) {
        for (const QueuedFrame &f : record->queue) {
            PeerEvent frame;
            frame.kind = PeerEvent::Kind::Frame;
            frame.to = movedTo;
            frame.from = f.ackTo;
            frame.text = QString::fromUtf8(f.frame);
            frame.id = f.ackId;
            m_peers->post(frame);
        }
    }
    if (Connection *stale = s->detachConnection()) {
        keepUntilClosed(stale);
        stale->close(QWebSocketProtocol::CloseCodeNormal,
                     QStringLiteral("session resumed on another node"));
    }
    qCDebug(lcPeers) << "session" << id << "moved to another node";
    s->expire();
}

void ChatServer::rebind(ClientId member, ClientId was, ClientId now) {
    const auto pair = m_pairs->findByMember(member);
    if (!pair || pair->partnerOf(member) != was)
        return;
    m_pairs->removeByMember(member);
    PairRecord moved = *pair;
    (moved.a == was ? moved.a : moved.b) = now;
    m_pairs->add(moved);
    // The member heard partner_away only if the partner was away here.
    const bool wasAway = m_remoteAway.contains(was);
    const RemoteAway held = m_remoteAway.take(was);
    Session *session = m_sessions.value(member);
    if (!session)
        return;
    if (wasAway)
        deliver(member, protocol::PartnerBack{});
    for (const PeerEvent &message : std::as_const(held.held)) {
        const std::optional<QString> mid =
            message.id.isEmpty() ? std::nullopt : std::optional<QString>(message.id);
        const Handover handover =
            relayMessage(now, protocol::IncomingMessage{message.text, message.ts}, member, mid);
        if (handover == Handover::Delivered && mid)
            session->acknowledge(*mid);
    }
    stateChanged(*session);
}

void ChatServer::checkRemoteNodes() {
    // Partners of dead nodes that did not resume in time; and entries of
    // pairs that ended meanwhile.
    const qint64 t = now();
    const QList<ClientId> away = m_remoteAway.keys();
    for (const ClientId partner : away) {
        const RemoteAway &a = m_remoteAway[partner];
        if (!m_pairs->findByMember(partner))
            m_remoteAway.remove(partner);
        else if (a.nodeDead && a.deadlineMs <= t)
            endRemoteAway(partner);
    }
    // The nodes of every remote partner. Walked once a second over all
    // pairs: by id arithmetic, with no lookup or copy per session, since
    // a node whose pairs are all its own pays it for nothing.
    QSet<quint32> nodes;
    m_pairs->forEach([this, &nodes](const PairRecord &pair) {
        for (const ClientId member : {pair.a, pair.b})
            if (isRemote(member))
                nodes.insert(nodeBitsOf(member));
    });
    if (!nodes.isEmpty())
        m_peers->checkNodes(nodes);
}

} // namespace whisper
