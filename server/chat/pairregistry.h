// SPDX-License-Identifier: MIT
#pragma once

#include "matchtypes.h"

#include <QHash>
#include <QString>

#include <functional>
#include <optional>

namespace whisper {

struct PairRecord {
    QString id;
    ClientId a = 0;
    ClientId b = 0;
    std::uint64_t identityKeyA = 0;
    std::uint64_t identityKeyB = 0;
    qint64 sinceMs = 0;
    int distanceBucketKm = 0;

    ClientId partnerOf(ClientId member) const { return member == a ? b : a; }
};

// Who chats with whom. A client is in at most one pair.
class PairRegistry {
public:
    virtual ~PairRegistry() = default;
    // False when either member is already paired.
    virtual bool add(const PairRecord &pair) = 0;
    virtual std::optional<PairRecord> findByMember(ClientId member) const = 0;
    virtual std::optional<PairRecord> removeByMember(ClientId member) = 0;
    virtual int count() const = 0;
    // Calls `visit` for every pair, with no copies: a periodic walk of all
    // pairs costs what the pairs are, not a lookup per member.
    virtual void forEach(const std::function<void(const PairRecord &)> &visit) const = 0;
};

class InProcessPairRegistry final : public PairRegistry {
public:
    bool add(const PairRecord &pair) override;
    std::optional<PairRecord> findByMember(ClientId member) const override;
    std::optional<PairRecord> removeByMember(ClientId member) override;
    int count() const override { return int(m_pairs.size()); }
    void forEach(const std::function<void(const PairRecord &)> &visit) const override;

private:
    QHash<QString, PairRecord> m_pairs;
    QHash<ClientId, QString> m_byMember;
};

} // namespace whisper
