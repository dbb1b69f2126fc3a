// SPDX-License-Identifier: MIT
#pragma once

// WhisperChat client protocol, version 1: one C++ type per message and one
// codec. Server, clients and tests all go through this file, so nobody builds
// protocol JSON by hand. docs/PROTOCOL.md is the prose version of it.

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QString>

#include <optional>
#include <variant>

namespace whisper::protocol {

inline constexpr int kVersion = 1;

// Defaults for the limits the server announces in `welcome`.
inline constexpr int kDefaultMaxTextChars = 2000;
inline constexpr int kDefaultMaxMessageBytes = 16 * 1024;
inline constexpr int kMaxClientIdChars = 64;

enum class ErrorCode {
    BadRequest,
    Unauthorized,
    Forbidden,
    NotFound,
    Conflict,
    TooLarge,
    RateLimited,
    Unavailable,
    Internal,
};
QString toString(ErrorCode code);
std::optional<ErrorCode> errorCodeFromString(const QString &name);

enum class LeftReason { Left, Disconnected, Kicked, Blocked };
QString toString(LeftReason reason);
std::optional<LeftReason> leftReasonFromString(const QString &name);

// ---- client -> server ------------------------------------------------------

struct Join {
    double lat = 0.0;
    double lon = 0.0;
    double rangeKm = 0.0;
    friend bool operator==(const Join &, const Join &) = default;
};

struct SendMessage {
    QString text;
    std::optional<QString> id;
    friend bool operator==(const SendMessage &, const SendMessage &) = default;
};

struct Typing {
    bool active = false;
    friend bool operator==(const Typing &, const Typing &) = default;
};

struct Leave {
    friend bool operator==(const Leave &, const Leave &) = default;
};

// First frame of a reconnecting client: takes back the session that the
// `resume_token` (from `welcome` or `resumed`) belongs to.
struct ResumeSession {
    QString token;
    friend bool operator==(const ResumeSession &, const ResumeSession &) = default;
};

// ---- accounts, 2FA and moderation (client -> server) -------------------------
// Accounts are optional: guests chat without them (unless the operator turns
// guest chat off). docs/PROTOCOL.md "Accounts" describes the flows.

inline constexpr int kMaxUsernameChars = 32;
inline constexpr int kMaxPasswordChars = 1024; // bounds hashing work per request
inline constexpr int kMaxTokenChars = 128;
inline constexpr int kMaxReportReasonChars = 500;

struct Register {
    QString username;
    QString password;
    friend bool operator==(const Register &, const Register &) = default;
};

struct Login {
    QString username;
    QString password;
    std::optional<QString> totp; // 6-digit code or a recovery code
    friend bool operator==(const Login &, const Login &) = default;
};

struct Logout {
    // true: revokes every login session of the account, and ends its other
    // live connections, not just this one.
    bool everywhere = false;
    friend bool operator==(const Logout &, const Logout &) = default;
};

struct Resume {
    QString token;
    friend bool operator==(const Resume &, const Resume &) = default;
};

struct ChangePassword {
    QString oldPassword;
    QString newPassword;
    friend bool operator==(const ChangePassword &, const ChangePassword &) = default;
};

// Changing 2FA needs proof beyond the login session: the account's current
// password (a stolen session token alone cannot take over the second factor).
struct TotpEnroll {
    std::optional<QString> password{}; // required by the server
    friend bool operator==(const TotpEnroll &, const TotpEnroll &) = default;
};

struct TotpEnable {
    QString code;
    std::optional<QString> password{}; // required by the server
    friend bool operator==(const TotpEnable &, const TotpEnable &) = default;
};

struct TotpDisable {
    QString code; // a current code or a recovery code
    friend bool operator==(const TotpDisable &, const TotpDisable &) = default;
};

// Never be matched with the current (or last) partner again; ends the pair.
struct Block {
    friend bool operator==(const Block &, const Block &) = default;
};

// Reports the current (or last) partner to the moderators.
struct Report {
    QString reason;
    friend bool operator==(const Report &, const Report &) = default;
};

using ClientMessage =
    std::variant<Join, SendMessage, Typing, Leave, Register, Login, Logout, Resume, ChangePassword,
                 TotpEnroll, TotpEnable, TotpDisable, Block, Report, ResumeSession>;

// ---- server -> client ------------------------------------------------------

struct Limits {
    int maxTextChars = kDefaultMaxTextChars;
    int maxMessageBytes = kDefaultMaxMessageBytes;
    friend bool operator==(const Limits &, const Limits &) = default;
};

struct Welcome {
    int protocol = kVersion;
    QString server;
    QString session;
    Limits limits;
    // Secret: takes this session back after a dropped connection. Absent
    // when the server keeps no sessions for resuming.
    std::optional<QString> resumeToken{};
    QString node{}; // the cluster node serving the connection; empty: a single node
    friend bool operator==(const Welcome &, const Welcome &) = default;
};

struct Waiting {
    friend bool operator==(const Waiting &, const Waiting &) = default;
};

struct Matched {
    QString pair;
    QString partner;
    double distanceKm = 0.0;
    friend bool operator==(const Matched &, const Matched &) = default;
};

struct IncomingMessage {
    QString text;
    qint64 ts = 0;
    friend bool operator==(const IncomingMessage &, const IncomingMessage &) = default;
};

struct Delivered {
    QString id;
    friend bool operator==(const Delivered &, const Delivered &) = default;
};

struct PartnerTyping {
    bool active = false;
    friend bool operator==(const PartnerTyping &, const PartnerTyping &) = default;
};

struct PartnerLeft {
    LeftReason reason = LeftReason::Left;
    friend bool operator==(const PartnerLeft &, const PartnerLeft &) = default;
};

struct Left {
    friend bool operator==(const Left &, const Left &) = default;
};

struct Error {
    ErrorCode code = ErrorCode::BadRequest;
    QString message;
    QString ref;                        // empty: not known
    std::optional<qint64> retryAfterMs; // only with RateLimited
    friend bool operator==(const Error &, const Error &) = default;
};

// An operator's announcement to every connected client (admin console
// `broadcast`).
struct Notice {
    QString text;
    qint64 ts = 0;
    // Machine-readable kind ("server_draining"); absent for operators' text.
    std::optional<QString> kind{};
    // With "server_draining": reconnect after about this long.
    std::optional<qint64> reconnectAfterMs{};
    friend bool operator==(const Notice &, const Notice &) = default;
};

// Answer to `resume_session`: the client is back in its old session.
struct Resumed {
    QString state; // "waiting" | "paired" | "lobby"
    // Only with "paired", as in `matched`.
    std::optional<QString> pair{};
    std::optional<QString> partner{};
    std::optional<double> distanceKm{};
    QString resumeToken; // the next token; the one used is spent
    friend bool operator==(const Resumed &, const Resumed &) = default;
};

// The partner's connection dropped; it may come back (`partner_back`) or
// the pair ends with `partner_left` "disconnected".
struct PartnerAway {
    friend bool operator==(const PartnerAway &, const PartnerAway &) = default;
};

struct PartnerBack {
    friend bool operator==(const PartnerBack &, const PartnerBack &) = default;
};

// ---- accounts, 2FA and moderation (server -> client) -------------------------

// Reply to register, login and resume.
struct Authenticated {
    QString username;
    QString role;  // "user" | "moderator" | "admin"
    QString token; // for `resume`; secret, treat like a password
    friend bool operator==(const Authenticated &, const Authenticated &) = default;
};

struct LoggedOut {
    // Absent after the client's own `logout`. Set when the server ended the
    // login: "password_changed", "logged_out_everywhere", "disabled",
    // "banned", "session_ended"; the connection is then closed with 1008.
    std::optional<QString> reason{};
    friend bool operator==(const LoggedOut &, const LoggedOut &) = default;
};

struct PasswordChanged {
    friend bool operator==(const PasswordChanged &, const PasswordChanged &) = default;
};

struct TotpEnrollment {
    QString secret; // base32
    QString uri;    // otpauth://totp/...
    friend bool operator==(const TotpEnrollment &, const TotpEnrollment &) = default;
};

struct TotpEnabled {
    QList<QString> recoveryCodes; // shown once; only their hashes are kept
    friend bool operator==(const TotpEnabled &, const TotpEnabled &) = default;
};

struct TotpDisabled {
    friend bool operator==(const TotpDisabled &, const TotpDisabled &) = default;
};

struct Blocked {
    friend bool operator==(const Blocked &, const Blocked &) = default;
};

struct Reported {
    friend bool operator==(const Reported &, const Reported &) = default;
};

using ServerMessage =
    std::variant<Welcome, Waiting, Matched, IncomingMessage, Delivered, PartnerTyping, PartnerLeft,
                 Left, Error, Notice, Authenticated, LoggedOut, PasswordChanged, TotpEnrollment,
                 TotpEnabled, TotpDisabled, Blocked, Reported, Resumed, PartnerAway, PartnerBack>;

// The wire name (`type`) of a message.
QString typeName(const ClientMessage &message);
QString typeName(const ServerMessage &message);

// ---- codec -----------------------------------------------------------------

// What went wrong with an incoming frame, ready to be sent back as `error`.
struct DecodeError {
    ErrorCode code = ErrorCode::BadRequest;
    QString message;
    QString ref;
    friend bool operator==(const DecodeError &, const DecodeError &) = default;
    Error toError() const { return Error{code, message, ref, std::nullopt}; }
};

template <typename T>
using Decoded = std::variant<T, DecodeError>;

struct CodecLimits {
    int maxTextChars = kDefaultMaxTextChars;
    // Chat `message` frames go through the simdjson fast path (fastdecode.h);
    // off = QJsonDocument for every frame. Both give the same answers (tested);
    // the switch exists so tests can compare them.
    bool fastChatMessages = true;
};

// Strict decoding: every field is checked for presence, type and range, and
// the error says which one failed. Unknown extra fields are ignored so that
// newer clients can talk to older servers.
class Codec {
public:
    explicit Codec(CodecLimits limits = {});

    Decoded<ClientMessage> decodeClient(QByteArrayView utf8Json) const;
    // The same answer, decoded into `out`: a `message` frame reuses the
    // capacity of the strings of the SendMessage `out` holds, so the relay's
    // hot path does not allocate per frame. nullopt: `out` holds the message.
    std::optional<DecodeError> decodeClient(QByteArrayView utf8Json, ClientMessage &out) const;
    Decoded<ServerMessage> decodeServer(QByteArrayView utf8Json) const;

    static QByteArray encode(const ClientMessage &message);
    static QByteArray encode(const ServerMessage &message);
    // The same bytes, written over `out`: `message` and `delivered` reuse
    // its capacity (no allocation once it is large enough), the rest
    // replace it.
    static void encode(const ServerMessage &message, QByteArray &out);

    const CodecLimits &limits() const { return m_limits; }

private:
    // The limits every `message` passes, whichever parser read it.
    std::optional<DecodeError> messageError(const SendMessage &msg) const;

    CodecLimits m_limits;
};

// Number of Unicode code points: what users and the `max_text_chars` limit
// call characters (a surrogate pair counts once).
int codePointCount(const QString &text);

} // namespace whisper::protocol
