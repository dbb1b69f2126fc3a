// SPDX-License-Identifier: MIT
#include "resumestore.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <sodium.h>

namespace whisper {

namespace {

// The first characters of a token find its entry; the hash of the whole
// token decides. The key is random too, so looking it up tells an attacker
// nothing, and the secret part is only ever compared in constant time.
constexpr int kLookupChars = 16;

QByteArray sha256(const QString &token) {
    const QByteArray text = token.toUtf8();
    QByteArray digest(crypto_hash_sha256_BYTES, Qt::Uninitialized);
    crypto_hash_sha256(reinterpret_cast<unsigned char *>(digest.data()),
                       reinterpret_cast<const unsigned char *>(text.constData()),
                       quint64(text.size()));
    return digest;
}

QByteArray lookupKey(const QString &token) {
    // A cluster node's prefix ("<node bits>.") is not random: skip it.
    return token.left(token.indexOf(QLatin1Char('.')) + 1 + kLookupChars).toUtf8();
}

} // namespace

QString newResumeToken(const QString &prefix) {
    QByteArray bytes(32, Qt::Uninitialized);
    randombytes_buf(bytes.data(), size_t(bytes.size()));
    return prefix + QString::fromLatin1(bytes.toBase64(QByteArray::Base64UrlEncoding |
                                                       QByteArray::OmitTrailingEquals));
}

QByteArray resumeLookupKey(const QString &token) {
    return lookupKey(token);
}

QByteArray resumeTokenHash(const QString &token) {
    return sha256(token);
}

QByteArray ResumeRecord::toJson() const {
    QJsonObject o;
    o.insert(QLatin1String("client_id"), QString::number(clientId));
    o.insert(QLatin1String("identity_key"), QString::number(identityKey));
    o.insert(QLatin1String("state"), state);
    o.insert(QLatin1String("pair_id"), pairId);
    o.insert(QLatin1String("partner_id"), QString::number(partnerId));
    o.insert(QLatin1String("partner_identity_key"), QString::number(partnerIdentityKey));
    o.insert(QLatin1String("partner_handle"), partnerHandle);
    o.insert(QLatin1String("distance_km"), distanceKm);
    o.insert(QLatin1String("waiting_since_ms"), waitingSinceMs);
    o.insert(QLatin1String("waiting_lat"), waitingLat);
    o.insert(QLatin1String("waiting_lon"), waitingLon);
    o.insert(QLatin1String("waiting_range_km"), waitingRangeKm);
    if (accountId)
        o.insert(QLatin1String("account_id"), *accountId);
    o.insert(QLatin1String("login_token_hash"), loginTokenHash);
    o.insert(QLatin1String("expires_at_ms"), expiresAtMs);
    QJsonArray frames;
    for (const QueuedFrame &f : queue)
        frames.append(QJsonObject{{QLatin1String("frame"), QString::fromUtf8(f.frame)},
                                  {QLatin1String("ack_to"), QString::number(f.ackTo)},
                                  {QLatin1String("ack_id"), f.ackId}});
    o.insert(QLatin1String("queue"), frames);
    QJsonArray ids;
    for (qsizetype i = 0; i < recentIds.size(); ++i)
        ids.append(QJsonObject{{QLatin1String("id"), recentIds.at(i)},
                               {QLatin1String("delivered"), recentIdsDelivered.value(i)}});
    o.insert(QLatin1String("recent_ids"), ids);
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

std::optional<ResumeRecord> ResumeRecord::fromJson(QByteArrayView json) {
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(json.toByteArray(), &error);
    if (error.error != QJsonParseError::NoError || !doc.isObject())
        return std::nullopt;
    const QJsonObject o = doc.object();
    bool ok = true;
    auto u64 = [&](const char *key) {
        bool fieldOk = false;
        const quint64 v = o.value(QLatin1String(key)).toString().toULongLong(&fieldOk);
        ok = ok && fieldOk;
        return v;
    };
    ResumeRecord r;
    r.clientId = u64("client_id");
    r.identityKey = u64("identity_key");
    r.partnerId = u64("partner_id");
    if (!ok)
        return std::nullopt;
    // Records written before partners' keys were kept have none: 0.
    if (o.contains(QLatin1String("partner_identity_key")))
        r.partnerIdentityKey = u64("partner_identity_key");
    if (!ok)
        return std::nullopt;
    r.state = o.value(QLatin1String("state")).toString();
    r.pairId = o.value(QLatin1String("pair_id")).toString();
    r.partnerHandle = o.value(QLatin1String("partner_handle")).toString();
    r.distanceKm = o.value(QLatin1String("distance_km")).toDouble();
    r.waitingSinceMs = o.value(QLatin1String("waiting_since_ms")).toInteger();
    r.waitingLat = o.value(QLatin1String("waiting_lat")).toDouble();
    r.waitingLon = o.value(QLatin1String("waiting_lon")).toDouble();
    r.waitingRangeKm = o.value(QLatin1String("waiting_range_km")).toDouble();
    if (o.contains(QLatin1String("account_id")))
        r.accountId = o.value(QLatin1String("account_id")).toInteger();
    r.loginTokenHash = o.value(QLatin1String("login_token_hash")).toString();
    r.expiresAtMs = o.value(QLatin1String("expires_at_ms")).toInteger();
    for (const QJsonValue &v : o.value(QLatin1String("queue")).toArray()) {
        const QJsonObject f = v.toObject();
        r.queue.append(QueuedFrame{f.value(QLatin1String("frame")).toString().toUtf8(),
                                   f.value(QLatin1String("ack_to")).toString().toULongLong(),
                                   f.value(QLatin1String("ack_id")).toString()});
    }
    for (const QJsonValue &v : o.value(QLatin1String("recent_ids")).toArray()) {
        const QJsonObject e = v.toObject();
        r.recentIds.append(e.value(QLatin1String("id")).toString());
        r.recentIdsDelivered.append(e.value(QLatin1String("delivered")).toBool());
    }
    return r;
}

void InProcessResumeStore::bindToken(ClientId id, const QString &token) {
    if (const auto old = m_lookupOf.take(id); !old.isEmpty())
        m_byLookup.remove(old);
    const QByteArray key = lookupKey(token);
    m_byLookup.insert(key, Bound{id, sha256(token)});
    m_lookupOf.insert(id, key);
}

std::optional<ClientId> InProcessResumeStore::redeem(const QString &token) {
    const QByteArray key = lookupKey(token);
    const auto it = m_byLookup.constFind(key);
    if (it == m_byLookup.cend())
        return std::nullopt;
    const QByteArray hash = sha256(token);
    if (sodium_memcmp(hash.constData(), it->hash.constData(), std::size_t(hash.size())) != 0)
        return std::nullopt;
    const ClientId id = it->id;
    m_byLookup.erase(it);
    m_lookupOf.remove(id);
    return id;
}

void InProcessResumeStore::park(const ResumeRecord &record) {
    m_parked.insert(record.clientId, record);
}

ResumeStore::Enqueued InProcessResumeStore::enqueue(ClientId id, const QueuedFrame &frame,
                                                    int max) {
    const auto it = m_parked.find(id);
    if (it == m_parked.end())
        return Enqueued::NotParked;
    if (max >= 0 && it->queue.size() >= max)
        return Enqueued::Full;
    it->queue.append(frame);
    return Enqueued::Queued;
}

std::optional<ResumeRecord> InProcessResumeStore::unpark(ClientId id) {
    const auto it = m_parked.find(id);
    if (it == m_parked.end())
        return std::nullopt;
    ResumeRecord record = std::move(*it);
    m_parked.erase(it);
    return record;
}

QList<ClientId> InProcessResumeStore::expired(qint64 nowMs) const {
    QList<ClientId> ids;
    for (auto it = m_parked.cbegin(); it != m_parked.cend(); ++it)
        if (it->expiresAtMs <= nowMs)
            ids.append(it.key());
    return ids;
}

void InProcessResumeStore::forget(ClientId id) {
    if (const auto key = m_lookupOf.take(id); !key.isEmpty())
        m_byLookup.remove(key);
    m_parked.remove(id);
}

} // namespace whisper
