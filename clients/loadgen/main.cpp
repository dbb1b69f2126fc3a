// SPDX-License-Identifier: MIT
#include "loadgenerator.h"
#include "shardedrun.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTextStream>
#include <QUrl>

using whisper::loadgen::LoadOptions;
using whisper::loadgen::LoadReport;

namespace {

QJsonObject toJson(const LoadReport &r, const LoadOptions &o) {
    QJsonObject latency{{QStringLiteral("samples"), qint64(r.latency.samples)},
                        {QStringLiteral("p50_ms"), r.latency.p50Ms},
                        {QStringLiteral("p99_ms"), r.latency.p99Ms},
                        {QStringLiteral("p999_ms"), r.latency.p999Ms},
                        {QStringLiteral("max_ms"), r.latency.maxMs},
                        {QStringLiteral("from"),
                         o.rate > 0 ? QStringLiteral("due_time") : QStringLiteral("send_time")}};
    QJsonObject sendLag{{QStringLiteral("p50_ms"), r.sendLag.p50Ms},
                        {QStringLiteral("p99_ms"), r.sendLag.p99Ms},
                        {QStringLiteral("max_ms"), r.sendLag.maxMs}};
    QJsonArray kinds;
    for (const auto &k : r.errorKinds)
        kinds.append(QString::fromStdString(k));
    QJsonArray watched;
    for (const auto &w : r.watched)
        watched.append(QJsonObject{{QStringLiteral("pid"), qint64(w.pid)},
                                   {QStringLiteral("cpu_percent"), w.cpuPercent},
                                   {QStringLiteral("cpu_us_per_msg"), w.cpuUsPerMessage}});
    return QJsonObject{
        {QStringLiteral("watched"), watched},
        {QStringLiteral("clients"), r.clients},
        {QStringLiteral("rate"), o.rate},
        {QStringLiteral("window"), o.window},
        {QStringLiteral("pace_us"), o.paceMicroseconds},
        {QStringLiteral("connected"), r.connected},
        {QStringLiteral("connect_s"), r.connectSeconds},
        {QStringLiteral("handshakes_per_s"), r.handshakesPerSecond},
        {QStringLiteral("matched"), r.matched},
        {QStringLiteral("match_s_p50"), r.matchSecondsP50},
        {QStringLiteral("match_s_p99"), r.matchSecondsP99},
        {QStringLiteral("cross_node_pairs"), r.crossNodePairs},
        {QStringLiteral("match_s_max"), r.matchSecondsMax},
        {QStringLiteral("measured_s"), r.measuredSeconds},
        {QStringLiteral("sent"), qint64(r.sent)},
        {QStringLiteral("delivered"), qint64(r.delivered)},
        {QStringLiteral("received"), qint64(r.received)},
        {QStringLiteral("measured_delivered"), qint64(r.measuredDelivered)},
        {QStringLiteral("delivered_per_s"), r.deliveredPerSecond},
        {QStringLiteral("latency"), latency},
        {QStringLiteral("send_lag"), sendLag},
        {QStringLiteral("pairs_left"), r.pairsLeft},
        {QStringLiteral("accounted"), r.accounted},
        {QStringLiteral("pairs_verified"), r.pairsVerified},
        {QStringLiteral("misrouted"), qint64(r.misrouted)},
        {QStringLiteral("duplicated"), qint64(r.duplicated)},
        {QStringLiteral("out_of_order"), qint64(r.outOfOrder)},
        {QStringLiteral("ack_mismatches"), qint64(r.ackMismatches)},
        {QStringLiteral("errors"), qint64(r.errors)},
        {QStringLiteral("error_kinds"), kinds},
        {QStringLiteral("server_cpu_percent"), r.serverCpuPercent},
        {QStringLiteral("loadgen_cpu_percent"), r.loadgenCpuPercent},
        {QStringLiteral("server_cpu_us_per_msg"), r.serverCpuUsPerMessage},
        {QStringLiteral("loadgen_cpu_us_per_msg"), r.loadgenCpuUsPerMessage},
        {QStringLiteral("server_rss_before"), qint64(r.serverRssBefore)},
        {QStringLiteral("server_rss_connected"), qint64(r.serverRssConnected)},
        {QStringLiteral("server_rss_per_connection"), r.serverRssPerConnection},
        {QStringLiteral("loadgen_threads"), r.loadgenThreads},
        {QStringLiteral("loadgen_cores"), r.loadgenCores},
        {QStringLiteral("loadgen_bound"), r.loadgenBound},
    };
}

void printTable(QTextStream &out, const LoadReport &r, const LoadOptions &o) {
    auto row = [&out](const char *name, const QString &value) {
        out << QStringLiteral("  %1 %2\n").arg(QLatin1String(name), -26).arg(value);
    };
    out << "whisperchat-loadgen results\n";
    row("clients connected", QStringLiteral("%1 / %2").arg(r.connected).arg(r.clients));
    row("connect time", QStringLiteral("%1 s").arg(r.connectSeconds, 0, 'f', 3));
    row("handshakes/s", QString::number(r.handshakesPerSecond, 'f', 0));
    row("matched", QStringLiteral("%1 (p50 %2 s, p99 %3 s, max %4 s)")
                       .arg(r.matched)
                       .arg(r.matchSecondsP50, 0, 'f', 3)
                       .arg(r.matchSecondsP99, 0, 'f', 3)
                       .arg(r.matchSecondsMax, 0, 'f', 3));
    if (r.crossNodePairs > 0)
        row("pairs across nodes", QString::number(r.crossNodePairs));
    row("delivered msg/s", QString::number(r.deliveredPerSecond, 'f', 0));
    row("latency p50/p99/p999", QStringLiteral("%1 / %2 / %3 ms (max %4, n=%5)")
                                    .arg(r.latency.p50Ms, 0, 'f', 3)
                                    .arg(r.latency.p99Ms, 0, 'f', 3)
                                    .arg(r.latency.p999Ms, 0, 'f', 3)
                                    .arg(r.latency.maxMs, 0, 'f', 3)
                                    .arg(r.latency.samples));
    if (o.rate > 0)
        row("send lag p50/p99/max", QStringLiteral("%1 / %2 / %3 ms (latency counts from the due "
                                                   "time, so this is included)")
                                        .arg(r.sendLag.p50Ms, 0, 'f', 3)
                                        .arg(r.sendLag.p99Ms, 0, 'f', 3)
                                        .arg(r.sendLag.maxMs, 0, 'f', 3));
    row("sent/delivered/received", QStringLiteral("%1 / %2 / %3 %4")
                                       .arg(r.sent)
                                       .arg(r.delivered)
                                       .arg(r.received)
                                       .arg(r.accounted ? "(all accounted)" : "(MISMATCH)"));
    row("pairs checked", QStringLiteral("%1 complete both ways; misrouted %2, duplicated %3, "
                                        "missing or reordered %4, wrong acks %5")
                             .arg(r.pairsVerified)
                             .arg(r.misrouted)
                             .arg(r.duplicated)
                             .arg(r.outOfOrder)
                             .arg(r.ackMismatches));
    row("pairs left cleanly", QString::number(r.pairsLeft));
    QStringList kinds;
    for (const auto &k : r.errorKinds)
        kinds << QString::fromStdString(k);
    row("errors", QStringLiteral("%1 %2").arg(r.errors).arg(kinds.join(QLatin1Char(' '))));
    row("server CPU", r.serverCpuPercent < 0
                          ? QStringLiteral("n/a")
                          : QStringLiteral("%1 %").arg(r.serverCpuPercent, 0, 'f', 1));
    row("server RSS", r.serverRssConnected < 0
                          ? QStringLiteral("n/a")
                          : QStringLiteral("%1 MiB (%2 bytes/connection)")
                                .arg(double(r.serverRssConnected) / 1048576.0, 0, 'f', 1)
                                .arg(r.serverRssPerConnection, 0, 'f', 0));
    row("loadgen CPU",
        QStringLiteral("%1 % (threads %2, cores %3)%4")
            .arg(r.loadgenCpuPercent, 0, 'f', 1)
            .arg(r.loadgenThreads)
            .arg(r.loadgenCores)
            .arg(r.loadgenBound ? QStringLiteral("; LOAD GENERATOR BOUND: above 90 % of its "
                                                 "cores, the rate is a lower bound")
                                : QString()));
    for (const auto &w : r.watched)
        row("watched process CPU", QStringLiteral("pid %1: %2 % (%3 us/message)")
                                       .arg(w.pid)
                                       .arg(w.cpuPercent, 0, 'f', 1)
                                       .arg(w.cpuUsPerMessage, 0, 'f', 2));
    if (r.serverCpuUsPerMessage >= 0 || r.loadgenCpuUsPerMessage >= 0)
        row("CPU per message", QStringLiteral("server %1 us, loadgen %2 us")
                                   .arg(r.serverCpuUsPerMessage, 0, 'f', 1)
                                   .arg(r.loadgenCpuUsPerMessage, 0, 'f', 1));
}

} // namespace

int main(int argc, char *argv[]) {
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("whisperchat-loadgen"));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Load generator for WhisperChat protocol v1: connects N clients, pairs them up, chats "
        "and reports throughput, latency and the server's CPU and memory. Exits non-zero when a "
        "client failed or a message was not accounted for."));
    parser.addHelpOption();
    auto opt = [&parser](const char *name, const char *help, const char *def) {
        QCommandLineOption o(QLatin1String(name), QLatin1String(help), QStringLiteral("V"),
                             QLatin1String(def));
        parser.addOption(o);
        return o;
    };
    const auto url = opt("url", "Server URL (ws://127.0.0.1:PORT/)", "ws://127.0.0.1:8080/");
    const auto partnerUrl = opt("partner-url",
                                "URL the second member of each pair connects to (another "
                                "cluster node's own URL: every pair then spans two nodes); "
                                "default: --url",
                                "");
    const auto clients = opt("clients", "Number of clients", "1000");
    const auto sources =
        opt("sources", "Source addresses 127.0.0.2.. to spread over (0: one)", "8");
    const auto handshakes = opt("handshake-window", "Handshakes in progress at once", "256");
    const auto rate = opt("rate", "Total messages/s (0: window mode)", "0");
    const auto pace = opt("pace-us",
                          "Rate mode: wake up every this many microseconds and send what is due "
                          "(0: at each message's due time); latency counts from the due time",
                          "250");
    const auto window =
        opt("window", "In-flight messages per client in window mode (0 with rate 0: idle)", "1");
    const auto warmup = opt("warmup", "Seconds of chat before measuring", "1");
    const auto duration = opt("duration", "Seconds measured", "5");
    const auto textChars = opt("text-chars",
                               "Characters per chat message (at least the sender and number "
                               "tag, \"s<client>.<seq>\", which the receiver checks)",
                               "32");
    const auto timeout = opt("phase-timeout", "Upper bound in seconds for each phase", "30");
    const auto pid = opt("server-pid", "PID of the server, for its CPU and RSS", "0");
    const auto watch = opt("watch-pids",
                           "Comma-separated PIDs whose CPU over the measured window is reported "
                           "too (other cluster nodes, Redis)",
                           "");
    const auto json = opt("json", "Also write the results as JSON to this file", "");
    const auto latencyLog = opt("latency-log",
                                "Write every measured message (due time on the monotonic clock, "
                                "send lag, latency) to this file",
                                "");
    const auto threads =
        opt("threads", "Event loops (threads) to spread the clients over, whole pairs each", "1");
    const auto joinSpread = opt("join-spread-ms",
                                "Spread the joins evenly over this many milliseconds, both "
                                "members of a pair at once (0: all at once)",
                                "0");
    const QCommandLineOption noJoin(QStringLiteral("no-join"), QStringLiteral("Stay in the lobby"));
    parser.addOption(noJoin);
    parser.process(app);

    LoadOptions o;
    const QUrl u(parser.value(url));
    o.host = u.host().toStdString();
    o.port = u.port(8080);
    o.path = u.path().isEmpty() ? "/" : u.path().toStdString();
    if (!parser.value(partnerUrl).isEmpty()) {
        const QUrl p(parser.value(partnerUrl));
        if (!p.isValid() || p.host().isEmpty() || p.port() <= 0) {
            QTextStream(stderr) << "whisperchat-loadgen: --partner-url wants ws://HOST:PORT/\n";
            return 2;
        }
        o.partnerHost = p.host().toStdString();
        o.partnerPort = p.port();
        o.partnerPath = p.path().isEmpty() ? "/" : p.path().toStdString();
    }
    o.clients = qBound(1, parser.value(clients).toInt(), 1000000);
    o.sourceAddresses = qBound(0, parser.value(sources).toInt(), 250);
    o.handshakeWindow = qBound(1, parser.value(handshakes).toInt(), 100000);
    o.rate = qMax(0.0, parser.value(rate).toDouble());
    o.paceMicroseconds = qBound(0, parser.value(pace).toInt(), 1000000);
    o.window = qBound(0, parser.value(window).toInt(), 10000);
    o.warmupSeconds = qBound(0.0, parser.value(warmup).toDouble(), 3600.0);
    o.durationSeconds = qBound(0.0, parser.value(duration).toDouble(), 3600.0);
    o.textChars = qBound(1, parser.value(textChars).toInt(), 2000);
    o.phaseTimeoutSeconds = qBound(1.0, parser.value(timeout).toDouble(), 3600.0);
    o.serverPid = pid_t(parser.value(pid).toInt());
    for (const QString &w : parser.value(watch).split(QLatin1Char(','), Qt::SkipEmptyParts))
        if (const int p = w.trimmed().toInt(); p > 0)
            o.watchPids.push_back(pid_t(p));
    o.join = !parser.isSet(noJoin);
    o.joinSpreadSeconds = qBound(0, parser.value(joinSpread).toInt(), 600000) / 1000.0;
    o.latencyLogPath = parser.value(latencyLog).toStdString();

    const LoadReport report =
        whisper::loadgen::runSharded(o, qBound(1, parser.value(threads).toInt(), 256));

    QTextStream out(stdout);
    printTable(out, report, o);
    out.flush();
    if (!parser.value(json).isEmpty()) {
        QFile f(parser.value(json));
        if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
            QTextStream(stderr) << "whisperchat-loadgen: cannot write " << f.fileName() << "\n";
            return 2;
        }
        f.write(QJsonDocument(toJson(report, o)).toJson());
    }
    return report.errors == 0 && report.accounted ? 0 : 1;
}
