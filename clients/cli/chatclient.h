// SPDX-License-Identifier: MIT
#pragma once

#include "protocol.h"

#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QStringList>
#include <QTextStream>
#include <QTimer>
#include <QUrl>
#include <QWebSocket>

#include <optional>

namespace whisper {

// The console client's logic: joins, prints what happens, sends what the user
// types. Commands: see commandHelp(). End of input ends the client in every
// state, so a pipe or Ctrl-D never leaves it hanging. A lost connection (or a
// server that is draining) is reconnected with growing delays and the session
// resumed with its resume token.
class ChatClient : public QObject {
    Q_OBJECT
public:
    struct Options {
        QUrl url;
        std::optional<protocol::Join> join;
        bool json = false;
        int lingerMs = 0; // after end of input, before leaving
        // How long to keep trying to reconnect after a lost connection; 0:
        // never (a drop ends the client, as a close does).
        int reconnectForMs = 60000;
    };

    explicit ChatClient(Options options, QObject *parent = nullptr);

    // Every command with a one-line description, for /help and --help.
    static QString commandHelp();

    void start();
    void userLine(const QString &line);
    void inputFinished();
    // Someone started (true) or erased (false) a line on a terminal: sent
    // to the partner as `typing` while paired.
    void userComposing(bool active);

Q_SIGNALS:
    void done(int exitCode);
    // The next line is a password or code: a terminal should not echo it.
    void secretInput(bool secret);

private:
    void onText(const QString &frame);
    void onDisconnected();
    void unreachable();
    // True when a reconnection was scheduled (the connection was lost and
    // may be resumed); false: the client should end as before.
    bool reconnectLater();
    void reconnect();
    void onResumed(const protocol::Resumed &resumed);
    void finish(int exitCode);
    void handle(const protocol::ServerMessage &message);
    void sendMessage(const QString &text);
    bool withinLimits(const QString &text);
    void send(const protocol::ClientMessage &message);
    void flushQueued();
    void join(const protocol::Join &join);
    void joinCommand(const QString &arguments);
    void finishInput();
    void leaveAndQuit();
    void print(const QString &line);
    void printJoinHint();
    void remark(const QString &line);
    // Accounts and moderation.
    void accountCommand(const QString &command, const QString &arguments);
    void secretLine(const QString &line);
    void askSecret(const QString &prompt);
    void forgetCredentials();
    bool handleAccountError(const protocol::Error &error);

    Options m_options;
    QWebSocket m_socket;
    protocol::Codec m_codec;
    QTextStream m_out;
    // Connecting: no `welcome` yet. Lobby: connected, neither waiting nor
    // paired (at the start without a location, or after a chat ended).
    enum class State { Connecting, Lobby, Waiting, Paired };

    std::optional<protocol::Join> m_lastJoin; // for /next and a bare /join
    QStringList m_early;                      // typed before `welcome`: replayed once connected
    QStringList m_queued;                     // typed while waiting: sent once matched
    QString m_partner;
    State m_state = State::Connecting;
    protocol::Limits m_limits;
    bool m_inputDone = false;
    bool m_joinPending = false; // joined from the lobby, no `waiting` yet
    bool m_connected = false;   // the WebSocket handshake completed
    bool m_finished = false;    // done() emitted
    bool m_quitting = false;
    int m_nextId = 1;
    // Sent messages by `id` until their `delivered`, for the mark that names
    // them; emptied when a chat ends (no `delivered` comes after that).
    QHash<QString, QString> m_undelivered;
    bool m_typingSent = false;    // our `typing` true not yet ended by a line
    bool m_partnerTyping = false; // "is typing" shown, no message since
    // /register and /login: the next line(s) answer a prompt instead of
    // being chat text. The password is kept only until the server answers.
    enum class Prompt { None, RegisterPassword, LoginPassword, TotpCode };
    Prompt m_prompt = Prompt::None;
    QString m_username;
    QString m_password;
    bool m_totpAsked = false; // the pending `login` carries a code
    // Resume: the token for the next `resume_session`; whether this
    // connection is a reconnection (its `welcome` is answered with
    // `resume_session`); the delay before the next attempt.
    QString m_resumeToken;
    bool m_reconnecting = false;
    bool m_closeExpected = false; // we dropped the connection ourselves (drain)
    int m_retryDelayMs = 0;
    QElapsedTimer m_reconnectingSince;
    QTimer m_retryTimer;
};

} // namespace whisper
