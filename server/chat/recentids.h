// SPDX-License-Identifier: MIT
#pragma once

#include <QList>
#include <QString>
#include <QStringView>

#include <vector>

namespace whisper {

// The ids of the last `window` messages a client sent in its pair, and
// whether each reached the partner: a retry of one is not relayed twice.
// Looked up and added to on every message with an id, so once the window is
// full an id goes into the storage of the one that falls out: the relay's
// hot path allocates nothing here. (A QList and a QSet of QString allocated
// a string and a node per message.) The index is open addressing over the
// slots, with the process's random hash seed: ids are chosen by clients.
class RecentIds {
public:
    explicit RecentIds(int window = 256);

    // The slot holding `id`; -1: not there.
    qsizetype find(QStringView id) const;
    bool delivered(qsizetype slot) const { return m_slots[std::size_t(slot)].delivered; }
    // Adds `id` (the oldest falls out beyond the window), or marks it
    // delivered when it is there and `delivered`.
    void remember(QStringView id, bool delivered);
    // Empties the window and frees its memory (a new pair).
    void clear();
    // Replaces the window with `ids` (oldest first) and their flags (a
    // resumed record); the newest `window` are kept.
    void assign(const QList<QString> &ids, const QList<bool> &delivered);

    qsizetype size() const { return m_count; }
    // Oldest first.
    QList<QString> ids() const;
    QList<bool> deliveredFlags() const;

private:
    struct Slot {
        QString id; // its capacity is reused when the slot is
        size_t hash = 0;
        bool delivered = false;
    };
    qsizetype slotAt(qsizetype age) const;
    qsizetype find(QStringView id, size_t hash) const;
    void index(qsizetype slot);
    void unindex(qsizetype slot);
    void rebuildIndex(std::size_t buckets);

    qsizetype m_window;
    std::vector<Slot> m_slots; // grows to m_window, then a ring
    qsizetype m_oldest = 0;    // the ring's start once full
    qsizetype m_count = 0;
    std::vector<qint32> m_index; // slot numbers, -1 empty; a power of two, over half free
};

} // namespace whisper
