// SPDX-License-Identifier: MIT
#include "protocol.h"

#include "fastdecode.h"
#include "jsonreader.h"

#include "geo.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonValue>

#include <charconv>
#include <cmath>
#include <cstring>

namespace whisper::protocol {

namespace {

struct Name {
    ErrorCode code;
    const char *wire;
};
constexpr Name kErrorNames[] = {
    {ErrorCode::BadRequest, "bad_request"},   {ErrorCode::Unauthorized, "unauthorized"},
    {ErrorCode::Forbidden, "forbidden"},      {ErrorCode::NotFound, "not_found"},
    {ErrorCode::Conflict, "conflict"},        {ErrorCode::TooLarge, "too_large"},
    {ErrorCode::RateLimited, "rate_limited"}, {ErrorCode::Unavailable, "unavailable"},
    {ErrorCode::Internal, "internal"},
};

struct ReasonName {
    LeftReason reason;
    const char *wire;
};
constexpr ReasonName kReasonNames[] = {
    {LeftReason::Left, "left"},
    {LeftReason::Disconnected, "disconnected"},
    {LeftReason::Kicked, "kicked"},
    {LeftReason::Blocked, "blocked"},
};

using json::FieldReader;
using json::Overloaded;

DecodeError unknownType(const QString &type) {
    return DecodeError{ErrorCode::BadRequest,
                       QStringLiteral("unknown message type '%1'").arg(type.left(64)), QString()};
}

QJsonObject envelope(const char *type) {
    QJsonObject object;
    object.insert(QLatin1String("type"), QLatin1String(type));
    return object;
}

// The relay's two hot messages (`message` to the partner, `delivered` to the
// sender) cost ~7 us through QJsonObject and QJsonDocument, a third of a
// relayed message's server CPU (docs/BENCHMARKS.md, relay). They are written
// directly instead, byte for byte what QJsonDocument::Compact writes (sorted
// keys, no spaces, the same escapes, UTF-8), in one allocation of the exact
// size, or none into a buffer that is large enough. Only a lone surrogate (which QJsonDocument
// writes as an escape of its own) takes the general path. tst_protocol compares both.

constexpr bool isHighSurrogate(char16_t u) {
    return (u & 0xFC00) == 0xD800;
}
constexpr bool isLowSurrogate(char16_t u) {
    return (u & 0xFC00) == 0xDC00;
}

// Bytes `text` takes as the inside of a JSON string; -1: it holds a lone
// surrogate. Exactly `n`: printable ASCII throughout, written as it is.
qsizetype jsonStringBytes(const char16_t *p, qsizetype n) {
    // The usual text, printable ASCII without '"' and '\\', is found so in
    // one pass with no early exit and no branch, which the compiler
    // vectorises (about 5 instructions a unit otherwise).
    unsigned special = 0;
    for (qsizetype i = 0; i < n; ++i) {
        const unsigned u = p[i];
        special |= unsigned(u - 0x20u > 0x5Fu) | unsigned(u == 0x22u) | unsigned(u == 0x5Cu);
    }
    if (!special)
        return n;
    qsizetype bytes = 0;
    for (qsizetype i = 0; i < n; ++i) {
        const char16_t u = p[i];
        if (u >= 0x20 && u < 0x80) {
            bytes += (u == u'"' || u == u'\\') ? 2 : 1;
        } else if (u < 0x20) {
            bytes += (u == u'\b' || u == u'\f' || u == u'\n' || u == u'\r' || u == u'\t') ? 2 : 6;
        } else if (u < 0x800) {
            bytes += 2;
        } else if (isHighSurrogate(u)) {
            if (i + 1 >= n || !isLowSurrogate(p[i + 1]))
                return -1;
            bytes += 4;
            ++i;
        } else if (isLowSurrogate(u)) {
            return -1;
        } else {
            bytes += 3;
        }
    }
    return bytes;
}

// Writes what jsonStringBytes() measured (and accepted) as `bytes`.
char *writeJsonString(char *out, const char16_t *p, qsizetype n, qsizetype bytes) {
    if (bytes == n) { // printable ASCII: a narrowing copy the compiler vectorises
        for (qsizetype i = 0; i < n; ++i)
            out[i] = char(p[i]);
        return out + n;
    }
    static constexpr char kHex[] = "0123456789abcdef";
    for (qsizetype i = 0; i < n; ++i) {
        const char16_t u = p[i];
        if (u >= 0x20 && u < 0x80) {
            if (u == u'"' || u == u'\\')
                *out++ = '\\';
            *out++ = char(u);
        } else if (u < 0x20) {
            *out++ = '\\';
            switch (u) {
            case u'\b':
                *out++ = 'b';
                break;
            case u'\f':
                *out++ = 'f';
                break;
            case u'\n':
                *out++ = 'n';
                break;
            case u'\r':
                *out++ = 'r';
                break;
            case u'\t':
                *out++ = 't';
                break;
            default:
                *out++ = 'u';
                *out++ = '0';
                *out++ = '0';
                *out++ = kHex[u >> 4];
                *out++ = kHex[u & 0xF];
            }
        } else if (u < 0x800) {
            *out++ = char(0xC0 | (u >> 6));
            *out++ = char(0x80 | (u & 0x3F));
        } else if (isHighSurrogate(u)) {
            const char32_t c = 0x10000 + ((char32_t(u) - 0xD800) << 10) + (p[++i] - 0xDC00);
            *out++ = char(0xF0 | (c >> 18));
            *out++ = char(0x80 | ((c >> 12) & 0x3F));
            *out++ = char(0x80 | ((c >> 6) & 0x3F));
            *out++ = char(0x80 | (c & 0x3F));
        } else {
            *out++ = char(0xE0 | (u >> 12));
            *out++ = char(0x80 | ((u >> 6) & 0x3F));
            *out++ = char(0x80 | (u & 0x3F));
        }
    }
    return out;
}

template <std::size_t N>
char *put(char *out, const char (&literal)[N]) {
    std::memcpy(out, literal, N - 1);
    return out + N - 1;
}

// Writes the frame over `out` (its capacity kept when large enough); false:
// the text holds a lone surrogate, for the general path.
bool writeIncomingMessage(const IncomingMessage &m, QByteArray &out) {
    const char16_t *text = QStringView(m.text).utf16();
    const qsizetype textBytes = jsonStringBytes(text, m.text.size());
    if (textBytes < 0)
        return false;
    char ts[24];
    const auto [tsEnd, ec] = std::to_chars(ts, ts + sizeof ts, m.ts);
    const std::size_t tsBytes = std::size_t(tsEnd - ts);
    static constexpr char kHead[] = "{\"text\":\"",
                          kMiddle[] = "\",\"ts\":", kTail[] = ",\"type\":\"message\"}";
    out.resize(qsizetype(sizeof kHead + sizeof kMiddle + sizeof kTail - 3 + tsBytes) + textBytes);
    char *p = put(out.data(), kHead);
    p = writeJsonString(p, text, m.text.size(), textBytes);
    p = put(p, kMiddle);
    std::memcpy(p, ts, tsBytes);
    put(p + tsBytes, kTail);
    return true;
}

bool writeDelivered(const Delivered &m, QByteArray &out) {
    const char16_t *id = QStringView(m.id).utf16();
    const qsizetype idBytes = jsonStringBytes(id, m.id.size());
    if (idBytes < 0)
        return false;
    static constexpr char kHead[] = "{\"id\":\"", kTail[] = "\",\"type\":\"delivered\"}";
    out.resize(qsizetype(sizeof kHead + sizeof kTail - 2) + idBytes);
    char *p = put(out.data(), kHead);
    p = writeJsonString(p, id, m.id.size(), idBytes);
    put(p, kTail);
    return true;
}

QByteArray toBytes(const QJsonObject &object) {
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

// A string field of bounded length (in code points); `min` 0 allows empty.
QString boundedString(FieldReader &r, const char *field, int min, int max) {
    QString value = r.string(field);
    if (r.ok()) {
        const int n = codePointCount(value);
        if (n < min || n > max)
            r.fail(ErrorCode::BadRequest, QStringLiteral("field '%1' must be %2 to %3 characters")
                                              .arg(QLatin1String(field))
                                              .arg(min)
                                              .arg(max));
    }
    return value;
}

// The account, 2FA and moderation messages; nullopt for other types. Only
// sizes are checked here: the rules (user names, password policy) belong to
// the account service, which explains them in its errors.
std::optional<Decoded<ClientMessage>> decodeAccountMessage(FieldReader &r) {
    const QString &type = r.type();
    auto done = [&r](ClientMessage m) -> std::optional<Decoded<ClientMessage>> {
        if (!r.ok())
            return Decoded<ClientMessage>{r.error()};
        return Decoded<ClientMessage>{std::move(m)};
    };
    if (type == QLatin1String("register")) {
        Register m;
        m.username = boundedString(r, "username", 1, kMaxUsernameChars);
        m.password = boundedString(r, "password", 1, kMaxPasswordChars);
        return done(m);
    }
    if (type == QLatin1String("login")) {
        Login m;
        m.username = boundedString(r, "username", 1, kMaxUsernameChars);
        m.password = boundedString(r, "password", 1, kMaxPasswordChars);
        m.totp = r.optionalString("totp");
        if (r.ok() && m.totp && codePointCount(*m.totp) > 32)
            r.fail(ErrorCode::BadRequest, QStringLiteral("field 'totp' is too long"));
        return done(m);
    }
    if (type == QLatin1String("logout")) {
        Logout m;
        if (r.has("everywhere"))
            m.everywhere = r.boolean("everywhere");
        return done(m);
    }
    if (type == QLatin1String("resume"))
        return done(Resume{boundedString(r, "token", 1, kMaxTokenChars)});
    if (type == QLatin1String("change_password")) {
        ChangePassword m;
        m.oldPassword = boundedString(r, "old_password", 1, kMaxPasswordChars);
        m.newPassword = boundedString(r, "new_password", 1, kMaxPasswordChars);
        return done(m);
    }
    auto optionalPassword = [&r]() -> std::optional<QString> {
        if (!r.has("password"))
            return std::nullopt;
        return boundedString(r, "password", 1, kMaxPasswordChars);
    };
    if (type == QLatin1String("totp_enroll"))
        return done(TotpEnroll{optionalPassword()});
    if (type == QLatin1String("totp_enable")) {
        TotpEnable m;
        m.code = boundedString(r, "code", 1, 32);
        m.password = optionalPassword();
        return done(m);
    }
    if (type == QLatin1String("totp_disable"))
        return done(TotpDisable{boundedString(r, "code", 1, 32)});
    if (type == QLatin1String("block"))
        return done(Block{});
    if (type == QLatin1String("report"))
        return done(Report{boundedString(r, "reason", 1, kMaxReportReasonChars)});
    return std::nullopt;
}

} // namespace

QString toString(ErrorCode code) {
    for (const auto &n : kErrorNames)
        if (n.code == code)
            return QLatin1String(n.wire);
    return QStringLiteral("internal");
}

std::optional<ErrorCode> errorCodeFromString(const QString &name) {
    for (const auto &n : kErrorNames)
        if (name == QLatin1String(n.wire))
            return n.code;
    return std::nullopt;
}

QString toString(LeftReason reason) {
    for (const auto &n : kReasonNames)
        if (n.reason == reason)
            return QLatin1String(n.wire);
    return QStringLiteral("left");
}

std::optional<LeftReason> leftReasonFromString(const QString &name) {
    for (const auto &n : kReasonNames)
        if (name == QLatin1String(n.wire))
            return n.reason;
    return std::nullopt;
}

int codePointCount(const QString &text) {
    // Every message's text is counted: one less than the UTF-16 units for
    // each surrogate pair. Pairs cannot overlap (no unit is both high and
    // low), so the loop needs no skip and no branch, and vectorises.
    const char16_t *p = QStringView(text).utf16();
    const qsizetype n = text.size();
    qsizetype pairs = 0;
    for (qsizetype i = 0; i + 1 < n; ++i)
        pairs += isHighSurrogate(p[i]) & isLowSurrogate(p[i + 1]);
    return int(n - pairs);
}

QString typeName(const ClientMessage &message) {
    return std::visit(Overloaded{
                          [](const Join &) { return QStringLiteral("join"); },
                          [](const SendMessage &) { return QStringLiteral("message"); },
                          [](const Typing &) { return QStringLiteral("typing"); },
                          [](const Leave &) { return QStringLiteral("leave"); },
                          [](const Register &) { return QStringLiteral("register"); },
                          [](const Login &) { return QStringLiteral("login"); },
                          [](const Logout &) { return QStringLiteral("logout"); },
                          [](const Resume &) { return QStringLiteral("resume"); },
                          [](const ChangePassword &) { return QStringLiteral("change_password"); },
                          [](const TotpEnroll &) { return QStringLiteral("totp_enroll"); },
                          [](const TotpEnable &) { return QStringLiteral("totp_enable"); },
                          [](const TotpDisable &) { return QStringLiteral("totp_disable"); },
                          [](const Block &) { return QStringLiteral("block"); },
                          [](const Report &) { return QStringLiteral("report"); },
                          [](const ResumeSession &) { return QStringLiteral("resume_session"); },
                      },
                      message);
}

QString typeName(const ServerMessage &message) {
    return std::visit(
        Overloaded{
            [](const Welcome &) { return QStringLiteral("welcome"); },
            [](const Waiting &) { return QStringLiteral("waiting"); },
            [](const Matched &) { return QStringLiteral("matched"); },
            [](const IncomingMessage &) { return QStringLiteral("message"); },
            [](const Delivered &) { return QStringLiteral("delivered"); },
            [](const PartnerTyping &) { return QStringLiteral("typing"); },
            [](const PartnerLeft &) { return QStringLiteral("partner_left"); },
            [](const Left &) { return QStringLiteral("left"); },
            [](const Error &) { return QStringLiteral("error"); },
            [](const Notice &) { return QStringLiteral("notice"); },
            [](const Authenticated &) { return QStringLiteral("authenticated"); },
            [](const LoggedOut &) { return QStringLiteral("logged_out"); },
            [](const PasswordChanged &) { return QStringLiteral("password_changed"); },
            [](const TotpEnrollment &) { return QStringLiteral("totp_enrollment"); },
            [](const TotpEnabled &) { return QStringLiteral("totp_enabled"); },
            [](const TotpDisabled &) { return QStringLiteral("totp_disabled"); },
            [](const Blocked &) { return QStringLiteral("blocked"); },
            [](const Reported &) { return QStringLiteral("reported"); },
            [](const Resumed &) { return QStringLiteral("resumed"); },
            [](const PartnerAway &) { return QStringLiteral("partner_away"); },
            [](const PartnerBack &) { return QStringLiteral("partner_back"); },
        },
        message);
}

Codec::Codec(CodecLimits limits)
    : m_limits(limits) {}

std::optional<DecodeError> Codec::messageError(const SendMessage &msg) const {
    auto fail = [](ErrorCode code, const QString &message) {
        return DecodeError{code, message, QStringLiteral("message")};
    };
    const int chars = codePointCount(msg.text);
    if (chars == 0)
        return fail(ErrorCode::BadRequest, QStringLiteral("field 'text' must not be empty"));
    if (chars > m_limits.maxTextChars)
        return fail(ErrorCode::TooLarge,
                    QStringLiteral("field 'text' has %1 characters; the limit is %2")
                        .arg(chars)
                        .arg(m_limits.maxTextChars));
    if (msg.id && codePointCount(*msg.id) > kMaxClientIdChars)
        return fail(
            ErrorCode::BadRequest,
            QStringLiteral("field 'id' must be at most %1 characters").arg(kMaxClientIdChars));
    return std::nullopt;
}

std::optional<DecodeError> Codec::decodeClient(QByteArrayView utf8Json, ClientMessage &out) const {
    if (m_limits.fastChatMessages) {
        auto *msg = std::get_if<SendMessage>(&out);
        if (!msg)
            msg = &out.emplace<SendMessage>();
        if (decodeChatMessageFast(utf8Json, *msg) == FastDecode::Decoded)
            return messageError(*msg);
    }
    auto decoded = decodeClient(utf8Json);
    if (auto *error = std::get_if<DecodeError>(&decoded))
        return std::move(*error);
    out = std::move(std::get<ClientMessage>(decoded));
    return std::nullopt;
}

Decoded<ClientMessage> Codec::decodeClient(QByteArrayView utf8Json) const {
    if (m_limits.fastChatMessages) {
        SendMessage msg;
        if (decodeChatMessageFast(utf8Json, msg) == FastDecode::Decoded) {
            if (auto error = messageError(msg))
                return *std::move(error);
            return ClientMessage{std::move(msg)};
        }
    }
    auto parsed = json::parseObjectFrame(utf8Json);
    if (auto *err = std::get_if<DecodeError>(&parsed))
        return *err;
    const auto &[object, type] = std::get<0>(parsed);
    FieldReader r(object, type);

    if (type == QLatin1String("join")) {
        Join join;
        join.lat = r.number("lat");
        join.lon = r.number("lon");
        join.rangeKm = r.number("range_km");
        if (r.ok() && !geo::isValidLatitude(join.lat))
            r.fail(ErrorCode::BadRequest, QStringLiteral("field 'lat' must be within -90..90"));
        if (r.ok() && !geo::isValidLongitude(join.lon))
            r.fail(ErrorCode::BadRequest, QStringLiteral("field 'lon' must be within -180..180"));
        if (r.ok() && !geo::isValidRange(join.rangeKm))
            r.fail(ErrorCode::BadRequest,
                   QStringLiteral("field 'range_km' must be > 0 and <= %1").arg(geo::kMaxRangeKm));
        if (!r.ok())
            return r.error();
        return ClientMessage{join};
    }
    if (type == QLatin1String("message")) {
        SendMessage msg;
        msg.text = r.string("text");
        msg.id = r.optionalString("id");
        if (!r.ok())
            return r.error();
        if (auto error = messageError(msg))
            return *std::move(error);
        return ClientMessage{std::move(msg)};
    }
    if (type == QLatin1String("typing")) {
        Typing typing{r.boolean("active")};
        if (!r.ok())
            return r.error();
        return ClientMessage{typing};
    }
    if (type == QLatin1String("leave"))
        return ClientMessage{Leave{}};
    if (type == QLatin1String("resume_session")) {
        ResumeSession m{boundedString(r, "token", 1, kMaxTokenChars)};
        if (!r.ok())
            return r.error();
        return ClientMessage{m};
    }
    if (auto account = decodeAccountMessage(r))
        return *account;
    return unknownType(type);
}

Decoded<ServerMessage> Codec::decodeServer(QByteArrayView utf8Json) const {
    auto parsed = json::parseObjectFrame(utf8Json);
    if (auto *err = std::get_if<DecodeError>(&parsed))
        return *err;
    const auto &[object, type] = std::get<0>(parsed);
    FieldReader r(object, type);
    auto done = [&r](ServerMessage m) -> Decoded<ServerMessage> {
        if (!r.ok())
            return r.error();
        return m;
    };

    if (type == QLatin1String("welcome")) {
        Welcome w;
        w.protocol = static_cast<int>(r.integer("protocol"));
        w.server = r.string("server");
        w.session = r.string("session");
        const QJsonObject limits = r.object("limits");
        if (r.ok()) {
            FieldReader lr(limits, type);
            w.limits.maxTextChars = static_cast<int>(lr.integer("max_text_chars"));
            w.limits.maxMessageBytes = static_cast<int>(lr.integer("max_message_bytes"));
            if (!lr.ok())
                return lr.error();
        }
        w.resumeToken = r.optionalString("resume_token");
        w.node = r.optionalString("node").value_or(QString());
        return done(w);
    }
    if (type == QLatin1String("waiting"))
        return done(Waiting{});
    if (type == QLatin1String("matched")) {
        Matched m;
        m.pair = r.string("pair");
        m.partner = r.string("partner");
        m.distanceKm = r.number("distance_km");
        return done(m);
    }
    if (type == QLatin1String("message")) {
        IncomingMessage m;
        m.text = r.string("text");
        m.ts = r.integer("ts");
        return done(m);
    }
    if (type == QLatin1String("delivered"))
        return done(Delivered{r.string("id")});
    if (type == QLatin1String("typing"))
        return done(PartnerTyping{r.boolean("active")});
    if (type == QLatin1String("partner_left")) {
        const QString reason = r.string("reason");
        const auto parsedReason = leftReasonFromString(reason);
        if (r.ok() && !parsedReason)
            r.fail(ErrorCode::BadRequest, QStringLiteral("unknown reason '%1'").arg(reason));
        return done(PartnerLeft{parsedReason.value_or(LeftReason::Left)});
    }
    if (type == QLatin1String("left"))
        return done(Left{});
    if (type == QLatin1String("authenticated")) {
        Authenticated m;
        m.username = r.string("username");
        m.role = r.string("role");
        m.token = r.string("token");
        return done(m);
    }
    if (type == QLatin1String("logged_out"))
        return done(LoggedOut{r.optionalString("reason")});
    if (type == QLatin1String("password_changed"))
        return done(PasswordChanged{});
    if (type == QLatin1String("totp_enrollment")) {
        TotpEnrollment m;
        m.secret = r.string("secret");
        m.uri = r.string("uri");
        return done(m);
    }
    if (type == QLatin1String("totp_enabled")) {
        TotpEnabled m;
        const QJsonValue codes = object.value(QLatin1String("recovery_codes"));
        if (!codes.isArray())
            r.fail(ErrorCode::BadRequest,
                   QStringLiteral("field 'recovery_codes' must be an array"));
        for (const QJsonValue &c : codes.toArray())
            m.recoveryCodes << c.toString();
        return done(m);
    }
    if (type == QLatin1String("totp_disabled"))
        return done(TotpDisabled{});
    if (type == QLatin1String("blocked"))
        return done(Blocked{});
    if (type == QLatin1String("reported"))
        return done(Reported{});
    if (type == QLatin1String("resumed")) {
        Resumed m;
        m.state = r.string("state");
        m.resumeToken = r.string("resume_token");
        if (r.ok() && m.state != QLatin1String("waiting") && m.state != QLatin1String("paired") &&
            m.state != QLatin1String("lobby"))
            r.fail(ErrorCode::BadRequest, QStringLiteral("unknown state '%1'").arg(m.state));
        if (r.ok() && m.state == QLatin1String("paired")) {
            m.pair = r.string("pair");
            m.partner = r.string("partner");
            m.distanceKm = r.number("distance_km");
        }
        return done(m);
    }
    if (type == QLatin1String("partner_away"))
        return done(PartnerAway{});
    if (type == QLatin1String("partner_back"))
        return done(PartnerBack{});
    if (type == QLatin1String("notice")) {
        Notice n;
        n.text = r.string("text");
        n.ts = r.integer("ts");
        n.kind = r.optionalString("kind");
        n.reconnectAfterMs = r.optionalInteger("reconnect_after_ms");
        return done(n);
    }
    if (type == QLatin1String("error")) {
        Error e;
        const QString code = r.string("code");
        const auto parsedCode = errorCodeFromString(code);
        if (r.ok() && !parsedCode)
            r.fail(ErrorCode::BadRequest, QStringLiteral("unknown error code '%1'").arg(code));
        e.code = parsedCode.value_or(ErrorCode::Internal);
        e.message = r.string("message");
        e.ref = r.optionalString("ref").value_or(QString());
        e.retryAfterMs = r.optionalInteger("retry_after_ms");
        return done(e);
    }
    return unknownType(type);
}

QByteArray Codec::encode(const ClientMessage &message) {
    return std::visit(Overloaded{
                          [](const Join &m) {
                              QJsonObject o = envelope("join");
                              o.insert(QLatin1String("lat"), m.lat);
                              o.insert(QLatin1String("lon"), m.lon);
                              o.insert(QLatin1String("range_km"), m.rangeKm);
                              return toBytes(o);
                          },
                          [](const SendMessage &m) {
                              QJsonObject o = envelope("message");
                              o.insert(QLatin1String("text"), m.text);
                              if (m.id)
                                  o.insert(QLatin1String("id"), *m.id);
                              return toBytes(o);
                          },
                          [](const Typing &m) {
                              QJsonObject o = envelope("typing");
                              o.insert(QLatin1String("active"), m.active);
                              return toBytes(o);
                          },
                          [](const Leave &) { return toBytes(envelope("leave")); },
                          [](const Register &m) {
                              QJsonObject o = envelope("register");
                              o.insert(QLatin1String("username"), m.username);
                              o.insert(QLatin1String("password"), m.password);
                              return toBytes(o);
                          },
                          [](const Login &m) {
                              QJsonObject o = envelope("login");
                              o.insert(QLatin1String("username"), m.username);
                              o.insert(QLatin1String("password"), m.password);
                              if (m.totp)
                                  o.insert(QLatin1String("totp"), *m.totp);
                              return toBytes(o);
                          },
                          [](const Logout &m) {
                              QJsonObject o = envelope("logout");
                              if (m.everywhere)
                                  o.insert(QLatin1String("everywhere"), true);
                              return toBytes(o);
                          },
                          [](const Resume &m) {
                              QJsonObject o = envelope("resume");
                              o.insert(QLatin1String("token"), m.token);
                              return toBytes(o);
                          },
                          [](const ChangePassword &m) {
                              QJsonObject o = envelope("change_password");
                              o.insert(QLatin1String("old_password"), m.oldPassword);
                              o.insert(QLatin1String("new_password"), m.newPassword);
                              return toBytes(o);
                          },
                          [](const TotpEnroll &m) {
                              QJsonObject o = envelope("totp_enroll");
                              if (m.password)
                                  o.insert(QLatin1String("password"), *m.password);
                              return toBytes(o);
                          },
                          [](const TotpEnable &m) {
                              QJsonObject o = envelope("totp_enable");
                              o.insert(QLatin1String("code"), m.code);
                              if (m.password)
                                  o.insert(QLatin1String("password"), *m.password);
                              return toBytes(o);
                          },
                          [](const TotpDisable &m) {
                              QJsonObject o = envelope("totp_disable");
                              o.insert(QLatin1String("code"), m.code);
                              return toBytes(o);
                          },
                          [](const Block &) { return toBytes(envelope("block")); },
                          [](const Report &m) {
                              QJsonObject o = envelope("report");
                              o.insert(QLatin1String("reason"), m.reason);
                              return toBytes(o);
                          },
                          [](const ResumeSession &m) {
                              QJsonObject o = envelope("resume_session");
                              o.insert(QLatin1String("token"), m.token);
                              return toBytes(o);
                          },
                      },
                      message);
}

QByteArray Codec::encode(const ServerMessage &message) {
    return std::visit(
        Overloaded{
            [](const Welcome &m) {
                QJsonObject o = envelope("welcome");
                o.insert(QLatin1String("protocol"), m.protocol);
                o.insert(QLatin1String("server"), m.server);
                o.insert(QLatin1String("session"), m.session);
                QJsonObject limits;
                limits.insert(QLatin1String("max_text_chars"), m.limits.maxTextChars);
                limits.insert(QLatin1String("max_message_bytes"), m.limits.maxMessageBytes);
                o.insert(QLatin1String("limits"), limits);
                if (m.resumeToken)
                    o.insert(QLatin1String("resume_token"), *m.resumeToken);
                if (!m.node.isEmpty())
                    o.insert(QLatin1String("node"), m.node);
                return toBytes(o);
            },
            [](const Waiting &) { return toBytes(envelope("waiting")); },
            [](const Matched &m) {
                QJsonObject o = envelope("matched");
                o.insert(QLatin1String("pair"), m.pair);
                o.insert(QLatin1String("partner"), m.partner);
                o.insert(QLatin1String("distance_km"), m.distanceKm);
                return toBytes(o);
            },
            [](const IncomingMessage &m) {
                if (QByteArray fast; writeIncomingMessage(m, fast))
                    return fast;
                QJsonObject o = envelope("message");
                o.insert(QLatin1String("text"), m.text);
                o.insert(QLatin1String("ts"), m.ts);
                return toBytes(o);
            },
            [](const Delivered &m) {
                if (QByteArray fast; writeDelivered(m, fast))
                    return fast;
                QJsonObject o = envelope("delivered");
                o.insert(QLatin1String("id"), m.id);
                return toBytes(o);
            },
            [](const PartnerTyping &m) {
                QJsonObject o = envelope("typing");
                o.insert(QLatin1String("active"), m.active);
                return toBytes(o);
            },
            [](const PartnerLeft &m) {
                QJsonObject o = envelope("partner_left");
                o.insert(QLatin1String("reason"), toString(m.reason));
                return toBytes(o);
            },
            [](const Left &) { return toBytes(envelope("left")); },
            [](const Error &m) {
                QJsonObject o = envelope("error");
                o.insert(QLatin1String("code"), toString(m.code));
                o.insert(QLatin1String("message"), m.message);
                if (!m.ref.isEmpty())
                    o.insert(QLatin1String("ref"), m.ref);
                if (m.retryAfterMs)
                    o.insert(QLatin1String("retry_after_ms"), *m.retryAfterMs);
                return toBytes(o);
            },
            [](const Authenticated &m) {
                QJsonObject o = envelope("authenticated");
                o.insert(QLatin1String("username"), m.username);
                o.insert(QLatin1String("role"), m.role);
                o.insert(QLatin1String("token"), m.token);
                return toBytes(o);
            },
            [](const LoggedOut &m) {
                QJsonObject o = envelope("logged_out");
                if (m.reason)
                    o.insert(QLatin1String("reason"), *m.reason);
                return toBytes(o);
            },
            [](const PasswordChanged &) { return toBytes(envelope("password_changed")); },
            [](const TotpEnrollment &m) {
                QJsonObject o = envelope("totp_enrollment");
                o.insert(QLatin1String("secret"), m.secret);
                o.insert(QLatin1String("uri"), m.uri);
                return toBytes(o);
            },
            [](const TotpEnabled &m) {
                QJsonObject o = envelope("totp_enabled");
                o.insert(QLatin1String("recovery_codes"),
                         QJsonArray::fromStringList(m.recoveryCodes));
                return toBytes(o);
            },
            [](const TotpDisabled &) { return toBytes(envelope("totp_disabled")); },
            [](const Blocked &) { return toBytes(envelope("blocked")); },
            [](const Reported &) { return toBytes(envelope("reported")); },
            [](const Notice &m) {
                QJsonObject o = envelope("notice");
                o.insert(QLatin1String("text"), m.text);
                o.insert(QLatin1String("ts"), m.ts);
                if (m.kind)
                    o.insert(QLatin1String("kind"), *m.kind);
                if (m.reconnectAfterMs)
                    o.insert(QLatin1String("reconnect_after_ms"), *m.reconnectAfterMs);
                return toBytes(o);
            },
            [](const Resumed &m) {
                QJsonObject o = envelope("resumed");
                o.insert(QLatin1String("state"), m.state);
                if (m.pair)
                    o.insert(QLatin1String("pair"), *m.pair);
                if (m.partner)
                    o.insert(QLatin1String("partner"), *m.partner);
                if (m.distanceKm)
                    o.insert(QLatin1String("distance_km"), *m.distanceKm);
                o.insert(QLatin1String("resume_token"), m.resumeToken);
                return toBytes(o);
            },
            [](const PartnerAway &) { return toBytes(envelope("partner_away")); },
            [](const PartnerBack &) { return toBytes(envelope("partner_back")); },
        },
        message);
}

void Codec::encode(const ServerMessage &message, QByteArray &out) {
    if (const auto *m = std::get_if<IncomingMessage>(&message)) {
        if (writeIncomingMessage(*m, out))
            return;
    } else if (const auto *d = std::get_if<Delivered>(&message)) {
        if (writeDelivered(*d, out))
            return;
    }
    out = encode(message);
}

} // namespace whisper::protocol
