// SPDX-License-Identifier: MIT
#pragma once

// WhisperChat control protocol, version 1: what the admin console and the
// server's control endpoint say to each other. One C++ type per message and
// one strict codec, like the client protocol in protocol.h (whose error codes
// it shares). docs/CONTROL-PROTOCOL.md is the prose version of this file.

#include "protocol.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>
#include <variant>

namespace whisper::control {

inline constexpr int kVersion = 1;
inline constexpr int kMaxUsernameChars = 64;
inline constexpr int kMaxPasswordChars = 1024;
inline constexpr int kMaxReasonChars = 500;
inline constexpr int kMaxNoticeChars = 1000;
inline constexpr int kMaxIdChars = 64;
// Longest temporary ban: one year. Longer bans are permanent ones.
inline constexpr qint64 kMaxBanSeconds = 365LL * 24 * 3600;

using protocol::ErrorCode;

// ---- console -> server -------------------------------------------------------
// Every command carries `req`, a number the console chooses; the answer
// (`ok`, `error`, `reports`, `account`) echoes it.

struct Login {
    qint64 req = 0;
    QString username;
    QString password;
    QString totp; // empty: none given
    friend bool operator==(const Login &, const Login &) = default;
};

struct Subscribe {
    qint64 req = 0;
    friend bool operator==(const Subscribe &, const Subscribe &) = default;
};

// Disconnects one client; its partner, if any, gets partner_left "kicked".
struct Kick {
    qint64 req = 0;
    QString client;
    friend bool operator==(const Kick &, const Kick &) = default;
};

// Ends one pair; both members get partner_left "kicked" and stay connected.
struct KickPair {
    qint64 req = 0;
    QString pair;
    friend bool operator==(const KickPair &, const KickPair &) = default;
};

// What a ban of a connected client covers.
enum class BanScope {
    Account,    // the account the client is logged in as (all its connections)
    Connection, // this connection only: it is closed, nothing is stored
    Address,    // the client's IP address (every connection from it)
};
QString toString(BanScope scope);
std::optional<BanScope> banScopeFromString(const QString &name);

// Bans an account (by name) or a connected client. durationS 0 means
// permanent (admin only). For a client without `scope` the narrowest choice
// applies: its account when logged in, else this connection.
struct Ban {
    qint64 req = 0;
    QString account; // exactly one of account / client is set
    QString client;
    qint64 durationS = 0;
    QString reason;
    std::optional<BanScope> scope; // only with client (account: always Account)
    friend bool operator==(const Ban &, const Ban &) = default;
};

// Asks what each ban scope of a connected client would cover; answered by
// `ban_preview`.
struct PreviewBan {
    qint64 req = 0;
    QString client;
    friend bool operator==(const PreviewBan &, const PreviewBan &) = default;
};

// The bans in force; answered by `bans`.
struct ListBans {
    qint64 req = 0;
    friend bool operator==(const ListBans &, const ListBans &) = default;
};

// Lifts a ban by its id (from `bans`).
struct Unban {
    qint64 req = 0;
    QString ban;
    friend bool operator==(const Unban &, const Unban &) = default;
};

struct ListReports {
    qint64 req = 0;
    bool includeResolved = false;
    friend bool operator==(const ListReports &, const ListReports &) = default;
};

struct ResolveReport {
    qint64 req = 0;
    QString report;
    QString resolution;
    friend bool operator==(const ResolveReport &, const ResolveReport &) = default;
};

struct LookupAccount {
    qint64 req = 0;
    QString username;
    friend bool operator==(const LookupAccount &, const LookupAccount &) = default;
};

struct SetRole {
    qint64 req = 0;
    QString username;
    QString role; // "user" | "moderator" | "admin"
    friend bool operator==(const SetRole &, const SetRole &) = default;
};

struct Broadcast {
    qint64 req = 0;
    QString text;
    friend bool operator==(const Broadcast &, const Broadcast &) = default;
};

struct SetTickInterval {
    qint64 req = 0;
    int ms = 0;
    friend bool operator==(const SetTickInterval &, const SetTickInterval &) = default;
};

struct Drain {
    qint64 req = 0;
    friend bool operator==(const Drain &, const Drain &) = default;
};

// The audit log, newest first, filtered; answered by `audit`. Admins only.
inline constexpr int kMaxAuditRows = 1000;
struct ListAudit {
    qint64 req = 0;
    QString actor;      // exact username; empty: anyone
    QString command;    // exact command name (`kick`, `login`, ...); empty: any
    qint64 sinceMs = 0; // 0: from the beginning
    qint64 untilMs = 0; // 0: up to now
    int limit = 200;    // 1..kMaxAuditRows
    friend bool operator==(const ListAudit &, const ListAudit &) = default;
};

using ConsoleMessage = std::variant<Login, Subscribe, Kick, KickPair, Ban, ListReports,
                                    ResolveReport, LookupAccount, SetRole, Broadcast,
                                    SetTickInterval, Drain, PreviewBan, ListBans, Unban, ListAudit>;

qint64 requestId(const ConsoleMessage &message);

// ---- server -> console -------------------------------------------------------

// A waiting client as the console sees it: never the exact position.
struct WaitingClient {
    QString id;
    double lat = 0.0; // coarsened to a 0.1 degree grid on the server
    double lon = 0.0;
    double rangeKm = 0.0;
    qint64 sinceMs = 0;
    bool account = false; // false: guest
    friend bool operator==(const WaitingClient &, const WaitingClient &) = default;
};

struct PairInfo {
    QString id;
    QString a;
    QString b;
    int distanceKm = 0; // bucket boundary, as the members see it
    qint64 sinceMs = 0;
    qint64 messages = 0; // a count only, never the text
    // Where the members waited, coarsened like WaitingClient, so the map can
    // draw the pair as a line.
    double latA = 0.0;
    double lonA = 0.0;
    double latB = 0.0;
    double lonB = 0.0;
    friend bool operator==(const PairInfo &, const PairInfo &) = default;
};

struct PairMessages {
    QString id;
    qint64 messages = 0;
    friend bool operator==(const PairMessages &, const PairMessages &) = default;
};

enum class EventKind { Matched, Left, Kicked, Banned, Reported };
QString toString(EventKind kind);
std::optional<EventKind> eventKindFromString(const QString &name);

struct Event {
    EventKind kind = EventKind::Matched;
    qint64 ts = 0;
    QString subject; // a client or pair id, or an account name
    QString detail;  // short, never chat text
    friend bool operator==(const Event &, const Event &) = default;
};

// One node of a cluster as the console sees it (from its heartbeat in
// Redis, written about every two seconds).
struct NodeStats {
    QString node;
    int connections = 0;
    int waiting = 0;
    int pairs = 0;
    double messagesPerSecond = 0.0;
    std::optional<double> redisLatencyMs; // nullopt: not measured yet
    bool leader = false;                  // holds the matchmaking lease
    bool self = false;                    // the node this console is connected to
    friend bool operator==(const NodeStats &, const NodeStats &) = default;
};

struct Stats {
    int connections = 0;
    int waiting = 0;
    int pairs = 0;
    double matchesPerMinute = 0.0;
    double messagesPerSecond = 0.0;
    qint64 lastTickMs = 0;
    int tickIntervalMs = 0;
    std::optional<double> relayP50Ms; // only when measured
    std::optional<double> relayP99Ms;
    qint64 uptimeS = 0;
    QString version;
    bool draining = false;
    // The cluster's nodes; empty on a single node (then not sent).
    QList<NodeStats> nodes;
    friend bool operator==(const Stats &, const Stats &) = default;
};

struct Report {
    QString id;
    QString reporter;
    QString reported;
    QString reason;
    qint64 createdMs = 0;
    bool resolved = false;
    QString resolution;
    friend bool operator==(const Report &, const Report &) = default;
};

struct AccountInfo {
    QString username;
    QString role;
    qint64 createdMs = 0;
    bool totpEnabled = false;
    // 0: not banned; -1: banned for good; otherwise banned until this time.
    qint64 bannedUntilMs = 0;
    friend bool operator==(const AccountInfo &, const AccountInfo &) = default;
};

// One ban in force. The address of an address ban is never sent: the console
// sees only that it is one.
struct BanInfo {
    QString id;
    QString account; // empty: an address ban
    QString reason;
    qint64 createdMs = 0;
    qint64 expiresMs = 0; // 0: permanent
    QString by;           // the staff account that banned, if known
    friend bool operator==(const BanInfo &, const BanInfo &) = default;
};

// One row of the audit log as the console sees it.
struct AuditRow {
    qint64 atMs = 0;
    QString actor;
    QString command;
    QString target;
    QString detail;
    QString result; // ok | failed | refused
    QString source;
    friend bool operator==(const AuditRow &, const AuditRow &) = default;
};

struct Hello {
    int protocol = kVersion;
    QString server;
    QString version;
    friend bool operator==(const Hello &, const Hello &) = default;
};

struct LoggedIn {
    qint64 req = 0;
    QString username;
    QString role;
    QStringList permissions; // wire names from the permission table
    friend bool operator==(const LoggedIn &, const LoggedIn &) = default;
};

struct Ok {
    qint64 req = 0;
    friend bool operator==(const Ok &, const Ok &) = default;
};

struct Error {
    qint64 req = 0; // 0: not the answer to a command
    ErrorCode code = ErrorCode::BadRequest;
    QString message;
    friend bool operator==(const Error &, const Error &) = default;
};

struct Snapshot {
    int page = 0;
    bool last = true;
    int totalWaiting = 0;
    int totalPairs = 0;
    QList<WaitingClient> waiting;
    QList<PairInfo> pairs;
    friend bool operator==(const Snapshot &, const Snapshot &) = default;
};

// Changes since the previous delta (or the snapshot). Apply removals first,
// then additions: a client that left and came back appears in both.
struct Delta {
    qint64 seq = 0;
    QList<WaitingClient> waitingAdded;
    QStringList waitingRemoved;
    QList<PairInfo> pairsAdded;
    QStringList pairsRemoved;
    QList<PairMessages> pairMessages;
    QList<Event> events;
    std::optional<Stats> stats;
    friend bool operator==(const Delta &, const Delta &) = default;
};

struct Reports {
    qint64 req = 0;
    QList<Report> reports;
    friend bool operator==(const Reports &, const Reports &) = default;
};

struct Account {
    qint64 req = 0;
    AccountInfo account;
    friend bool operator==(const Account &, const Account &) = default;
};

// The answer to `preview_ban`: what each scope would cover, counted in
// current connections. The address itself is not sent.
struct BanPreview {
    qint64 req = 0;
    QString client;
    QString account; // empty: a guest (no account scope)
    int accountConnections = 0;
    int addressConnections = 0;
    friend bool operator==(const BanPreview &, const BanPreview &) = default;
};

struct Bans {
    qint64 req = 0;
    QList<BanInfo> bans;
    friend bool operator==(const Bans &, const Bans &) = default;
};

struct Audit {
    qint64 req = 0;
    QList<AuditRow> rows;
    friend bool operator==(const Audit &, const Audit &) = default;
};

using ServerMessage = std::variant<Hello, LoggedIn, Ok, Error, Snapshot, Delta, Reports, Account,
                                   BanPreview, Bans, Audit>;

QString typeName(const ConsoleMessage &message);
QString typeName(const ServerMessage &message);

// ---- codec -------------------------------------------------------------------

using DecodeError = protocol::DecodeError;
template <typename T>
using Decoded = std::variant<T, DecodeError>;

// Strict: presence, type and range of every field are checked; unknown extra
// fields are ignored.
class Codec {
public:
    static Decoded<ConsoleMessage> decodeConsole(QByteArrayView utf8Json);
    static Decoded<ServerMessage> decodeServer(QByteArrayView utf8Json);
    static QByteArray encode(const ConsoleMessage &message);
    static QByteArray encode(const ServerMessage &message);
};

// Snaps a coordinate to the 0.1 degree grid the console is allowed to see.
double coarsen(double degrees);
// The console's clock granularity for since_ms and event times: 10 s, so a
// console user who is also chatting cannot pick out their own pair by the
// millisecond it was made.
inline constexpr qint64 kTimeGranularityMs = 10000;
qint64 coarsenTime(qint64 ms);

} // namespace whisper::control
