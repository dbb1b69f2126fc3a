// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>
#include <QMap>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>
#include <QUrl>

namespace whisper::test {

// A whole cluster from scripts/cluster-up.sh (redis-server, PostgreSQL,
// whisperchat-server nodes and nginx on loopback) for one suite, stopped by
// cluster-down.sh when the rig goes.
class ClusterRig {
public:
    ClusterRig() = default;
    ~ClusterRig();
    ClusterRig(const ClusterRig &) = delete;
    ClusterRig &operator=(const ClusterRig &) = delete;

    // Starts `nodes` nodes, each with `nodeArgs`; false with error() set.
    bool up(const QStringList &nodeArgs, int nodes = 3);
    // Stops exactly what up() started; true when cluster-down.sh succeeded.
    bool down();
    QString error() const { return m_error; }

    QString stateDir() const { return m_state.path(); }
    // What cluster-up.sh printed on stdout (its one ready line).
    QString upOutput() const { return m_upOutput; }
    QUrl chat() const { return m_chat; }                        // through the load balancer
    QUrl control() const { return m_control; }                  // node1's
    QMap<QString, QUrl> nodes() const { return m_nodes; }       // name -> chat URL
    QMap<QString, QUrl> controls() const { return m_controls; } // name -> control URL
    QString redisUrl() const { return m_redisUrl; }
    QString redisPort() const { return m_redisUrl.mid(m_redisUrl.lastIndexOf(u':') + 1); }
    QString dbUrl() const { return m_dbUrl; }
    // The PID cluster-up.sh wrote for `name` (redis, postgres, lb, nodeN).
    qint64 pidOf(const QString &name) const;
    // GET `path` from node `name`'s operations endpoint (from its ready
    // line): the whole answer, status line to body; empty when it failed.
    QByteArray httpGet(const QString &name, const QByteArray &path) const;

private:
    QTemporaryDir m_state;
    bool m_up = false;
    QString m_error;
    QString m_upOutput;
    QUrl m_chat;
    QUrl m_control;
    QMap<QString, QUrl> m_nodes;
    QMap<QString, QUrl> m_controls;
    QString m_redisUrl;
    QString m_dbUrl;
};

} // namespace whisper::test
