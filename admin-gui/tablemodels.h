// SPDX-License-Identifier: MIT
#pragma once

#include "controlprotocol.h"
#include "recordtablemodel.h"

#include <functional>

namespace whisper::admin {

// Sort role: the raw value behind a formatted cell, so "2 min" sorts after
// "30 s".
inline constexpr int kSortRole = Qt::UserRole + 1;
// The record's id, for selection across views.
inline constexpr int kIdRole = Qt::UserRole + 2;

using Clock = std::function<qint64()>;

class WaitingModel final : public RecordTableModel<control::WaitingClient> {
    Q_OBJECT
public:
    enum Column { Id, Latitude, Longitude, RangeKm, Waiting, Kind, ColumnCount };
    explicit WaitingModel(Clock clock = {}, QObject *parent = nullptr);

    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;
    qint64 now() const { return m_clock(); }

private:
    Clock m_clock;
};

class PairModel final : public RecordTableModel<control::PairInfo> {
    Q_OBJECT
public:
    enum Column { Id, MemberA, MemberB, DistanceKm, Since, Messages, ColumnCount };
    explicit PairModel(Clock clock = {}, QObject *parent = nullptr);

    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;
    void setMessageCounts(const QList<control::PairMessages> &counts);
    // The pair a client is in, or an empty string.
    QString pairOf(const QString &clientId) const;

private:
    Clock m_clock;
};

class ReportModel final : public RecordTableModel<control::Report> {
    Q_OBJECT
public:
    enum Column { Id, Reporter, Reported, Reason, Created, Status, ColumnCount };
    using RecordTableModel::RecordTableModel;

    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;
};

// "45 s", "3 min", "2 h": how long something has lasted.
QString formatDuration(qint64 ms);

} // namespace whisper::admin
