// SPDX-License-Identifier: MIT
#include "pairregistry.h"

namespace whisper {

bool InProcessPairRegistry::add(const PairRecord &pair) {
    if (pair.a == pair.b || m_byMember.contains(pair.a) || m_byMember.contains(pair.b) ||
        m_pairs.contains(pair.id))
        return false;
    m_pairs.insert(pair.id, pair);
    m_byMember.insert(pair.a, pair.id);
    m_byMember.insert(pair.b, pair.id);
    return true;
}

std::optional<PairRecord> InProcessPairRegistry::findByMember(ClientId member) const {
    const auto it = m_byMember.constFind(member);
    if (it == m_byMember.constEnd())
        return std::nullopt;
    return m_pairs.value(it.value());
}

std::optional<PairRecord> InProcessPairRegistry::removeByMember(ClientId member) {
    const auto it = m_byMember.constFind(member);
    if (it == m_byMember.constEnd())
        return std::nullopt;
    const PairRecord pair = m_pairs.take(it.value());
    m_byMember.remove(pair.a);
    m_byMember.remove(pair.b);
    return pair;
}

void InProcessPairRegistry::forEach(const std::function<void(const PairRecord &)> &visit) const {
    for (const PairRecord &pair : m_pairs)
        visit(pair);
}

} // namespace whisper
