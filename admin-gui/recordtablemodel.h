// SPDX-License-Identifier: MIT
#pragma once

#include <QAbstractTableModel>
#include <QHash>
#include <QList>
#include <QSet>
#include <QString>

#include <algorithm>

namespace whisper::admin {

// A table of records keyed by a string `id`, kept in step with the control
// stream: whole snapshots, additions (insert or update) and removals by id.
// Subclasses only say how a record looks in each column.
template <typename Record>
class RecordTableModel : public QAbstractTableModel {
public:
    using QAbstractTableModel::QAbstractTableModel;

    int rowCount(const QModelIndex &parent = {}) const override {
        return parent.isValid() ? 0 : int(m_records.size());
    }

    const QList<Record> &records() const { return m_records; }
    int rowOf(const QString &id) const { return m_rowById.value(id, -1); }
    const Record *find(const QString &id) const {
        const int row = rowOf(id);
        return row < 0 ? nullptr : &m_records.at(row);
    }

    void clear() { reset({}); }

    void reset(const QList<Record> &records) {
        beginResetModel();
        m_records = records;
        reindex();
        endResetModel();
    }

    // New ids are appended; known ids are updated in place.
    void upsert(const QList<Record> &records) {
        QList<Record> fresh;
        for (const Record &r : records) {
            const int row = rowOf(r.id);
            if (row < 0) {
                if (!m_rowById.contains(r.id))
                    fresh.append(r);
                continue;
            }
            m_records[row] = r;
            Q_EMIT dataChanged(index(row, 0), index(row, columnCount() - 1));
        }
        if (fresh.isEmpty())
            return;
        const int first = int(m_records.size());
        beginInsertRows({}, first, first + int(fresh.size()) - 1);
        for (const Record &r : std::as_const(fresh)) {
            m_rowById.insert(r.id, int(m_records.size()));
            m_records.append(r);
        }
        endInsertRows();
    }

    // Unknown ids are ignored. Many removals at once reset the model: one
    // reset is cheaper for views than thousands of row removals.
    void remove(const QStringList &ids) {
        QList<int> rows;
        for (const QString &id : ids)
            if (const int row = rowOf(id); row >= 0)
                rows.append(row);
        if (rows.isEmpty())
            return;
        std::sort(rows.begin(), rows.end(), std::greater<int>());
        rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
        if (rows.size() > kResetThreshold) {
            beginResetModel();
            for (int row : std::as_const(rows))
                m_records.removeAt(row);
            reindex();
            endResetModel();
            return;
        }
        for (int row : std::as_const(rows)) {
            beginRemoveRows({}, row, row);
            m_records.removeAt(row);
            endRemoveRows();
        }
        reindex();
    }

protected:
    Record &recordAt(int row) { return m_records[row]; }
    void touchRow(int row) { Q_EMIT dataChanged(index(row, 0), index(row, columnCount() - 1)); }

private:
    static constexpr int kResetThreshold = 64;

    void reindex() {
        m_rowById.clear();
        m_rowById.reserve(m_records.size());
        for (int i = 0; i < m_records.size(); ++i)
            m_rowById.insert(m_records.at(i).id, i);
    }

    QList<Record> m_records;
    QHash<QString, int> m_rowById;
};

} // namespace whisper::admin
