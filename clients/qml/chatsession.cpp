// SPDX-License-Identifier: MIT
#include "chatsession.h"

#include "backoff.h"
#include "resumesupport.h"

#include <QLoggingCategory>
#include <QRandomGenerator>

namespace whisper::client {

Q_LOGGING_CATEGORY(lcQmlClient, "whisper.client.qml")

using namespace protocol;

namespace {
constexpr int kReconnectCapMs = 30000;
constexpr int kTypingIdleMs = 5000;

QDateTime fromServerTime(qint64 ts) {
    return ts > 0 ? QDateTime::fromMSecsSinceEpoch(ts) : QDateTime::currentDateTime();
}
} // namespace

ChatSession::ChatSession(QObject *parent)
    : QObject(parent) {
    connect(&m_socket, &QWebSocket::textMessageReceived, this, &ChatSession::onText);
    connect(&m_socket, &QWebSocket::disconnected, this, &ChatSession::onDisconnected);
    // A connection that never opened may report only through `error`.
    connect(&m_socket, qOverload<QAbstractSocket::SocketError>(&QWebSocket::error), this, [this] {
        if (m_socket.state() == QAbstractSocket::UnconnectedState)
            onDisconnected();
    });
    m_reconnectTimer.setSingleShot(true);
    connect(&m_reconnectTimer, &QTimer::timeout, this, &ChatSession::open);
    m_typingIdle.setSingleShot(true);
    m_typingIdle.setInterval(kTypingIdleMs);
    connect(&m_typingIdle, &QTimer::timeout, this, [this] { setTyping(false); });
}

ChatSession::~ChatSession() {
    // Closing from the destructor must not schedule a reconnect.
    m_userClosed = true;
    m_socket.disconnect(this);
    m_socket.close();
}

bool ChatSession::canResume() {
    return resume::canSend();
}

void ChatSession::setUrl(const QUrl &url) {
    if (url == m_url)
        return;
    m_url = url;
    Q_EMIT urlChanged();
}

void ChatSession::connectToServer() {
    m_userClosed = false;
    m_welcomed = false;
    m_attempt = 0;
    m_reconnectTimer.stop();
    if (m_socket.state() != QAbstractSocket::UnconnectedState)
        m_socket.abort();
    setState(State::Connecting);
    setStatus(tr("Connecting to %1…").arg(m_url.host()));
    open();
}

void ChatSession::disconnectFromServer() {
    m_userClosed = true;
    m_reconnectTimer.stop();
    m_socket.close(QWebSocketProtocol::CloseCodeNormal);
    setChatEnded(false);
    setState(State::Disconnected);
    setStatus({});
}

void ChatSession::open() {
    qCDebug(lcQmlClient) << "opening" << m_url.host() << "attempt" << m_attempt;
    m_socket.open(m_url);
}

void ChatSession::send(const ClientMessage &message) {
    m_socket.sendTextMessage(QString::fromUtf8(Codec::encode(message)));
}

void ChatSession::setState(State state) {
    if (state == m_state)
        return;
    const bool wasOpen = chatOpen();
    m_state = state;
    if (state == State::Waiting)
        m_waitingSince = QDateTime::currentDateTime();
    if (state != State::Paired)
        setPartnerTyping(false);
    Q_EMIT stateChanged();
    if (wasOpen != chatOpen())
        Q_EMIT chatOpenChanged();
}

void ChatSession::setStatus(const QString &status) {
    if (status == m_status)
        return;
    m_status = status;
    Q_EMIT statusChanged();
}

void ChatSession::setChatEnded(bool ended) {
    if (ended == m_chatEnded)
        return;
    m_chatEnded = ended;
    Q_EMIT chatOpenChanged(); // also chatEnded's signal
}

void ChatSession::setPartnerTyping(bool active) {
    if (active == m_partnerTyping)
        return;
    m_partnerTyping = active;
    Q_EMIT partnerTypingChanged();
}

void ChatSession::system(const QString &text) {
    m_messages.append(MessageModel::Kind::System, text, QDateTime::currentDateTime());
}

// The pair is over but the user still reads the chat; the view offers
// "next" and "back".
void ChatSession::endChat(const QString &remark) {
    system(remark);
    m_typingSent = false;
    m_typingIdle.stop();
    setChatEnded(true);
    setState(State::Lobby);
}

void ChatSession::join(double lat, double lon, double rangeKm) {
    if (m_state != State::Lobby) {
        Q_EMIT errorOccurred(tr("Not connected to the server yet."));
        return;
    }
    m_lastJoin = Join{lat, lon, rangeKm};
    m_messages.clear();
    setChatEnded(false);
    send(*m_lastJoin);
}

void ChatSession::leave() {
    if (m_state == State::Waiting) {
        send(Leave{});
        return;
    }
    if (m_state == State::Paired) {
        send(Leave{});
        endChat(tr("You left the chat."));
    }
}

void ChatSession::next() {
    if (!m_lastJoin)
        return;
    if (m_state == State::Paired) {
        // Join again once the server confirmed the leave with `left`.
        m_rejoinAfterLeave = true;
        leave();
        return;
    }
    if (m_state == State::Lobby)
        join(m_lastJoin->lat, m_lastJoin->lon, m_lastJoin->rangeKm);
}

void ChatSession::dismissChat() {
    if (m_state == State::Paired)
        leave();
    setChatEnded(false);
    m_messages.clear();
}

bool ChatSession::sendMessage(const QString &text) {
    const QString trimmed = text.trimmed();
    if (m_state != State::Paired || trimmed.isEmpty())
        return false;
    if (codePointCount(trimmed) > m_limits.maxTextChars) {
        Q_EMIT errorOccurred(
            tr("The message is too long: at most %n characters.", nullptr, m_limits.maxTextChars));
        return false;
    }
    const QString id = QStringLiteral("m-%1").arg(m_nextId++);
    const SendMessage message{trimmed, id};
    // Over the byte limit the server would close the connection (1009).
    if (Codec::encode(message).size() > m_limits.maxMessageBytes) {
        Q_EMIT errorOccurred(tr("The message is too long."));
        return false;
    }
    send(message);
    m_messages.append(MessageModel::Kind::Mine, trimmed, QDateTime::currentDateTime(), id);
    m_typingSent = false; // the server clears the partner's indicator on a message
    m_typingIdle.stop();
    return true;
}

void ChatSession::setTyping(bool active) {
    if (m_state != State::Paired)
        return;
    if (active)
        m_typingIdle.start();
    if (active == m_typingSent)
        return;
    m_typingSent = active;
    send(Typing{active});
}

void ChatSession::block() {
    send(Block{});
}

void ChatSession::report(const QString &reason) {
    const QString trimmed = reason.trimmed().left(kMaxReportReasonChars);
    if (trimmed.isEmpty())
        return;
    send(Report{trimmed});
}

void ChatSession::registerAccount(const QString &username, const QString &password) {
    send(Register{username, password});
}

void ChatSession::login(const QString &username, const QString &password, const QString &totp) {
    send(Login{username, password,
               totp.trimmed().isEmpty() ? std::nullopt : std::optional(totp.trimmed())});
}

void ChatSession::logout() {
    send(Logout{});
}

void ChatSession::enrollTotp(const QString &password) {
    send(TotpEnroll{password});
}

void ChatSession::enableTotp(const QString &code, const QString &password) {
    send(TotpEnable{code.trimmed(), password});
}

void ChatSession::simulateNetworkDrop() {
    m_socket.abort();
}

void ChatSession::onText(const QString &frame) {
    const auto decoded = m_codec.decodeServer(frame.toUtf8());
    if (const auto *error = std::get_if<DecodeError>(&decoded)) {
        qCWarning(lcQmlClient) << "undecodable frame from the server:" << error->message;
        return;
    }
    handle(std::get<ServerMessage>(decoded));
}

void ChatSession::onWelcome(const Welcome &welcome) {
    m_welcomed = true;
    m_limits = welcome.limits;
    Q_EMIT limitsChanged();
    const State before = m_stateBeforeDrop;
    const bool reconnect = m_attempt > 0;
    m_attempt = 0;
    m_stateBeforeDrop = State::Disconnected;
    setStatus({});
    m_welcomeToken = resume::tokenOf(welcome);
    if (reconnect && m_resumeToken && resume::canSend()) {
        // Must be the first frame on the new connection. The old token
        // stays ours until the answer: a drop meanwhile tries it again.
        m_resuming = true;
        m_resumeFallback = before;
        setState(State::Reconnecting);
        send(resume::request(*m_resumeToken));
        return;
    }
    m_resumeToken = m_welcomeToken;
    restoreWithoutResume(reconnect ? before : State::Disconnected);
}

// A new session on the server: the login goes on under its token, a client
// that was waiting joins again, a chat ends with a remark.
void ChatSession::restoreWithoutResume(State before) {
    if (!m_accountToken.isEmpty())
        send(Resume{m_accountToken});
    setState(State::Lobby);
    if (before == State::Paired) {
        endChat(tr("The connection dropped and the chat could not be resumed."));
    } else if (before == State::Waiting && m_lastJoin) {
        // Nothing to lose while waiting: look again where and as far as before.
        send(*m_lastJoin);
    }
    if (before != State::Disconnected)
        Q_EMIT confirmed(tr("Reconnected."));
}

void ChatSession::onResumed(const resume::ResumedInfo &info) {
    m_resuming = false;
    m_resumeToken = info.nextToken ? info.nextToken : m_welcomeToken;
    if (info.state == QLatin1String("paired")) {
        if (!info.partner.isEmpty())
            m_partner = info.partner;
        if (info.distanceKm)
            m_distanceKm = int(*info.distanceKm);
        Q_EMIT partnerChanged();
        setState(State::Paired);
        system(tr("Reconnected; the chat goes on."));
    } else if (info.state == QLatin1String("waiting")) {
        setState(State::Waiting);
    } else {
        // The pair ended meanwhile; its partner_left follows.
        setState(State::Lobby);
    }
    Q_EMIT confirmed(tr("Reconnected."));
}

void ChatSession::handle(const ServerMessage &message) {
    if (const auto resumed = resume::resumedInfo(message)) {
        onResumed(*resumed);
        return;
    }
    std::visit(
        [this, &message](const auto &m) {
            using T = std::decay_t<decltype(m)>;
            if constexpr (std::is_same_v<T, Welcome>) {
                onWelcome(m);
            } else if constexpr (std::is_same_v<T, Waiting>) {
                setState(State::Waiting);
            } else if constexpr (std::is_same_v<T, Matched>) {
                m_partner = m.partner;
                m_distanceKm = int(m.distanceKm);
                m_messages.clear();
                setChatEnded(false);
                Q_EMIT partnerChanged();
                setState(State::Paired);
            } else if constexpr (std::is_same_v<T, IncomingMessage>) {
                setPartnerTyping(false);
                m_messages.append(MessageModel::Kind::Theirs, m.text, fromServerTime(m.ts));
            } else if constexpr (std::is_same_v<T, Delivered>) {
                m_messages.markDelivered(m.id);
            } else if constexpr (std::is_same_v<T, PartnerTyping>) {
                setPartnerTyping(m.active);
            } else if constexpr (std::is_same_v<T, PartnerLeft>) {
                switch (m.reason) {
                case LeftReason::Left:
                    endChat(tr("%1 left the chat.").arg(m_partner));
                    break;
                case LeftReason::Disconnected:
                    endChat(tr("%1 lost the connection.").arg(m_partner));
                    break;
                case LeftReason::Kicked:
                    endChat(tr("A moderator ended this chat."));
                    break;
                case LeftReason::Blocked:
                    endChat(tr("%1 ended the chat.").arg(m_partner));
                    break;
                }
            } else if constexpr (std::is_same_v<T, Left>) {
                if (m_state == State::Waiting)
                    setState(State::Lobby);
                if (std::exchange(m_rejoinAfterLeave, false) && m_lastJoin)
                    join(m_lastJoin->lat, m_lastJoin->lon, m_lastJoin->rangeKm);
            } else if constexpr (std::is_same_v<T, Notice>) {
                m_messages.append(MessageModel::Kind::Notice, m.text, fromServerTime(m.ts));
                Q_EMIT confirmed(tr("Notice from the operators: %1").arg(m.text));
            } else if constexpr (std::is_same_v<T, Error>) {
                if (m_resuming && m.ref == QLatin1String("resume_session")) {
                    // Expired or unknown: carry on as the new session.
                    m_resuming = false;
                    m_resumeToken = m_welcomeToken;
                    restoreWithoutResume(m_resumeFallback);
                    return;
                }
                if (m.ref == QLatin1String("resume") && !m_accountToken.isEmpty()) {
                    // The login expired while the connection was down.
                    m_accountToken.clear();
                    m_username.clear();
                    Q_EMIT accountChanged();
                }
                Q_EMIT errorOccurred(errorText(m));
            } else if constexpr (std::is_same_v<T, Authenticated>) {
                m_username = m.username;
                m_accountToken = m.token;
                Q_EMIT accountChanged();
            } else if constexpr (std::is_same_v<T, LoggedOut>) {
                m_username.clear();
                m_accountToken.clear();
                m_totpUri.clear();
                m_recoveryCodes.clear();
                Q_EMIT accountChanged();
                if (m.reason)
                    Q_EMIT errorOccurred(tr("The server ended your login; log in again."));
            } else if constexpr (std::is_same_v<T, TotpEnrollment>) {
                m_totpUri = m.uri;
                Q_EMIT accountChanged();
            } else if constexpr (std::is_same_v<T, TotpEnabled>) {
                m_recoveryCodes = m.recoveryCodes;
                m_totpUri.clear();
                Q_EMIT accountChanged();
                Q_EMIT confirmed(tr("Two-factor authentication is on."));
            } else if constexpr (std::is_same_v<T, Blocked>) {
                if (m_state == State::Paired)
                    endChat(tr("You blocked %1.").arg(m_partner));
                Q_EMIT confirmed(tr("Blocked. You will not be matched again."));
            } else if constexpr (std::is_same_v<T, Reported>) {
                Q_EMIT confirmed(tr("Thank you. The moderators will look at your report."));
            } else {
                // Named by wire type so that this compiles with codecs that
                // lack them (they come with chat resume).
                const QString type = typeName(message);
                if (type == QLatin1String("partner_away"))
                    system(tr("%1's connection dropped; waiting for them to come back.")
                               .arg(m_partner));
                else if (type == QLatin1String("partner_back"))
                    system(tr("%1 is back.").arg(m_partner));
                // password_changed, totp_disabled: this client does not ask
                // for them.
            }
        },
        message);
}

QString ChatSession::errorText(const Error &error) const {
    switch (error.code) {
    case ErrorCode::Conflict:
        if (error.ref == QLatin1String("register"))
            return tr("That user name is taken.");
        return tr("That is not possible right now.");
    case ErrorCode::RateLimited:
        return tr("Too many requests; try again in %n s.", nullptr,
                  int((error.retryAfterMs.value_or(1000) + 999) / 1000));
    case ErrorCode::Unauthorized:
        if (error.message.contains(QLatin1String("two-factor code required")))
            return tr("Enter the code from your authenticator app.");
        if (error.message.contains(QLatin1String("two-factor")))
            return tr("The two-factor code is wrong.");
        if (error.ref == QLatin1String("join"))
            return tr("This server asks you to log in before you chat.");
        return tr("Wrong user name or password.");
    case ErrorCode::Forbidden:
        return tr("Not allowed: %1").arg(error.message);
    case ErrorCode::TooLarge:
        return tr("The message is too long.");
    case ErrorCode::Unavailable:
        return tr("The server cannot do that right now.");
    case ErrorCode::BadRequest:
        // The server names the field and the rule (e.g. the password rules).
        return tr("Not accepted: %1").arg(error.message);
    case ErrorCode::NotFound:
    case ErrorCode::Internal:
        break;
    }
    return tr("Something went wrong on the server. Try again.");
}

void ChatSession::onDisconnected() {
    if (m_userClosed || m_reconnectTimer.isActive())
        return;
    const bool neverConnected = !m_welcomed;
    if (m_resuming)
        m_stateBeforeDrop = m_resumeFallback;
    else if (m_state != State::Reconnecting && m_state != State::Connecting)
        m_stateBeforeDrop = m_state;
    m_resuming = false;
    m_typingSent = false;
    if (m_state == State::Paired)
        system(tr("Connection lost. Trying to get back…"));
    setState(State::Reconnecting);
    scheduleReconnect(neverConnected);
}

void ChatSession::scheduleReconnect(bool neverConnected) {
    ++m_attempt;
    const int delay = reconnectDelayMs(m_attempt, m_reconnectBaseMs, kReconnectCapMs,
                                       QRandomGenerator::global()->generateDouble());
    const int seconds = (delay + 999) / 1000;
    setStatus(neverConnected
                  ? tr("Cannot reach the server. Trying again in %n s…", nullptr, seconds)
                  : tr("Connection lost. Reconnecting in %n s…", nullptr, seconds));
    m_reconnectTimer.start(delay);
}

} // namespace whisper::client
