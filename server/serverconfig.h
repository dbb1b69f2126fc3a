// SPDX-License-Identifier: MIT
#pragma once

#include "matchtypes.h"

#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

#include <optional>

class QCommandLineParser;

namespace whisper {

// Password hashing leaves one core to the event loop, so chat latency does
// not depend on how many people log in at once: cores - 1, at least 1.
int defaultHashThreads();

// Every setting of the server in one value type. Defaults are the embedded
// defaults `make run` uses; docs/OPERATIONS.md lists each key.
struct ServerConfig {
    QString listenAddress = QStringLiteral("::"); // both IPv6 and IPv4
    int port = 8080;
    int tickMs = 250;
    QString dataDir; // empty: the platform's app data location
    // The directory actually used: dataDir, or the platform's default.
    QString dataDirectory() const;
    QString serverName = QStringLiteral("whisperchat");

    // limits
    int maxMessageBytes = 16 * 1024;
    int maxTextChars = 2000;
    int maxConnections = 10000;
    int listenBacklog = 4096; // accept queue; the kernel caps it at net.core.somaxconn
    // "native": the server's own RFC 6455 code on raw sockets (fast, small);
    // "qt": QWebSocket, kept for comparison and as a fallback.
    QString transport = QStringLiteral("native");
    // Threads doing the native transport's socket work (handshake, framing,
    // reads and writes); 0: all of it on the main event loop, which also runs
    // the sessions. TLS and transport=qt stay on the main loop whatever this
    // says.
    int ioThreads = 0;
    int handshakeTimeoutMs = 10000;
    int pingIntervalMs = 30000;
    int idleTimeoutMs = 75000;
    int recentPartnerExclusionSec = 300;
    // Positions are snapped to a fixed grid of cells this size before
    // matching, so no sequence of joins locates anyone more precisely.
    int privacyRadiusM = 1000;
    int shutdownGraceMs = 1500;
    // Resume: how long a dropped client's session waits for it to come back,
    // how many messages its partner may queue for it meanwhile, and how many
    // recent message ids per pair are remembered to drop resent duplicates.
    int resumeGraceSec = 20;
    int resumeQueueMax = 100;
    int resumeDedupWindow = 256;
    // Every frame held for an away client (messages, notices, `delivered`,
    // `partner_left`): an ack or pair event that finds this many ends the
    // away session rather than growing the queue.
    int resumeQueueFramesMax = 1000;
    // Drain (SIGTERM, console `drain`): time clients get after the notice
    // before the rest are closed with 1001, and the hard deadline to exit.
    int drainGraceSec = 10;
    int drainDeadlineSec = 30;

    MatchPolicy matchPolicy = MatchPolicy::NearestEligible;

    // control endpoint (admin console)
    QString controlListenAddress = QStringLiteral("127.0.0.1");
    int controlPort = 8081;
    int controlBatchMs = 250;
    int controlMaxBatchItems = 2000;
    int controlMaxConnections = 16;
    int controlMaxMessageBytes = 64 * 1024;
    int controlLoginAttempts = 5;
    int controlModeratorMaxBanDays = 30; // admins: up to a year, or permanent
    QStringList controlAllowedOrigins;   // empty: no browser origin is accepted

    // accounts and security (docs/OPERATIONS.md "Accounts and security")
    QString dbUrl;                // empty: SQLite file whisperchat.db in the data directory
    int argon2OpsLimit = 2;       // OWASP: Argon2id t=2,
    int argon2MemKiB = 19 * 1024; // m=19 MiB, p=1
    int hashThreads = defaultHashThreads();
    int maxPendingHashes = 64;
    int sessionLifetimeSec = 30 * 24 * 3600;
    int sessionIdleSec = 7 * 24 * 3600;
    int requireStaff2fa = 0;
    int requireLogin = 0;
    QString tlsCert; // PEM; with tlsKey: serve wss://
    QString tlsKey;
    QString allowedOrigins;    // comma-separated Origin values; empty: any
    int rateConnectBurst = 20; // leaky buckets: burst, then one per leak interval
    int rateConnectLeakMs = 1000;
    int rateMessageBurst = 20;
    int rateMessageLeakMs = 250;
    int rateJoinBurst = 5;
    int rateJoinLeakMs = 3000;
    // Joins per IP address (IPv6: per /64) and per account, whatever the
    // number of connections: a shared address (NAT) carries many people.
    int rateJoinIpBurst = 40;
    int rateJoinIpLeakMs = 1500;
    int rateJoinAccountBurst = 10;
    int rateJoinAccountLeakMs = 2000;
    int rateLoginUserBurst = 5;
    int rateLoginUserLeakMs = 60000;
    int loginLockoutSec = 900;
    int rateLoginIpBurst = 20;
    int rateLoginIpLeakMs = 3000;
    int rateRegisterBurst = 3;
    int rateRegisterLeakMs = 20 * 60000;
    int rateAbuseStrikes = 20;
    // login per user name over all addresses (no lockout; see AccountSettings)
    int rateLoginAccountBurst = 100;
    int rateLoginAccountLeakMs = 36000;
    // second-factor guesses per account / per address, then a lockout
    int rateTotpBurst = 5;
    int rateTotpLeakMs = 60000;
    int rateTotpIpBurst = 10;
    int rateTotpIpLeakMs = 60000;
    int totpLockoutSec = 900;
    // per connection: account requests, report/block, undecodable frames
    int rateAccountRequestsBurst = 10;
    int rateAccountRequestsLeakMs = 1000;
    int rateReportBurst = 5;
    int rateReportLeakMs = 10000;
    int rateMalformedBurst = 10;
    int rateMalformedLeakMs = 1000;
    // Addresses exempt from the chat rate limits (not from login limits):
    // the host's own load generators and health checks.
    QString rateExempt; // none: least privilege, and a local reverse proxy would exempt everyone
    int banRefreshSec = 60; // re-read bans made elsewhere (other nodes, database)

    // transport: per-connection memory and per-address caps
    // (docs/OPERATIONS.md "Per-connection memory", "Connections per address")
    int maxOutputBytes = 128 * 1024;   // output held for one slow reader
    int socketBufferBytes = 32 * 1024; // SO_SNDBUF/SO_RCVBUF; 0: kernel autotuning
    int ratePingBurst = 10;            // a client's pings; beyond: closed with 1008
    int ratePingLeakMs = 1000;
    int maxConnectionsPerIp = 100; // IPv4 per address, IPv6 per /64
    int maxHalfOpenPerIp = 16;     // connections still in the WebSocket handshake

    // operations endpoint (docs/OPERATIONS.md "Metrics and health")
    int httpEnabled = 1; // 0: no HTTP listener, no metrics
    QString httpListenAddress = QStringLiteral("127.0.0.1");
    int httpPort = 9090;
    QString logFormat = QStringLiteral("text"); // or json
    // Plain HTTP GET on the chat port serves the browser client (native
    // transport only; docs/OPERATIONS.md "Browser client").
    bool webClient = true;
    // cluster (docs/OPERATIONS.md "Scaling out"); empty redisUrl: one node
    QString redisUrl;         // redis://HOST:PORT
    QString nodeId;           // this node's name in the cluster; default: the host name
    int nodeTtlMs = 6000;     // heartbeat key lifetime: a dead node is noticed within it
    int leaderLeaseMs = 3000; // matchmaking leader's lease, renewed every third of it
    // Reverse proxies (addresses/subnets) whose X-Forwarded-For names the client.
    QString trustedProxies;
    bool clustered() const { return !redisUrl.isEmpty(); }
};

// The outcome of reading the configuration: a config to run with, or text to
// print and an exit code (help, version, or an invalid value).
struct ConfigLoadResult {
    std::optional<ServerConfig> config;
    QString output; // for stdout (help, version)
    QString error;  // for stderr
    int exitCode = 0;
};

// Reads, in increasing precedence: embedded defaults, the INI file
// (--config / WHISPERCHAT_CONFIG), WHISPERCHAT_* environment variables and the
// command line. Any invalid value stops start-up with a message naming its
// source.
class ConfigLoader {
public:
    static ConfigLoadResult load(const QStringList &arguments, const QProcessEnvironment &env);
    // The settings' options (and --config), every one taking a value: the
    // `user` and `ban` subcommands accept them as the server does.
    static void addSettingOptions(QCommandLineParser &parser);
    static QStringList settingOptionNames();
    // Index in `arguments` (program first) of the first word that is neither
    // an option nor an option's value, or -1. A subcommand word (`user`,
    // `ban`) may stand before or after the global options, so it is found
    // here rather than at a fixed place.
    static int firstPositional(const QStringList &arguments);
    // One line per setting, for the start-up log; holds no secrets.
    static QString summary(const ServerConfig &config);
};

} // namespace whisper
