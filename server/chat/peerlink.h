// SPDX-License-Identifier: MIT
#pragma once

// The chat side of a cluster: what ChatServer sends to, and hears from,
// the sessions of other nodes. Implemented in server/cluster/ over Redis;
// a single node has none, and then nothing here is ever called.

#include "matchtypes.h"
#include "protocol.h"
#include "resumestore.h"

#include <QObject>
#include <QSet>
#include <QString>

#include <functional>
#include <optional>

namespace whisper {

// One event for a client on another node, or from one.
struct PeerEvent {
    enum class Kind {
        Message, // `text`, `ts`, optional `id` from `from`
        Typing,  // `active`
        Left,    // the pair ended: `reason`
        Away,    // the partner's connection dropped; it may resume
        Back,    // ... and it did
        Ack,     // message `id` reached `from`'s connection
        Nack,    // message `id` could not be handed to `from`: `full` says why
        Kick,    // a moderator on another node: end `to`'s pair (`pairOnly`) or
                 // disconnect it
        Rebind,  // `to`'s partner `was` resumed on another node as `from`
        Taken,   // client `to` resumed on another node as `from`: let it go
        Frame,   // `text` is a frame queued for `to` before it moved; `id`, if
                 // any, is acknowledged to `from` once delivered
    };
    Kind kind = Kind::Message;
    ClientId to = 0;
    ClientId from = 0;
    QString text;
    qint64 ts = 0;
    QString id;
    bool active = false;
    bool full = false;     // Nack: the away partner's queue was full (else unreachable)
    bool pairOnly = false; // Kick: end the pair, keep the connection
    ClientId was = 0;      // Rebind: the partner's id before it moved
    protocol::LeftReason reason = protocol::LeftReason::Left;
    friend bool operator==(const PeerEvent &, const PeerEvent &) = default;
};

// A pair the matchmaking leader made; sent to the node of each member.
struct ClusterMatch {
    QString pairId;
    ClientId a = 0;
    ClientId b = 0;
    std::uint64_t identityKeyA = 0;
    std::uint64_t identityKeyB = 0;
    double distanceBucketKm = 0.0;
    friend bool operator==(const ClusterMatch &, const ClusterMatch &) = default;
};

class PeerLink : public QObject {
    Q_OBJECT
public:
    using QObject::QObject;

    // True when `id` was handed out by this node.
    virtual bool isLocal(ClientId id) const = 0;
    // Sends `event` to the node of `event.to`; false when the link is down
    // (the event is dropped, and the caller answers its client).
    virtual bool post(const PeerEvent &event) = 0;
    // Asks whether the nodes owning these id spaces are alive; nodeLost()
    // names each one that is not.
    virtual void checkNodes(const QSet<quint32> &nodeBits) = 0;

    // ---- resume across nodes: every session's record is kept where any
    // node finds it, so a client of a dead or draining node resumes on
    // another one.
    // The prefix of this node's resume tokens (names the node's records).
    virtual QString tokenPrefix() const = 0;
    // Writes (or replaces) the record a token of this node resumes.
    virtual void saveResume(const QByteArray &lookup, const QByteArray &tokenHash,
                            const ResumeRecord &record) = 0;
    virtual void dropResume(const QByteArray &lookup) = 0;
    // Spends another node's token: its record, or nullopt (unknown, spent,
    // expired, or Redis unreachable). `done` runs later, on this thread.
    virtual void takeResume(const QString &token,
                            std::function<void(std::optional<ResumeRecord>)> done) = 0;

Q_SIGNALS:
    void received(const whisper::PeerEvent &event);
    void matched(const whisper::ClusterMatch &match);
    void nodeLost(quint32 nodeBits);
};

class WaitingRoom;

// What a cluster member's ChatServer runs on instead of its own room and
// matchmaker (server/cluster/); both must outlive the server. Empty: a
// single node.
struct ClusterSeams {
    WaitingRoom *room = nullptr; // the node's part of the global room
    PeerLink *peers = nullptr;   // the other nodes' clients, and matches
};

} // namespace whisper
