// SPDX-License-Identifier: MIT
#include "instrumentation.h"

#include "clusternode.h"
#include "database.h"
#include "storage.h"

#include "chatserver.h"
#include "controlserver.h"
#include "opsserver.h"
#include "securitystack.h"
#include "servermetrics.h"

#include <QSqlQuery>
#include <QTimer>

#include <atomic>
#include <memory>

namespace whisper {

using metrics::GaugeSample;

void instrument(ServerMetrics &metrics, ChatServer &server, ControlServer &control,
                SecurityStack &security, OpsServer &ops) {
    metrics::Registry &r = metrics.registry();
    const QString transport = metrics.transport();
    r.gaugeFunction(
        QStringLiteral("whisperchat_connections"),
        QStringLiteral("Chat connections open, by transport"), {QStringLiteral("transport")},
        [&server, transport] {
            return std::vector<GaugeSample>{{{transport}, double(server.connectionCount())}};
        });
    r.gaugeFunction(QStringLiteral("whisperchat_waiting_clients"),
                    QStringLiteral("Clients in the waiting room"), {}, [&server] {
                        return std::vector<GaugeSample>{{{}, double(server.waitingCount())}};
                    });
    r.gaugeFunction(QStringLiteral("whisperchat_pairs"), QStringLiteral("Pairs chatting now"), {},
                    [&server] {
                        return std::vector<GaugeSample>{{{}, double(server.pairCount())}};
                    });
    QObject::connect(&server, &ChatServer::pairStarted, &server,
                     [&metrics] { metrics.matches.inc(); });
    QObject::connect(&server.matchmaker(), &Matchmaker::tickFinished, &server,
                     [&metrics](qint64 durationMs) {
                         metrics.matchTickSeconds.observe(double(durationMs) / 1000.0);
                     });

    PasswordHasher &hasher = security.accounts().hasher();
    r.gaugeFunction(QStringLiteral("whisperchat_password_hashes_pending"),
                    QStringLiteral("Password hashes queued or running"), {}, [&hasher] {
                        return std::vector<GaugeSample>{{{}, double(hasher.pending())}};
                    });
    hasher.setTimer(&metrics.passwordHashSeconds);
    security.database().setQueryTimer(&metrics.dbQuerySeconds);
    security.services().metrics = &metrics;

    r.gaugeFunction(QStringLiteral("whisperchat_control_consoles"),
                    QStringLiteral("Admin consoles connected"), {}, [&control] {
                        return std::vector<GaugeSample>{{{}, double(control.sessionCount())}};
                    });
    ops.setDrainingProbe([&server] { return server.isDraining(); });
    r.gaugeFunction(QStringLiteral("whisperchat_ready"),
                    QStringLiteral("1 when ready for clients (as /readyz says), else 0"), {},
                    [&ops] {
                        return std::vector<GaugeSample>{{{}, ops.isReady() ? 1.0 : 0.0}};
                    });
}

void instrument(ServerMetrics &metrics, ClusterNode &cluster) {
    metrics::Registry &r = metrics.registry();
    ClusterNode *node = &cluster;
    r.gaugeFunction(
        QStringLiteral("whisperchat_cluster_redis_up"),
        QStringLiteral("1 while this node's link to Redis is up"), {}, [node] {
            return std::vector<metrics::GaugeSample>{{{}, node->redis().isConnected() ? 1.0 : 0.0}};
        });
    r.gaugeFunction(QStringLiteral("whisperchat_cluster_redis_roundtrip_seconds"),
                    QStringLiteral("Round trip of the last PING to Redis"), {}, [node] {
                        const qint64 us = node->redis().lastLatencyUs();
                        return us < 0 ? std::vector<metrics::GaugeSample>{}
                                      : std::vector<metrics::GaugeSample>{{{}, double(us) / 1e6}};
                    });
    r.gaugeFunction(
        QStringLiteral("whisperchat_cluster_leader"),
        QStringLiteral("1 while this node leads the cluster's matchmaking"), {}, [node] {
            return std::vector<metrics::GaugeSample>{{{}, node->leader().isLeader() ? 1.0 : 0.0}};
        });
    r.gaugeFunction(QStringLiteral("whisperchat_cluster_global_waiting_clients"),
                    QStringLiteral("Clients in the cluster's waiting room (the leader only)"), {},
                    [node] {
                        if (!node->leader().isLeader())
                            return std::vector<metrics::GaugeSample>{};
                        return std::vector<metrics::GaugeSample>{
                            {{}, double(node->leader().globalWaitingCount())}};
                    });
}

void watchDependencies(OpsServer &ops, ClusterNode &cluster, Database &database) {
    ClusterNode *node = &cluster;
    ops.addDependency(QStringLiteral("redis"), [node] { return node->redis().isConnected(); });
    // The answer of the last probe, written on the database thread.
    auto reachable = std::make_shared<std::atomic<bool>>(true);
    auto inFlight = std::make_shared<std::atomic<bool>>(false);
    auto *timer = new QTimer(&ops);
    timer->setInterval(2000);
    QObject::connect(timer, &QTimer::timeout, &ops, [&database, reachable, inFlight] {
        // A database that hangs keeps its one probe, not a queue of them;
        // it reads as unreachable meanwhile.
        if (inFlight->exchange(true)) {
            reachable->store(false);
            return;
        }
        (void)database.run([reachable, inFlight](Storage &storage) {
            QSqlQuery probe(storage.database());
            reachable->store(probe.exec(QStringLiteral("SELECT 1")));
            inFlight->store(false);
            return 0;
        });
    });
    timer->start();
    ops.addDependency(QStringLiteral("database"), [reachable] { return reachable->load(); });
}

} // namespace whisper
