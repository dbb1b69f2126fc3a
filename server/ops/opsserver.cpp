// SPDX-License-Identifier: MIT
#include "opsserver.h"

#include "metricsregistry.h"

#include <QHostAddress>
#include <QHttpServer>
#include <QHttpServerRequest>
#include <QHttpServerResponse>
#include <QLoggingCategory>

namespace whisper {

Q_LOGGING_CATEGORY(lcOps, "whisper.server.ops")

namespace {

QHttpServerResponse text(const QByteArray &body, QHttpServerResponse::StatusCode status) {
    return QHttpServerResponse(QByteArrayLiteral("text/plain; charset=utf-8"), body, status);
}

} // namespace

OpsServer::OpsServer(metrics::Registry &registry, QObject *parent)
    : QObject(parent)
    , m_registry(registry)
    , m_http(std::make_unique<QHttpServer>()) {
    using Method = QHttpServerRequest::Method;
    using Status = QHttpServerResponse::StatusCode;
    m_http->route(QStringLiteral("/metrics"), Method::Get, [this] {
        return QHttpServerResponse(QByteArray(metrics::Registry::kContentType),
                                   m_registry.exposition(), Status::Ok);
    });
    m_http->route(QStringLiteral("/healthz"), Method::Get,
                  [] { return text(QByteArrayLiteral("ok\n"), Status::Ok); });
    m_http->route(QStringLiteral("/readyz"), Method::Get, [this] {
        if (isReady())
            return text(QByteArrayLiteral("ready\n"), Status::Ok);
        if (isDraining())
            return text(QByteArrayLiteral("draining\n"), Status::ServiceUnavailable);
        if (const QString down = unreachableDependency(); !down.isEmpty())
            return text(down.toUtf8() + QByteArrayLiteral(" unreachable\n"),
                        Status::ServiceUnavailable);
        return text(QByteArrayLiteral("not ready\n"), Status::ServiceUnavailable);
    });
}

QString OpsServer::unreachableDependency() const {
    for (const auto &[name, reachable] : m_dependencies)
        if (!reachable())
            return name;
    return QString();
}

OpsServer::~OpsServer() = default;

bool OpsServer::listen(const QString &address, int port) {
    const QHostAddress host(address);
    if (host.isNull()) {
        m_errorString = QStringLiteral("'%1' is not an IP address").arg(address);
        return false;
    }
    m_port = m_http->listen(host, quint16(port));
    if (m_port == 0) {
        m_errorString = QStringLiteral("cannot listen for HTTP on %1:%2").arg(address).arg(port);
        return false;
    }
    m_address = address;
    qCInfo(lcOps) << "operations endpoint listening on" << url().toString();
    return true;
}

QUrl OpsServer::url() const {
    QUrl url;
    url.setScheme(QStringLiteral("http"));
    url.setHost(m_address);
    url.setPort(m_port);
    return url;
}

} // namespace whisper
