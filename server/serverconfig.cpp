// SPDX-License-Identifier: MIT
#include "serverconfig.h"

#include "redisclient.h"
#include "storage.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFileInfo>
#include <QHostAddress>
#include <QRegularExpression>
#include <QSettings>
#include <QStandardPaths>
#include <QSysInfo>
#include <QThread>
#include <QUrl>

#include <algorithm>
#include <functional>
#include <vector>

namespace whisper {

namespace {

constexpr int kMinPrivacyRadiusM = 500;
constexpr int kMaxPrivacyRadiusM = 100000;

// One setting: its name on the command line (--name), in the INI file
// ([server] name with '-' as '_') and in the environment (WHISPERCHAT_NAME).
struct Setting {
    QString name;
    QString valueName;
    QString help;
    std::function<QString(ServerConfig &, const QString &)> apply; // error or empty
    std::function<QString(const ServerConfig &)> show;
    // The default as the manual page states it, where show() of a default
    // config would print this machine's value instead (a path, a core count).
    QString defaultText;
};

Setting intSetting(const char *name, const char *help, int ServerConfig::*member, int min,
                   int max) {
    Setting s;
    s.name = QLatin1String(name);
    s.valueName = QStringLiteral("N");
    s.help = QStringLiteral("%1 [%2..%3]").arg(QLatin1String(help)).arg(min).arg(max);
    s.apply = [member, min, max](ServerConfig &c, const QString &value) -> QString {
        bool ok = false;
        const qlonglong v = value.trimmed().toLongLong(&ok);
        if (!ok || v < min || v > max)
            return QStringLiteral("must be an integer from %1 to %2, got '%3'")
                .arg(min)
                .arg(max)
                .arg(value);
        c.*member = static_cast<int>(v);
        return {};
    };
    s.show = [member](const ServerConfig &c) { return QString::number(c.*member); };
    return s;
}

Setting stringSetting(const char *name, const char *valueName, const char *help,
                      QString ServerConfig::*member,
                      std::function<QString(const QString &)> validate = {}) {
    Setting s;
    s.name = QLatin1String(name);
    s.valueName = QLatin1String(valueName);
    s.help = QLatin1String(help);
    s.apply = [member, validate](ServerConfig &c, const QString &value) -> QString {
        if (validate) {
            const QString error = validate(value);
            if (!error.isEmpty())
                return error;
        }
        c.*member = value;
        return {};
    };
    s.show = [member](const ServerConfig &c) { return c.*member; };
    return s;
}

const std::vector<Setting> &settings() {
    static const std::vector<Setting> all = [] {
        std::vector<Setting> v;
        v.push_back(
            stringSetting("listen", "ADDR", "Address of the chat endpoint",
                          &ServerConfig::listenAddress, [](const QString &value) {
                              return QHostAddress(value).isNull()
                                         ? QStringLiteral("'%1' is not an IP address").arg(value)
                                         : QString();
                          }));
        v.push_back(intSetting("port", "TCP port of the chat endpoint (0: any free port)",
                               &ServerConfig::port, 0, 65535));
        v.push_back(intSetting("tick-ms", "Matchmaker interval in milliseconds",
                               &ServerConfig::tickMs, 1, 60000));
        v.push_back(stringSetting("data-dir", "DIR", "Directory for the server's data",
                                  &ServerConfig::dataDir));
        // The start-up summary names the directory really used.
        v.back().show = [](const ServerConfig &c) { return c.dataDirectory(); };
        v.back().defaultText = QStringLiteral("the platform's app data directory");
        v.push_back(stringSetting("server-name", "NAME", "Name announced in 'welcome'",
                                  &ServerConfig::serverName, [](const QString &value) {
                                      return value.isEmpty() || value.size() > 64
                                                 ? QStringLiteral("must be 1 to 64 characters")
                                                 : QString();
                                  }));
        v.push_back(intSetting("max-message-bytes",
                               "Largest incoming frame/message; larger ones close with 1009",
                               &ServerConfig::maxMessageBytes, 256, 1 << 24));
        v.push_back(intSetting("max-text-chars", "Longest chat text in characters",
                               &ServerConfig::maxTextChars, 1, 100000));
        v.push_back(intSetting("max-connections", "Concurrent client connections",
                               &ServerConfig::maxConnections, 1, 10000000));
        v.push_back(intSetting("listen-backlog", "Accept queue of the chat endpoint",
                               &ServerConfig::listenBacklog, 1, 1 << 20));
        v.push_back(stringSetting("transport", "NAME", "WebSocket implementation: native or qt",
                                  &ServerConfig::transport, [](const QString &value) {
                                      return value == QLatin1String("native") ||
                                                     value == QLatin1String("qt")
                                                 ? QString()
                                                 : QStringLiteral("must be 'native' or 'qt', "
                                                                  "got '%1'")
                                                       .arg(value);
                                  }));
        v.push_back(intSetting("io-threads",
                               "Socket I/O threads for the native transport (0: main loop)",
                               &ServerConfig::ioThreads, 0, 64));
        v.push_back(intSetting("handshake-timeout-ms", "Time allowed for the WebSocket handshake",
                               &ServerConfig::handshakeTimeoutMs, 100, 600000));
        v.push_back(intSetting("ping-interval-ms", "WebSocket ping interval",
                               &ServerConfig::pingIntervalMs, 50, 3600000));
        v.push_back(intSetting("idle-timeout-ms", "Drop a connection silent for this long",
                               &ServerConfig::idleTimeoutMs, 100, 86400000));
        v.push_back(intSetting("recent-partner-exclusion-s",
                               "Seconds two former partners are not matched again",
                               &ServerConfig::recentPartnerExclusionSec, 0, 86400));
        v.push_back(intSetting("privacy-radius-m",
                               "Metres: positions snap to a fixed grid of cells this size "
                               "before matching",
                               &ServerConfig::privacyRadiusM, kMinPrivacyRadiusM,
                               kMaxPrivacyRadiusM));
        // Below the minimum, matching would locate people to a few hundred
        // metres: say why instead of only giving the range.
        v.back().apply = [apply = v.back().apply](ServerConfig &c, const QString &value) {
            bool ok = false;
            const qlonglong v = value.trimmed().toLongLong(&ok);
            if (ok && v < kMinPrivacyRadiusM)
                return QStringLiteral("must be at least %1 metres, got '%2': smaller cells "
                                      "would let strangers locate users by joining repeatedly")
                    .arg(kMinPrivacyRadiusM)
                    .arg(value);
            return apply(c, value);
        };
        v.push_back(intSetting("shutdown-grace-ms", "Time given to clients to close on shutdown",
                               &ServerConfig::shutdownGraceMs, 0, 60000));
        v.push_back(intSetting("resume-grace-s",
                               "Seconds a dropped client's session is kept for resume_session "
                               "(0: off)",
                               &ServerConfig::resumeGraceSec, 0, 3600));
        v.push_back(intSetting("resume-queue-max",
                               "Messages queued for a partner whose connection dropped",
                               &ServerConfig::resumeQueueMax, 1, 100000));
        v.push_back(intSetting("resume-queue-frames-max",
                               "Frames of every kind held for a dropped client; one more ends "
                               "its session",
                               &ServerConfig::resumeQueueFramesMax, 1, 1000000));
        v.push_back(intSetting("resume-dedup-window",
                               "Recent message ids per sender and pair kept to drop resent copies",
                               &ServerConfig::resumeDedupWindow, 1, 100000));
        v.push_back(intSetting("drain-grace-s",
                               "Seconds clients get after the drain notice before 1001",
                               &ServerConfig::drainGraceSec, 0, 3600));
        v.push_back(intSetting("drain-deadline-s",
                               "Seconds after a drain starts when the server exits regardless",
                               &ServerConfig::drainDeadlineSec, 1, 86400));
        v.push_back(stringSetting(
            "control-listen", "ADDR", "Address of the admin console's control endpoint",
            &ServerConfig::controlListenAddress, [](const QString &value) {
                return QHostAddress(value).isNull()
                           ? QStringLiteral("'%1' is not an IP address").arg(value)
                           : QString();
            }));
        v.push_back(intSetting("control-port",
                               "TCP port of the control endpoint (0: any free port)",
                               &ServerConfig::controlPort, 0, 65535));
        v.push_back(intSetting("control-batch-ms", "Interval of control stream deltas",
                               &ServerConfig::controlBatchMs, 50, 10000));
        v.push_back(intSetting("control-max-batch-items",
                               "Records per control snapshot page or delta frame",
                               &ServerConfig::controlMaxBatchItems, 10, 100000));
        v.push_back(intSetting("control-max-connections", "Concurrent admin console connections",
                               &ServerConfig::controlMaxConnections, 1, 1000));
        v.push_back(intSetting("control-max-message-bytes",
                               "Largest frame a console may send; larger ones close with 1009",
                               &ServerConfig::controlMaxMessageBytes, 1024, 1 << 20));
        v.push_back(intSetting("control-login-attempts",
                               "Failed console logins before the connection is closed",
                               &ServerConfig::controlLoginAttempts, 1, 100));
        v.push_back(intSetting("control-moderator-max-ban-days",
                               "Longest ban a moderator may give, in days",
                               &ServerConfig::controlModeratorMaxBanDays, 1, 365));
        {
            Setting origins;
            origins.name = QStringLiteral("control-allowed-origins");
            origins.valueName = QStringLiteral("LIST");
            origins.help = QStringLiteral(
                "Comma-separated Origin headers a console handshake may carry (empty: none; a "
                "handshake without Origin is always accepted)");
            origins.apply = [](ServerConfig &c, const QString &value) -> QString {
                QStringList list;
                for (const QString &part : value.split(u',', Qt::SkipEmptyParts)) {
                    const QString origin = part.trimmed();
                    const QUrl url(origin);
                    if (!url.isValid() || url.scheme().isEmpty() || url.host().isEmpty() ||
                        !url.path().isEmpty())
                        return QStringLiteral("'%1' is not an origin like https://host[:port]")
                            .arg(origin);
                    list << origin;
                }
                c.controlAllowedOrigins = list;
                return {};
            };
            origins.show = [](const ServerConfig &c) { return c.controlAllowedOrigins.join(u','); };
            v.push_back(origins);
        }
        // accounts and security
        v.push_back(stringSetting("db", "URL",
                                  "Database: postgresql://user@host:port/db (empty: SQLite in "
                                  "the data directory)",
                                  &ServerConfig::dbUrl, [](const QString &value) {
                                      return Storage::validateUrl(value);
                                  }));
        // The start-up log shows the URL without a password in it.
        v.back().show = [](const ServerConfig &c) {
            return QUrl(c.dbUrl).toDisplayString(QUrl::RemovePassword);
        };
        v.push_back(
            intSetting("argon2-ops", "Argon2id passes (t)", &ServerConfig::argon2OpsLimit, 1, 20));
        v.push_back(intSetting("argon2-mem-kib", "Argon2id memory in KiB (m)",
                               &ServerConfig::argon2MemKiB, 8, 4 * 1024 * 1024));
        v.push_back(intSetting("hash-threads", "Threads hashing passwords",
                               &ServerConfig::hashThreads, 1, 64));
        v.back().defaultText = QStringLiteral("CPU cores - 1, at least 1");
        v.push_back(intSetting("max-pending-hashes",
                               "Password hashes queued at once; beyond: 'unavailable'",
                               &ServerConfig::maxPendingHashes, 1, 100000));
        v.push_back(intSetting("session-lifetime-s", "Login session token lifetime in seconds",
                               &ServerConfig::sessionLifetimeSec, 60, 366 * 24 * 3600));
        v.push_back(intSetting("session-idle-s", "Login session expires unused for this long",
                               &ServerConfig::sessionIdleSec, 60, 366 * 24 * 3600));
        v.push_back(intSetting("require-staff-2fa",
                               "1: moderators and admins must use 2FA for staff operations",
                               &ServerConfig::requireStaff2fa, 0, 1));
        v.push_back(intSetting("require-login", "1: no guest chat; clients must log in to join",
                               &ServerConfig::requireLogin, 0, 1));
        v.push_back(stringSetting("tls-cert", "FILE", "PEM certificate (chain): serve wss://",
                                  &ServerConfig::tlsCert));
        v.push_back(stringSetting("tls-key", "FILE", "PEM private key for --tls-cert",
                                  &ServerConfig::tlsKey));
        v.push_back(stringSetting("allowed-origins", "LIST",
                                  "Comma-separated Origins browsers may connect from "
                                  "(empty: any; clients without Origin are not browsers)",
                                  &ServerConfig::allowedOrigins));
        struct RateSetting {
            const char *name;
            const char *help;
            int ServerConfig::*burst;
            int ServerConfig::*leak;
        };
        const RateSetting rates[] = {
            {"rate-connect", "new connections per IP", &ServerConfig::rateConnectBurst,
             &ServerConfig::rateConnectLeakMs},
            {"rate-message", "message/typing frames per connection",
             &ServerConfig::rateMessageBurst, &ServerConfig::rateMessageLeakMs},
            {"rate-join", "joins per connection", &ServerConfig::rateJoinBurst,
             &ServerConfig::rateJoinLeakMs},
            {"rate-join-ip", "joins per IP address (IPv6: per /64)", &ServerConfig::rateJoinIpBurst,
             &ServerConfig::rateJoinIpLeakMs},
            {"rate-join-account", "joins per account", &ServerConfig::rateJoinAccountBurst,
             &ServerConfig::rateJoinAccountLeakMs},
            {"rate-login-user", "login attempts per username and IP",
             &ServerConfig::rateLoginUserBurst, &ServerConfig::rateLoginUserLeakMs},
            {"rate-login-ip", "login/resume attempts per IP", &ServerConfig::rateLoginIpBurst,
             &ServerConfig::rateLoginIpLeakMs},
            {"rate-register", "registrations per IP", &ServerConfig::rateRegisterBurst,
             &ServerConfig::rateRegisterLeakMs},
            {"rate-login-account", "login attempts per username from all addresses",
             &ServerConfig::rateLoginAccountBurst, &ServerConfig::rateLoginAccountLeakMs},
            {"rate-totp", "second-factor guesses per account", &ServerConfig::rateTotpBurst,
             &ServerConfig::rateTotpLeakMs},
            {"rate-totp-ip", "second-factor guesses per IP", &ServerConfig::rateTotpIpBurst,
             &ServerConfig::rateTotpIpLeakMs},
            {"rate-account-requests", "account requests per connection",
             &ServerConfig::rateAccountRequestsBurst, &ServerConfig::rateAccountRequestsLeakMs},
            {"rate-report", "report/block requests per connection", &ServerConfig::rateReportBurst,
             &ServerConfig::rateReportLeakMs},
            {"rate-malformed", "undecodable frames per connection",
             &ServerConfig::rateMalformedBurst, &ServerConfig::rateMalformedLeakMs},
        };
        for (const RateSetting &r : rates) {
            const QByteArray burst = QByteArray(r.name) + "-burst";
            const QByteArray leak = QByteArray(r.name) + "-leak-ms";
            const QByteArray burstHelp = QByteArray("Leaky bucket size: ") + r.help;
            const QByteArray leakHelp =
                QByteArray("Leaky bucket: ms per request drained, ") + r.help;
            v.push_back(intSetting(burst.constData(), burstHelp.constData(), r.burst, 1, 1000000));
            v.push_back(intSetting(leak.constData(), leakHelp.constData(), r.leak, 1, 86400000));
        }
        v.push_back(intSetting("max-output-bytes",
                               "Output held for one slow reader; beyond it the peer is dropped",
                               &ServerConfig::maxOutputBytes, 16384, 1 << 30));
        v.push_back(intSetting("socket-buffer-bytes",
                               "Kernel send/receive buffer per connection (0: autotuning)",
                               &ServerConfig::socketBufferBytes, 0, 1 << 24));
        v.push_back(intSetting("rate-ping-burst",
                               "Leaky bucket size: a client's WebSocket pings (beyond: 1008)",
                               &ServerConfig::ratePingBurst, 1, 1000000));
        v.push_back(intSetting("rate-ping-leak-ms",
                               "Leaky bucket: ms per ping drained, a client's WebSocket pings",
                               &ServerConfig::ratePingLeakMs, 1, 86400000));
        v.push_back(intSetting("max-connections-per-ip",
                               "Concurrent connections per IPv4 address or IPv6 /64",
                               &ServerConfig::maxConnectionsPerIp, 1, 10000000));
        v.push_back(intSetting("max-half-open-per-ip",
                               "Connections in the handshake per IPv4 address or IPv6 /64",
                               &ServerConfig::maxHalfOpenPerIp, 1, 1000000));
        v.push_back(intSetting("ban-refresh-s",
                               "Seconds between re-reads of the bans from the database",
                               &ServerConfig::banRefreshSec, 1, 3600));
        v.push_back(
            intSetting("login-lockout-s",
                       "Seconds a username is locked for an IP after its login bucket overflows",
                       &ServerConfig::loginLockoutSec, 0, 86400));
        v.push_back(intSetting("totp-lockout-s",
                               "Seconds an account/IP is locked after too many wrong 2FA codes",
                               &ServerConfig::totpLockoutSec, 0, 86400));
        v.push_back(intSetting("rate-abuse-strikes",
                               "Refusals in a row before a connection is closed with 1008",
                               &ServerConfig::rateAbuseStrikes, 1, 100000));
        v.push_back(stringSetting(
            "rate-exempt", "LIST",
            "Comma-separated addresses/subnets exempt from chat rate limits (empty: none)",
            &ServerConfig::rateExempt, [](const QString &value) {
                for (const QString &part : value.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
                    const QString p = part.trimmed();
                    if (QHostAddress(p).isNull() && QHostAddress::parseSubnet(p).first.isNull())
                        return QStringLiteral("'%1' is not an address or subnet").arg(p);
                }
                return QString();
            }));
        // cluster
        v.push_back(stringSetting("redis", "URL",
                                  "Redis of the cluster, redis://HOST:PORT (empty: a single "
                                  "node); needs --db postgresql://...",
                                  &ServerConfig::redisUrl, [](const QString &value) {
                                      QString error;
                                      if (!value.isEmpty() && !RedisEndpoint::parse(value, &error))
                                          return error;
                                      return QString();
                                  }));
        v.push_back(stringSetting(
            "node-id", "NAME", "This node's name in the cluster (default: the host name)",
            &ServerConfig::nodeId, [](const QString &value) {
                static const QRegularExpression valid(
                    QStringLiteral("^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$"));
                return value.isEmpty() || valid.match(value).hasMatch()
                           ? QString()
                           : QStringLiteral("must be 1 to 32 letters, digits, '.', "
                                            "'_' or '-', got '%1'")
                                 .arg(value);
            }));
        v.push_back(intSetting("node-ttl-ms",
                               "Lifetime of a node's heartbeat in Redis: a dead node is noticed "
                               "within it",
                               &ServerConfig::nodeTtlMs, 1000, 60000));
        v.push_back(intSetting("leader-lease-ms",
                               "Lifetime of the matchmaking leader's lease in Redis: when the "
                               "leader dies another node leads within two of it",
                               &ServerConfig::leaderLeaseMs, 500, 60000));
        v.push_back(stringSetting(
            "trusted-proxies", "LIST",
            "Comma-separated addresses/subnets of reverse proxies whose X-Forwarded-For names "
            "the client (empty: none)",
            &ServerConfig::trustedProxies, [](const QString &value) {
                for (const QString &part : value.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
                    const QString p = part.trimmed();
                    if (QHostAddress(p).isNull() && QHostAddress::parseSubnet(p).first.isNull())
                        return QStringLiteral("'%1' is not an address or subnet").arg(p);
                }
                return QString();
            }));
        Setting policy;
        policy.name = QStringLiteral("match-policy");
        policy.valueName = QStringLiteral("POLICY");
        policy.help = QStringLiteral("Partner choice: nearest or longest-waiting");
        policy.apply = [](ServerConfig &c, const QString &value) -> QString {
            if (value == QLatin1String("nearest"))
                c.matchPolicy = MatchPolicy::NearestEligible;
            else if (value == QLatin1String("longest-waiting"))
                c.matchPolicy = MatchPolicy::LongestWaiting;
            else
                return QStringLiteral("must be 'nearest' or 'longest-waiting', got '%1'")
                    .arg(value);
            return {};
        };
        policy.show = [](const ServerConfig &c) {
            return c.matchPolicy == MatchPolicy::NearestEligible
                       ? QStringLiteral("nearest")
                       : QStringLiteral("longest-waiting");
        };
        v.push_back(policy);
        v.push_back(intSetting("http-enabled",
                               "Serve /metrics, /healthz and /readyz over HTTP (0: off)",
                               &ServerConfig::httpEnabled, 0, 1));
        v.push_back(stringSetting(
            "http-listen", "ADDR", "Address of the operations (metrics, health) endpoint",
            &ServerConfig::httpListenAddress, [](const QString &value) {
                return QHostAddress(value).isNull()
                           ? QStringLiteral("'%1' is not an IP address").arg(value)
                           : QString();
            }));
        v.push_back(intSetting("http-port",
                               "TCP port of the operations endpoint (0: any free port)",
                               &ServerConfig::httpPort, 0, 65535));
        v.push_back(stringSetting("log-format", "FORMAT", "Log lines on stderr: text or json",
                                  &ServerConfig::logFormat, [](const QString &value) {
                                      return value == QLatin1String("text") ||
                                                     value == QLatin1String("json")
                                                 ? QString()
                                                 : QStringLiteral("must be 'text' or 'json', "
                                                                  "got '%1'")
                                                       .arg(value);
                                  }));
        {
            // The browser client on the chat port (native transport only).
            Setting web;
            web.name = QStringLiteral("web-client");
            web.valueName = QStringLiteral("BOOL");
            web.help = QStringLiteral(
                "Serve the browser client on plain HTTP GET of the chat port: true or false");
            web.apply = [](ServerConfig &c, const QString &value) -> QString {
                const QString v = value.trimmed().toLower();
                if (v == QLatin1String("true") || v == QLatin1String("1") ||
                    v == QLatin1String("on") || v == QLatin1String("yes"))
                    c.webClient = true;
                else if (v == QLatin1String("false") || v == QLatin1String("0") ||
                         v == QLatin1String("off") || v == QLatin1String("no"))
                    c.webClient = false;
                else
                    return QStringLiteral("must be 'true' or 'false', got '%1'").arg(value);
                return {};
            };
            web.show = [](const ServerConfig &c) {
                return c.webClient ? QStringLiteral("true") : QStringLiteral("false");
            };
            v.push_back(web);
        }
        return v;
    }();
    return all;
}

QString envName(const QString &name) {
    return QStringLiteral("WHISPERCHAT_") +
           QString(name).replace(QLatin1Char('-'), QLatin1Char('_')).toUpper();
}

QString iniKey(const QString &name) {
    return QStringLiteral("server/") + QString(name).replace(QLatin1Char('-'), QLatin1Char('_'));
}

// Edit distance, for suggesting the setting a misspelt key meant.
int editDistance(const QString &a, const QString &b) {
    std::vector<int> row(b.size() + 1);
    for (int j = 0; j <= b.size(); ++j)
        row[j] = j;
    for (int i = 1; i <= a.size(); ++i) {
        int diagonal = row[0];
        row[0] = i;
        for (int j = 1; j <= b.size(); ++j) {
            const int above = row[j];
            row[j] =
                std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diagonal = above;
        }
    }
    return row[b.size()];
}

// An INI key that names no setting is an error rather than silently
// ignored: a misspelt limit would otherwise run with its default.
QString unknownKeyError(const QString &key) {
    const int slash = key.indexOf(QLatin1Char('/'));
    const QString section = slash < 0 ? QString() : key.left(slash);
    const QString name = key.mid(slash + 1);
    QString best;
    int bestDistance = 4; // farther than three edits is no suggestion
    for (const Setting &s : settings()) {
        const QString candidate = iniKey(s.name).mid(7); // without "server/"
        const int d = editDistance(name.toLower(), candidate);
        if (d < bestDistance) {
            bestDistance = d;
            best = candidate;
        }
    }
    QString message = section.isEmpty() || section == QLatin1String("General")
                          ? QStringLiteral("'%1' is outside the [server] section").arg(name)
                      : section != QLatin1String("server")
                          ? QStringLiteral("'%1' is in section [%2]; settings belong in [server]")
                                .arg(name, section)
                          : QStringLiteral("unknown setting '%1'").arg(name);
    if (!best.isEmpty())
        message += QStringLiteral(" (did you mean '%1'?)").arg(best);
    return message;
}

// One line per setting: name, value name, default, help, separated by tabs.
QString settingsTable() {
    const ServerConfig defaults;
    QString out;
    for (const Setting &s : settings()) {
        const QString value = s.defaultText.isEmpty() ? s.show(defaults) : s.defaultText;
        out += QStringList{s.name, s.valueName, value, s.help}.join(u'\t') + u'\n';
    }
    return out;
}

ConfigLoadResult failure(const QString &message) {
    ConfigLoadResult r;
    r.error = message;
    r.exitCode = 2;
    return r;
}

} // namespace

QString ServerConfig::dataDirectory() const {
    if (!dataDir.isEmpty())
        return dataDir;
    // e.g. ~/.local/share/whisperchat-server, or /root/.local/share/... as root.
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
}

int defaultHashThreads() {
    return std::max(1, QThread::idealThreadCount() - 1);
}

ConfigLoadResult ConfigLoader::load(const QStringList &arguments, const QProcessEnvironment &env) {
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("WhisperChat server: anonymous, location-based 1:1 chat over WebSocket."));
    const QCommandLineOption helpOption = parser.addHelpOption();
    const QCommandLineOption versionOption = parser.addVersionOption();
    // The settings table for the manual page generator (scripts/gen-manpage.pl):
    // the page is built from the same table as --help, so the two cannot drift.
    QCommandLineOption dumpOption(QStringLiteral("dump-settings"));
    dumpOption.setFlags(QCommandLineOption::HiddenFromHelp);
    parser.addOption(dumpOption);
    const QString configOption = QStringLiteral("config");
    addSettingOptions(parser);
    parser.addPositionalArgument(QStringLiteral("command"),
                                 QStringLiteral("Optional: user or ban (see Commands below); "
                                                "without one the server runs"),
                                 QStringLiteral("[command ...]"));

    if (!parser.parse(arguments))
        return failure(parser.errorText());
    if (parser.isSet(helpOption)) {
        ConfigLoadResult r;
        r.output = parser.helpText() +
                   QStringLiteral("\nCommands (the options above may come before or after "
                                  "them):\n"
                                  "  user        Manage accounts: add, list, set-role, disable, "
                                  "enable, reset-2fa\n"
                                  "  ban         List bans in force or lift one\n"
                                  "Run `whisperchat-server user --help` for their usage.\n");
        return r;
    }
    if (parser.isSet(dumpOption)) {
        ConfigLoadResult r;
        r.output = settingsTable();
        return r;
    }
    if (parser.isSet(versionOption)) {
        ConfigLoadResult r;
        r.output = QStringLiteral("%1 %2\n").arg(QCoreApplication::applicationName(),
                                                 QCoreApplication::applicationVersion());
        return r;
    }
    if (!parser.positionalArguments().isEmpty())
        return failure(QStringLiteral("unexpected argument '%1'")
                           .arg(parser.positionalArguments().constFirst()));

    ServerConfig config;

    QString configFile = env.value(QStringLiteral("WHISPERCHAT_CONFIG"));
    if (parser.isSet(configOption))
        configFile = parser.value(configOption);
    if (!configFile.isEmpty()) {
        if (!QFileInfo(configFile).isReadable())
            return failure(QStringLiteral("config file '%1' cannot be read").arg(configFile));
        QSettings ini(configFile, QSettings::IniFormat);
        if (ini.status() != QSettings::NoError)
            return failure(QStringLiteral("config file '%1' is not valid INI").arg(configFile));
        const QStringList keys = ini.allKeys();
        for (const QString &key : keys) {
            const bool known =
                std::any_of(settings().begin(), settings().end(),
                            [&key](const Setting &s) { return iniKey(s.name) == key; });
            if (!known)
                return failure(QStringLiteral("%1: %2").arg(configFile, unknownKeyError(key)));
        }
        for (const Setting &s : settings()) {
            const QString key = iniKey(s.name);
            if (!ini.contains(key))
                continue;
            const QString error = s.apply(config, ini.value(key).toString());
            if (!error.isEmpty())
                return failure(QStringLiteral("%1: %2 %3").arg(configFile, key, error));
        }
    }
    for (const Setting &s : settings()) {
        const QString name = envName(s.name);
        if (!env.contains(name))
            continue;
        const QString error = s.apply(config, env.value(name));
        if (!error.isEmpty())
            return failure(QStringLiteral("environment %1 %2").arg(name, error));
    }
    for (const Setting &s : settings()) {
        if (!parser.isSet(s.name))
            continue;
        const QString error = s.apply(config, parser.value(s.name));
        if (!error.isEmpty())
            return failure(QStringLiteral("--%1 %2").arg(s.name, error));
    }
    if (config.idleTimeoutMs <= config.pingIntervalMs)
        return failure(QStringLiteral("idle-timeout-ms (%1) must be larger than "
                                      "ping-interval-ms (%2)")
                           .arg(config.idleTimeoutMs)
                           .arg(config.pingIntervalMs));

    // The largest frame the server sends is a relayed message, at most a few
    // times the largest one it accepts; a budget below that would drop
    // well-behaved clients.
    if (config.maxOutputBytes < 2 * config.maxMessageBytes)
        return failure(QStringLiteral("max-output-bytes (%1) must be at least twice "
                                      "max-message-bytes (%2)")
                           .arg(config.maxOutputBytes)
                           .arg(config.maxMessageBytes));

    if (config.tlsCert.isEmpty() != config.tlsKey.isEmpty())
        return failure(QStringLiteral("tls-cert and tls-key must be given together"));

    if (config.clustered()) {
        // Every node must see the same accounts, bans and blocks; a SQLite
        // file is one node's alone.
        const QString scheme = QUrl(config.dbUrl).scheme();
        if (scheme != QLatin1String("postgresql") && scheme != QLatin1String("postgres"))
            return failure(QStringLiteral(
                "a cluster node (--redis) needs the shared PostgreSQL store: give "
                "--db postgresql://USER@HOST:PORT/DB; the SQLite file is one node's alone"));
        if (config.nodeId.isEmpty()) {
            static const QRegularExpression invalid(QStringLiteral("[^A-Za-z0-9_.-]"));
            config.nodeId = QSysInfo::machineHostName().remove(invalid).left(32);
            if (config.nodeId.isEmpty())
                return failure(QStringLiteral("node-id is required: the host name is not "
                                              "usable as one"));
        }
    }

    ConfigLoadResult r;
    r.config = config;
    return r;
}

void ConfigLoader::addSettingOptions(QCommandLineParser &parser) {
    parser.addOption(QCommandLineOption(QStringLiteral("config"),
                                        QStringLiteral("INI file with a [server] section"),
                                        QStringLiteral("FILE")));
    for (const Setting &s : settings())
        parser.addOption(QCommandLineOption(s.name, s.help, s.valueName));
}

QStringList ConfigLoader::settingOptionNames() {
    QStringList names{QStringLiteral("config")};
    for (const Setting &s : settings())
        names << s.name;
    return names;
}

int ConfigLoader::firstPositional(const QStringList &arguments) {
    const QStringList valued = settingOptionNames();
    for (qsizetype i = 1; i < arguments.size(); ++i) {
        const QString &a = arguments.at(i);
        if (a == QLatin1String("--"))
            return i + 1 < arguments.size() ? int(i + 1) : -1;
        if (!a.startsWith(u'-') || a == QLatin1String("-"))
            return int(i);
        // "--name value" hides its value from the search; "--name=value"
        // and flags (--help, --version) stand alone.
        if (a.startsWith(QLatin1String("--")) && !a.contains(u'=') && valued.contains(a.mid(2)))
            ++i;
    }
    return -1;
}

QString ConfigLoader::summary(const ServerConfig &config) {
    QStringList parts;
    for (const Setting &s : settings())
        parts << QStringLiteral("%1=%2").arg(s.name, s.show(config));
    return parts.join(QLatin1Char(' '));
}

} // namespace whisper
