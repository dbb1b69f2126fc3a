// SPDX-License-Identifier: MIT
#pragma once

#include "controlprotocol.h"

#include <QAbstractTableModel>
#include <QWidget>

class QLabel;
class QTableView;

namespace whisper::admin {

// The nodes of a cluster with their load, from the `nodes` of the stats in
// the control stream (about once a second). Empty on a single node.
class NodeModel final : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Node, Connections, Waiting, Pairs, Messages, RedisLatency, Role, ColumnCount };
    using QAbstractTableModel::QAbstractTableModel;

    void setNodes(const QList<control::NodeStats> &nodes);
    const QList<control::NodeStats> &nodes() const { return m_nodes; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    QList<control::NodeStats> m_nodes;
};

// The "Cluster" section of the statistics: a heading and the node table,
// shown only when the server is a cluster node.
class NodeTable : public QWidget {
    Q_OBJECT
public:
    explicit NodeTable(QWidget *parent = nullptr);
    void setNodes(const QList<control::NodeStats> &nodes);
    NodeModel *model() { return m_model; }
    QTableView *view() { return m_view; }

private:
    NodeModel *m_model;
    QLabel *m_title;
    QTableView *m_view;
};

} // namespace whisper::admin
