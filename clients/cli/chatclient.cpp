// SPDX-License-Identifier: MIT
#include "chatclient.h"

#include "errortext.h"
#include "geo.h"
#include "terminaltext.h"

#include <QTimer>

#include <cstdio>

namespace whisper {

using namespace protocol;

ChatClient::ChatClient(Options options, QObject *parent)
    : QObject(parent)
    , m_options(std::move(options))
    , m_out(stdout) {
    connect(&m_socket, &QWebSocket::textMessageReceived, this, &ChatClient::onText);
    connect(&m_socket, &QWebSocket::disconnected, this, &ChatClient::onDisconnected);
    connect(&m_socket, &QWebSocket::connected, this, [this] { m_connected = true; });
    // A connection that never opened reports through `error` (and, depending
    // on the failure, `disconnected` too): both end in unreachable().
    connect(&m_socket, qOverload<QAbstractSocket::SocketError>(&QWebSocket::error), this, [this] {
        if (!m_connected)
            unreachable();
    });
    m_retryTimer.setSingleShot(true);
    connect(&m_retryTimer, &QTimer::timeout, this, &ChatClient::reconnect);
}

namespace {
constexpr int kFirstRetryMs = 250;
constexpr int kMaxRetryMs = 4000;
} // namespace

bool ChatClient::reconnectLater() {
    if (m_quitting || m_finished || m_resumeToken.isEmpty() || m_options.reconnectForMs <= 0)
        return false;
    if (m_retryTimer.isActive())
        return true; // error and disconnected both report one failure
    if (!m_reconnecting) {
        m_reconnecting = true;
        m_reconnectingSince.start();
        m_retryDelayMs = kFirstRetryMs;
        // Lines typed meanwhile wait for the new connection.
        m_state = State::Connecting;
        if (!m_closeExpected)
            remark(QStringLiteral("* connection lost, reconnecting..."));
    } else {
        m_retryDelayMs = qMin(m_retryDelayMs * 2, kMaxRetryMs);
    }
    if (m_reconnectingSince.elapsed() + m_retryDelayMs > m_options.reconnectForMs) {
        remark(QStringLiteral("! could not reconnect; giving up"));
        return false;
    }
    std::fflush(stdout);
    m_retryTimer.start(m_retryDelayMs);
    return true;
}

void ChatClient::reconnect() {
    m_connected = false;
    m_closeExpected = false;
    m_socket.abort();
    m_socket.open(m_options.url);
}

void ChatClient::onResumed(const Resumed &resumed) {
    m_reconnecting = false;
    m_resumeToken = resumed.resumeToken;
    if (resumed.state == QLatin1String("paired")) {
        m_state = State::Paired;
        m_partner = terminalSafe(resumed.partner.value_or(m_partner));
        remark(QStringLiteral("* back in your chat with %1").arg(m_partner));
    } else if (resumed.state == QLatin1String("waiting")) {
        m_state = State::Waiting;
        remark(QStringLiteral("* back in the waiting room"));
    } else {
        m_state = State::Lobby;
        remark(QStringLiteral("* reconnected"));
    }
    if (m_state == State::Paired)
        flushQueued();
    for (const QString &line : std::exchange(m_early, {}))
        userLine(line);
    if (m_inputDone)
        finishInput();
}

QString ChatClient::commandHelp() {
    return QStringLiteral(
        "  /join LAT LON RANGE_KM  look for someone within RANGE_KM km of LAT LON\n"
        "  /join                   look again where you looked last\n"
        "  /next                   leave this chat (or the waiting room) and look again\n"
        "  /leave                  leave the chat or the waiting room\n"
        "  /register NAME          create an account NAME and log in (asks for a password)\n"
        "  /login NAME             log in (asks for the password, then a two-factor code\n"
        "                          if the account has one)\n"
        "  /logout                 log out; you chat as a guest again\n"
        "  /block                  end this chat; never be matched with this partner again\n"
        "  /report REASON          report your current or last partner to the moderators\n"
        "  /help                   this list\n"
        "  /quit                   leave and exit (end of input does the same)\n"
        "  //TEXT                  send \"/TEXT\" as a message\n"
        "Other lines are sent to your partner; \"* ✓ delivered\" marks each one that reached\n"
        "them.");
}

void ChatClient::start() {
    m_socket.open(m_options.url);
}

void ChatClient::print(const QString &line) {
    m_out << line << Qt::endl;
}

// The client's own remarks: on standard output for a person, on standard
// error in --json mode, whose standard output holds only protocol frames.
void ChatClient::remark(const QString &line) {
    if (m_options.json)
        QTextStream(stderr) << line << Qt::endl;
    else
        print(line);
}

void ChatClient::printJoinHint() {
    remark(QStringLiteral("* type /join LAT LON RANGE_KM to look for someone nearby "
                          "(e.g. /join 52.52 13.405 10)"));
}

void ChatClient::send(const ClientMessage &message) {
    m_socket.sendTextMessage(QString::fromUtf8(Codec::encode(message)));
}

void ChatClient::userComposing(bool active) {
    if (active && m_state == State::Paired && m_prompt == Prompt::None && !m_typingSent) {
        m_typingSent = true;
        send(Typing{true});
    } else if (!active && m_typingSent) {
        m_typingSent = false;
        if (m_state == State::Paired)
            send(Typing{false});
    }
}

void ChatClient::userLine(const QString &line) {
    // The line itself ends the typing (as a message or not at all).
    m_typingSent = false;
    if (m_state == State::Connecting) {
        m_early << line;
        return;
    }
    if (m_prompt != Prompt::None) {
        secretLine(line);
        return;
    }
    const QString trimmed = line.trimmed();
    if (trimmed.isEmpty())
        return;
    const QString command = trimmed.section(u' ', 0, 0, QString::SectionSkipEmpty);
    static const QStringList accountCommands{QStringLiteral("/register"), QStringLiteral("/login"),
                                             QStringLiteral("/logout"), QStringLiteral("/block"),
                                             QStringLiteral("/report")};
    if (command == QLatin1String("/help")) {
        remark(QStringLiteral("Commands:\n") + commandHelp());
    } else if (accountCommands.contains(command)) {
        accountCommand(command, trimmed.mid(command.size()).trimmed());
    } else if (command == QLatin1String("/quit")) {
        leaveAndQuit();
    } else if (command == QLatin1String("/join")) {
        joinCommand(trimmed.mid(command.size()));
    } else if (command == QLatin1String("/leave")) {
        m_queued.clear();
        send(Leave{});
    } else if (command == QLatin1String("/next")) {
        m_queued.clear();
        if (m_state == State::Paired || m_state == State::Waiting)
            send(Leave{});
        if (m_lastJoin) {
            m_state = State::Lobby;
            join(*m_lastJoin);
        } else {
            printJoinHint();
        }
    } else if (trimmed.startsWith(QLatin1Char('/')) && !trimmed.startsWith(QLatin1String("//"))) {
        remark(QStringLiteral("! unknown command %1 (/help lists the commands)")
                   .arg(terminalSafe(command)));
    } else {
        // "//text" sends "/text".
        sendMessage(trimmed.startsWith(QLatin1String("//")) ? line.mid(line.indexOf(u'/') + 1)
                                                            : line);
    }
}

void ChatClient::accountCommand(const QString &command, const QString &arguments) {
    if (command == QLatin1String("/register") || command == QLatin1String("/login")) {
        const bool registering = command == QLatin1String("/register");
        if (arguments.isEmpty() || arguments.contains(u' ')) {
            remark(
                QStringLiteral("! usage: %1 NAME (the password is asked for next)").arg(command));
            return;
        }
        forgetCredentials();
        m_username = arguments;
        m_prompt = registering ? Prompt::RegisterPassword : Prompt::LoginPassword;
        askSecret(registering ? QStringLiteral("new password for %1: ").arg(terminalSafe(arguments))
                              : QStringLiteral("password for %1: ").arg(terminalSafe(arguments)));
    } else if (command == QLatin1String("/logout")) {
        send(Logout{});
    } else if (command == QLatin1String("/block")) {
        send(Block{});
    } else if (arguments.isEmpty() || arguments.toUcs4().size() > kMaxReportReasonChars) {
        remark(QStringLiteral("! usage: /report REASON (1 to %1 characters)")
                   .arg(kMaxReportReasonChars));
    } else {
        send(Report{arguments});
    }
}

// Prompts go where remarks go; no line end, so the answer follows on the same
// line of a terminal.
void ChatClient::askSecret(const QString &prompt) {
    // Echo off before the prompt shows: an answer typed at once is hidden.
    Q_EMIT secretInput(true);
    if (m_options.json) {
        QTextStream(stderr) << prompt << Qt::flush;
    } else {
        m_out << prompt << Qt::flush;
    }
}

void ChatClient::secretLine(const QString &line) {
    const Prompt prompt = std::exchange(m_prompt, Prompt::None);
    Q_EMIT secretInput(false);
    if (line.isEmpty()) {
        forgetCredentials();
        remark(QStringLiteral("* cancelled"));
        return;
    }
    switch (prompt) {
    case Prompt::RegisterPassword:
        send(Register{m_username, line});
        break;
    case Prompt::LoginPassword:
        m_password = line;
        send(Login{m_username, m_password, std::nullopt});
        break;
    case Prompt::TotpCode:
        m_totpAsked = true;
        send(Login{m_username, m_password, line.trimmed()});
        break;
    case Prompt::None:
        break;
    }
}

void ChatClient::forgetCredentials() {
    m_password.fill(u'\0');
    m_password.clear();
    m_totpAsked = false;
}

// Answers to the account requests, said from the user's side. True when the
// error was one of them.
bool ChatClient::handleAccountError(const Error &error) {
    if (error.ref == QLatin1String("login")) {
        if (error.code == ErrorCode::Unauthorized &&
            error.message == QLatin1String("two-factor code required") && !m_totpAsked &&
            !m_password.isEmpty()) {
            m_prompt = Prompt::TotpCode;
            askSecret(QStringLiteral("two-factor code (or a recovery code): "));
            return true;
        }
        forgetCredentials();
        if (error.code == ErrorCode::Unauthorized)
            remark(QStringLiteral("! login failed: %1").arg(terminalSafe(error.message)));
        else
            remark(QStringLiteral("! login failed: ") + errorText(error));
        return true;
    }
    if (error.ref == QLatin1String("register")) {
        if (error.code == ErrorCode::BadRequest || error.code == ErrorCode::Conflict)
            remark(QStringLiteral("! could not register: %1").arg(terminalSafe(error.message)));
        else
            remark(QStringLiteral("! could not register: ") + errorText(error));
        return true;
    }
    return false;
}

void ChatClient::joinCommand(const QString &arguments) {
    const QStringList parts = arguments.split(u' ', Qt::SkipEmptyParts);
    if (parts.isEmpty() && m_lastJoin) {
        join(*m_lastJoin);
        return;
    }
    Join request;
    bool okLat = false, okLon = false, okRange = false;
    if (parts.size() == 3) {
        request.lat = parts[0].toDouble(&okLat);
        request.lon = parts[1].toDouble(&okLon);
        request.rangeKm = parts[2].toDouble(&okRange);
    }
    if (parts.size() != 3)
        remark(QStringLiteral("! usage: /join LAT LON RANGE_KM (e.g. /join 52.52 13.405 10)"));
    else if (!okLat || !geo::isValidLatitude(request.lat))
        remark(QStringLiteral("! LAT must be a number from -90 to 90"));
    else if (!okLon || !geo::isValidLongitude(request.lon))
        remark(QStringLiteral("! LON must be a number from -180 to 180"));
    else if (!okRange || !geo::isValidRange(request.rangeKm))
        remark(QStringLiteral("! RANGE_KM must be > 0 and <= 20015.1"));
    else
        join(request);
}

void ChatClient::join(const Join &request) {
    m_lastJoin = request;
    // Waiting from now on, so lines typed right after /join are kept for the
    // partner like lines typed while waiting; a refused join goes back to
    // the lobby (see the `error` handling).
    if (m_state == State::Lobby) {
        m_state = State::Waiting;
        m_joinPending = true;
    }
    send(request);
}

// The server answers a text over `max_text_chars` with an error and closes
// the connection on a frame over `max_message_bytes` (1009), chat and all:
// a line over either limit is refused here, before it is sent or queued.
bool ChatClient::withinLimits(const QString &text) {
    const qsizetype chars = text.toUcs4().size(); // code points, as the server counts
    if (chars > m_limits.maxTextChars) {
        remark(QStringLiteral("! not sent: that line is %1 characters; the limit is %2")
                   .arg(chars)
                   .arg(m_limits.maxTextChars));
        return false;
    }
    const qsizetype bytes =
        Codec::encode(SendMessage{text, QString::number(m_nextId + m_queued.size())}).size();
    if (bytes > m_limits.maxMessageBytes) {
        remark(QStringLiteral("! not sent: that line is %1 bytes as a message; the limit is %2 "
                              "bytes")
                   .arg(bytes)
                   .arg(m_limits.maxMessageBytes));
        return false;
    }
    return true;
}

void ChatClient::sendMessage(const QString &text) {
    if ((m_state == State::Paired || m_state == State::Waiting) && !withinLimits(text))
        return;
    switch (m_state) {
    case State::Paired: {
        const QString id = QString::number(m_nextId++);
        // Bounded: a partner that never confirms cannot grow it without end.
        if (m_undelivered.size() < 1024)
            m_undelivered.insert(id, text);
        send(SendMessage{text, id});
        break;
    }
    case State::Waiting:
        m_queued << text;
        break;
    case State::Lobby:
    case State::Connecting:
        remark(QStringLiteral("! not sent: you are not in a chat"));
        if (m_lastJoin)
            remark(QStringLiteral("* type /next to meet someone"));
        else
            printJoinHint();
        break;
    }
}

void ChatClient::flushQueued() {
    const QStringList queued = std::exchange(m_queued, {});
    for (const QString &text : queued)
        sendMessage(text);
}

void ChatClient::inputFinished() {
    m_inputDone = true;
    // Before `welcome` the lines typed so far are not handled yet: the end
    // of input is handled after them (see `welcome`), or the failed
    // connection ends the client.
    if (m_state != State::Connecting)
        finishInput();
}

void ChatClient::finishInput() {
    switch (m_state) {
    case State::Paired:
        // Give the last lines a moment to reach the partner before leaving.
        QTimer::singleShot(m_options.lingerMs, this, &ChatClient::leaveAndQuit);
        break;
    case State::Waiting:
        if (!m_queued.isEmpty())
            remark(QStringLiteral("* end of input while waiting: %1 line(s) not sent")
                       .arg(m_queued.size()));
        remark(QStringLiteral("* end of input: leaving the waiting room"));
        leaveAndQuit();
        break;
    case State::Lobby:
    case State::Connecting:
        leaveAndQuit();
        break;
    }
}

void ChatClient::leaveAndQuit() {
    if (m_quitting)
        return;
    m_quitting = true;
    if (m_socket.state() != QAbstractSocket::ConnectedState) {
        finish(0);
        return;
    }
    if (m_state == State::Paired || m_state == State::Waiting)
        send(Leave{});
    m_socket.close(QWebSocketProtocol::CloseCodeNormal, QStringLiteral("bye"));
}

void ChatClient::onText(const QString &frame) {
    if (m_options.json) {
        print(frame);
        std::fflush(stdout);
    }
    const auto decoded = m_codec.decodeServer(frame.toUtf8());
    if (const auto *error = std::get_if<DecodeError>(&decoded)) {
        if (!m_options.json)
            print(QStringLiteral("! unreadable frame from server: %1").arg(error->message));
        return;
    }
    handle(std::get<ServerMessage>(decoded));
}

void ChatClient::handle(const ServerMessage &message) {
    const bool human = !m_options.json;
    if (const auto *welcome = std::get_if<Welcome>(&message)) {
        m_limits = welcome->limits;
        if (m_reconnecting && !m_resumeToken.isEmpty()) {
            // The first frame on the new connection takes the old session back.
            send(ResumeSession{std::exchange(m_resumeToken, QString())});
            m_resumeToken = welcome->resumeToken.value_or(QString());
            std::fflush(stdout);
            return;
        }
        m_resumeToken = welcome->resumeToken.value_or(QString());
        if (human)
            print(QStringLiteral("* connected to %1 (protocol %2)")
                      .arg(terminalSafe(welcome->server))
                      .arg(welcome->protocol));
        m_state = State::Lobby;
        if (m_options.join)
            join(*m_options.join);
        else
            printJoinHint();
        for (const QString &line : std::exchange(m_early, {}))
            userLine(line);
        if (m_inputDone)
            finishInput();
    } else if (std::holds_alternative<Waiting>(message)) {
        m_joinPending = false;
        if (m_state == State::Lobby)
            m_state = State::Waiting;
        if (human)
            print(QStringLiteral("* waiting for someone nearby..."));
    } else if (const auto *matched = std::get_if<Matched>(&message)) {
        m_state = State::Paired;
        m_undelivered.clear();
        m_partnerTyping = false;
        m_partner = terminalSafe(matched->partner);
        if (human)
            print(QStringLiteral("* matched within %1 km with %2")
                      .arg(matched->distanceKm)
                      .arg(m_partner));
        flushQueued();
    } else if (const auto *incoming = std::get_if<IncomingMessage>(&message)) {
        m_partnerTyping = false; // a message ends the burst
        if (human)
            print(QStringLiteral("%1: %2").arg(m_partner, terminalSafe(incoming->text)));
    } else if (const auto *delivered = std::get_if<Delivered>(&message)) {
        const QString text = m_undelivered.take(delivered->id);
        if (human && !text.isNull()) {
            // The line's start names it: the user never sees message ids.
            const QList<uint> points = text.toUcs4();
            const QString shown =
                points.size() > 40
                    ? QString::fromUcs4(reinterpret_cast<const char32_t *>(points.constData()), 40)
                              .trimmed() +
                          u'…'
                    : text;
            print(QStringLiteral("* ✓ delivered: %1").arg(terminalSafe(shown)));
        }
    } else if (const auto *authenticated = std::get_if<Authenticated>(&message)) {
        forgetCredentials();
        if (human)
            print(
                QStringLiteral("* logged in as %1 (%2)")
                    .arg(terminalSafe(authenticated->username), terminalSafe(authenticated->role)));
    } else if (const auto *loggedOut = std::get_if<LoggedOut>(&message)) {
        if (human)
            print(loggedOut->reason ? QStringLiteral("* the server logged you out (%1)")
                                          .arg(terminalSafe(*loggedOut->reason))
                                    : QStringLiteral("* logged out; you are a guest again"));
    } else if (std::holds_alternative<Blocked>(message)) {
        const bool wasPaired = m_state == State::Paired;
        if (wasPaired) {
            // The server ended the pair: this client is in the lobby.
            m_state = State::Lobby;
            m_undelivered.clear();
        }
        if (human)
            print(wasPaired ? QStringLiteral("* blocked: chat ended, and you will not be matched "
                                             "with them again; /next to meet someone else")
                            : QStringLiteral("* blocked: you will not be matched with them again"));
        if (wasPaired && m_inputDone)
            leaveAndQuit();
    } else if (std::holds_alternative<Reported>(message)) {
        if (human)
            print(QStringLiteral("* reported to the moderators; thank you"));
    } else if (const auto *typing = std::get_if<PartnerTyping>(&message)) {
        // Said once per burst: clients repeat `typing` true while typing.
        if (human && typing->active && !m_partnerTyping)
            print(QStringLiteral("* %1 is typing...").arg(m_partner));
        m_partnerTyping = typing->active;
    } else if (const auto *left = std::get_if<PartnerLeft>(&message)) {
        m_state = State::Lobby;
        m_undelivered.clear();
        if (human)
            print(QStringLiteral("* partner left (%1); /next to meet someone else")
                      .arg(toString(left->reason)));
        if (m_inputDone)
            leaveAndQuit();
    } else if (const auto *resumed = std::get_if<Resumed>(&message)) {
        onResumed(*resumed);
    } else if (std::holds_alternative<PartnerAway>(message)) {
        if (human)
            print(QStringLiteral("* %1's connection dropped; waiting for them to come back...")
                      .arg(m_partner));
    } else if (std::holds_alternative<PartnerBack>(message)) {
        if (human)
            print(QStringLiteral("* %1 is back").arg(m_partner));
    } else if (const auto *notice = std::get_if<Notice>(&message)) {
        if (notice->kind == QLatin1String("server_draining")) {
            remark(QStringLiteral("* the server is restarting; reconnecting..."));
            // Moving on at the hinted time, before the server closes us.
            QTimer::singleShot(
                int(qBound(qint64(0), notice->reconnectAfterMs.value_or(0), qint64(60000))), this,
                [this] {
                    if (m_socket.state() == QAbstractSocket::ConnectedState && !m_quitting) {
                        m_closeExpected = true;
                        m_socket.abort();
                    }
                });
        } else if (human) {
            print(
                QStringLiteral("* notice from the operators: %1").arg(terminalSafe(notice->text)));
        }
    } else if (std::holds_alternative<Left>(message)) {
        m_state = State::Lobby;
        m_undelivered.clear();
        if (human)
            print(QStringLiteral("* you left"));
    } else if (const auto *error = std::get_if<Error>(&message);
               error && error->ref == QLatin1String("resume_session") && m_reconnecting) {
        // The old session is gone (expired, or another server): this
        // connection is a new one, in the lobby.
        m_reconnecting = false;
        m_state = State::Lobby;
        m_queued.clear();
        remark(QStringLiteral("* reconnected, but your chat could not be resumed"));
        if (m_lastJoin)
            remark(QStringLiteral("* type /next to meet someone"));
        else
            printJoinHint();
        for (const QString &line : std::exchange(m_early, {}))
            userLine(line);
        if (m_inputDone)
            finishInput();
    } else if (const auto *error = std::get_if<Error>(&message);
               error && handleAccountError(*error)) {
        // Said by handleAccountError().
    } else if (const auto *error = std::get_if<Error>(&message)) {
        // A refused join from the lobby (rate limit, login required, ...)
        // leaves us there; a refused extra join changes nothing.
        if (error->ref == QLatin1String("join") && error->code != ErrorCode::Conflict &&
            m_joinPending) {
            m_joinPending = false;
            m_state = State::Lobby;
            m_queued.clear();
        }
        if (human)
            print(QStringLiteral("! ") + errorText(*error));
    }
    std::fflush(stdout);
}

void ChatClient::finish(int exitCode) {
    if (m_finished)
        return;
    m_finished = true;
    Q_EMIT done(exitCode);
}

// No WebSocket connection came about (refused, no route, unknown host, TLS
// or handshake failure): said as such, not as a close code of a connection
// that never existed.
void ChatClient::unreachable() {
    if (m_finished || reconnectLater())
        return;
    QString reason = terminalSafe(m_socket.errorString());
    if (!reason.isEmpty())
        reason[0] = reason[0].toLower();
    QTextStream(stderr) << "* cannot reach " << m_options.url.toDisplayString() << ": " << reason
                        << Qt::endl;
    finish(1);
}

void ChatClient::onDisconnected() {
    if (!m_connected) {
        unreachable();
        return;
    }
    const bool clean = m_quitting;
    // Lost (no close handshake, which QWebSocket reports as 1000), or the
    // server going away (1001): come back. A close the server meant
    // (kicked, banned, refused: 1008 and the other error codes) ends the
    // client.
    const int code = int(m_socket.closeCode());
    const bool lost = code == QWebSocketProtocol::CloseCodeNormal ||
                      code == QWebSocketProtocol::CloseCodeGoingAway ||
                      code == QWebSocketProtocol::CloseCodeAbnormalDisconnection ||
                      code == QWebSocketProtocol::CloseCodeMissingStatusCode;
    if (!clean && (lost || m_reconnecting || m_closeExpected) && reconnectLater())
        return;
    if (!m_options.json || !clean) {
        QTextStream err(stderr);
        if (!clean)
            err << "* disconnected: " << m_socket.closeCode() << ' '
                << terminalSafe(m_socket.closeReason().isEmpty() ? m_socket.errorString()
                                                                 : m_socket.closeReason())
                << Qt::endl;
    }
    finish(clean ? 0 : 1);
}

} // namespace whisper
