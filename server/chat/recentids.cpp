// SPDX-License-Identifier: MIT
#include "recentids.h"

#include <QHashFunctions>

#include <algorithm>
#include <cstring>

namespace whisper {

namespace {

size_t hashOf(QStringView id) {
    return qHash(id, QHashSeed::globalSeed());
}

} // namespace

RecentIds::RecentIds(int window)
    : m_window(std::max(1, window)) {}

qsizetype RecentIds::slotAt(qsizetype age) const {
    return (m_oldest + age) % qsizetype(m_slots.size());
}

qsizetype RecentIds::find(QStringView id) const {
    return m_index.empty() ? -1 : find(id, hashOf(id));
}

qsizetype RecentIds::find(QStringView id, size_t hash) const {
    if (m_index.empty())
        return -1;
    const std::size_t mask = m_index.size() - 1;
    for (std::size_t b = hash & mask;; b = (b + 1) & mask) {
        const qint32 slot = m_index[b];
        if (slot < 0)
            return -1;
        const Slot &s = m_slots[std::size_t(slot)];
        if (s.hash == hash && QStringView(s.id) == id)
            return slot;
    }
}

void RecentIds::index(qsizetype slot) {
    const std::size_t mask = m_index.size() - 1;
    std::size_t b = m_slots[std::size_t(slot)].hash & mask;
    while (m_index[b] >= 0)
        b = (b + 1) & mask;
    m_index[b] = qint32(slot);
}

void RecentIds::unindex(qsizetype slot) {
    const std::size_t mask = m_index.size() - 1;
    std::size_t hole = m_slots[std::size_t(slot)].hash & mask;
    while (m_index[hole] != slot)
        hole = (hole + 1) & mask;
    m_index[hole] = -1;
    // Backward shift: every entry after the hole that could live in it moves
    // up, so lookups need no tombstones.
    for (std::size_t b = (hole + 1) & mask; m_index[b] >= 0; b = (b + 1) & mask) {
        const std::size_t home = m_slots[std::size_t(m_index[b])].hash & mask;
        const bool reachable = hole <= b ? (home <= hole || home > b) : (home <= hole && home > b);
        if (reachable) {
            m_index[hole] = m_index[b];
            m_index[b] = -1;
            hole = b;
        }
    }
}

void RecentIds::rebuildIndex(std::size_t buckets) {
    m_index.assign(buckets, -1);
    for (qsizetype age = 0; age < m_count; ++age)
        index(slotAt(age));
}

void RecentIds::remember(QStringView id, bool delivered) {
    const size_t hash = hashOf(id);
    if (const qsizetype at = find(id, hash); at >= 0) {
        m_slots[std::size_t(at)].delivered = m_slots[std::size_t(at)].delivered || delivered;
        return;
    }
    qsizetype slot;
    if (m_count < m_window) {
        // Growing: slots are in age order from 0 until the window is full.
        // The index grows first, over the slots that hold ids already.
        if (std::size_t(m_count + 1) * 2 > m_index.size())
            rebuildIndex(std::max<std::size_t>(16, m_index.size() * 2));
        slot = m_count++;
        m_slots.emplace_back();
    } else {
        slot = m_oldest;
        unindex(slot);
        m_oldest = (m_oldest + 1) % m_window;
    }
    Slot &s = m_slots[std::size_t(slot)];
    // Written over the old id: no allocation unless this one is longer.
    s.id.resize(id.size());
    std::memcpy(s.id.data(), id.data(), std::size_t(id.size()) * sizeof(QChar));
    s.hash = hash;
    s.delivered = delivered;
    index(slot);
}

void RecentIds::clear() {
    m_slots = {};
    m_index = {};
    m_oldest = 0;
    m_count = 0;
}

void RecentIds::assign(const QList<QString> &ids, const QList<bool> &delivered) {
    clear();
    for (qsizetype i = std::max<qsizetype>(0, ids.size() - m_window); i < ids.size(); ++i)
        remember(ids.at(i), delivered.value(i));
}

QList<QString> RecentIds::ids() const {
    QList<QString> out;
    out.reserve(m_count);
    for (qsizetype age = 0; age < m_count; ++age)
        out.append(m_slots[std::size_t(slotAt(age))].id);
    return out;
}

QList<bool> RecentIds::deliveredFlags() const {
    QList<bool> out;
    out.reserve(m_count);
    for (qsizetype age = 0; age < m_count; ++age)
        out.append(m_slots[std::size_t(slotAt(age))].delivered);
    return out;
}

} // namespace whisper
