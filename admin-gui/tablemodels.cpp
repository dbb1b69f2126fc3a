// SPDX-License-Identifier: MIT
#include "tablemodels.h"

#include <QDateTime>

namespace whisper::admin {

namespace {
Clock orSystemClock(Clock clock) {
    if (clock)
        return clock;
    return [] { return QDateTime::currentMSecsSinceEpoch(); };
}
} // namespace

QString formatDuration(qint64 ms) {
    const qint64 s = std::max<qint64>(ms, 0) / 1000;
    if (s < 60)
        return QObject::tr("%n s", nullptr, int(s));
    if (s < 3600)
        return QObject::tr("%n min", nullptr, int(s / 60));
    return QObject::tr("%n h", nullptr, int(s / 3600));
}

// ---- waiting -----------------------------------------------------------------

WaitingModel::WaitingModel(Clock clock, QObject *parent)
    : RecordTableModel(parent)
    , m_clock(orSystemClock(std::move(clock))) {}

int WaitingModel::columnCount(const QModelIndex &parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant WaitingModel::data(const QModelIndex &index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const auto &w = records().at(index.row());
    if (role == kIdRole)
        return w.id;
    if (role == Qt::TextAlignmentRole)
        return index.column() == Id || index.column() == Kind
                   ? QVariant()
                   : QVariant(Qt::AlignRight | Qt::AlignVCenter);
    if (role != Qt::DisplayRole && role != kSortRole)
        return {};
    const bool sort = role == kSortRole;
    switch (index.column()) {
    case Id:
        return w.id;
    case Latitude:
        return sort ? QVariant(w.lat) : QVariant(QString::number(w.lat, 'f', 1));
    case Longitude:
        return sort ? QVariant(w.lon) : QVariant(QString::number(w.lon, 'f', 1));
    case RangeKm:
        return sort ? QVariant(w.rangeKm) : QVariant(QString::number(w.rangeKm, 'f', 1));
    case Waiting:
        return sort ? QVariant(m_clock() - w.sinceMs)
                    : QVariant(formatDuration(m_clock() - w.sinceMs));
    case Kind:
        return w.account ? tr("account") : tr("guest");
    }
    return {};
}

QVariant WaitingModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return RecordTableModel::headerData(section, orientation, role);
    switch (section) {
    case Id:
        return tr("Client");
    case Latitude:
        return tr("Latitude");
    case Longitude:
        return tr("Longitude");
    case RangeKm:
        return tr("Range (km)");
    case Waiting:
        return tr("Waiting");
    case Kind:
        return tr("Kind");
    }
    return {};
}

// ---- pairs -------------------------------------------------------------------

PairModel::PairModel(Clock clock, QObject *parent)
    : RecordTableModel(parent)
    , m_clock(orSystemClock(std::move(clock))) {}

int PairModel::columnCount(const QModelIndex &parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant PairModel::data(const QModelIndex &index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const auto &p = records().at(index.row());
    if (role == kIdRole)
        return p.id;
    if (role != Qt::DisplayRole && role != kSortRole)
        return {};
    const bool sort = role == kSortRole;
    switch (index.column()) {
    case Id:
        return p.id;
    case MemberA:
        return p.a;
    case MemberB:
        return p.b;
    case DistanceKm:
        return sort ? QVariant(p.distanceKm) : QVariant(tr("within %1 km").arg(p.distanceKm));
    case Since:
        return sort ? QVariant(m_clock() - p.sinceMs)
                    : QVariant(formatDuration(m_clock() - p.sinceMs));
    case Messages:
        return sort ? QVariant(p.messages) : QVariant(QString::number(p.messages));
    }
    return {};
}

QVariant PairModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return RecordTableModel::headerData(section, orientation, role);
    switch (section) {
    case Id:
        return tr("Pair");
    case MemberA:
        return tr("Member A");
    case MemberB:
        return tr("Member B");
    case DistanceKm:
        return tr("Distance");
    case Since:
        return tr("Chatting for");
    case Messages:
        return tr("Messages");
    }
    return {};
}

void PairModel::setMessageCounts(const QList<control::PairMessages> &counts) {
    for (const auto &c : counts) {
        const int row = rowOf(c.id);
        if (row < 0)
            continue;
        recordAt(row).messages = c.messages;
        Q_EMIT dataChanged(index(row, Messages), index(row, Messages));
    }
}

QString PairModel::pairOf(const QString &clientId) const {
    for (const auto &p : records())
        if (p.a == clientId || p.b == clientId)
            return p.id;
    return {};
}

// ---- reports -----------------------------------------------------------------

int ReportModel::columnCount(const QModelIndex &parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ReportModel::data(const QModelIndex &index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const auto &r = records().at(index.row());
    if (role == kIdRole)
        return r.id;
    if (role != Qt::DisplayRole && role != kSortRole)
        return {};
    switch (index.column()) {
    case Id:
        return r.id;
    case Reporter:
        return r.reporter;
    case Reported:
        return r.reported;
    case Reason:
        return r.reason;
    case Created:
        return role == kSortRole
                   ? QVariant(r.createdMs)
                   : QVariant(QDateTime::fromMSecsSinceEpoch(r.createdMs).toString(Qt::ISODate));
    case Status:
        return r.resolved ? tr("resolved: %1").arg(r.resolution) : tr("open");
    }
    return {};
}

QVariant ReportModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return RecordTableModel::headerData(section, orientation, role);
    switch (section) {
    case Id:
        return tr("Report");
    case Reporter:
        return tr("Reporter");
    case Reported:
        return tr("Reported");
    case Reason:
        return tr("Reason");
    case Created:
        return tr("Created");
    case Status:
        return tr("Status");
    }
    return {};
}

} // namespace whisper::admin
