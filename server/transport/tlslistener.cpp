// SPDX-License-Identifier: MIT
#include "tlslistener.h"

#include <QFile>
#include <QLoggingCategory>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslKey>
#include <QWebSocket>
#include <QWebSocketCorsAuthenticator>
#include <QWebSocketServer>

namespace whisper {

Q_LOGGING_CATEGORY(lcTls, "whisper.server.tls")

bool isOriginAllowed(const QStringList &allowedOrigins, const QString &origin) {
    if (allowedOrigins.isEmpty() || origin.isEmpty())
        return true;
    for (const QString &allowed : allowedOrigins)
        if (origin.compare(allowed, Qt::CaseInsensitive) == 0)
            return true;
    return false;
}

QString configureTls(QWebSocketServer &server, const QString &certPath, const QString &keyPath) {
    QFile certFile(certPath);
    if (!certFile.open(QIODevice::ReadOnly))
        return QStringLiteral("cannot read --tls-cert '%1'").arg(certPath);
    const QList<QSslCertificate> chain = QSslCertificate::fromData(certFile.readAll());
    if (chain.isEmpty())
        return QStringLiteral("--tls-cert '%1' holds no PEM certificate").arg(certPath);
    QFile keyFile(keyPath);
    if (!keyFile.open(QIODevice::ReadOnly))
        return QStringLiteral("cannot read --tls-key '%1'").arg(keyPath);
    const QByteArray pem = keyFile.readAll();
    QSslKey key(pem, QSsl::Rsa);
    if (key.isNull())
        key = QSslKey(pem, QSsl::Ec);
    if (key.isNull())
        return QStringLiteral("--tls-key '%1' is not an unencrypted PEM RSA or EC key")
            .arg(keyPath);
    QSslConfiguration ssl = QSslConfiguration::defaultConfiguration();
    ssl.setLocalCertificateChain(chain);
    ssl.setPrivateKey(key);
    ssl.setProtocol(QSsl::TlsV1_2OrLater);
    ssl.setPeerVerifyMode(QSslSocket::VerifyNone); // clients have no certificates
    server.setSslConfiguration(ssl);
    return {};
}

void enforceOrigins(QWebSocketServer &server, const QStringList &allowedOrigins) {
    QObject::connect(&server, &QWebSocketServer::originAuthenticationRequired, &server,
                     [allowedOrigins](QWebSocketCorsAuthenticator *auth) {
                         const bool ok = isOriginAllowed(allowedOrigins, auth->origin());
                         if (!ok)
                             qCInfo(lcTls) << "refused a handshake from a disallowed Origin";
                         auth->setAllowed(ok);
                     });
}

namespace {

class TlsListener final : public ConnectionListener {
public:
    TlsListener(const ListenerSettings &settings, QObject *parent)
        : ConnectionListener(parent)
        , m_settings(settings)
        , m_server(settings.serverName, QWebSocketServer::SecureMode) {
        m_error = configure();
        m_server.setHandshakeTimeout(std::chrono::milliseconds(settings.handshakeTimeoutMs));
        m_server.setMaxPendingConnections(qMin(settings.backlog, 4096));
        enforceOrigins(m_server, m_settings.allowedOrigins);
        connect(&m_server, &QWebSocketServer::sslErrors, this, [](const QList<QSslError> &errors) {
            qCDebug(lcTls) << "TLS errors with a client:" << errors.size();
        });
        connect(&m_server, &QWebSocketServer::newConnection, this, [this] {
            forwardPendingConnections(m_server, m_settings.maxMessageBytes,
                                      m_settings.maxOutputBytes);
        });
    }

    bool listen(const QHostAddress &address, quint16 port) override {
        if (!m_error.isEmpty())
            return false;
        if (!m_server.listen(address, port)) {
            m_error = m_server.errorString();
            return false;
        }
        return true;
    }
    void close() override { m_server.close(); }
    QHostAddress serverAddress() const override { return m_server.serverAddress(); }
    quint16 serverPort() const override { return m_server.serverPort(); }
    QString errorString() const override { return m_error; }

private:
    QString configure() {
        return configureTls(m_server, m_settings.tlsCertFile, m_settings.tlsKeyFile);
    }

    ListenerSettings m_settings;
    QWebSocketServer m_server;
    QString m_error;
};

} // namespace

std::unique_ptr<ConnectionListener> createTlsListener(const ListenerSettings &settings,
                                                      QObject *parent) {
    return std::make_unique<TlsListener>(settings, parent);
}

} // namespace whisper
