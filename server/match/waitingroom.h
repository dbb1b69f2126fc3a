// SPDX-License-Identifier: MIT
#pragma once

#include "matchtypes.h"

#include <QHash>
#include <QList>
#include <QObject>

namespace whisper {

struct WaitingEntry {
    MatchCandidate candidate;
    qint64 sinceMs = 0;
};

// Who is waiting to be matched. The in-process implementation is the embedded
// default; a shared implementation lets several nodes see one room without the
// session code changing.
class WaitingRoom : public QObject {
    Q_OBJECT
public:
    using QObject::QObject;

    // False when the client is already waiting.
    virtual bool enter(const WaitingEntry &entry) = 0;
    // False when the client was not waiting.
    virtual bool remove(ClientId id) = 0;
    virtual bool contains(ClientId id) const = 0;
    virtual const WaitingEntry *find(ClientId id) const = 0;
    virtual int count() const = 0;
    // Everyone waiting, longest waiting first: what a matchmaker rebuilds
    // its engine from when the engine's own state can no longer be trusted.
    virtual QList<WaitingEntry> entries() const = 0;
    // False while the room cannot take anyone (a cluster's shared room
    // while Redis is unreachable): a join is then refused at once.
    virtual bool isAvailable() const { return true; }
    // A pair of these two identities ended; until `untilMs` neither may be
    // matched with the other. One process's sessions take this from
    // RecentPartners at join; a room shared by several nodes must carry it
    // to whichever node either of them joins from next.
    virtual void rememberPartners(std::uint64_t keyA, std::uint64_t keyB, qint64 untilMs) {
        Q_UNUSED(keyA)
        Q_UNUSED(keyB)
        Q_UNUSED(untilMs)
    }

Q_SIGNALS:
    void entered(const whisper::WaitingEntry &entry);
    void removed(whisper::ClientId id);
};

class InProcessWaitingRoom final : public WaitingRoom {
    Q_OBJECT
public:
    using WaitingRoom::WaitingRoom;

    bool enter(const WaitingEntry &entry) override;
    bool remove(ClientId id) override;
    bool contains(ClientId id) const override { return m_entries.contains(id); }
    const WaitingEntry *find(ClientId id) const override;
    int count() const override { return int(m_entries.size()); }
    QList<WaitingEntry> entries() const override;

private:
    QHash<ClientId, WaitingEntry> m_entries;
};

} // namespace whisper
