// SPDX-License-Identifier: MIT
#include "controlclient.h"

#include <QLoggingCategory>

namespace whisper::admin {

Q_LOGGING_CATEGORY(lcClient, "whisper.admin.client")

using namespace control;

ControlClient::ControlClient(QObject *parent)
    : QObject(parent) {
    m_reconnectTimer.setSingleShot(true);
    connect(&m_reconnectTimer, &QTimer::timeout, this, &ControlClient::open);
    m_greeting.setSingleShot(true);
    m_greeting.setInterval(5000);
    connect(&m_greeting, &QTimer::timeout, this, [this] {
        refuse(tr("%1 accepted the connection but did not greet as a WhisperChat control "
                  "endpoint. Is this the control port?")
                   .arg(m_credentials.url.toString()));
    });
    connect(&m_socket, &QWebSocket::connected, this, &ControlClient::onConnected);
    connect(&m_socket, &QWebSocket::disconnected, this, &ControlClient::onDisconnected);
    connect(&m_socket, &QWebSocket::textMessageReceived, this, &ControlClient::onText);
    // Snapshots of big rooms arrive in pages; the server sizes them, the
    // client only refuses absurd frames.
    m_socket.setMaxAllowedIncomingMessageSize(64 * 1024 * 1024);
}

ControlClient::~ControlClient() {
    m_wanted = false;
    m_socket.disconnect(this);
    m_socket.abort();
}

void ControlClient::setReconnectBackoff(int initialMs, int maxMs) {
    m_initialBackoffMs = std::max(1, initialMs);
    m_maxBackoffMs = std::max(m_initialBackoffMs, maxMs);
    m_backoffMs = m_initialBackoffMs;
}

void ControlClient::connectToServer(const Credentials &credentials) {
    m_credentials = credentials;
    m_wanted = true;
    m_backoffMs = m_initialBackoffMs;
    m_reconnectTimer.stop();
    if (m_socket.state() != QAbstractSocket::UnconnectedState) {
        // onDisconnected() reopens, because m_wanted is set.
        m_socket.abort();
        return;
    }
    open();
}

void ControlClient::disconnectFromServer() {
    m_wanted = false;
    m_reconnectTimer.stop();
    m_greeting.stop();
    m_socket.close();
    setState(State::Disconnected);
}

void ControlClient::setState(State state) {
    if (m_state == state)
        return;
    m_state = state;
    Q_EMIT stateChanged(state);
}

void ControlClient::open() {
    if (!m_wanted)
        return;
    setState(State::Connecting);
    m_socket.open(m_credentials.url);
}

void ControlClient::onConnected() {
    setState(State::LoggingIn);
    // The server greets first with `hello`; login follows it (handle()). A
    // chat port or another WebSocket service never does.
    m_greeting.start();
}

void ControlClient::refuse(const QString &message) {
    // Retrying the same URL or credentials will not help: stop, and say why.
    m_greeting.stop();
    m_wanted = false;
    m_socket.close();
    setState(State::Disconnected);
    qCWarning(lcClient).noquote() << "login refused:" << message;
    Q_EMIT authenticationFailed(message);
}

void ControlClient::onDisconnected() {
    // A failed reconnect keeps the previous close reason: report the error.
    const QString reason = m_state == State::Connecting || m_socket.closeReason().isEmpty()
                               ? m_socket.errorString()
                               : m_socket.closeReason();
    const bool wasOnline = m_state == State::Online;
    m_greeting.stop();
    m_role.clear();
    m_permissions.clear();
    if (!m_wanted) {
        setState(State::Disconnected);
        return;
    }
    if (wasOnline)
        m_backoffMs = m_initialBackoffMs;
    scheduleReconnect(reason);
}

void ControlClient::scheduleReconnect(const QString &reason) {
    const int delay = m_backoffMs;
    m_backoffMs = std::min(m_backoffMs * 2, m_maxBackoffMs);
    setState(State::WaitingToReconnect);
    qCInfo(lcClient).noquote() << "connection lost (" << reason << "); retrying in" << delay
                               << "ms";
    Q_EMIT serverGone(reason, delay);
    m_reconnectTimer.start(delay);
}

void ControlClient::onText(const QString &text) {
    const auto decoded = Codec::decodeServer(text.toUtf8());
    const auto *message = std::get_if<ServerMessage>(&decoded);
    if (m_greeting.isActive() && !(message && std::holds_alternative<Hello>(*message))) {
        // A chat port greets with `welcome`: the operator typed the wrong port.
        refuse(tr("%1 is not a WhisperChat control endpoint (it answered like a chat port). "
                  "Check the port: the control port is set by control-port.")
                   .arg(m_credentials.url.toString()));
        return;
    }
    m_greeting.stop();
    if (const auto *error = std::get_if<DecodeError>(&decoded)) {
        qCWarning(lcClient).noquote() << "ignoring a bad frame from the server:" << error->message;
        return;
    }
    handle(std::get<ServerMessage>(decoded));
}

void ControlClient::handle(const ServerMessage &message) {
    if (std::holds_alternative<Hello>(message)) {
        m_loginReq =
            send(Login{0, m_credentials.username, m_credentials.password, m_credentials.totp});
    } else if (const auto *in = std::get_if<LoggedIn>(&message)) {
        m_username = in->username;
        m_role = in->role;
        m_permissions = in->permissions;
        m_backoffMs = m_initialBackoffMs;
        send(Subscribe{});
        setState(State::Online);
        Q_EMIT loggedIn(m_username, m_role, m_permissions);
    } else if (const auto *error = std::get_if<Error>(&message)) {
        if (error->req != 0 && error->req == m_loginReq) {
            // Credentials will not get better by retrying them.
            m_wanted = false;
            m_socket.close();
            setState(State::Disconnected);
            Q_EMIT authenticationFailed(error->message);
            return;
        }
        Q_EMIT commandFailed(error->req, error->code, error->message);
    } else if (const auto *ok = std::get_if<Ok>(&message)) {
        Q_EMIT commandSucceeded(ok->req);
    } else if (const auto *page = std::get_if<Snapshot>(&message)) {
        Q_EMIT snapshotReceived(*page);
    } else if (const auto *delta = std::get_if<Delta>(&message)) {
        Q_EMIT deltaReceived(*delta);
    } else if (const auto *reports = std::get_if<Reports>(&message)) {
        Q_EMIT reportsReceived(reports->req, reports->reports);
    } else if (const auto *account = std::get_if<Account>(&message)) {
        Q_EMIT accountReceived(account->req, account->account);
    } else if (const auto *preview = std::get_if<BanPreview>(&message)) {
        Q_EMIT banPreviewReceived(preview->req, *preview);
    } else if (const auto *bans = std::get_if<Bans>(&message)) {
        Q_EMIT bansReceived(bans->req, bans->bans);
    } else if (const auto *audit = std::get_if<Audit>(&message)) {
        Q_EMIT auditReceived(audit->req, audit->rows);
    }
}

qint64 ControlClient::send(ConsoleMessage message) {
    const qint64 req = m_nextReq++;
    std::visit([req](auto &m) { m.req = req; }, message);
    m_socket.sendTextMessage(QString::fromUtf8(Codec::encode(message)));
    return req;
}

qint64 ControlClient::kick(const QString &clientId) {
    return send(Kick{0, clientId});
}
qint64 ControlClient::kickPair(const QString &pairId) {
    return send(KickPair{0, pairId});
}
qint64 ControlClient::banAccount(const QString &username, qint64 durationS, const QString &reason) {
    return send(Ban{0, username, {}, durationS, reason, {}});
}
qint64 ControlClient::banClient(const QString &clientId, qint64 durationS, const QString &reason,
                                std::optional<BanScope> scope) {
    return send(Ban{0, {}, clientId, durationS, reason, scope});
}
qint64 ControlClient::previewBan(const QString &clientId) {
    return send(PreviewBan{0, clientId});
}
qint64 ControlClient::listBans() {
    return send(ListBans{0});
}
qint64 ControlClient::unban(const QString &banId) {
    return send(Unban{0, banId});
}
qint64 ControlClient::listReports(bool includeResolved) {
    return send(ListReports{0, includeResolved});
}
qint64 ControlClient::resolveReport(const QString &reportId, const QString &resolution) {
    return send(ResolveReport{0, reportId, resolution});
}
qint64 ControlClient::lookupAccount(const QString &username) {
    return send(LookupAccount{0, username});
}
qint64 ControlClient::setRole(const QString &username, const QString &role) {
    return send(SetRole{0, username, role});
}
qint64 ControlClient::broadcast(const QString &text) {
    return send(Broadcast{0, text});
}
qint64 ControlClient::setTickInterval(int ms) {
    return send(SetTickInterval{0, ms});
}
qint64 ControlClient::drain() {
    return send(Drain{0});
}
qint64 ControlClient::listAudit(const ListAudit &query) {
    return send(query);
}

} // namespace whisper::admin
