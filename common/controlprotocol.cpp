// SPDX-License-Identifier: MIT
#include "controlprotocol.h"

#include "jsonreader.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <cmath>

namespace whisper::control {

namespace {

using json::FieldReader;
using json::kMaxSafeInteger;
using json::Overloaded;

constexpr std::pair<EventKind, const char *> kEventNames[] = {
    {EventKind::Matched, "matched"},   {EventKind::Left, "left"},
    {EventKind::Kicked, "kicked"},     {EventKind::Banned, "banned"},
    {EventKind::Reported, "reported"},
};

qint64 readReq(FieldReader &r) {
    return r.integer("req", 0, kMaxSafeInteger);
}

QString readId(FieldReader &r, const char *field) {
    return r.string(field, kMaxIdChars, false);
}

// ---- element codecs ----------------------------------------------------------

QJsonObject toJson(const WaitingClient &w) {
    return {{QStringLiteral("id"), w.id},
            {QStringLiteral("lat"), w.lat},
            {QStringLiteral("lon"), w.lon},
            {QStringLiteral("range_km"), w.rangeKm},
            {QStringLiteral("since_ms"), double(w.sinceMs)},
            {QStringLiteral("account"), w.account}};
}
WaitingClient waitingFrom(FieldReader &r) {
    WaitingClient w;
    w.id = readId(r, "id");
    w.lat = r.number("lat", -90, 90);
    w.lon = r.number("lon", -180, 180);
    w.rangeKm = r.number("range_km", 0, 20015.1);
    w.sinceMs = r.integer("since_ms", 0);
    w.account = r.boolean("account");
    return w;
}

QJsonObject toJson(const PairInfo &p) {
    return {{QStringLiteral("id"), p.id},
            {QStringLiteral("a"), p.a},
            {QStringLiteral("b"), p.b},
            {QStringLiteral("distance_km"), p.distanceKm},
            {QStringLiteral("since_ms"), double(p.sinceMs)},
            {QStringLiteral("messages"), double(p.messages)},
            {QStringLiteral("a_lat"), p.latA},
            {QStringLiteral("a_lon"), p.lonA},
            {QStringLiteral("b_lat"), p.latB},
            {QStringLiteral("b_lon"), p.lonB}};
}
PairInfo pairFrom(FieldReader &r) {
    PairInfo p;
    p.id = readId(r, "id");
    p.a = readId(r, "a");
    p.b = readId(r, "b");
    p.distanceKm = int(r.integer("distance_km", 0, 100000));
    p.sinceMs = r.integer("since_ms", 0);
    p.messages = r.integer("messages", 0);
    p.latA = r.number("a_lat", -90, 90);
    p.lonA = r.number("a_lon", -180, 180);
    p.latB = r.number("b_lat", -90, 90);
    p.lonB = r.number("b_lon", -180, 180);
    return p;
}

QJsonObject toJson(const PairMessages &p) {
    return {{QStringLiteral("id"), p.id}, {QStringLiteral("messages"), double(p.messages)}};
}
PairMessages pairMessagesFrom(FieldReader &r) {
    PairMessages p;
    p.id = readId(r, "id");
    p.messages = r.integer("messages", 0);
    return p;
}

QJsonObject toJson(const Event &e) {
    return {{QStringLiteral("kind"), toString(e.kind)},
            {QStringLiteral("ts"), double(e.ts)},
            {QStringLiteral("subject"), e.subject},
            {QStringLiteral("detail"), e.detail}};
}
Event eventFrom(FieldReader &r) {
    Event e;
    const QString kind = r.string("kind", 32);
    if (const auto k = eventKindFromString(kind))
        e.kind = *k;
    else if (r.ok())
        r.fail(QStringLiteral("unknown event kind '%1'").arg(kind));
    e.ts = r.integer("ts", 0);
    e.subject = r.string("subject", kMaxUsernameChars + kMaxIdChars);
    e.detail = r.string("detail", kMaxReasonChars);
    return e;
}

QJsonObject toJson(const NodeStats &n) {
    QJsonObject o{{QStringLiteral("node"), n.node},
                  {QStringLiteral("connections"), n.connections},
                  {QStringLiteral("waiting"), n.waiting},
                  {QStringLiteral("pairs"), n.pairs},
                  {QStringLiteral("messages_per_s"), n.messagesPerSecond},
                  {QStringLiteral("leader"), n.leader},
                  {QStringLiteral("self"), n.self}};
    if (n.redisLatencyMs)
        o.insert(QStringLiteral("redis_latency_ms"), *n.redisLatencyMs);
    return o;
}
NodeStats nodeStatsFrom(FieldReader &r) {
    NodeStats n;
    n.node = r.string("node", kMaxIdChars);
    n.connections = int(r.integer("connections", 0, INT_MAX));
    n.waiting = int(r.integer("waiting", 0, INT_MAX));
    n.pairs = int(r.integer("pairs", 0, INT_MAX));
    n.messagesPerSecond = r.number("messages_per_s", 0, 1e12);
    if (r.has("redis_latency_ms"))
        n.redisLatencyMs = r.number("redis_latency_ms", 0, 1e9);
    n.leader = r.boolean("leader");
    n.self = r.boolean("self");
    return n;
}

QJsonObject toJson(const Stats &s) {
    QJsonObject o{{QStringLiteral("connections"), s.connections},
                  {QStringLiteral("waiting"), s.waiting},
                  {QStringLiteral("pairs"), s.pairs},
                  {QStringLiteral("matches_per_min"), s.matchesPerMinute},
                  {QStringLiteral("messages_per_s"), s.messagesPerSecond},
                  {QStringLiteral("last_tick_ms"), double(s.lastTickMs)},
                  {QStringLiteral("tick_interval_ms"), s.tickIntervalMs},
                  {QStringLiteral("uptime_s"), double(s.uptimeS)},
                  {QStringLiteral("version"), s.version},
                  {QStringLiteral("draining"), s.draining}};
    if (s.relayP50Ms)
        o.insert(QStringLiteral("relay_p50_ms"), *s.relayP50Ms);
    if (s.relayP99Ms)
        o.insert(QStringLiteral("relay_p99_ms"), *s.relayP99Ms);
    if (!s.nodes.isEmpty()) {
        QJsonArray nodes;
        for (const NodeStats &n : s.nodes)
            nodes.append(toJson(n));
        o.insert(QStringLiteral("nodes"), nodes);
    }
    return o;
}
Stats statsFrom(FieldReader &r) {
    Stats s;
    s.connections = int(r.integer("connections", 0, INT_MAX));
    s.waiting = int(r.integer("waiting", 0, INT_MAX));
    s.pairs = int(r.integer("pairs", 0, INT_MAX));
    s.matchesPerMinute = r.number("matches_per_min", 0, 1e12);
    s.messagesPerSecond = r.number("messages_per_s", 0, 1e12);
    s.lastTickMs = r.integer("last_tick_ms", 0);
    s.tickIntervalMs = int(r.integer("tick_interval_ms", 0, INT_MAX));
    if (r.has("relay_p50_ms"))
        s.relayP50Ms = r.number("relay_p50_ms", 0, 1e12);
    if (r.has("relay_p99_ms"))
        s.relayP99Ms = r.number("relay_p99_ms", 0, 1e12);
    s.uptimeS = r.integer("uptime_s", 0);
    s.version = r.string("version", 64);
    s.draining = r.boolean("draining");
    if (r.has("nodes"))
        s.nodes = r.list<NodeStats>("nodes", nodeStatsFrom);
    return s;
}

QJsonObject toJson(const Report &p) {
    return {{QStringLiteral("id"), p.id},
            {QStringLiteral("reporter"), p.reporter},
            {QStringLiteral("reported"), p.reported},
            {QStringLiteral("reason"), p.reason},
            {QStringLiteral("created_ms"), double(p.createdMs)},
            {QStringLiteral("resolved"), p.resolved},
            {QStringLiteral("resolution"), p.resolution}};
}
Report reportFrom(FieldReader &r) {
    Report p;
    p.id = readId(r, "id");
    p.reporter = r.string("reporter", kMaxUsernameChars + kMaxIdChars);
    p.reported = r.string("reported", kMaxUsernameChars + kMaxIdChars);
    p.reason = r.string("reason", kMaxReasonChars);
    p.createdMs = r.integer("created_ms", 0);
    p.resolved = r.boolean("resolved");
    p.resolution = r.string("resolution", kMaxReasonChars);
    return p;
}

QJsonObject toJson(const AccountInfo &a) {
    return {{QStringLiteral("username"), a.username},
            {QStringLiteral("role"), a.role},
            {QStringLiteral("created_ms"), double(a.createdMs)},
            {QStringLiteral("totp_enabled"), a.totpEnabled},
            {QStringLiteral("banned_until_ms"), double(a.bannedUntilMs)}};
}
AccountInfo accountFrom(FieldReader &r) {
    AccountInfo a;
    a.username = r.string("username", kMaxUsernameChars, false);
    a.role = r.string("role", 16, false);
    a.createdMs = r.integer("created_ms", 0);
    a.totpEnabled = r.boolean("totp_enabled");
    a.bannedUntilMs = r.integer("banned_until_ms", -1);
    return a;
}

QJsonObject toJson(const BanInfo &b) {
    return {{QStringLiteral("id"), b.id},
            {QStringLiteral("account"), b.account},
            {QStringLiteral("reason"), b.reason},
            {QStringLiteral("created_ms"), double(b.createdMs)},
            {QStringLiteral("expires_ms"), double(b.expiresMs)},
            {QStringLiteral("by"), b.by}};
}
QJsonObject toJson(const AuditRow &a) {
    return {{QStringLiteral("at_ms"), double(a.atMs)}, {QStringLiteral("actor"), a.actor},
            {QStringLiteral("command"), a.command},    {QStringLiteral("target"), a.target},
            {QStringLiteral("detail"), a.detail},      {QStringLiteral("result"), a.result},
            {QStringLiteral("source"), a.source}};
}
AuditRow auditFrom(FieldReader &r) {
    AuditRow a;
    a.atMs = r.integer("at_ms", 0);
    a.actor = r.string("actor", kMaxUsernameChars);
    a.command = r.string("command", kMaxIdChars);
    a.target = r.string("target", kMaxUsernameChars + kMaxIdChars + 64);
    a.detail = r.string("detail", kMaxReasonChars + 256);
    a.result = r.string("result", kMaxIdChars);
    a.source = r.string("source", kMaxIdChars);
    return a;
}

BanInfo banFrom(FieldReader &r) {
    BanInfo b;
    b.id = readId(r, "id");
    b.account = r.string("account", kMaxUsernameChars);
    b.reason = r.string("reason", kMaxReasonChars);
    b.createdMs = r.integer("created_ms", 0);
    b.expiresMs = r.integer("expires_ms", 0);
    b.by = r.string("by", kMaxUsernameChars);
    return b;
}

constexpr std::pair<BanScope, const char *> kScopeNames[] = {
    {BanScope::Account, "account"},
    {BanScope::Connection, "connection"},
    {BanScope::Address, "address"},
};

template <typename T>
QJsonArray toArray(const QList<T> &items) {
    QJsonArray out;
    for (const T &item : items)
        out.append(toJson(item));
    return out;
}

QByteArray serialize(QJsonObject object, const QString &type) {
    object.insert(QStringLiteral("type"), type);
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

bool isRole(const QString &name) {
    return name == QLatin1String("user") || name == QLatin1String("moderator") ||
           name == QLatin1String("admin");
}

} // namespace

QString toString(EventKind kind) {
    for (const auto &[k, name] : kEventNames)
        if (k == kind)
            return QLatin1String(name);
    return QStringLiteral("matched");
}

std::optional<EventKind> eventKindFromString(const QString &name) {
    for (const auto &[k, wire] : kEventNames)
        if (name == QLatin1String(wire))
            return k;
    return std::nullopt;
}

QString toString(BanScope scope) {
    for (const auto &[k, name] : kScopeNames)
        if (k == scope)
            return QLatin1String(name);
    return QStringLiteral("connection");
}

std::optional<BanScope> banScopeFromString(const QString &name) {
    for (const auto &[k, wire] : kScopeNames)
        if (name == QLatin1String(wire))
            return k;
    return std::nullopt;
}

qint64 coarsenTime(qint64 ms) {
    return ms - ms % kTimeGranularityMs;
}

double coarsen(double degrees) {
    // Rounding to whole tenths, then printing at most one decimal, so the
    // exact position cannot leak through the low digits.
    return std::round(degrees * 10.0) / 10.0;
}

qint64 requestId(const ConsoleMessage &message) {
    return std::visit([](const auto &m) { return m.req; }, message);
}

QString typeName(const ConsoleMessage &message) {
    return std::visit(
        Overloaded{
            [](const Login &) { return QStringLiteral("login"); },
            [](const Subscribe &) { return QStringLiteral("subscribe"); },
            [](const Kick &) { return QStringLiteral("kick"); },
            [](const KickPair &) { return QStringLiteral("kick_pair"); },
            [](const Ban &) { return QStringLiteral("ban"); },
            [](const ListReports &) { return QStringLiteral("list_reports"); },
            [](const ResolveReport &) { return QStringLiteral("resolve_report"); },
            [](const LookupAccount &) { return QStringLiteral("lookup_account"); },
            [](const SetRole &) { return QStringLiteral("set_role"); },
            [](const Broadcast &) { return QStringLiteral("broadcast"); },
            [](const SetTickInterval &) { return QStringLiteral("set_tick_interval"); },
            [](const Drain &) { return QStringLiteral("drain"); },
            [](const PreviewBan &) { return QStringLiteral("preview_ban"); },
            [](const ListBans &) { return QStringLiteral("list_bans"); },
            [](const Unban &) { return QStringLiteral("unban"); },
            [](const ListAudit &) { return QStringLiteral("list_audit"); },
        },
        message);
}

QString typeName(const ServerMessage &message) {
    return std::visit(Overloaded{
                          [](const Hello &) { return QStringLiteral("hello"); },
                          [](const LoggedIn &) { return QStringLiteral("logged_in"); },
                          [](const Ok &) { return QStringLiteral("ok"); },
                          [](const Error &) { return QStringLiteral("error"); },
                          [](const Snapshot &) { return QStringLiteral("snapshot"); },
                          [](const Delta &) { return QStringLiteral("delta"); },
                          [](const Reports &) { return QStringLiteral("reports"); },
                          [](const Account &) { return QStringLiteral("account"); },
                          [](const BanPreview &) { return QStringLiteral("ban_preview"); },
                          [](const Bans &) { return QStringLiteral("bans"); },
                          [](const Audit &) { return QStringLiteral("audit"); },
                      },
                      message);
}

QByteArray Codec::encode(const ConsoleMessage &message) {
    const QString req = QStringLiteral("req");
    QJsonObject o = std::visit(
        Overloaded{
            [&](const Login &m) {
                QJsonObject j{{req, double(m.req)},
                              {QStringLiteral("username"), m.username},
                              {QStringLiteral("password"), m.password}};
                if (!m.totp.isEmpty())
                    j.insert(QStringLiteral("totp"), m.totp);
                return j;
            },
            [&](const Subscribe &m) {
                return QJsonObject{{req, double(m.req)}};
            },
            [&](const Kick &m) {
                return QJsonObject{{req, double(m.req)}, {QStringLiteral("client"), m.client}};
            },
            [&](const KickPair &m) {
                return QJsonObject{{req, double(m.req)}, {QStringLiteral("pair"), m.pair}};
            },
            [&](const Ban &m) {
                QJsonObject j{{req, double(m.req)},
                              {QStringLiteral("duration_s"), double(m.durationS)},
                              {QStringLiteral("reason"), m.reason}};
                if (!m.account.isEmpty())
                    j.insert(QStringLiteral("account"), m.account);
                if (!m.client.isEmpty())
                    j.insert(QStringLiteral("client"), m.client);
                if (m.scope)
                    j.insert(QStringLiteral("scope"), toString(*m.scope));
                return j;
            },
            [&](const ListReports &m) {
                return QJsonObject{{req, double(m.req)},
                                   {QStringLiteral("include_resolved"), m.includeResolved}};
            },
            [&](const ResolveReport &m) {
                return QJsonObject{{req, double(m.req)},
                                   {QStringLiteral("report"), m.report},
                                   {QStringLiteral("resolution"), m.resolution}};
            },
            [&](const LookupAccount &m) {
                return QJsonObject{{req, double(m.req)}, {QStringLiteral("username"), m.username}};
            },
            [&](const SetRole &m) {
                return QJsonObject{{req, double(m.req)},
                                   {QStringLiteral("username"), m.username},
                                   {QStringLiteral("role"), m.role}};
            },
            [&](const Broadcast &m) {
                return QJsonObject{{req, double(m.req)}, {QStringLiteral("text"), m.text}};
            },
            [&](const SetTickInterval &m) {
                return QJsonObject{{req, double(m.req)}, {QStringLiteral("ms"), m.ms}};
            },
            [&](const Drain &m) {
                return QJsonObject{{req, double(m.req)}};
            },
            [&](const PreviewBan &m) {
                return QJsonObject{{req, double(m.req)}, {QStringLiteral("client"), m.client}};
            },
            [&](const ListBans &m) {
                return QJsonObject{{req, double(m.req)}};
            },
            [&](const Unban &m) {
                return QJsonObject{{req, double(m.req)}, {QStringLiteral("ban"), m.ban}};
            },
            [&](const ListAudit &m) {
                QJsonObject o{{req, double(m.req)}, {QStringLiteral("limit"), m.limit}};
                if (!m.actor.isEmpty())
                    o.insert(QStringLiteral("actor"), m.actor);
                if (!m.command.isEmpty())
                    o.insert(QStringLiteral("command"), m.command);
                if (m.sinceMs)
                    o.insert(QStringLiteral("since_ms"), double(m.sinceMs));
                if (m.untilMs)
                    o.insert(QStringLiteral("until_ms"), double(m.untilMs));
                return o;
            },
        },
        message);
    return serialize(std::move(o), typeName(message));
}

QByteArray Codec::encode(const ServerMessage &message) {
    const QString req = QStringLiteral("req");
    QJsonObject o = std::visit(
        Overloaded{
            [&](const Hello &m) {
                return QJsonObject{{QStringLiteral("protocol"), m.protocol},
                                   {QStringLiteral("server"), m.server},
                                   {QStringLiteral("version"), m.version}};
            },
            [&](const LoggedIn &m) {
                return QJsonObject{
                    {req, double(m.req)},
                    {QStringLiteral("username"), m.username},
                    {QStringLiteral("role"), m.role},
                    {QStringLiteral("permissions"), QJsonArray::fromStringList(m.permissions)}};
            },
            [&](const Ok &m) {
                return QJsonObject{{req, double(m.req)}};
            },
            [&](const Error &m) {
                return QJsonObject{{req, double(m.req)},
                                   {QStringLiteral("code"), protocol::toString(m.code)},
                                   {QStringLiteral("message"), m.message}};
            },
            [&](const Snapshot &m) {
                return QJsonObject{{QStringLiteral("page"), m.page},
                                   {QStringLiteral("last"), m.last},
                                   {QStringLiteral("total_waiting"), m.totalWaiting},
                                   {QStringLiteral("total_pairs"), m.totalPairs},
                                   {QStringLiteral("waiting"), toArray(m.waiting)},
                                   {QStringLiteral("pairs"), toArray(m.pairs)}};
            },
            [&](const Delta &m) {
                QJsonObject j{
                    {QStringLiteral("seq"), double(m.seq)},
                    {QStringLiteral("waiting_added"), toArray(m.waitingAdded)},
                    {QStringLiteral("waiting_removed"),
                     QJsonArray::fromStringList(m.waitingRemoved)},
                    {QStringLiteral("pairs_added"), toArray(m.pairsAdded)},
                    {QStringLiteral("pairs_removed"), QJsonArray::fromStringList(m.pairsRemoved)},
                    {QStringLiteral("pair_messages"), toArray(m.pairMessages)},
                    {QStringLiteral("events"), toArray(m.events)}};
                if (m.stats)
                    j.insert(QStringLiteral("stats"), toJson(*m.stats));
                return j;
            },
            [&](const Reports &m) {
                return QJsonObject{{req, double(m.req)},
                                   {QStringLiteral("reports"), toArray(m.reports)}};
            },
            [&](const Account &m) {
                return QJsonObject{{req, double(m.req)},
                                   {QStringLiteral("account"), toJson(m.account)}};
            },
            [&](const BanPreview &m) {
                return QJsonObject{{req, double(m.req)},
                                   {QStringLiteral("client"), m.client},
                                   {QStringLiteral("account"), m.account},
                                   {QStringLiteral("account_connections"), m.accountConnections},
                                   {QStringLiteral("address_connections"), m.addressConnections}};
            },
            [&](const Bans &m) {
                return QJsonObject{{req, double(m.req)}, {QStringLiteral("bans"), toArray(m.bans)}};
            },
            [&](const Audit &m) {
                return QJsonObject{{req, double(m.req)}, {QStringLiteral("rows"), toArray(m.rows)}};
            },
        },
        message);
    return serialize(std::move(o), typeName(message));
}

Decoded<ConsoleMessage> Codec::decodeConsole(QByteArrayView utf8Json) {
    auto parsed = json::parseObjectFrame(utf8Json);
    if (auto *err = std::get_if<DecodeError>(&parsed))
        return *err;
    const auto &[object, type] = std::get<0>(parsed);
    FieldReader r(object, type);
    ConsoleMessage out;
    if (type == QLatin1String("login")) {
        Login m;
        m.req = readReq(r);
        m.username = r.string("username", kMaxUsernameChars, false);
        m.password = r.string("password", kMaxPasswordChars);
        m.totp = r.optionalString("totp", 16);
        out = m;
    } else if (type == QLatin1String("subscribe")) {
        out = Subscribe{readReq(r)};
    } else if (type == QLatin1String("kick")) {
        Kick m;
        m.req = readReq(r);
        m.client = readId(r, "client");
        out = m;
    } else if (type == QLatin1String("kick_pair")) {
        KickPair m;
        m.req = readReq(r);
        m.pair = readId(r, "pair");
        out = m;
    } else if (type == QLatin1String("ban")) {
        Ban m;
        m.req = readReq(r);
        m.account = r.optionalString("account", kMaxUsernameChars);
        m.client = r.optionalString("client", kMaxIdChars);
        m.durationS = r.integer("duration_s", 0, double(kMaxBanSeconds));
        m.reason = r.string("reason", kMaxReasonChars);
        if (r.ok() && m.account.isEmpty() == m.client.isEmpty())
            r.fail(QStringLiteral("give exactly one of 'account' and 'client'"));
        if (r.ok() && r.has("scope")) {
            const QString scope = r.string("scope", 16);
            m.scope = banScopeFromString(scope);
            if (r.ok() && !m.scope)
                r.fail(QStringLiteral("field 'scope' must be account, connection or address"));
            else if (r.ok() && !m.account.isEmpty() && m.scope != BanScope::Account)
                r.fail(QStringLiteral("a ban by account name has scope 'account'"));
        }
        out = m;
    } else if (type == QLatin1String("list_reports")) {
        ListReports m;
        m.req = readReq(r);
        if (r.has("include_resolved"))
            m.includeResolved = r.boolean("include_resolved");
        out = m;
    } else if (type == QLatin1String("resolve_report")) {
        ResolveReport m;
        m.req = readReq(r);
        m.report = readId(r, "report");
        m.resolution = r.string("resolution", kMaxReasonChars);
        out = m;
    } else if (type == QLatin1String("lookup_account")) {
        LookupAccount m;
        m.req = readReq(r);
        m.username = r.string("username", kMaxUsernameChars, false);
        out = m;
    } else if (type == QLatin1String("set_role")) {
        SetRole m;
        m.req = readReq(r);
        m.username = r.string("username", kMaxUsernameChars, false);
        m.role = r.string("role", 16);
        if (r.ok() && !isRole(m.role))
            r.fail(QStringLiteral("field 'role' must be user, moderator or admin"));
        out = m;
    } else if (type == QLatin1String("broadcast")) {
        Broadcast m;
        m.req = readReq(r);
        m.text = r.string("text", kMaxNoticeChars, false);
        out = m;
    } else if (type == QLatin1String("set_tick_interval")) {
        SetTickInterval m;
        m.req = readReq(r);
        m.ms = int(r.integer("ms", 1, 60000));
        out = m;
    } else if (type == QLatin1String("drain")) {
        out = Drain{readReq(r)};
    } else if (type == QLatin1String("preview_ban")) {
        PreviewBan m;
        m.req = readReq(r);
        m.client = readId(r, "client");
        out = m;
    } else if (type == QLatin1String("list_bans")) {
        out = ListBans{readReq(r)};
    } else if (type == QLatin1String("unban")) {
        Unban m;
        m.req = readReq(r);
        m.ban = readId(r, "ban");
        out = m;
    } else if (type == QLatin1String("list_audit")) {
        ListAudit m;
        m.req = readReq(r);
        m.actor = r.optionalString("actor", kMaxUsernameChars);
        m.command = r.optionalString("command", kMaxIdChars);
        m.sinceMs = r.optionalInteger("since_ms").value_or(0);
        m.untilMs = r.optionalInteger("until_ms").value_or(0);
        m.limit = int(r.has("limit") ? r.integer("limit", 1, kMaxAuditRows) : 200);
        if (m.sinceMs < 0 || m.untilMs < 0)
            return DecodeError{ErrorCode::BadRequest,
                               QStringLiteral("since_ms and until_ms must not be negative"), type};
        out = m;
    } else {
        return DecodeError{ErrorCode::BadRequest,
                           QStringLiteral("unknown message type '%1'").arg(type), type};
    }
    if (!r.ok())
        return r.error();
    return out;
}

Decoded<ServerMessage> Codec::decodeServer(QByteArrayView utf8Json) {
    auto parsed = json::parseObjectFrame(utf8Json);
    if (auto *err = std::get_if<DecodeError>(&parsed))
        return *err;
    const auto &[object, type] = std::get<0>(parsed);
    FieldReader r(object, type);
    ServerMessage out;
    if (type == QLatin1String("hello")) {
        Hello m;
        m.protocol = int(r.integer("protocol", 1, 1000));
        m.server = r.string("server", 256);
        m.version = r.string("version", 64);
        out = m;
    } else if (type == QLatin1String("logged_in")) {
        LoggedIn m;
        m.req = readReq(r);
        m.username = r.string("username", kMaxUsernameChars, false);
        m.role = r.string("role", 16);
        m.permissions = r.strings("permissions", 64);
        out = m;
    } else if (type == QLatin1String("ok")) {
        out = Ok{readReq(r)};
    } else if (type == QLatin1String("error")) {
        Error m;
        m.req = readReq(r);
        const QString code = r.string("code", 32);
        if (const auto c = protocol::errorCodeFromString(code))
            m.code = *c;
        else if (r.ok())
            r.fail(QStringLiteral("unknown error code '%1'").arg(code));
        m.message = r.string("message", 4096);
        out = m;
    } else if (type == QLatin1String("snapshot")) {
        Snapshot m;
        m.page = int(r.integer("page", 0, INT_MAX));
        m.last = r.boolean("last");
        m.totalWaiting = int(r.integer("total_waiting", 0, INT_MAX));
        m.totalPairs = int(r.integer("total_pairs", 0, INT_MAX));
        m.waiting = r.list<WaitingClient>("waiting", waitingFrom);
        m.pairs = r.list<PairInfo>("pairs", pairFrom);
        out = m;
    } else if (type == QLatin1String("delta")) {
        Delta m;
        m.seq = r.integer("seq", 0);
        m.waitingAdded = r.list<WaitingClient>("waiting_added", waitingFrom);
        m.waitingRemoved = r.strings("waiting_removed", kMaxIdChars);
        m.pairsAdded = r.list<PairInfo>("pairs_added", pairFrom);
        m.pairsRemoved = r.strings("pairs_removed", kMaxIdChars);
        m.pairMessages = r.list<PairMessages>("pair_messages", pairMessagesFrom);
        m.events = r.list<Event>("events", eventFrom);
        if (r.has("stats")) {
            FieldReader s(r.object("stats"), type);
            m.stats = statsFrom(s);
            if (!s.ok())
                r.fail(QStringLiteral("stats: ") + s.error().message);
        }
        out = m;
    } else if (type == QLatin1String("reports")) {
        Reports m;
        m.req = readReq(r);
        m.reports = r.list<Report>("reports", reportFrom);
        out = m;
    } else if (type == QLatin1String("account")) {
        Account m;
        m.req = readReq(r);
        FieldReader a(r.object("account"), type);
        m.account = accountFrom(a);
        if (r.ok() && !a.ok())
            r.fail(QStringLiteral("account: ") + a.error().message);
        out = m;
    } else if (type == QLatin1String("ban_preview")) {
        BanPreview m;
        m.req = readReq(r);
        m.client = readId(r, "client");
        m.account = r.string("account", kMaxUsernameChars);
        m.accountConnections = int(r.integer("account_connections", 0, INT_MAX));
        m.addressConnections = int(r.integer("address_connections", 0, INT_MAX));
        out = m;
    } else if (type == QLatin1String("bans")) {
        Bans m;
        m.req = readReq(r);
        m.bans = r.list<BanInfo>("bans", banFrom);
        out = m;
    } else if (type == QLatin1String("audit")) {
        Audit m;
        m.req = readReq(r);
        m.rows = r.list<AuditRow>("rows", auditFrom);
        out = m;
    } else {
        return DecodeError{ErrorCode::BadRequest,
                           QStringLiteral("unknown message type '%1'").arg(type), type};
    }
    if (!r.ok())
        return r.error();
    return out;
}

} // namespace whisper::control
