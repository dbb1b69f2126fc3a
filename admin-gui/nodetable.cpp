// SPDX-License-Identifier: MIT
#include "nodetable.h"

#include "tablemodels.h"

#include <QFont>
#include <QHeaderView>
#include <QLabel>
#include <QTableView>
#include <QVBoxLayout>

namespace whisper::admin {

void NodeModel::setNodes(const QList<control::NodeStats> &nodes) {
    if (nodes.size() == m_nodes.size()) {
        // The same rows with new numbers, every second: no reset, so the
        // view keeps its selection and scroll position.
        m_nodes = nodes;
        if (!m_nodes.isEmpty())
            Q_EMIT dataChanged(index(0, 0), index(int(m_nodes.size()) - 1, ColumnCount - 1));
        return;
    }
    beginResetModel();
    m_nodes = nodes;
    endResetModel();
}

int NodeModel::rowCount(const QModelIndex &parent) const {
    return parent.isValid() ? 0 : int(m_nodes.size());
}

int NodeModel::columnCount(const QModelIndex &parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant NodeModel::data(const QModelIndex &index, int role) const {
    if (!index.isValid() || index.row() >= m_nodes.size())
        return {};
    const control::NodeStats &n = m_nodes.at(index.row());
    if (role == Qt::FontRole && n.leader) {
        QFont bold;
        bold.setBold(true);
        return bold;
    }
    if (role == Qt::TextAlignmentRole && index.column() != Node && index.column() != Role)
        return int(Qt::AlignRight | Qt::AlignVCenter);
    if (role == kSortRole) {
        switch (index.column()) {
        case Node:
            return n.node;
        case Connections:
            return n.connections;
        case Waiting:
            return n.waiting;
        case Pairs:
            return n.pairs;
        case Messages:
            return n.messagesPerSecond;
        case RedisLatency:
            return n.redisLatencyMs.value_or(-1.0);
        case Role:
            return int(n.leader) * 2 + int(n.self);
        }
    }
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case Node:
        return n.self ? tr("%1 (this node)").arg(n.node) : n.node;
    case Connections:
        return n.connections;
    case Waiting:
        return n.waiting;
    case Pairs:
        return n.pairs;
    case Messages:
        return QString::number(n.messagesPerSecond, 'f', 1);
    case RedisLatency:
        return n.redisLatencyMs ? tr("%1 ms").arg(*n.redisLatencyMs, 0, 'f', 2)
                                : QStringLiteral("–");
    case Role:
        return n.leader ? tr("leader") : QString();
    }
    return {};
}

QVariant NodeModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Node:
        return tr("Node");
    case Connections:
        return tr("Connections");
    case Waiting:
        return tr("Waiting");
    case Pairs:
        return tr("Pairs");
    case Messages:
        return tr("Messages/s");
    case RedisLatency:
        return tr("Redis latency");
    case Role:
        return tr("Matchmaking");
    }
    return {};
}

NodeTable::NodeTable(QWidget *parent)
    : QWidget(parent)
    , m_model(new NodeModel(this))
    , m_title(new QLabel(tr("Cluster nodes"), this))
    , m_view(new QTableView(this)) {
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    QFont heading = m_title->font();
    heading.setBold(true);
    m_title->setFont(heading);
    m_view->setModel(m_model);
    m_view->setObjectName(QStringLiteral("nodeTable"));
    m_view->verticalHeader()->hide();
    m_view->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_view->setSelectionMode(QAbstractItemView::NoSelection);
    m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    layout->addWidget(m_title);
    layout->addWidget(m_view);
    // A single node has no cluster to show.
    setVisible(false);
}

void NodeTable::setNodes(const QList<control::NodeStats> &nodes) {
    m_model->setNodes(nodes);
    setVisible(!nodes.isEmpty());
}

} // namespace whisper::admin
