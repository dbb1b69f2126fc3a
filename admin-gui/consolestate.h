// SPDX-License-Identifier: MIT
#pragma once

#include "controlprotocol.h"
#include "tablemodels.h"

#include <QObject>
#include <QStringListModel>

#include <deque>

namespace whisper::admin {

class ControlClient;

// One sample of the server's stats for the charts.
struct StatsSample {
    qint64 atMs = 0;
    control::Stats stats;
};

// What the console knows about the server, kept current from the control
// stream: the item models the tables and the map read, the recent events and
// a short history of stats for the charts.
class ConsoleState : public QObject {
    Q_OBJECT
public:
    static constexpr int kMaxEvents = 500;
    static constexpr int kMaxSamples = 600; // 10 minutes at one per second

    explicit ConsoleState(Clock clock = {}, QObject *parent = nullptr);

    // Feeds this state from `client`'s signals.
    void attach(ControlClient *client);

    void applySnapshot(const control::Snapshot &page);
    void applyDelta(const control::Delta &delta);

    WaitingModel *waiting() { return &m_waiting; }
    PairModel *pairs() { return &m_pairs; }
    ReportModel *reports() { return &m_reports; }
    QStringListModel *events() { return &m_events; }
    const std::deque<StatsSample> &history() const { return m_history; }
    std::optional<control::Stats> latestStats() const;
    bool snapshotComplete() const { return m_snapshotComplete; }

Q_SIGNALS:
    void statsUpdated(const whisper::control::Stats &stats);
    void snapshotCompleted();

private:
    void addEvents(const QList<control::Event> &events);

    Clock m_clock;
    WaitingModel m_waiting;
    PairModel m_pairs;
    ReportModel m_reports;
    QStringListModel m_events;
    std::deque<StatsSample> m_history;
    bool m_snapshotComplete = false;
};

QString describeEvent(const control::Event &event);

} // namespace whisper::admin
