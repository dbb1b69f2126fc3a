// SPDX-License-Identifier: MIT
#include "servermetrics.h"

#include "serverconfig.h"

#include <QDateTime>

namespace whisper {

namespace {

// Seconds; chosen around each operation's normal range and its limit.
std::vector<double> tickBuckets() {
    return {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5};
}
std::vector<double> relayBuckets() {
    return {0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.01, 0.05};
}
std::vector<double> hashBuckets() {
    return {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5};
}
std::vector<double> queryBuckets() {
    return {0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1};
}

} // namespace

ServerMetrics::ServerMetrics(const QString &version, const QString &transport)
    : m_transport(transport)
    , connects(m_registry
                   .counterFamily(QStringLiteral("whisperchat_connects_total"),
                                  QStringLiteral("Chat WebSocket connections accepted"),
                                  QStringLiteral("transport"))
                   .with(transport))
    , handshakeFailures(m_registry.counter(
          QStringLiteral("whisperchat_handshake_failures_total"),
          QStringLiteral("WebSocket upgrades refused or timed out (native transport)")))
    , closes(m_registry.counterFamily(QStringLiteral("whisperchat_closes_total"),
                                      QStringLiteral("Chat connections ended, by close code"),
                                      QStringLiteral("code")))
    , matches(m_registry.counter(QStringLiteral("whisperchat_matches_total"),
                                 QStringLiteral("Pairs made by the matchmaker")))
    , matchTickSeconds(
          m_registry.histogram(QStringLiteral("whisperchat_match_tick_duration_seconds"),
                               QStringLiteral("Duration of one matchmaker tick"), tickBuckets()))
    , messagesRelayed(m_registry.counter(QStringLiteral("whisperchat_messages_relayed_total"),
                                         QStringLiteral("Chat messages handed to the partner")))
    , relaySeconds(m_registry.histogram(
          QStringLiteral("whisperchat_relay_duration_seconds"),
          QStringLiteral("Time inside the server from a decoded chat message to the partner's "
                         "frame queued, sampled 1 in 16"),
          relayBuckets()))
    , errorsSent(m_registry.counterFamily(QStringLiteral("whisperchat_errors_sent_total"),
                                          QStringLiteral("Protocol errors sent to clients"),
                                          QStringLiteral("code")))
    , rateLimited(m_registry.counterFamily(QStringLiteral("whisperchat_rate_limited_total"),
                                           QStringLiteral("Requests refused by a chat rate limit"),
                                           QStringLiteral("limit")))
    , logins(m_registry.counterFamily(QStringLiteral("whisperchat_logins_total"),
                                      QStringLiteral("Password logins, by result"),
                                      QStringLiteral("result")))
    , registrations(m_registry.counterFamily(QStringLiteral("whisperchat_registrations_total"),
                                             QStringLiteral("Account registrations, by result"),
                                             QStringLiteral("result")))
    , passwordHashSeconds(m_registry.histogram(
          QStringLiteral("whisperchat_password_hash_duration_seconds"),
          QStringLiteral("Time of one Argon2id hash or verification"), hashBuckets()))
    , dbQuerySeconds(m_registry.histogram(
          QStringLiteral("whisperchat_db_query_duration_seconds"),
          QStringLiteral("Time of one database job on the database thread"), queryBuckets()))
    , controlCommands(m_registry.counterFamily(QStringLiteral("whisperchat_control_commands_total"),
                                               QStringLiteral("Admin console requests, by type"),
                                               QStringLiteral("type"))) {
    const QString qtVersion = QString::fromLatin1(qVersion());
    m_registry.gaugeFunction(
        QStringLiteral("whisperchat_build_info"),
        QStringLiteral("Version of the server and of Qt; always 1"),
        {QStringLiteral("version"), QStringLiteral("qt_version")}, [version, qtVersion] {
            return std::vector<metrics::GaugeSample>{{{version, qtVersion}, 1}};
        });
    const double started = double(QDateTime::currentMSecsSinceEpoch()) / 1000.0;
    m_registry.gaugeFunction(QStringLiteral("whisperchat_start_time_seconds"),
                             QStringLiteral("Start of the process, in seconds since the epoch"), {},
                             [started] {
                                 return std::vector<metrics::GaugeSample>{{{}, started}};
                             });
}

QString ServerMetrics::transportOf(const ServerConfig &config) {
    return config.tlsCert.isEmpty() ? config.transport : QStringLiteral("tls");
}

void ServerMetrics::closed(int closeCode) {
    // Peers choose their close codes: only the registered ones get a label
    // of their own, so a client cannot grow the label set.
    const bool known =
        (closeCode >= 1000 && closeCode <= 1003) || (closeCode >= 1005 && closeCode <= 1015);
    closes.with(known ? QString::number(closeCode) : QStringLiteral("other")).inc();
}

void ServerMetrics::limited(const QString &ref) {
    QString limit;
    if (ref == QLatin1String("message") || ref == QLatin1String("typing"))
        limit = QStringLiteral("message");
    else if (ref == QLatin1String("join"))
        limit = QStringLiteral("join");
    else if (ref == QLatin1String("connect"))
        limit = QStringLiteral("connect");
    else if (ref.isEmpty())
        limit = QStringLiteral("malformed");
    else if (ref == QLatin1String("report") || ref == QLatin1String("block"))
        limit = QStringLiteral("report");
    else
        limit = QStringLiteral("account_request");
    rateLimited.with(limit).inc();
}

void ServerMetrics::authResult(ServerMetrics *metrics, bool registration,
                               const protocol::Error *error) {
    if (!metrics)
        return;
    const QString result = error ? protocol::toString(error->code) : QStringLiteral("ok");
    (registration ? metrics->registrations : metrics->logins).with(result).inc();
}

} // namespace whisper
