// SPDX-License-Identifier: MIT
#include "controlprotocol.h"

#include <QTest>

using namespace whisper;
using namespace whisper::control;

Q_DECLARE_METATYPE(whisper::control::ConsoleMessage)
Q_DECLARE_METATYPE(whisper::control::ServerMessage)

class TestControlProtocol : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void consoleRoundTrip_data();
    void consoleRoundTrip();
    void serverRoundTrip_data();
    void serverRoundTrip();
    void rejectsConsole_data();
    void rejectsConsole();
    void rejectsServer_data();
    void rejectsServer();
    void coarsensToTenthDegree_data();
    void coarsensToTenthDegree();
    void requestIdOfEveryCommand();
    void coarsensTimesToTenSeconds();
};

void TestControlProtocol::coarsensTimesToTenSeconds() {
    QCOMPARE(kTimeGranularityMs, qint64(10000));
    QCOMPARE(coarsenTime(1700000000000), qint64(1700000000000));
    QCOMPARE(coarsenTime(1700000009999), qint64(1700000000000));
    QCOMPARE(coarsenTime(1700000010000), qint64(1700000010000));
    QCOMPARE(coarsenTime(0), qint64(0));
}

void TestControlProtocol::consoleRoundTrip_data() {
    QTest::addColumn<ConsoleMessage>("message");
    QTest::addColumn<QString>("type");
    QTest::addRow("login") << ConsoleMessage{Login{1, "mod", "secret", "123456"}} << "login";
    QTest::addRow("login without totp") << ConsoleMessage{Login{2, "mod", "pw", {}}} << "login";
    QTest::addRow("subscribe") << ConsoleMessage{Subscribe{3}} << "subscribe";
    QTest::addRow("kick") << ConsoleMessage{Kick{4, "c1"}} << "kick";
    QTest::addRow("kick_pair") << ConsoleMessage{KickPair{5, "p1"}} << "kick_pair";
    QTest::addRow("ban account") << ConsoleMessage{Ban{6, "alice", {}, 3600, "spam", {}}} << "ban";
    QTest::addRow("ban client permanent")
        << ConsoleMessage{Ban{7, {}, "c9", 0, "abuse", {}}} << "ban";
    QTest::addRow("list_reports") << ConsoleMessage{ListReports{8, true}} << "list_reports";
    QTest::addRow("resolve_report")
        << ConsoleMessage{ResolveReport{9, "r1", "warned"}} << "resolve_report";
    QTest::addRow("lookup_account") << ConsoleMessage{LookupAccount{10, "bob"}} << "lookup_account";
    QTest::addRow("set_role") << ConsoleMessage{SetRole{11, "bob", "moderator"}} << "set_role";
    QTest::addRow("broadcast") << ConsoleMessage{Broadcast{12, "maintenance at 3"}} << "broadcast";
    QTest::addRow("set_tick_interval")
        << ConsoleMessage{SetTickInterval{13, 100}} << "set_tick_interval";
    QTest::addRow("drain") << ConsoleMessage{Drain{14}} << "drain";
    QTest::addRow("ban client, connection scope")
        << ConsoleMessage{Ban{15, {}, "c9", 3600, "spam", BanScope::Connection}} << "ban";
    QTest::addRow("ban client, address scope")
        << ConsoleMessage{Ban{16, {}, "c9", 3600, "spam", BanScope::Address}} << "ban";
    QTest::addRow("ban client, account scope")
        << ConsoleMessage{Ban{17, {}, "c9", 0, "spam", BanScope::Account}} << "ban";
    QTest::addRow("preview_ban") << ConsoleMessage{PreviewBan{18, "c9"}} << "preview_ban";
    QTest::addRow("list_bans") << ConsoleMessage{ListBans{19}} << "list_bans";
    QTest::addRow("unban") << ConsoleMessage{Unban{20, "42"}} << "unban";
    QTest::addRow("list_audit, every filter")
        << ConsoleMessage{ListAudit{21, "mod", "kick", 1700000000000, 1700000360000, 50}}
        << "list_audit";
    QTest::addRow("list_audit, no filter")
        << ConsoleMessage{ListAudit{22, {}, {}, 0, 0, 200}} << "list_audit";
}

void TestControlProtocol::consoleRoundTrip() {
    QFETCH(ConsoleMessage, message);
    QFETCH(QString, type);
    QCOMPARE(typeName(message), type);
    const QByteArray bytes = Codec::encode(message);
    const QByteArray typeField = "\"type\":\"" + type.toUtf8() + '"';
    QVERIFY(bytes.contains(typeField));
    const auto decoded = Codec::decodeConsole(bytes);
    QVERIFY2(std::holds_alternative<ConsoleMessage>(decoded), bytes.constData());
    QVERIFY(std::get<ConsoleMessage>(decoded) == message);
}

void TestControlProtocol::serverRoundTrip_data() {
    QTest::addColumn<ServerMessage>("message");
    const WaitingClient w{"c1", 52.5, 13.4, 25.0, 1700000000000, true};
    const PairInfo p{"p1", "c2", "c3", 5, 1700000001000, 42, 48.1, 11.6, 48.2, 11.5};
    Stats stats;
    stats.connections = 40;
    stats.waiting = 20;
    stats.pairs = 10;
    stats.matchesPerMinute = 3.5;
    stats.messagesPerSecond = 12.25;
    stats.lastTickMs = 3;
    stats.tickIntervalMs = 250;
    stats.uptimeS = 99;
    stats.version = "0.1.0";
    Stats measured = stats;
    measured.relayP50Ms = 0.5;
    measured.relayP99Ms = 4.0;
    measured.draining = true;

    QTest::addRow("hello") << ServerMessage{Hello{1, "whisperchat", "0.1.0"}};
    QTest::addRow("logged_in") << ServerMessage{
        LoggedIn{1, "mod", "moderator", {"view_console", "kick_client"}}};
    QTest::addRow("ok") << ServerMessage{Ok{5}};
    QTest::addRow("error") << ServerMessage{Error{6, ErrorCode::Forbidden, "admin only"}};
    QTest::addRow("snapshot") << ServerMessage{Snapshot{2, false, 5000, 10, {w}, {p}}};
    QTest::addRow("empty delta") << ServerMessage{Delta{}};
    Delta d;
    d.seq = 7;
    d.waitingAdded = {w};
    d.waitingRemoved = {"c4", "c5"};
    d.pairsAdded = {p};
    d.pairsRemoved = {"p0"};
    d.pairMessages = {PairMessages{"p1", 43}};
    d.events = {Event{EventKind::Kicked, 1700000002000, "p1", "by mod"},
                Event{EventKind::Reported, 1700000003000, "c2", ""}};
    d.stats = stats;
    QTest::addRow("delta") << ServerMessage{d};
    d.stats = measured;
    QTest::addRow("delta with relay latency") << ServerMessage{d};
    Stats cluster = stats;
    cluster.nodes = {NodeStats{"node1", 40, 20, 10, 12.25, 0.35, false, true},
                     NodeStats{"node2", 7, 1, 3, 0.0, std::nullopt, true, false}};
    d.stats = cluster;
    QTest::addRow("delta with cluster nodes") << ServerMessage{d};
    QTest::addRow("reports") << ServerMessage{
        Reports{9,
                {Report{"r1", "alice", "bob", "rude", 1700000000000, false, ""},
                 Report{"r2", "c7", "c8", "spam", 1700000000001, true, "banned"}}}};
    QTest::addRow("account") << ServerMessage{
        Account{10, AccountInfo{"bob", "user", 1700000000000, true, -1}}};
    QTest::addRow("ban_preview") << ServerMessage{BanPreview{11, "c9", "bob", 2, 17}};
    QTest::addRow("ban_preview guest") << ServerMessage{BanPreview{12, "c9", {}, 0, 3}};
    QTest::addRow("bans") << ServerMessage{
        Bans{13,
             {BanInfo{"1", "bob", "spam", 1700000000000, 0, "root"},
              BanInfo{"2", {}, "flood", 1700000000000, 1700000360000, {}}}}};
    QTest::addRow("no bans") << ServerMessage{Bans{14, {}}};
    QTest::addRow("audit") << ServerMessage{
        Audit{15,
              {AuditRow{1700000000000, "mod", "kick", "c9", "", "ok", "127.0.0.1"},
               AuditRow{1700000000001, "bob", "login", "", "bad password", "failed", "::1"}}}};
}

void TestControlProtocol::serverRoundTrip() {
    QFETCH(ServerMessage, message);
    const auto decoded = Codec::decodeServer(Codec::encode(message));
    if (const auto *error = std::get_if<DecodeError>(&decoded))
        QFAIL(qPrintable(error->message));
    QVERIFY(std::get<ServerMessage>(decoded) == message);
}

void TestControlProtocol::rejectsConsole_data() {
    QTest::addColumn<QByteArray>("frame");
    QTest::addColumn<QString>("messagePart");
    QTest::addRow("not json") << QByteArray("{") << "invalid JSON";
    QTest::addRow("not an object") << QByteArray("[1]") << "JSON object";
    QTest::addRow("no type") << QByteArray(R"({"req":1})") << "type";
    QTest::addRow("unknown type") << QByteArray(R"({"type":"reboot","req":1})") << "unknown";
    QTest::addRow("missing req") << QByteArray(R"({"type":"drain"})") << "'req'";
    QTest::addRow("negative req") << QByteArray(R"({"type":"drain","req":-1})") << "'req'";
    QTest::addRow("fractional req") << QByteArray(R"({"type":"drain","req":1.5})") << "integer";
    QTest::addRow("login empty user")
        << QByteArray(R"({"type":"login","req":1,"username":"","password":"x"})") << "empty";
    QTest::addRow("login password type")
        << QByteArray(R"({"type":"login","req":1,"username":"a","password":5})") << "string";
    QTest::addRow("kick without client") << QByteArray(R"({"type":"kick","req":1})") << "'client'";
    QTest::addRow("list_audit limit 0")
        << QByteArray(R"({"type":"list_audit","req":1,"limit":0})") << "'limit'";
    QTest::addRow("list_audit limit too big")
        << QByteArray(R"({"type":"list_audit","req":1,"limit":1001})") << "'limit'";
    QTest::addRow("list_audit negative since")
        << QByteArray(R"({"type":"list_audit","req":1,"since_ms":-5})") << "negative";
    QTest::addRow("kick long id") << (QByteArray(R"({"type":"kick","req":1,"client":")") +
                                      QByteArray(65, 'x') + "\"}")
                                  << "longer";
    QTest::addRow("ban both targets")
        << QByteArray(
               R"({"type":"ban","req":1,"account":"a","client":"c","duration_s":1,"reason":""})")
        << "exactly one";
    QTest::addRow("ban no target")
        << QByteArray(R"({"type":"ban","req":1,"duration_s":1,"reason":""})") << "exactly one";
    QTest::addRow("ban too long")
        << QByteArray(R"({"type":"ban","req":1,"account":"a","duration_s":31536001,"reason":""})")
        << "duration_s";
    QTest::addRow("set_role unknown")
        << QByteArray(R"({"type":"set_role","req":1,"username":"a","role":"root"})") << "role";
    QTest::addRow("broadcast empty")
        << QByteArray(R"({"type":"broadcast","req":1,"text":""})") << "empty";
    QTest::addRow("broadcast too long")
        << (QByteArray(R"({"type":"broadcast","req":1,"text":")") + QByteArray(1001, 'x') + "\"}")
        << "longer";
    QTest::addRow("tick zero") << QByteArray(R"({"type":"set_tick_interval","req":1,"ms":0})")
                               << "'ms'";
    QTest::addRow("tick too slow")
        << QByteArray(R"({"type":"set_tick_interval","req":1,"ms":60001})") << "'ms'";
    QTest::addRow("ban unknown scope")
        << QByteArray(
               R"({"type":"ban","req":1,"client":"c","duration_s":1,"reason":"","scope":"world"})")
        << "scope";
    QTest::addRow("ban account by name, address scope")
        << QByteArray(R"({"type":"ban","req":1,"account":"a","duration_s":1,"reason":"",)"
                      R"("scope":"address"})")
        << "scope 'account'";
    QTest::addRow("preview_ban without client")
        << QByteArray(R"({"type":"preview_ban","req":1})") << "'client'";
    QTest::addRow("unban without id") << QByteArray(R"({"type":"unban","req":1})") << "'ban'";
    QTest::addRow("unban empty id")
        << QByteArray(R"({"type":"unban","req":1,"ban":""})") << "empty";
}

void TestControlProtocol::rejectsConsole() {
    QFETCH(QByteArray, frame);
    QFETCH(QString, messagePart);
    const auto decoded = Codec::decodeConsole(frame);
    QVERIFY(std::holds_alternative<DecodeError>(decoded));
    const DecodeError error = std::get<DecodeError>(decoded);
    QVERIFY(error.code == ErrorCode::BadRequest);
    QVERIFY2(error.message.contains(messagePart), qPrintable(error.message));
}

void TestControlProtocol::rejectsServer_data() {
    QTest::addColumn<QByteArray>("frame");
    QTest::addRow("unknown error code")
        << QByteArray(R"({"type":"error","req":0,"code":"nope","message":""})");
    QTest::addRow("latitude out of range")
        << QByteArray(R"({"type":"snapshot","page":0,"last":true,"total_waiting":1,)"
                      R"("total_pairs":0,"pairs":[],"waiting":[{"id":"c","lat":91,"lon":0,)"
                      R"("range_km":1,"since_ms":0,"account":false}]})");
    QTest::addRow("waiting entry not an object")
        << QByteArray(R"({"type":"snapshot","page":0,"last":true,"total_waiting":1,)"
                      R"("total_pairs":0,"pairs":[],"waiting":[3]})");
    QTest::addRow("unknown event kind")
        << QByteArray(R"({"type":"delta","seq":1,"waiting_added":[],"waiting_removed":[],)"
                      R"("pairs_added":[],"pairs_removed":[],"pair_messages":[],)"
                      R"("events":[{"kind":"exploded","ts":1,"subject":"","detail":""}]})");
    QTest::addRow("removed id not a string")
        << QByteArray(R"({"type":"delta","seq":1,"waiting_added":[],"waiting_removed":[1],)"
                      R"("pairs_added":[],"pairs_removed":[],"pair_messages":[],"events":[]})");
}

void TestControlProtocol::rejectsServer() {
    QFETCH(QByteArray, frame);
    QVERIFY(std::holds_alternative<DecodeError>(Codec::decodeServer(frame)));
}

void TestControlProtocol::coarsensToTenthDegree_data() {
    QTest::addColumn<double>("in");
    QTest::addColumn<double>("out");
    QTest::addRow("down") << 52.5123 << 52.5;
    QTest::addRow("up") << 13.3777 << 13.4;
    QTest::addRow("negative") << -33.8688 << -33.9;
    QTest::addRow("pole") << 89.99 << 90.0;
    QTest::addRow("antimeridian") << -179.96 << -180.0;
}

void TestControlProtocol::coarsensToTenthDegree() {
    QFETCH(double, in);
    QFETCH(double, out);
    QCOMPARE(coarsen(in), out);
    // Nothing finer than a tenth survives the wire.
    const auto decoded = Codec::decodeServer(Codec::encode(ServerMessage{
        Snapshot{0, true, 1, 0, {WaitingClient{"c", 0, coarsen(in), 1, 0, false}}, {}}}));
    QVERIFY(std::holds_alternative<ServerMessage>(decoded));
    const double lon = std::get<Snapshot>(std::get<ServerMessage>(decoded)).waiting[0].lon;
    QCOMPARE(lon * 10, std::round(lon * 10));
}

void TestControlProtocol::requestIdOfEveryCommand() {
    // Every other field at its default.
    const auto withReq = []<class T>(T m) {
        m.req = 21;
        return ConsoleMessage{m};
    };
    const QList<ConsoleMessage> all{withReq(Login{}),
                                    withReq(Subscribe{}),
                                    withReq(Kick{}),
                                    withReq(KickPair{}),
                                    withReq(Ban{}),
                                    withReq(ListReports{}),
                                    withReq(ResolveReport{}),
                                    withReq(LookupAccount{}),
                                    withReq(SetRole{}),
                                    withReq(Broadcast{}),
                                    withReq(SetTickInterval{}),
                                    withReq(Drain{}),
                                    withReq(PreviewBan{}),
                                    withReq(ListBans{}),
                                    withReq(Unban{}),
                                    withReq(ListAudit{})};
    QCOMPARE(all.size(), int(std::variant_size_v<ConsoleMessage>));
    for (const auto &m : all)
        QCOMPARE(requestId(m), 21);
}

QTEST_APPLESS_MAIN(TestControlProtocol)
#include "tst_controlprotocol.moc"
