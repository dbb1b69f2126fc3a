// SPDX-License-Identifier: MIT
// Control endpoint: login, the role check of every command, audit rows, the
// moderation actions and the endpoint's limits. Real ChatServer and
// ControlServer in-process on loopback, real WebSocket clients; the account
// backend is an in-memory fake.

#include "chatserver.h"
#include "controlserver.h"
#include "testclient.h"
#include "tst_control_support.h"

#include <QSignalSpy>
#include <QTest>

using namespace whisper;
using namespace whisper::control;
using whisper::test::FakeControlBackend;
using whisper::test::TestClient;
using whisper::test::TestConsole;

Q_DECLARE_METATYPE(whisper::control::ConsoleMessage)

namespace {
ServerConfig chatConfig() {
    ServerConfig c;
    c.listenAddress = QStringLiteral("127.0.0.1");
    c.port = 0;
    c.tickMs = 20;
    return c;
}
} // namespace

class TestControlSession : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();

    void commandsNeedLogin();
    void wrongPasswordIsUnauthorized();
    void totpRequiredWhenEnabled();
    void userRoleCannotUseConsole();
    void tooManyFailedLoginsClose();
    void roleChecks_data();
    void roleChecks();
    void kickEndsPairAndDisconnects();
    void kickPairKeepsBothConnected();
    void banKicksTheClient();
    void broadcastReachesEveryClient();
    void drainRefusesNewClients();
    void setTickIntervalChangesMatchmaker();
    void reportsListAndResolve();
    void consoleLimit();
    void oversizedFrameCloses();
    void configEdges_data();
    void configEdges();
    void banCapAndRanks();
    void demotedAdminLosesTheConsole();
    void disabledAccountLosesTheConsole();
    void unbanNeedsTheRightRole();
    void originIsChecked();
    void exposureIsWarned();
    void pairIdsAndTimesAreTheConsolesOwn();

private:
    TestConsole *console(const QString &user = {});
    std::unique_ptr<TestClient> waitingClient(double lat, double lon, double rangeKm);

    std::unique_ptr<ChatServer> m_chat;
    std::unique_ptr<FakeControlBackend> m_backend;
    std::unique_ptr<ControlServer> m_control;
    ControlLimits m_limits;
    QList<TestConsole *> m_consoles;
};

void TestControlSession::init() {
    m_chat = std::make_unique<ChatServer>(chatConfig());
    QVERIFY(m_chat->listen());
    m_backend = std::make_unique<FakeControlBackend>();
    m_backend->addUser("alice", "user-pw", Role::User);
    m_backend->addUser("mod", "mod-pw", Role::Moderator);
    m_backend->addUser("root", "admin-pw", Role::Admin);
    m_backend->addUser("root2", "admin2-pw", Role::Admin);
    m_backend->addUser("mod2", "mod2-pw", Role::Moderator);
    m_backend->addUser("mod2fa", "pw", Role::Moderator, "123456");
    m_limits = ControlLimits{};
    m_limits.batchMs = 50;
    m_limits.maxConnections = 4;
    m_limits.loginAttempts = 3;
    m_limits.maxMessageBytes = 4096;
    m_control = std::make_unique<ControlServer>(QStringLiteral("127.0.0.1"), 0, m_limits, *m_chat,
                                                *m_backend, QStringLiteral("test"));
    QVERIFY(m_control->listen());
}

void TestControlSession::cleanup() {
    qDeleteAll(m_consoles);
    m_consoles.clear();
    m_control.reset();
    m_chat.reset();
    m_backend.reset();
}

TestConsole *TestControlSession::console(const QString &user) {
    auto *c = new TestConsole;
    m_consoles.append(c);
    if (!c->open(m_control->url()))
        return nullptr;
    if (user == QLatin1String("mod") && !c->login("mod", "mod-pw"))
        return nullptr;
    if (user == QLatin1String("root") && !c->login("root", "admin-pw"))
        return nullptr;
    if (user == QLatin1String("root2") && !c->login("root2", "admin2-pw"))
        return nullptr;
    return c;
}

std::unique_ptr<TestClient> TestControlSession::waitingClient(double lat, double lon,
                                                              double rangeKm) {
    return TestClient::waitingAt(m_chat->url(), lat, lon, rangeKm);
}

void TestControlSession::commandsNeedLogin() {
    TestConsole *c = console();
    QVERIFY(c);
    const auto a = c->answer(c->send(Subscribe{}));
    QVERIFY(a && std::holds_alternative<Error>(*a));
    QVERIFY(std::get<Error>(*a).code == ErrorCode::Unauthorized);
    QVERIFY(m_backend->audit.isEmpty());
}

void TestControlSession::wrongPasswordIsUnauthorized() {
    TestConsole *c = console();
    QVERIFY(c);
    for (const auto &[user, pw] : {std::pair{"mod", "wrong"}, std::pair{"nobody", "mod-pw"}}) {
        const auto a = c->answer(c->send(Login{0, user, pw, {}}));
        QVERIFY(a && std::holds_alternative<Error>(*a));
        QVERIFY(std::get<Error>(*a).code == ErrorCode::Unauthorized);
    }
    QVERIFY(c->login("mod", "mod-pw"));
}

void TestControlSession::totpRequiredWhenEnabled() {
    TestConsole *c = console();
    QVERIFY(c);
    QVERIFY(!c->login("mod2fa", "pw"));
    QVERIFY(!c->login("mod2fa", "pw", "000000"));
    QVERIFY(c->login("mod2fa", "pw", "123456"));
}

void TestControlSession::userRoleCannotUseConsole() {
    TestConsole *c = console();
    QVERIFY(c);
    const auto a = c->answer(c->send(Login{0, "alice", "user-pw", {}}));
    QVERIFY(a && std::holds_alternative<Error>(*a));
    QVERIFY(std::get<Error>(*a).code == ErrorCode::Forbidden);
    // Still not logged in: nothing else works. The refused login is audited
    // with the name tried and the console's address.
    const auto b = c->answer(c->send(Subscribe{}));
    QVERIFY(b && std::get<Error>(*b).code == ErrorCode::Unauthorized);
    QCOMPARE(m_backend->audit.size(), 1);
    QCOMPARE(m_backend->audit.first().command, QStringLiteral("login"));
    QCOMPARE(m_backend->audit.first().target, QStringLiteral("alice"));
    QCOMPARE(m_backend->audit.first().result, QStringLiteral("refused"));
    QCOMPARE(m_backend->audit.first().source, QStringLiteral("127.0.0.1"));
    QCOMPARE(m_backend->audit.first().actorAccountId, qint64(0));
}

void TestControlSession::tooManyFailedLoginsClose() {
    TestConsole *c = console();
    QVERIFY(c);
    // Two failures (one below the limit of three) leave the connection open.
    for (int i = 0; i < m_limits.loginAttempts - 1; ++i)
        QVERIFY(!c->login("mod", "wrong"));
    QCOMPARE(c->socket().state(), QAbstractSocket::ConnectedState);
    QVERIFY(!c->login("mod", "wrong"));
    QTRY_COMPARE(c->socket().state(), QAbstractSocket::UnconnectedState);
    QCOMPARE(c->socket().closeCode(), QWebSocketProtocol::CloseCodePolicyViolated);
}

void TestControlSession::roleChecks_data() {
    QTest::addColumn<ConsoleMessage>("command");
    QTest::addColumn<bool>("moderatorMay");
    // What a permitted command answers: the type of the answer, or the error
    // code when its target cannot exist here (no chat client is connected).
    QTest::addColumn<QString>("answer");
    QTest::addRow("subscribe") << ConsoleMessage{Subscribe{}} << true << "ok";
    QTest::addRow("kick") << ConsoleMessage{Kick{0, "cnone"}} << true << "not_found";
    QTest::addRow("kick_pair") << ConsoleMessage{KickPair{0, "pnone"}} << true << "not_found";
    QTest::addRow("ban temporary")
        << ConsoleMessage{Ban{0, "alice", {}, 3600, "spam", {}}} << true << "ok";
    QTest::addRow("ban permanent")
        << ConsoleMessage{Ban{0, "alice", {}, 0, "spam", {}}} << false << "ok";
    QTest::addRow("list_reports") << ConsoleMessage{ListReports{0, false}} << true << "reports";
    QTest::addRow("resolve_report") << ConsoleMessage{ResolveReport{0, "1", "ok"}} << true << "ok";
    QTest::addRow("lookup_account")
        << ConsoleMessage{LookupAccount{0, "alice"}} << true << "account";
    QTest::addRow("set_role") << ConsoleMessage{SetRole{0, "alice", "user"}} << false << "ok";
    QTest::addRow("broadcast") << ConsoleMessage{Broadcast{0, "hello"}} << false << "ok";
    QTest::addRow("set_tick_interval") << ConsoleMessage{SetTickInterval{0, 100}} << false << "ok";
    QTest::addRow("drain") << ConsoleMessage{Drain{0}} << false << "ok";
    QTest::addRow("list_bans") << ConsoleMessage{ListBans{0}} << true << "bans";
    QTest::addRow("preview_ban") << ConsoleMessage{PreviewBan{0, "cnone"}} << true << "not_found";
    QTest::addRow("unban") << ConsoleMessage{Unban{0, "99"}} << true << "not_found";
}

void TestControlSession::roleChecks() {
    QFETCH(ConsoleMessage, command);
    QFETCH(bool, moderatorMay);
    QFETCH(QString, answer);
    const QString type = typeName(command);

    for (const QString &who : {QStringLiteral("mod"), QStringLiteral("root")}) {
        TestConsole *c = console(who);
        QVERIFY(c);
        const bool admin = who == QLatin1String("root");
        const bool permitted = admin || moderatorMay;
        m_backend->audit.clear();
        const auto a = c->answer(c->send(command));
        QVERIFY2(a.has_value(), qPrintable(who + " got no answer to " + type));
        const auto *error = std::get_if<Error>(&*a);
        if (!permitted) {
            QVERIFY2(error && error->code == ErrorCode::Forbidden, qPrintable(who + " " + type));
            // Refused commands are audited as refused.
            QCOMPARE(m_backend->audit.size(), 1);
            QCOMPARE(m_backend->audit.first().result, QStringLiteral("refused"));
            QCOMPARE(m_backend->audit.first().command, type);
            QCOMPARE(m_backend->audit.first().source, QStringLiteral("127.0.0.1"));
            continue;
        }
        const QString got = error ? protocol::toString(error->code) : typeName(*a);
        QVERIFY2(got == answer, qPrintable(who + " " + type + ": " + got + " " +
                                           (error ? error->message : QString())));
        if (std::holds_alternative<PreviewBan>(command)) {
            QVERIFY(m_backend->audit.isEmpty()); // a question, not an action
            continue;
        }
        QCOMPARE(m_backend->audit.size(), 1);
        const AuditEntry &row = m_backend->audit.first();
        QCOMPARE(row.actor, who);
        QCOMPARE(row.command, type);
        QCOMPARE(row.result, error ? QStringLiteral("failed") : QStringLiteral("ok"));
        QVERIFY(row.atMs > 0);
    }
    // Keep the server usable for the next row.
    m_chat->setDraining(false);
}

void TestControlSession::kickEndsPairAndDisconnects() {
    auto a = waitingClient(52.52, 13.40, 50);
    auto b = waitingClient(52.53, 13.41, 50);
    QVERIFY(a && b);
    QVERIFY(a->waitFor<protocol::Matched>());
    QVERIFY(b->waitFor<protocol::Matched>());
    TestConsole *c = console("mod");
    QVERIFY(c && c->subscribe());
    QCOMPARE(c->pairs.size(), 1);
    const PairInfo pair = c->pairs.values().first();
    // Positions on the 0.1 degree grid only.
    QCOMPARE(pair.latA * 10, std::round(pair.latA * 10));
    QVERIFY(std::abs(pair.latA - 52.5) < 0.051);

    const auto ok = c->answer(c->send(Kick{0, pair.a}));
    QVERIFY(ok && std::holds_alternative<Ok>(*ok));
    // One member is disconnected, the other learns "kicked".
    TestClient *kicked = nullptr, *partner = nullptr;
    QTRY_VERIFY(!a->isConnected() || !b->isConnected());
    kicked = a->isConnected() ? b.get() : a.get();
    partner = kicked == a.get() ? b.get() : a.get();
    QCOMPARE(kicked->closeCode(), int(QWebSocketProtocol::CloseCodePolicyViolated));
    const auto left = partner->waitFor<protocol::PartnerLeft>();
    QVERIFY(left);
    QVERIFY(left->reason == protocol::LeftReason::Kicked);
    QTRY_COMPARE(c->pairs.size(), 0);
    QTRY_VERIFY(std::any_of(c->events.cbegin(), c->events.cend(),
                            [](const Event &e) { return e.kind == EventKind::Kicked; }));
    QCOMPARE(m_chat->pairCount(), 0);
}

void TestControlSession::kickPairKeepsBothConnected() {
    auto a = waitingClient(10, 10, 100);
    auto b = waitingClient(10.1, 10.1, 100);
    QVERIFY(a && b);
    QVERIFY(a->waitFor<protocol::Matched>());
    TestConsole *c = console("mod");
    QVERIFY(c && c->subscribe());
    QCOMPARE(c->pairs.size(), 1);
    // Messages are counted for the console, their text never leaves.
    for (int i = 0; i < 3; ++i) {
        a->send(protocol::SendMessage{QStringLiteral("secret text"), std::nullopt});
        QVERIFY(b->waitFor<protocol::IncomingMessage>());
    }
    QTRY_COMPARE(c->pairs.values().first().messages, qint64(3));
    QTRY_VERIFY(c->stats && c->stats->messagesPerSecond > 0 && c->stats->pairs == 1);
    QVERIFY(c->stats->matchesPerMinute > 0);
    for (const Delta &d : std::as_const(c->deltas))
        QVERIFY(!QString::fromUtf8(Codec::encode(ServerMessage{d})).contains("secret"));
    const auto ok = c->answer(c->send(KickPair{0, c->pairs.keys().first()}));
    QVERIFY(ok && std::holds_alternative<Ok>(*ok));
    for (TestClient *t : {a.get(), b.get()}) {
        const auto left = t->waitFor<protocol::PartnerLeft>();
        QVERIFY(left && left->reason == protocol::LeftReason::Kicked);
        QVERIFY(t->isConnected());
    }
    QTRY_COMPARE(c->pairs.size(), 0);
    // Back in the lobby: they may join again.
    a->send(protocol::Join{10, 10, 100});
    QVERIFY(a->waitFor<protocol::Waiting>());
}

void TestControlSession::banKicksTheClient() {
    auto a = waitingClient(-33.87, 151.21, 5);
    auto bystander = waitingClient(60, 60, 1);
    QVERIFY(a && bystander);
    TestConsole *c = console("mod");
    QVERIFY(c && c->subscribe());
    QTRY_COMPARE(c->waiting.size(), 2);
    QString target;
    for (const WaitingClient &w : std::as_const(c->waiting))
        if (std::abs(w.lat - -33.9) < 0.01)
            target = w.id;
    QVERIFY(!target.isEmpty());
    // A guest without a scope: only its connection, nothing stored, the
    // other client on the same address stays.
    const auto ok = c->answer(c->send(Ban{0, {}, target, 3600, "spam", {}}));
    QVERIFY(ok && std::holds_alternative<Ok>(*ok));
    QVERIFY(a->waitForDisconnected());
    QVERIFY(m_backend->bans.isEmpty());
    QTRY_COMPARE(c->waiting.size(), 1);
    QVERIFY(bystander->isConnected());
    const AuditEntry &row = m_backend->audit.last();
    QCOMPARE(row.command, QStringLiteral("ban"));
    QCOMPARE(row.target, target + QStringLiteral(" connection"));
    QCOMPARE(row.result, QStringLiteral("ok"));

    // The address, when asked for: stored and named in the audit row.
    const QString other = c->waiting.keys().first();
    const auto ok2 = c->answer(c->send(Ban{0, {}, other, 3600, "spam", BanScope::Address}));
    QVERIFY(ok2 && std::holds_alternative<Ok>(*ok2));
    QCOMPARE(m_backend->bans.size(), 1);
    QCOMPARE(m_backend->bans.first().at(0), QStringLiteral("127.0.0.1"));
    QCOMPARE(m_backend->audit.last().target, other + QStringLiteral(" address 127.0.0.1"));
    QVERIFY(bystander->waitForDisconnected());
    QTRY_COMPARE(c->waiting.size(), 0);

    // A guest has no account to ban.
    auto guest = waitingClient(10, 10, 1);
    QVERIFY(guest);
    QTRY_COMPARE(c->waiting.size(), 1);
    const auto refused =
        c->answer(c->send(Ban{0, {}, c->waiting.keys().first(), 3600, "x", BanScope::Account}));
    QVERIFY(refused && std::holds_alternative<Error>(*refused));
    QVERIFY(std::get<Error>(*refused).code == ErrorCode::BadRequest);
    QCOMPARE(m_backend->audit.last().result, QStringLiteral("failed"));
    QVERIFY(guest->isConnected());
}

void TestControlSession::broadcastReachesEveryClient() {
    auto a = waitingClient(1, 1, 1);
    TestClient idle;
    QVERIFY(a && idle.connectTo(m_chat->url()));
    TestConsole *c = console("root");
    QVERIFY(c);
    const auto ok = c->answer(c->send(Broadcast{0, "maintenance at 03:00"}));
    QVERIFY(ok && std::holds_alternative<Ok>(*ok));
    for (TestClient *t : {a.get(), &idle}) {
        const auto notice = t->waitFor<protocol::Notice>();
        QVERIFY(notice);
        QCOMPARE(notice->text, QStringLiteral("maintenance at 03:00"));
    }
    // The audit row keeps no notice text.
    QVERIFY(!m_backend->audit.last().detail.contains("maintenance"));
}

void TestControlSession::drainRefusesNewClients() {
    auto a = waitingClient(1, 1, 1);
    QVERIFY(a);
    TestConsole *c = console("root");
    QVERIFY(c);
    const auto ok = c->answer(c->send(Drain{}));
    QVERIFY(ok && std::holds_alternative<Ok>(*ok));
    QVERIFY(m_chat->isDraining());
    TestClient late;
    QVERIFY(!late.connectTo(m_chat->url(), 2000));
    QVERIFY(a->isConnected());
    // The console's drain is the graceful one: the client is told to move,
    // and once it has, the server is done.
    const auto notice = a->waitFor<whisper::protocol::Notice>();
    QVERIFY(notice);
    QCOMPARE(notice->kind, std::optional<QString>(QStringLiteral("server_draining")));
    QSignalSpy done(m_chat.get(), &ChatServer::shutdownComplete);
    a->close();
    QVERIFY(done.wait(5000));
}

void TestControlSession::setTickIntervalChangesMatchmaker() {
    TestConsole *c = console("root");
    QVERIFY(c);
    const auto ok = c->answer(c->send(SetTickInterval{0, 1234}));
    QVERIFY(ok && std::holds_alternative<Ok>(*ok));
    QCOMPARE(m_chat->matchmaker().interval(), 1234);
    QVERIFY(c->subscribe());
    QTRY_VERIFY_WITH_TIMEOUT(c->stats && c->stats->tickIntervalMs == 1234, 5000);
}

void TestControlSession::reportsListAndResolve() {
    TestConsole *c = console("mod");
    QVERIFY(c);
    const auto list = c->answer(c->send(ListReports{0, false}));
    QVERIFY(list && std::holds_alternative<Reports>(*list));
    QCOMPARE(std::get<Reports>(*list).reports.size(), 1);
    const auto ok = c->answer(c->send(ResolveReport{0, "1", "warned"}));
    QVERIFY(ok && std::holds_alternative<Ok>(*ok));
    QVERIFY(m_backend->reports.first().resolved);
    const auto account = c->answer(c->send(LookupAccount{0, "mod2fa"}));
    QVERIFY(account && std::holds_alternative<Account>(*account));
    QVERIFY(std::get<Account>(*account).account.totpEnabled);
}

void TestControlSession::consoleLimit() {
    for (int i = 0; i < m_limits.maxConnections; ++i)
        QVERIFY(console());
    TestConsole extra;
    extra.socket().open(m_control->url());
    QTRY_COMPARE(extra.socket().state(), QAbstractSocket::UnconnectedState);
    QVERIFY(!extra.hasHello());
    QCOMPARE(m_control->sessionCount(), m_limits.maxConnections);
}

void TestControlSession::oversizedFrameCloses() {
    TestConsole *c = console("mod");
    QVERIFY(c);
    // At the limit a frame is read (and refused as a bad login); one byte
    // more closes with 1009.
    QString frame = QStringLiteral(R"({"type":"broadcast","req":1,"text":"")");
    frame.append(QString(m_limits.maxMessageBytes - frame.size() - 2, QLatin1Char('x')));
    frame.append(QStringLiteral("\"}"));
    QCOMPARE(frame.toUtf8().size(), m_limits.maxMessageBytes);
    c->socket().sendTextMessage(frame);
    QTRY_VERIFY(c->answer(1).has_value());
    QCOMPARE(c->socket().state(), QAbstractSocket::ConnectedState);
    c->socket().sendTextMessage(frame + QLatin1Char(' '));
    QTRY_COMPARE(c->socket().state(), QAbstractSocket::UnconnectedState);
    QCOMPARE(c->socket().closeCode(), QWebSocketProtocol::CloseCodeTooMuchData);
}

void TestControlSession::configEdges_data() {
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<bool>("valid");
    const auto row = [](const char *name, QStringList args, bool valid) {
        QTest::addRow("%s", name) << args << valid;
    };
    row("defaults", {}, true);
    row("port 0", {"--control-port", "0"}, true);
    row("port 65535", {"--control-port", "65535"}, true);
    row("port 65536", {"--control-port", "65536"}, false);
    row("listen not an address", {"--control-listen", "localhost"}, false);
    row("listen ipv6", {"--control-listen", "::1"}, true);
    row("batch 50 ms", {"--control-batch-ms", "50"}, true);
    row("batch 49 ms", {"--control-batch-ms", "49"}, false);
    row("batch 10000 ms", {"--control-batch-ms", "10000"}, true);
    row("batch 10001 ms", {"--control-batch-ms", "10001"}, false);
    row("items 10", {"--control-max-batch-items", "10"}, true);
    row("items 9", {"--control-max-batch-items", "9"}, false);
    row("items 100001", {"--control-max-batch-items", "100001"}, false);
    row("consoles 1", {"--control-max-connections", "1"}, true);
    row("consoles 0", {"--control-max-connections", "0"}, false);
    row("frame 1024", {"--control-max-message-bytes", "1024"}, true);
    row("frame 1023", {"--control-max-message-bytes", "1023"}, false);
    row("logins 1", {"--control-login-attempts", "1"}, true);
    row("logins 0", {"--control-login-attempts", "0"}, false);
    row("logins 101", {"--control-login-attempts", "101"}, false);
    row("moderator ban 1 day", {"--control-moderator-max-ban-days", "1"}, true);
    row("moderator ban 365 days", {"--control-moderator-max-ban-days", "365"}, true);
    row("moderator ban 0 days", {"--control-moderator-max-ban-days", "0"}, false);
    row("moderator ban 366 days", {"--control-moderator-max-ban-days", "366"}, false);
    row("origins", {"--control-allowed-origins", "https://console.example,http://localhost:8000"},
        true);
    row("origin with path", {"--control-allowed-origins", "https://console.example/x"}, false);
    row("origin not a url", {"--control-allowed-origins", "console"}, false);
}

void TestControlSession::configEdges() {
    QFETCH(QStringList, args);
    QFETCH(bool, valid);
    const auto loaded =
        ConfigLoader::load(QStringList{QStringLiteral("whisperchat-server")} + args, {});
    QCOMPARE(loaded.config.has_value(), valid);
    if (!valid) {
        QCOMPARE(loaded.exitCode, 2);
        QVERIFY(loaded.error.contains(args.first()));
        return;
    }
    const ServerConfig defaults;
    const ControlLimits limits = ControlLimits::fromConfig(*loaded.config);
    if (args.isEmpty()) {
        QCOMPARE(loaded.config->controlListenAddress, QStringLiteral("127.0.0.1"));
        QCOMPARE(loaded.config->controlPort, 8081);
        QCOMPARE(limits.batchMs, 250);
        QCOMPARE(limits.maxBatchItems, 2000);
        QCOMPARE(limits.maxConnections, 16);
        QCOMPARE(limits.maxMessageBytes, 65536);
        QCOMPARE(limits.loginAttempts, 5);
        QCOMPARE(limits.moderatorMaxBanS, qint64(30) * 86400);
        QVERIFY(limits.allowedOrigins.isEmpty());
    }
    // The environment works the same way, below the command line.
    QProcessEnvironment env;
    env.insert(QStringLiteral("WHISPERCHAT_CONTROL_PORT"), QStringLiteral("9999"));
    const auto fromEnv = ConfigLoader::load({QStringLiteral("whisperchat-server")}, env);
    QVERIFY(fromEnv.config);
    QCOMPARE(fromEnv.config->controlPort, 9999);
}

namespace {
// "ok" for any answer but an error, the error's code, or "none".
QString outcomeOf(const std::optional<ServerMessage> &answer) {
    if (!answer)
        return QStringLiteral("none");
    if (const auto *e = std::get_if<Error>(&*answer))
        return protocol::toString(e->code);
    return QStringLiteral("ok");
}
} // namespace

void TestControlSession::banCapAndRanks() {
    const qint64 cap = m_limits.moderatorMaxBanS;
    QCOMPARE(cap, qint64(30) * 86400); // the documented default
    TestConsole *mod = console("mod");
    QVERIFY(mod);
    // At the cap: fine; one second more: refused and audited as refused.
    QCOMPARE(outcomeOf(mod->answer(mod->send(Ban{0, "alice", {}, cap, "spam", {}}))),
             QStringLiteral("ok"));
    m_backend->audit.clear();
    QCOMPARE(outcomeOf(mod->answer(mod->send(Ban{0, "alice", {}, cap + 1, "spam", {}}))),
             QStringLiteral("forbidden"));
    QCOMPARE(m_backend->audit.size(), 1);
    QCOMPARE(m_backend->audit.first().result, QStringLiteral("refused"));
    QCOMPARE(m_backend->bans.size(), 1);
    // Nobody bans an equal or a higher role.
    for (const char *target : {"mod2", "root"}) {
        m_backend->audit.clear();
        QCOMPARE(outcomeOf(mod->answer(mod->send(Ban{0, target, {}, 3600, "x", {}}))),
                 QStringLiteral("forbidden"));
        QCOMPARE(m_backend->audit.first().result, QStringLiteral("failed"));
    }
    TestConsole *root = console("root");
    QVERIFY(root);
    QCOMPARE(outcomeOf(root->answer(root->send(Ban{0, "root2", {}, 3600, "x", {}}))),
             QStringLiteral("forbidden"));
    // Admins: beyond the moderators' cap and permanently.
    QCOMPARE(outcomeOf(root->answer(root->send(Ban{0, "mod2", {}, kMaxBanSeconds, "x", {}}))),
             QStringLiteral("ok"));
    QCOMPARE(outcomeOf(root->answer(root->send(Ban{0, "alice", {}, 0, "x", {}}))),
             QStringLiteral("ok"));
    QCOMPARE(m_backend->bans.size(), 3);
}

void TestControlSession::demotedAdminLosesTheConsole() {
    TestConsole *victim = console("root");
    TestConsole *other = console("root2");
    QVERIFY(victim && other);
    QVERIFY(victim->subscribe());
    // Demoted by another admin's console: the victim's session ends at once,
    // not at its next command.
    QCOMPARE(outcomeOf(other->answer(other->send(SetRole{0, "root", "moderator"}))),
             QStringLiteral("ok"));
    QTRY_COMPARE(victim->socket().state(), QAbstractSocket::UnconnectedState);
    QCOMPARE(victim->socket().closeCode(), QWebSocketProtocol::CloseCodePolicyViolated);
    QCOMPARE(m_chat->isDraining(), false);

    // Demoted outside any console (as `whisperchat-server user set-role`
    // does, straight in storage): the next command is refused, nothing done.
    TestConsole *again = console("root2");
    QVERIFY(again);
    m_backend->setRole("root2", Role::Moderator, [](ControlOutcome) {});
    m_backend->audit.clear();
    const auto drain = again->answer(again->send(Drain{0}));
    QVERIFY(!drain || std::holds_alternative<Error>(*drain));
    QCOMPARE(m_chat->isDraining(), false);
    QTRY_COMPARE(again->socket().state(), QAbstractSocket::UnconnectedState);
    QCOMPARE(m_backend->audit.size(), 1);
    QCOMPARE(m_backend->audit.first().command, QStringLiteral("drain"));
    QCOMPARE(m_backend->audit.first().result, QStringLiteral("refused"));
    QCOMPARE(m_backend->audit.first().actor, QStringLiteral("root2"));
}

void TestControlSession::disabledAccountLosesTheConsole() {
    TestConsole *c = console("root");
    QVERIFY(c);
    auto idle = std::make_unique<TestClient>();
    QVERIFY(idle->connectTo(m_chat->url()));
    m_backend->setDisabled("root", true);
    c->send(Broadcast{0, "still here?"});
    QTRY_COMPARE(c->socket().state(), QAbstractSocket::UnconnectedState);
    QVERIFY(idle->staysWithout<protocol::Notice>(300));
    // And a session that sends nothing is ended by the periodic re-check.
    m_backend->setDisabled("root", false);
    TestConsole *quiet = console("root");
    QVERIFY(quiet && quiet->subscribe());
    m_backend->setDisabled("root", true);
    QTRY_COMPARE_WITH_TIMEOUT(quiet->socket().state(), QAbstractSocket::UnconnectedState,
                              2 * ControlServer::kRevalidateMs);
}

void TestControlSession::unbanNeedsTheRightRole() {
    TestConsole *root = console("root");
    QVERIFY(root);
    QCOMPARE(outcomeOf(root->answer(root->send(Ban{0, "alice", {}, 0, "x", {}}))),
             QStringLiteral("ok"));
    QCOMPARE(outcomeOf(root->answer(root->send(Ban{0, "mod2", {}, 3600, "x", {}}))),
             QStringLiteral("ok"));
    TestConsole *mod = console("mod");
    QVERIFY(mod);
    const auto list = mod->answer(mod->send(ListBans{}));
    QVERIFY(list && std::holds_alternative<Bans>(*list));
    QCOMPARE(std::get<Bans>(*list).bans.size(), 2);
    // A moderator lifts temporary bans only.
    QCOMPARE(outcomeOf(mod->answer(mod->send(Unban{0, "1"}))), QStringLiteral("forbidden"));
    QCOMPARE(m_backend->audit.last().result, QStringLiteral("failed"));
    QCOMPARE(outcomeOf(mod->answer(mod->send(Unban{0, "2"}))), QStringLiteral("ok"));
    QCOMPARE(m_backend->audit.last().command, QStringLiteral("unban"));
    QCOMPARE(m_backend->audit.last().result, QStringLiteral("ok"));
    QCOMPARE(outcomeOf(root->answer(root->send(Unban{0, "1"}))), QStringLiteral("ok"));
    QVERIFY(m_backend->bans.isEmpty());
}

void TestControlSession::originIsChecked() {
    // The admin console (QWebSocket without an origin) is let in.
    TestConsole *plain = console();
    QVERIFY(plain);
    // A browser page always names its origin: refused at the handshake.
    {
        QWebSocket browser(QStringLiteral("https://evil.example"));
        QSignalSpy errors(&browser, qOverload<QAbstractSocket::SocketError>(&QWebSocket::error));
        QSignalSpy texts(&browser, &QWebSocket::textMessageReceived);
        browser.open(m_control->url());
        QTRY_VERIFY(errors.count() > 0 || browser.state() == QAbstractSocket::UnconnectedState);
        QVERIFY(texts.isEmpty());
        QVERIFY(browser.state() != QAbstractSocket::ConnectedState);
    }
    // An origin the operator allowed is let in.
    ControlLimits limits = m_limits;
    limits.allowedOrigins = {QStringLiteral("https://console.example")};
    ControlServer allowing(QStringLiteral("127.0.0.1"), 0, limits, *m_chat, *m_backend,
                           QStringLiteral("test"));
    QVERIFY(allowing.listen());
    QWebSocket page(QStringLiteral("https://console.example"));
    QSignalSpy hello(&page, &QWebSocket::textMessageReceived);
    page.open(allowing.url());
    QTRY_VERIFY(hello.count() > 0);
    QWebSocket stranger(QStringLiteral("https://evil.example"));
    QSignalSpy strangerText(&stranger, &QWebSocket::textMessageReceived);
    stranger.open(allowing.url());
    QTRY_VERIFY(stranger.state() == QAbstractSocket::UnconnectedState &&
                stranger.error() != QAbstractSocket::UnknownSocketError);
    QVERIFY(strangerText.isEmpty());
    QVERIFY(!ControlServer::originAllowed(QStringLiteral("null"), limits.allowedOrigins));
    QVERIFY(ControlServer::originAllowed({}, {}));
}

void TestControlSession::exposureIsWarned() {
    for (const char *address : {"0.0.0.0", "::", "192.168.1.5", "10.0.0.1"})
        QVERIFY2(ControlServer::exposureWarning(QHostAddress(QLatin1String(address)))
                     .contains(QStringLiteral("WITHOUT TLS")),
                 address);
    for (const char *address : {"127.0.0.1", "::1"})
        QVERIFY2(ControlServer::exposureWarning(QHostAddress(QLatin1String(address))).isEmpty(),
                 address);
}

void TestControlSession::pairIdsAndTimesAreTheConsolesOwn() {
    auto a = waitingClient(48.2, 16.37, 50);
    auto b = waitingClient(48.21, 16.38, 50);
    QVERIFY(a && b);
    const auto matched = a->waitFor<protocol::Matched>();
    QVERIFY(matched && b->waitFor<protocol::Matched>());
    auto w = waitingClient(-10, -10, 1);
    QVERIFY(w);
    TestConsole *c = console("mod");
    QVERIFY(c && c->subscribe());
    QTRY_COMPARE(c->pairs.size(), 1);
    const PairInfo pair = c->pairs.values().first();
    // The id the members got in `matched` means nothing to the console.
    QVERIFY(pair.id != matched->pair);
    QCOMPARE(outcomeOf(c->answer(c->send(KickPair{0, matched->pair}))),
             QStringLiteral("not_found"));
    // Times on a 10 s grid.
    QCOMPARE(pair.sinceMs % 10000, qint64(0));
    QTRY_COMPARE(c->waiting.size(), 1);
    QCOMPARE(c->waiting.values().first().sinceMs % 10000, qint64(0));
    // The console's own id works.
    QCOMPARE(outcomeOf(c->answer(c->send(KickPair{0, pair.id}))), QStringLiteral("ok"));
    QTRY_VERIFY(!c->events.isEmpty());
    for (const Event &e : std::as_const(c->events)) {
        QCOMPARE(e.ts % 10000, qint64(0));
        QVERIFY(e.subject != matched->pair);
    }
}

QTEST_GUILESS_MAIN(TestControlSession)
#include "tst_controlsession.moc"
