// SPDX-License-Identifier: MIT
#include "messagemodel.h"

namespace whisper::client {

MessageModel::MessageModel(QObject *parent)
    : QAbstractListModel(parent) {}

int MessageModel::rowCount(const QModelIndex &parent) const {
    return parent.isValid() ? 0 : int(m_lines.size());
}

QVariant MessageModel::data(const QModelIndex &index, int role) const {
    if (!index.isValid() || index.row() >= m_lines.size())
        return {};
    const Line &line = m_lines.at(index.row());
    switch (role) {
    case KindRole:
        return QVariant::fromValue(line.kind);
    case TextRole:
    case Qt::DisplayRole:
        return line.text;
    case TimeRole:
        return line.time;
    case DeliveredRole:
        return line.delivered;
    case IdRole:
        return line.id;
    default:
        return {};
    }
}

QHash<int, QByteArray> MessageModel::roleNames() const {
    return {{KindRole, "kind"},
            {TextRole, "text"},
            {TimeRole, "time"},
            {DeliveredRole, "delivered"},
            {IdRole, "messageId"}};
}

void MessageModel::append(Kind kind, const QString &text, const QDateTime &time,
                          const QString &id) {
    beginInsertRows({}, int(m_lines.size()), int(m_lines.size()));
    m_lines.append(Line{kind, text, time, id});
    endInsertRows();
    Q_EMIT countChanged();
}

bool MessageModel::markDelivered(const QString &id) {
    // `delivered` arrives in sending order, so the match is near the end.
    for (qsizetype i = m_lines.size() - 1; i >= 0; --i) {
        Line &line = m_lines[i];
        if (line.kind != Kind::Mine || line.id != id)
            continue;
        if (line.delivered)
            return false;
        line.delivered = true;
        const QModelIndex at = index(int(i));
        Q_EMIT dataChanged(at, at, {DeliveredRole});
        return true;
    }
    return false;
}

void MessageModel::clear() {
    beginResetModel();
    m_lines.clear();
    endResetModel();
    Q_EMIT countChanged();
}

int MessageModel::deliveredCount() const {
    return int(
        std::count_if(m_lines.cbegin(), m_lines.cend(), [](const Line &l) { return l.delivered; }));
}

} // namespace whisper::client
