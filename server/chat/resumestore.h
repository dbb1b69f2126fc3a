// SPDX-License-Identifier: MIT
#pragma once

#include "matchtypes.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QHash>
#include <QList>
#include <QString>

#include <optional>

namespace whisper {

// One frame held for a client whose connection dropped, in the order it was
// sent. `ackTo`/`ackId`: the sender waiting for `delivered`, told only when
// the frame reaches the resumed connection.
struct QueuedFrame {
    QByteArray frame; // encoded server message (JSON)
    ClientId ackTo = 0;
    QString ackId;
    friend bool operator==(const QueuedFrame &, const QueuedFrame &) = default;
};

// Everything needed to put a dropped client back where it was, as a plain
// value: it serialises to JSON, so a shared store (another node after a
// drain) can hold it as well as this process.
struct ResumeRecord {
    ClientId clientId = 0;
    std::uint64_t identityKey = 0;
    QString state; // "waiting" | "paired" | "lobby"
    // With "paired": the pair as this client saw it in `matched`.
    QString pairId;
    ClientId partnerId = 0;
    std::uint64_t partnerIdentityKey = 0;
    QString partnerHandle;
    double distanceKm = 0.0;
    // With "waiting": the original position in the queue (snapped
    // position and range only; the raw position is never kept).
    qint64 waitingSinceMs = 0;
    double waitingLat = 0.0;
    double waitingLon = 0.0;
    double waitingRangeKm = 0.0;
    // The login this session carries (hash of the login token, never the
    // token), so it resumes logged in.
    std::optional<qint64> accountId;
    QString loginTokenHash;
    qint64 expiresAtMs = 0;
    QList<QueuedFrame> queue;
    // The ids this client sent in the current pair, oldest first, and
    // whether each reached the partner yet (retries are dropped).
    QList<QString> recentIds;
    QList<bool> recentIdsDelivered;

    QByteArray toJson() const;
    static std::optional<ResumeRecord> fromJson(QByteArrayView json);
    friend bool operator==(const ResumeRecord &, const ResumeRecord &) = default;
};

// Resume tokens and the records of dropped clients. A token is stored as a
// lookup key plus the SHA-256 of the whole token, compared in constant time;
// each is spent by one redeem. The in-process store is the default; a
// shared implementation (Redis) lets a client resume on another node.
class ResumeStore {
public:
    enum class Enqueued { Queued, Full, NotParked };

    virtual ~ResumeStore() = default;
    // Makes `token` the client's only valid token (the previous one dies).
    virtual void bindToken(ClientId id, const QString &token) = 0;
    // Spends `token`: the client it belonged to, or nullopt when unknown,
    // already spent or forgotten.
    virtual std::optional<ClientId> redeem(const QString &token) = 0;
    virtual void park(const ResumeRecord &record) = 0;
    virtual bool isParked(ClientId id) const = 0;
    // Appends to a parked client's queue unless `max` frames wait already
    // (Full); `max` < 0: no bound. ChatServer passes resume-queue-max for
    // messages and notices and resume-queue-frames-max for the rest.
    virtual Enqueued enqueue(ClientId id, const QueuedFrame &frame, int max) = 0;
    // Takes the record back (the client resumed); the token stays spent.
    virtual std::optional<ResumeRecord> unpark(ClientId id) = 0;
    // The parked clients whose grace period ended by `nowMs`.
    virtual QList<ClientId> expired(qint64 nowMs) const = 0;
    // Drops the client's token and record (it closed for good).
    virtual void forget(ClientId id) = 0;
    virtual int parkedCount() const = 0;
};

class InProcessResumeStore final : public ResumeStore {
public:
    void bindToken(ClientId id, const QString &token) override;
    std::optional<ClientId> redeem(const QString &token) override;
    void park(const ResumeRecord &record) override;
    bool isParked(ClientId id) const override { return m_parked.contains(id); }
    Enqueued enqueue(ClientId id, const QueuedFrame &frame, int max) override;
    std::optional<ResumeRecord> unpark(ClientId id) override;
    QList<ClientId> expired(qint64 nowMs) const override;
    void forget(ClientId id) override;
    int parkedCount() const override { return int(m_parked.size()); }

private:
    struct Bound {
        ClientId id = 0;
        QByteArray hash; // SHA-256 of the whole token
    };
    QHash<QByteArray, Bound> m_byLookup; // lookup key -> token
    QHash<ClientId, QByteArray> m_lookupOf;
    QHash<ClientId, ResumeRecord> m_parked;
};

// A new resume token: 256 bits from the system CSPRNG, base64url; with a
// non-empty `prefix` (a cluster node's, so any node finds where the record
// is) the prefix comes first.
QString newResumeToken(const QString &prefix = QString());
// The part of a token that finds its record, and the SHA-256 of the whole
// token that decides (compare it in constant time).
QByteArray resumeLookupKey(const QString &token);
QByteArray resumeTokenHash(const QString &token);

} // namespace whisper
