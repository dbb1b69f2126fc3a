// SPDX-License-Identifier: MIT
// The operations endpoint of a real whisperchat-server: /metrics scraped
// during real traffic (the counters move as the traffic says, and promtool
// accepts the text), /healthz and /readyz through start, service and
// shutdown, the port-0 ready line, the setting that turns it off, and the
// alert rules file.
#include "rawwsclient.h"
#include "serverprocess.h"
#include "testclient.h"
#include "testpaths.h"

#include <QEventLoop>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QTimer>
#include <QWebSocket>

#include <csignal>

using namespace whisper;
using namespace whisper::test;

namespace {

struct HttpResult {
    int status = 0;
    QByteArray contentType;
    QByteArray body;
};

HttpResult get(const QUrl &url, int timeoutMs = 5000) {
    QNetworkAccessManager manager;
    QNetworkRequest request(url);
    request.setTransferTimeout(timeoutMs);
    QNetworkReply *reply = manager.get(request);
    QEventLoop loop;
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    loop.exec();
    HttpResult r;
    r.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    r.contentType = reply->header(QNetworkRequest::ContentTypeHeader).toByteArray();
    r.body = reply->readAll();
    reply->deleteLater();
    return r;
}

// Series (name with its labels, as written) -> value.
QMap<QString, double> parse(const QByteArray &exposition) {
    QMap<QString, double> samples;
    for (const QByteArray &line : exposition.split('\n')) {
        if (line.isEmpty() || line.startsWith('#'))
            continue;
        const int space = line.lastIndexOf(' ');
        samples.insert(QString::fromUtf8(line.left(space)), line.mid(space + 1).toDouble());
    }
    return samples;
}

QString promtool() {
    return QStandardPaths::findExecutable(QStringLiteral("promtool"));
}

// promtool's exit code and output for `args` with `input` on stdin.
QPair<int, QByteArray> runPromtool(const QStringList &args, const QByteArray &input = {}) {
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(promtool(), args);
    p.write(input);
    p.closeWriteChannel();
    if (!p.waitForFinished(30000)) {
        p.kill();
        p.waitForFinished();
        return {-1, "timed out"};
    }
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, p.readAll()};
}

} // namespace

class TestMetrics : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void metricsMoveWithTraffic();
    void healthAndReadiness();
    void readyzFollowsConsoleDrain();
    void readyLineNamesFreePort();
    void offBySetting_data();
    void offBySetting();
    void rulesFileIsValid();
};

void TestMetrics::metricsMoveWithTraffic() {
    // Rate limits on (no exemption) and a small message bucket, so one burst
    // hits it; cheap hashing so registration and logins are quick.
    ServerProcess server({QStringLiteral("--rate-exempt"), QString(),
                          QStringLiteral("--rate-message-burst"), QStringLiteral("3"),
                          QStringLiteral("--rate-message-leak-ms"), QStringLiteral("60000"),
                          QStringLiteral("--argon2-mem-kib"), QStringLiteral("64"),
                          QStringLiteral("--argon2-ops"), QStringLiteral("1")});
    QVERIFY(server.start());
    const QUrl metricsUrl = server.httpUrl().resolved(QUrl(QStringLiteral("/metrics")));

    const HttpResult before = get(metricsUrl);
    QCOMPARE(before.status, 200);
    QVERIFY2(before.contentType.startsWith("text/plain; version=0.0.4"), before.contentType);
    const QMap<QString, double> a = parse(before.body);
    QCOMPARE(a.value(QStringLiteral("whisperchat_connections{transport=\"native\"}"), -1), 0.0);
    QVERIFY(a.contains(
        QStringLiteral("whisperchat_build_info{version=\"" WHISPER_VERSION "\",qt_version=\"") +
        QString::fromLatin1(qVersion()) + QStringLiteral("\"}")));
    QCOMPARE(a.value(QStringLiteral("whisperchat_ready")), 1.0);

    // Two clients meet and chat; one message is answered with `delivered`.
    auto alice = TestClient::waitingAt(server.chatUrl(), 48.85, 2.35, 50);
    auto bob = TestClient::waitingAt(server.chatUrl(), 48.86, 2.36, 50);
    QVERIFY(alice && bob);
    QVERIFY(alice->waitFor<protocol::Matched>());
    QVERIFY(bob->waitFor<protocol::Matched>());
    alice->send(protocol::SendMessage{QStringLiteral("hello"), QStringLiteral("m1")});
    QVERIFY(bob->waitFor<protocol::IncomingMessage>());
    // A burst past the message bucket (3, then none for a minute): refused.
    for (int i = 0; i < 5; ++i)
        alice->send(protocol::SendMessage{QStringLiteral("again"), std::nullopt});
    bool limited = false;
    QTRY_VERIFY_WITH_TIMEOUT(([&] {
                                 for (const auto &m : alice->unread())
                                     if (const auto *e = std::get_if<protocol::Error>(&m))
                                         limited |= e->code == protocol::ErrorCode::RateLimited;
                                 return limited;
                             }()),
                             5000);
    // An undecodable frame: an error with code bad_request.
    bob->sendRaw(QStringLiteral("{not json"));
    QVERIFY(bob->waitFor<protocol::Error>());

    // A registration, a failed and a successful login.
    TestClient carol;
    QVERIFY(carol.connectTo(server.chatUrl()));
    carol.send(protocol::Register{QStringLiteral("carol"), QStringLiteral("correct horse 1")});
    QVERIFY(carol.waitFor<protocol::Authenticated>(15000));
    TestClient dave;
    QVERIFY(dave.connectTo(server.chatUrl()));
    dave.send(
        protocol::Login{QStringLiteral("carol"), QStringLiteral("wrong password"), std::nullopt});
    QVERIFY(dave.waitFor<protocol::Error>(15000));
    dave.send(
        protocol::Login{QStringLiteral("carol"), QStringLiteral("correct horse 1"), std::nullopt});
    QVERIFY(dave.waitFor<protocol::Authenticated>(15000));
    dave.close();
    QVERIFY(dave.waitForDisconnected());

    // A request that is not a WebSocket upgrade: a failed handshake.
    QTcpSocket notWs;
    notWs.connectToHost(server.chatUrl().host(), quint16(server.chatUrl().port()));
    QVERIFY(notWs.waitForConnected(5000));
    notWs.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    QVERIFY(notWs.waitForDisconnected(5000) || notWs.state() == QAbstractSocket::UnconnectedState);

    // An admin console's command, counted by type (the login fails: no such
    // account; it is counted all the same).
    QWebSocket console;
    console.open(server.controlUrl());
    QTRY_COMPARE_WITH_TIMEOUT(console.state(), QAbstractSocket::ConnectedState, 5000);
    QSignalSpy answered(&console, &QWebSocket::textMessageReceived);
    console.sendTextMessage(QStringLiteral(
        R"({"type":"login","req":1,"username":"nobody","password":"nothing at all"})"));
    QTRY_VERIFY_WITH_TIMEOUT(answered.count() >= 1, 15000);

    QMap<QString, double> b;
    // The closes and the handshake failure are counted when the server
    // notices them: poll until they show.
    QTRY_VERIFY_WITH_TIMEOUT(
        ((b = parse(get(metricsUrl).body)),
         b.value(QStringLiteral("whisperchat_closes_total{code=\"1000\"}")) >= 1 &&
             b.value(QStringLiteral("whisperchat_handshake_failures_total")) >= 1),
        10000);
    const auto delta = [&](const char *series) {
        return b.value(QLatin1String(series)) - a.value(QLatin1String(series));
    };
    QCOMPARE(delta("whisperchat_connects_total{transport=\"native\"}"), 4.0);
    QCOMPARE(b.value(QStringLiteral("whisperchat_connections{transport=\"native\"}")), 3.0);
    QCOMPARE(b.value(QStringLiteral("whisperchat_pairs")), 1.0);
    QCOMPARE(b.value(QStringLiteral("whisperchat_waiting_clients")), 0.0);
    QCOMPARE(delta("whisperchat_matches_total"), 1.0);
    QVERIFY(delta("whisperchat_match_tick_duration_seconds_count") >= 1);
    // Six messages: those within the bucket relayed, the rest refused.
    const double relayed = delta("whisperchat_messages_relayed_total");
    const double refused = delta("whisperchat_rate_limited_total{limit=\"message\"}");
    QVERIFY(relayed >= 1 && refused >= 1);
    QCOMPARE(relayed + refused, 6.0);
    // The first relayed message is always among the sampled ones.
    QVERIFY(delta("whisperchat_relay_duration_seconds_count") >= 1);
    QCOMPARE(b.value(QStringLiteral("whisperchat_relay_duration_seconds_bucket{le=\"+Inf\"}")),
             b.value(QStringLiteral("whisperchat_relay_duration_seconds_count")));
    QCOMPARE(delta("whisperchat_errors_sent_total{code=\"rate_limited\"}"), refused);
    QVERIFY(delta("whisperchat_errors_sent_total{code=\"bad_request\"}") >= 1);
    QCOMPARE(delta("whisperchat_registrations_total{result=\"ok\"}"), 1.0);
    QCOMPARE(delta("whisperchat_logins_total{result=\"ok\"}"), 1.0);
    QCOMPARE(delta("whisperchat_logins_total{result=\"unauthorized\"}"), 1.0);
    QVERIFY(delta("whisperchat_password_hash_duration_seconds_count") >= 3);
    QVERIFY(delta("whisperchat_db_query_duration_seconds_count") >= 3);
    QCOMPARE(b.value(QStringLiteral("whisperchat_password_hashes_pending")), 0.0);
    QCOMPARE(b.value(QStringLiteral("whisperchat_control_consoles")), 1.0);
    QCOMPARE(delta("whisperchat_control_commands_total{type=\"login\"}"), 1.0);
    QCOMPARE(delta("whisperchat_handshake_failures_total"), 1.0);
    // Never a client, user or address as a label.
    const QByteArray text = get(metricsUrl).body;
    QVERIFY(!text.contains("carol"));
    QVERIFY(!text.contains("127.0.0.1"));

    if (promtool().isEmpty())
        QSKIP("promtool (Debian package prometheus) is not installed");
    const auto [rc, out] = runPromtool({QStringLiteral("check"), QStringLiteral("metrics")}, text);
    QVERIFY2(rc == 0, out.constData());
}

void TestMetrics::healthAndReadiness() {
    ServerProcess server({QStringLiteral("--shutdown-grace-ms"), QStringLiteral("4000")});
    QVERIFY(server.start());
    const QUrl base = server.httpUrl();
    const HttpResult health = get(base.resolved(QUrl(QStringLiteral("/healthz"))));
    QCOMPARE(health.status, 200);
    QCOMPARE(get(base.resolved(QUrl(QStringLiteral("/readyz")))).status, 200);
    QCOMPARE(get(base.resolved(QUrl(QStringLiteral("/nothing-here")))).status, 404);

    // A client that never answers the close frame holds the shutdown in its
    // grace period: meanwhile the server is alive but not ready.
    RawWsClient stubborn;
    QVERIFY(stubborn.connectTcp(server.chatUrl()));
    QVERIFY(stubborn.handshake());
    QTRY_COMPARE_WITH_TIMEOUT(
        parse(get(base.resolved(QUrl(QStringLiteral("/metrics")))).body)
            .value(QStringLiteral("whisperchat_connections{transport=\"native\"}")),
        1.0, 5000);
    ::kill(pid_t(server.pid()), SIGTERM);
    QTRY_COMPARE_WITH_TIMEOUT(get(base.resolved(QUrl(QStringLiteral("/readyz")))).status, 503,
                              3000);
    QCOMPARE(get(base.resolved(QUrl(QStringLiteral("/healthz")))).status, 200);
    QCOMPARE(parse(get(base.resolved(QUrl(QStringLiteral("/metrics")))).body)
                 .value(QStringLiteral("whisperchat_ready"), -1),
             0.0);
    QVERIFY(server.terminate(10000));
    QCOMPARE(server.exitCode(), 0);
}

void TestMetrics::readyzFollowsConsoleDrain() {
    // A drain with nobody connected ends at once (the server exits); a
    // client and a grace period keep it draining while /readyz is asked.
    ServerProcess server({QStringLiteral("--drain-grace-s"), QStringLiteral("30")});
    // An admin made with the `user` command, as an operator does.
    QProcess user;
    user.start(ServerProcess::binary(QStringLiteral("whisperchat-server")),
               {QStringLiteral("user"), QStringLiteral("add"), QStringLiteral("boss"),
                QStringLiteral("--role"), QStringLiteral("admin"),
                QStringLiteral("--password-stdin"), QStringLiteral("--data-dir"),
                server.dataDir()});
    user.write("a long admin password\n");
    user.closeWriteChannel();
    QVERIFY(user.waitForFinished(30000));
    QCOMPARE(user.exitCode(), 0);
    QVERIFY(server.start());
    const QUrl readyz = server.httpUrl().resolved(QUrl(QStringLiteral("/readyz")));
    QCOMPARE(get(readyz).status, 200);

    QWebSocket console;
    console.open(server.controlUrl());
    QTRY_COMPARE_WITH_TIMEOUT(console.state(), QAbstractSocket::ConnectedState, 5000);
    QSignalSpy answers(&console, &QWebSocket::textMessageReceived);
    console.sendTextMessage(QStringLiteral(
        R"({"type":"login","req":1,"username":"boss","password":"a long admin password"})"));
    QTRY_VERIFY_WITH_TIMEOUT(answers.count() >= 1, 15000);
    QVERIFY2(answers.first().first().toString().contains(QLatin1String("\"type\":\"welcome\"")) ||
                 !answers.first().first().toString().contains(QLatin1String("error")),
             qPrintable(answers.first().first().toString()));
    RawWsClient chatter;
    QVERIFY(chatter.connectTcp(server.chatUrl()));
    QVERIFY(chatter.handshake());
    console.sendTextMessage(QStringLiteral(R"({"type":"drain","req":2})"));
    QTRY_VERIFY_WITH_TIMEOUT(get(readyz).status == 503, 5000);
    QCOMPARE(get(readyz).body, QByteArray("draining\n"));
    // Alive all the same: draining servers keep their clients.
    QCOMPARE(get(server.httpUrl().resolved(QUrl(QStringLiteral("/healthz")))).status, 200);
}

void TestMetrics::readyLineNamesFreePort() {
    ServerProcess server; // ServerProcess asks for --http-port 0
    QVERIFY(server.start());
    static const QRegularExpression line(
        QStringLiteral(R"(ready: chat \S+ control \S+ http (http://127\.0\.0\.1:(\d+))\n)"));
    const auto m = line.match(QString::fromUtf8(server.standardOutput()));
    QVERIFY2(m.hasMatch(), server.standardOutput().constData());
    const int port = m.captured(2).toInt();
    QVERIFY(port > 0);
    QVERIFY(port != 9090);
    QCOMPARE(server.httpUrl().port(), port);
    QCOMPARE(get(server.httpUrl().resolved(QUrl(QStringLiteral("/healthz")))).status, 200);
}

void TestMetrics::offBySetting_data() {
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("env");
    QTest::newRow("option") << QStringList{QStringLiteral("--http-enabled"), QStringLiteral("0")}
                            << QString();
    QTest::newRow("environment") << QStringList{} << QStringLiteral("0");
}

void TestMetrics::offBySetting() {
    QFETCH(QStringList, args);
    QFETCH(QString, env);
    // The port the endpoint would take if it were on: free now, so only the
    // setting can keep it closed.
    QTcpServer probe;
    QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
    const quint16 port = probe.serverPort();
    probe.close();
    ServerProcess server(QStringList{QStringLiteral("--http-port"), QString::number(port)} + args);
    if (!env.isEmpty()) {
        QProcessEnvironment e = QProcessEnvironment::systemEnvironment();
        e.insert(QStringLiteral("WHISPERCHAT_HTTP_ENABLED"), env);
        server.setEnvironment(e);
    }
    QVERIFY(server.start());
    QVERIFY2(!server.standardOutput().contains(" http "), server.standardOutput().constData());
    QVERIFY(server.httpUrl().isEmpty());
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    QVERIFY(!socket.waitForConnected(2000));
    // The chat endpoint serves as ever.
    TestClient client;
    QVERIFY(client.connectTo(server.chatUrl()));
}

void TestMetrics::rulesFileIsValid() {
    const QString rules =
        QStringLiteral(WHISPER_SOURCE_DIR "/resources/deploy/whisperchat.rules.yml");
    QVERIFY(QFile::exists(rules));
    if (promtool().isEmpty())
        QSKIP("promtool (Debian package prometheus) is not installed");
    const auto [rc, out] = runPromtool({QStringLiteral("check"), QStringLiteral("rules"), rules});
    QVERIFY2(rc == 0, out.constData());
    // Every metric a rule uses exists in the server's exposition.
    ServerProcess server;
    QVERIFY(server.start());
    const QByteArray exposition =
        get(server.httpUrl().resolved(QUrl(QStringLiteral("/metrics")))).body;
    QFile f(rules);
    QVERIFY(f.open(QIODevice::ReadOnly));
    static const QRegularExpression name(QStringLiteral(R"(\bwhisperchat_[a-z_]+)"));
    auto it = name.globalMatch(QString::fromUtf8(f.readAll()));
    int used = 0;
    while (it.hasNext()) {
        QString metric = it.next().captured(0);
        // Histograms are exposed as their _bucket/_sum/_count series.
        const QByteArray n = metric.toUtf8();
        QVERIFY2(exposition.contains(QByteArray("# TYPE " + n + ' ')) ||
                     exposition.contains(QByteArray('\n' + n)),
                 qPrintable(metric));
        ++used;
    }
    QVERIFY(used >= 4);
}

QTEST_MAIN(TestMetrics)
#include "tst_metrics.moc"
