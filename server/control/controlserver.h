#pragma once

#include "controlbackend.h"
#include "controlhub.h"

#include <QList>
#include <QObject>
#include <QTimer>
#include <QUrl>
#include <QWebSocketServer>

namespace whisper {

class ChatServer;
class ControlSession;
struct ServerConfig;

// Limits of the control endpoint (ServerConfig control-* settings).
struct ControlLimits {
    int batchMs = 250;        // deltas are sent at most this often
    int maxBatchItems = 2000; // records per snapshot page / delta frame
    int maxConnections = 16;  // concurrent console connections
    int maxMessageBytes = 65536;
    int loginAttempts = 5; // failed logins before the connection is closed

    static ControlLimits fromConfig(const ServerConfig &config);
};

// The second WebSocket listener, for admin consoles: accepts connections,
// owns their sessions and, on one timer, hands every session the changes the
// hub gathered, so streaming costs one batch per interval whatever the churn.
class ControlServer : public QObject {
    Q_OBJECT
public:
    ControlServer(const QString &listenAddress, int port, const ControlLimits &limits,
                  ChatServer &chat, ControlBackend &backend, const QString &version,
                  QObject *parent = nullptr);
    ~ControlServer() override;

    bool listen();
    QUrl url() const;
    QString errorString() const { return m_errorString; }
    void close();

    ControlHub &hub() { return m_hub; }
    int sessionCount() const { return int(m_sessions.size()); }

private:
    void onNewConnection();
    void flush();

    QString m_address;
    int m_port;
    ControlLimits m_limits;
    ControlBackend &m_backend;
    ControlHub m_hub;
    QWebSocketServer m_server;
    QList<ControlSession *> m_sessions;
    QTimer m_flushTimer;
    qint64 m_flushes = 0;
    QString m_errorString;
};

} // namespace whisper
