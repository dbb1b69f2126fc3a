// SPDX-License-Identifier: MIT
#pragma once

#include <QObject>
#include <QString>
#include <QUrl>

#include <functional>
#include <memory>
#include <utility>
#include <vector>

class QHttpServer;

namespace whisper {

namespace metrics {
class Registry;
}

// The operations endpoint: plain HTTP for Prometheus and load balancers, on
// the main event loop (so an answer from /healthz means the loop turns).
//   GET /metrics  the registry in the Prometheus text format
//   GET /healthz  200 while the process serves HTTP at all (liveness)
//   GET /readyz   200 when ready for clients, 503 before, while draining
//                 and during shutdown (readiness)
class OpsServer : public QObject {
    Q_OBJECT
public:
    explicit OpsServer(metrics::Registry &registry, QObject *parent = nullptr);
    ~OpsServer() override;

    // False with errorString() set when the address is invalid or taken.
    bool listen(const QString &address, int port);
    QUrl url() const;
    QString errorString() const { return m_errorString; }

    // Readiness: ready and not draining. Set ready once the chat endpoint
    // listens; shutdown sets it false; a graceful drain sets draining.
    void setReady(bool ready) { m_ready = ready; }
    void setDraining(bool draining) { m_draining = draining; }
    // Also asked on every readiness check: a drain started elsewhere (the
    // admin console's drain command sets the chat server draining).
    void setDrainingProbe(std::function<bool()> probe) { m_drainingProbe = std::move(probe); }
    // Also asked on every readiness check: a service the node cannot serve
    // without (a cluster's Redis and PostgreSQL); `name` is said in the 503.
    void addDependency(const QString &name, std::function<bool()> reachable) {
        m_dependencies.push_back({name, std::move(reachable)});
    }
    // The first dependency that is unreachable, or empty.
    QString unreachableDependency() const;
    bool isReady() const { return m_ready && !isDraining() && unreachableDependency().isEmpty(); }
    bool isDraining() const { return m_draining || (m_drainingProbe && m_drainingProbe()); }

private:
    metrics::Registry &m_registry;
    std::unique_ptr<QHttpServer> m_http;
    QString m_address;
    quint16 m_port = 0;
    bool m_ready = false;
    bool m_draining = false;
    std::function<bool()> m_drainingProbe;
    std::vector<std::pair<QString, std::function<bool()>>> m_dependencies;
    QString m_errorString;
};

} // namespace whisper
