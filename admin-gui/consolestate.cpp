// SPDX-License-Identifier: MIT
#include "consolestate.h"

#include "controlclient.h"

#include <QDateTime>

namespace whisper::admin {

ConsoleState::ConsoleState(Clock clock, QObject *parent)
    : QObject(parent)
    , m_clock(clock ? clock : [] { return QDateTime::currentMSecsSinceEpoch(); })
    , m_waiting(m_clock)
    , m_pairs(m_clock) {}

void ConsoleState::attach(ControlClient *client) {
    connect(client, &ControlClient::snapshotReceived, this, &ConsoleState::applySnapshot);
    connect(client, &ControlClient::deltaReceived, this, &ConsoleState::applyDelta);
    // What is shown after a disconnect is the last known state, not a live
    // one; the next subscription's snapshot replaces it.
    connect(client, &ControlClient::serverGone, this, [this] { m_snapshotComplete = false; });
    connect(client, &ControlClient::reportsReceived, this,
            [this](qint64, const QList<control::Report> &reports) { m_reports.reset(reports); });
}

void ConsoleState::applySnapshot(const control::Snapshot &page) {
    if (page.page == 0) {
        // A new subscription (first login or a reconnect): start over.
        m_snapshotComplete = false;
        m_waiting.reset(page.waiting);
        m_pairs.reset(page.pairs);
    } else {
        m_waiting.upsert(page.waiting);
        m_pairs.upsert(page.pairs);
    }
    if (page.last) {
        m_snapshotComplete = true;
        Q_EMIT snapshotCompleted();
    }
}

void ConsoleState::applyDelta(const control::Delta &delta) {
    // Removals first: a client that left and came back is in both lists.
    m_waiting.remove(delta.waitingRemoved);
    m_pairs.remove(delta.pairsRemoved);
    m_waiting.upsert(delta.waitingAdded);
    m_pairs.upsert(delta.pairsAdded);
    m_pairs.setMessageCounts(delta.pairMessages);
    addEvents(delta.events);
    if (delta.stats) {
        m_history.push_back(StatsSample{m_clock(), *delta.stats});
        while (m_history.size() > size_t(kMaxSamples))
            m_history.pop_front();
        Q_EMIT statsUpdated(*delta.stats);
    }
}

std::optional<control::Stats> ConsoleState::latestStats() const {
    if (m_history.empty())
        return std::nullopt;
    return m_history.back().stats;
}

void ConsoleState::addEvents(const QList<control::Event> &events) {
    if (events.isEmpty())
        return;
    QStringList lines = m_events.stringList();
    for (const auto &e : events)
        lines.prepend(describeEvent(e));
    if (lines.size() > kMaxEvents)
        lines.resize(kMaxEvents);
    m_events.setStringList(lines);
}

QString describeEvent(const control::Event &e) {
    const QString time = QDateTime::fromMSecsSinceEpoch(e.ts).toString(QStringLiteral("HH:mm:ss"));
    QString what;
    switch (e.kind) {
    case control::EventKind::Matched:
        what = ConsoleState::tr("pair %1 matched").arg(e.subject);
        break;
    case control::EventKind::Left:
        what = ConsoleState::tr("pair %1 ended").arg(e.subject);
        break;
    case control::EventKind::Kicked:
        what = ConsoleState::tr("%1 kicked").arg(e.subject);
        break;
    case control::EventKind::Banned:
        what = ConsoleState::tr("%1 banned").arg(e.subject);
        break;
    case control::EventKind::Reported:
        what = ConsoleState::tr("%1 reported").arg(e.subject);
        break;
    }
    return e.detail.isEmpty() ? QStringLiteral("%1  %2").arg(time, what)
                              : QStringLiteral("%1  %2 (%3)").arg(time, what, e.detail);
}

} // namespace whisper::admin
