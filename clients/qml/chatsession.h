// SPDX-License-Identifier: MIT
#pragma once

#include "messagemodel.h"
#include "protocol.h"
#include "resumesupport.h"

#include <QDateTime>
#include <QObject>
#include <QStringList>
#include <QTimer>
#include <QUrl>
#include <QWebSocket>

#include <qqmlintegration.h>

#include <optional>

namespace whisper::client {

// One user's connection to a WhisperChat server, as QML sees it: the
// protocol state machine over a QWebSocket, with every frame built and read
// by the shared codec (common/protocol.h). It reconnects with backoff after
// a dropped connection and resumes the chat where the server offers it, or
// joins again with the same location and range.
class ChatSession : public QObject {
    Q_OBJECT
    QML_ELEMENT
    Q_PROPERTY(QUrl url READ url WRITE setUrl NOTIFY urlChanged)
    Q_PROPERTY(State state READ state NOTIFY stateChanged)
    Q_PROPERTY(bool chatOpen READ chatOpen NOTIFY chatOpenChanged)
    Q_PROPERTY(bool chatEnded READ chatEnded NOTIFY chatOpenChanged)
    Q_PROPERTY(QString partner READ partner NOTIFY partnerChanged)
    Q_PROPERTY(int distanceKm READ distanceKm NOTIFY partnerChanged)
    Q_PROPERTY(bool partnerTyping READ partnerTyping NOTIFY partnerTypingChanged)
    Q_PROPERTY(QDateTime waitingSince READ waitingSince NOTIFY stateChanged)
    Q_PROPERTY(QString status READ status NOTIFY statusChanged)
    Q_PROPERTY(QString username READ username NOTIFY accountChanged)
    Q_PROPERTY(QString totpUri READ totpUri NOTIFY accountChanged)
    Q_PROPERTY(QStringList recoveryCodes READ recoveryCodes NOTIFY accountChanged)
    Q_PROPERTY(int maxTextChars READ maxTextChars NOTIFY limitsChanged)
    Q_PROPERTY(MessageModel *messages READ messages CONSTANT)
    Q_PROPERTY(int reconnectBaseMs MEMBER m_reconnectBaseMs NOTIFY reconnectPolicyChanged)
    Q_PROPERTY(int reconnectAttempts READ reconnectAttempts NOTIFY statusChanged)
    Q_PROPERTY(bool canResume READ canResume CONSTANT)
public:
    enum class State { Disconnected, Connecting, Lobby, Waiting, Paired, Reconnecting };
    Q_ENUM(State)

    explicit ChatSession(QObject *parent = nullptr);
    ~ChatSession() override;

    QUrl url() const { return m_url; }
    void setUrl(const QUrl &url);
    State state() const { return m_state; }
    bool chatOpen() const { return m_state == State::Paired || m_chatEnded; }
    bool chatEnded() const { return m_chatEnded; }
    QString partner() const { return m_partner; }
    int distanceKm() const { return m_distanceKm; }
    bool partnerTyping() const { return m_partnerTyping; }
    QDateTime waitingSince() const { return m_waitingSince; }
    QString status() const { return m_status; }
    QString username() const { return m_username; }
    QString totpUri() const { return m_totpUri; }
    QStringList recoveryCodes() const { return m_recoveryCodes; }
    int maxTextChars() const { return m_limits.maxTextChars; }
    MessageModel *messages() { return &m_messages; }
    int reconnectAttempts() const { return m_attempt; }
    static bool canResume();

    Q_INVOKABLE void connectToServer();
    Q_INVOKABLE void disconnectFromServer();
    Q_INVOKABLE void join(double lat, double lon, double rangeKm);
    // Leaves the waiting room or the chat; the user stays in the chat view
    // until dismissChat().
    Q_INVOKABLE void leave();
    // Leaves the chat (if still in one) and joins again where and as far as
    // before.
    Q_INVOKABLE void next();
    Q_INVOKABLE void dismissChat();
    // False when the text is empty or longer than the server allows.
    Q_INVOKABLE bool sendMessage(const QString &text);
    Q_INVOKABLE void setTyping(bool active);
    Q_INVOKABLE void block();
    Q_INVOKABLE void report(const QString &reason);

    Q_INVOKABLE void registerAccount(const QString &username, const QString &password);
    Q_INVOKABLE void login(const QString &username, const QString &password,
                           const QString &totp = {});
    Q_INVOKABLE void logout();
    Q_INVOKABLE void enrollTotp(const QString &password);
    Q_INVOKABLE void enableTotp(const QString &code, const QString &password);

    // Test hook: drops the connection as a network failure would.
    Q_INVOKABLE void simulateNetworkDrop();

Q_SIGNALS:
    void urlChanged();
    void stateChanged();
    void chatOpenChanged();
    void partnerChanged();
    void partnerTypingChanged();
    void statusChanged();
    void accountChanged();
    void limitsChanged();
    void reconnectPolicyChanged();
    // A failed request, in words for the user.
    void errorOccurred(const QString &text);
    // Acknowledgements worth a short confirmation (blocked, reported, ...).
    void confirmed(const QString &text);

private:
    void open();
    void send(const protocol::ClientMessage &message);
    void onText(const QString &frame);
    void onDisconnected();
    void handle(const protocol::ServerMessage &message);
    void onWelcome(const protocol::Welcome &welcome);
    void restoreWithoutResume(State before);
    void onResumed(const resume::ResumedInfo &info);
    void scheduleReconnect(bool neverConnected);
    void setState(State state);
    void setStatus(const QString &status);
    void setChatEnded(bool ended);
    void setPartnerTyping(bool active);
    void endChat(const QString &remark);
    void system(const QString &text);
    QString errorText(const protocol::Error &error) const;

    QUrl m_url;
    QWebSocket m_socket;
    protocol::Codec m_codec;
    protocol::Limits m_limits;
    MessageModel m_messages;
    QTimer m_reconnectTimer;
    QTimer m_typingIdle; // stops "typing" when the user pauses
    State m_state = State::Disconnected;
    // What the session was doing when the connection dropped, to restore.
    State m_stateBeforeDrop = State::Disconnected;
    std::optional<protocol::Join> m_lastJoin;
    std::optional<QString> m_resumeToken;         // chat resume: the token to use next
    std::optional<QString> m_welcomeToken;        // the current connection's own
    State m_resumeFallback = State::Disconnected; // if resuming fails
    QString m_accountToken;                       // login resume, from `authenticated`
    QString m_partner;
    QString m_username;
    QString m_totpUri;
    QStringList m_recoveryCodes;
    QString m_status;
    QDateTime m_waitingSince;
    int m_distanceKm = 0;
    int m_nextId = 1;
    int m_attempt = 0;
    int m_reconnectBaseMs = 1000;
    bool m_userClosed = false;
    bool m_welcomed = false; // this server answered at least once
    bool m_chatEnded = false;
    bool m_partnerTyping = false;
    bool m_typingSent = false;
    bool m_resuming = false;
    bool m_rejoinAfterLeave = false;
};

} // namespace whisper::client
