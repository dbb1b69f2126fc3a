// SPDX-License-Identifier: MIT
// The control endpoint over the real backend: ControlServiceBackend with the
// account service, moderation and SQLite in a temporary directory, a real
// ChatServer and ControlServer on loopback, real WebSocket consoles and chat
// clients, and accounts made by the real `whisperchat-server user` code.

#include "chatserver.h"
#include "controlserver.h"
#include "controlservicebackend.h"
#include "securitystack.h"
#include "serverconfig.h"
#include "storage.h"
#include "testclient.h"
#include "tst_control_support.h"
#include "usercommand.h"

#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace whisper;
using namespace whisper::control;
using whisper::test::TestClient;
using whisper::test::TestConsole;

namespace {
const QString kPassword = QStringLiteral("a long enough passphrase");

// "ok" for any answer but an error, the error's code, or "none".
QString outcomeOf(const std::optional<ServerMessage> &answer) {
    if (!answer)
        return QStringLiteral("none");
    if (const auto *e = std::get_if<Error>(&*answer))
        return protocol::toString(e->code);
    return QStringLiteral("ok");
}
} // namespace

class TestControlBackend : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();

    void lookupAndSetRole();
    void banByNameListAndUnban();
    void nobodyBansAnEqualOrHigherRole();
    void demotedOrDisabledByTheUserCommand();
    void guestBanScopesAndAudit();
    void accountBanScopeCounts();
    void loginsAreAudited();
    void banCommandListsAndRemoves();
    void resetTwoFactor();
    void addressBansCoverAnIpv6Slash64();

private:
    // Runs `whisperchat-server <args>` (the user/ban commands) in-process.
    int command(QStringList args, const QString &stdinText = {}, QString *output = nullptr);
    void addUser(const QString &name, const QString &role);
    TestConsole *console(const QString &user);
    QList<QStringList> auditRows(const QString &where = {});

    std::unique_ptr<QTemporaryDir> m_dir;
    ServerConfig m_config;
    std::unique_ptr<SecurityStack> m_security;
    std::unique_ptr<ChatServer> m_chat;
    std::unique_ptr<ControlServiceBackend> m_backend;
    std::unique_ptr<ControlServer> m_control;
    QList<TestConsole *> m_consoles;
};

int TestControlBackend::command(QStringList args, const QString &stdinText, QString *output) {
    args.prepend(QStringLiteral("whisperchat-server"));
    args << QStringLiteral("--data-dir") << m_dir->path() << QStringLiteral("--argon2-ops")
         << QStringLiteral("1") << QStringLiteral("--argon2-mem-kib") << QStringLiteral("256");
    QString input = stdinText, out, err;
    QTextStream in(&input), o(&out), e(&err);
    const int rc = UserCommand::run(args, in, o, e);
    o.flush();
    e.flush();
    if (output)
        *output = out + err;
    return rc;
}

void TestControlBackend::addUser(const QString &name, const QString &role) {
    QString out;
    QCOMPARE(command({QStringLiteral("user"), QStringLiteral("add"), name, QStringLiteral("--role"),
                      role, QStringLiteral("--password-stdin")},
                     kPassword + QLatin1Char('\n'), &out),
             0);
}

void TestControlBackend::init() {
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    for (const auto &[name, role] :
         {std::pair{"admin1", "admin"}, std::pair{"admin2", "admin"},
          std::pair{"mod1", "moderator"}, std::pair{"mod2", "moderator"}, std::pair{"bob", "user"}})
        addUser(QLatin1String(name), QLatin1String(role));
    m_config = ServerConfig{};
    m_config.listenAddress = QStringLiteral("127.0.0.1");
    m_config.port = 0;
    m_config.tickMs = 20;
    m_config.dataDir = m_dir->path();
    m_config.argon2OpsLimit = 1;
    m_config.argon2MemKiB = 256;
    QString error;
    m_security = SecurityStack::create(m_config, &error);
    QVERIFY2(m_security, qPrintable(error));
    m_chat = std::make_unique<ChatServer>(m_config);
    m_chat->setSecurity(&m_security->services());
    QVERIFY(m_chat->listen());
    m_backend = std::make_unique<ControlServiceBackend>(
        m_security->accounts(), m_security->moderation(), m_security->database());
    ControlLimits limits;
    limits.batchMs = 50;
    m_control = std::make_unique<ControlServer>(QStringLiteral("127.0.0.1"), 0, limits, *m_chat,
                                                *m_backend, QStringLiteral("test"));
    QVERIFY(m_control->listen());
}

void TestControlBackend::cleanup() {
    qDeleteAll(m_consoles);
    m_consoles.clear();
    m_control.reset();
    m_chat.reset();
    m_backend.reset();
    m_security.reset();
    m_dir.reset();
}

TestConsole *TestControlBackend::console(const QString &user) {
    auto *c = new TestConsole;
    m_consoles.append(c);
    if (!c->open(m_control->url()))
        return nullptr;
    if (!user.isEmpty() && !c->login(user, kPassword))
        return nullptr;
    return c;
}

QList<QStringList> TestControlBackend::auditRows(const QString &where) {
    // Written on the database thread: read through it, after the writes.
    return m_security->database()
        .run([where](Storage &s) {
            QSqlQuery q(s.database());
            q.exec(QStringLiteral("SELECT actor, command, target, detail, result, source FROM "
                                  "control_audit %1 ORDER BY id")
                       .arg(where));
            QList<QStringList> rows;
            while (q.next())
                rows << QStringList{q.value(0).toString(), q.value(1).toString(),
                                    q.value(2).toString(), q.value(3).toString(),
                                    q.value(4).toString(), q.value(5).toString()};
            return rows;
        })
        .result();
}

void TestControlBackend::lookupAndSetRole() {
    TestConsole *admin = console(QStringLiteral("admin1"));
    QVERIFY(admin);
    auto a = admin->answer(admin->send(LookupAccount{0, "bob"}));
    QVERIFY(a && std::holds_alternative<Account>(*a));
    QCOMPARE(std::get<Account>(*a).account.role, QStringLiteral("user"));
    QCOMPARE(std::get<Account>(*a).account.bannedUntilMs, qint64(0));
    QCOMPARE(outcomeOf(admin->answer(admin->send(LookupAccount{0, "nobody"}))),
             QStringLiteral("not_found"));

    QCOMPARE(outcomeOf(admin->answer(admin->send(SetRole{0, "bob", "moderator"}))),
             QStringLiteral("ok"));
    a = admin->answer(admin->send(LookupAccount{0, "bob"}));
    QVERIFY(a && std::holds_alternative<Account>(*a));
    QCOMPARE(std::get<Account>(*a).account.role, QStringLiteral("moderator"));
    QCOMPARE(outcomeOf(admin->answer(admin->send(SetRole{0, "nobody", "admin"}))),
             QStringLiteral("not_found"));
    // The failed command is audited as failed.
    QTRY_VERIFY(auditRows(QStringLiteral("WHERE command = 'set_role' AND target = 'nobody'"))
                    .value(0)
                    .value(4) == QLatin1String("failed"));
}

void TestControlBackend::banByNameListAndUnban() {
    TestConsole *mod = console(QStringLiteral("mod1"));
    QVERIFY(mod);
    auto bob = std::make_unique<TestClient>();
    QVERIFY(bob->connectTo(m_chat->url()));
    bob->send(protocol::Login{QStringLiteral("bob"), kPassword, std::nullopt});
    QVERIFY(bob->waitFor<protocol::Authenticated>(10000));

    QCOMPARE(outcomeOf(mod->answer(mod->send(Ban{0, "bob", {}, 3600, "spam", {}}))),
             QStringLiteral("ok"));
    QVERIFY(bob->waitForDisconnected());
    auto a = mod->answer(mod->send(LookupAccount{0, "bob"}));
    QVERIFY(a && std::holds_alternative<Account>(*a));
    QVERIFY(std::get<Account>(*a).account.bannedUntilMs > QDateTime::currentMSecsSinceEpoch());
    const auto list = mod->answer(mod->send(ListBans{}));
    QVERIFY(list && std::holds_alternative<Bans>(*list));
    const QList<BanInfo> bans = std::get<Bans>(*list).bans;
    QCOMPARE(bans.size(), 1);
    QCOMPARE(bans.first().account, QStringLiteral("bob"));
    QCOMPARE(bans.first().by, QStringLiteral("mod1"));
    QCOMPARE(bans.first().reason, QStringLiteral("spam"));
    QVERIFY(bans.first().expiresMs > 0);

    QCOMPARE(outcomeOf(mod->answer(mod->send(Unban{0, bans.first().id}))), QStringLiteral("ok"));
    a = mod->answer(mod->send(LookupAccount{0, "bob"}));
    QCOMPARE(std::get<Account>(*a).account.bannedUntilMs, qint64(0));
    QCOMPARE(outcomeOf(mod->answer(mod->send(Unban{0, bans.first().id}))),
             QStringLiteral("not_found"));
    // Lifted: bob logs in again.
    auto again = std::make_unique<TestClient>();
    QVERIFY(again->connectTo(m_chat->url()));
    again->send(protocol::Login{QStringLiteral("bob"), kPassword, std::nullopt});
    QVERIFY(again->waitFor<protocol::Authenticated>(10000));
}

void TestControlBackend::nobodyBansAnEqualOrHigherRole() {
    TestConsole *mod = console(QStringLiteral("mod1"));
    TestConsole *admin = console(QStringLiteral("admin1"));
    QVERIFY(mod && admin);
    QCOMPARE(outcomeOf(mod->answer(mod->send(Ban{0, "admin1", {}, 3600, "x", {}}))),
             QStringLiteral("forbidden"));
    QCOMPARE(outcomeOf(mod->answer(mod->send(Ban{0, "mod2", {}, 3600, "x", {}}))),
             QStringLiteral("forbidden"));
    QCOMPARE(outcomeOf(admin->answer(admin->send(Ban{0, "admin2", {}, 0, "x", {}}))),
             QStringLiteral("forbidden"));
    QVERIFY(m_security->moderation().activeBans().isEmpty());
    // The moderator's cap (30 days by default) holds against the real backend too.
    QCOMPARE(outcomeOf(mod->answer(mod->send(Ban{0, "bob", {}, 30 * 86400 + 1, "x", {}}))),
             QStringLiteral("forbidden"));
    QCOMPARE(outcomeOf(admin->answer(admin->send(Ban{0, "mod2", {}, 0, "x", {}}))),
             QStringLiteral("ok"));
    QCOMPARE(m_security->moderation().activeBans().size(), 1);
}

void TestControlBackend::demotedOrDisabledByTheUserCommand() {
    TestConsole *admin = console(QStringLiteral("admin2"));
    QVERIFY(admin);
    auto idle = std::make_unique<TestClient>();
    QVERIFY(idle->connectTo(m_chat->url()));
    QCOMPARE(command({QStringLiteral("user"), QStringLiteral("set-role"), QStringLiteral("admin2"),
                      QStringLiteral("moderator")}),
             0);
    // The console still holds its admin login; the server does not trust it.
    const auto b = admin->answer(admin->send(Broadcast{0, "from a demoted admin"}));
    QVERIFY(outcomeOf(b) != QLatin1String("ok"));
    QTRY_COMPARE(admin->socket().state(), QAbstractSocket::UnconnectedState);
    QVERIFY(idle->staysWithout<protocol::Notice>(300));

    TestConsole *other = console(QStringLiteral("admin1"));
    QVERIFY(other && other->subscribe());
    QCOMPARE(command({QStringLiteral("user"), QStringLiteral("disable"), QStringLiteral("admin1")}),
             0);
    other->send(Drain{0});
    QTRY_COMPARE(other->socket().state(), QAbstractSocket::UnconnectedState);
    QVERIFY(!m_chat->isDraining());
    QTRY_VERIFY(
        !auditRows(
             QStringLiteral("WHERE command = 'drain' AND result = 'refused' AND actor = 'admin1'"))
             .isEmpty());
    // Demoted by another admin's console: that console's session ends at once.
    QCOMPARE(command({QStringLiteral("user"), QStringLiteral("enable"), QStringLiteral("admin1")}),
             0);
    QCOMPARE(command({QStringLiteral("user"), QStringLiteral("set-role"), QStringLiteral("admin2"),
                      QStringLiteral("admin")}),
             0);
    TestConsole *a1 = console(QStringLiteral("admin1"));
    TestConsole *a2 = console(QStringLiteral("admin2"));
    QVERIFY(a1 && a2 && a1->subscribe());
    QCOMPARE(outcomeOf(a2->answer(a2->send(SetRole{0, "admin1", "user"}))), QStringLiteral("ok"));
    QTRY_COMPARE_WITH_TIMEOUT(a1->socket().state(), QAbstractSocket::UnconnectedState, 2000);
}

void TestControlBackend::guestBanScopesAndAudit() {
    // Three guests on one address (loopback, like 17 clients behind a NAT).
    std::vector<std::unique_ptr<TestClient>> guests;
    for (int i = 0; i < 3; ++i) {
        guests.push_back(TestClient::waitingAt(m_chat->url(), 20 + 10 * i, 20, 1));
        QVERIFY(guests.back());
    }
    TestConsole *mod = console(QStringLiteral("mod1"));
    QVERIFY(mod && mod->subscribe());
    QTRY_COMPARE(mod->waiting.size(), 3);
    QString first;
    for (const WaitingClient &w : std::as_const(mod->waiting))
        if (std::abs(w.lat - 20) < 0.01)
            first = w.id;
    const auto preview = mod->answer(mod->send(PreviewBan{0, first}));
    QVERIFY(preview && std::holds_alternative<BanPreview>(*preview));
    QCOMPARE(std::get<BanPreview>(*preview).account, QString());
    QCOMPARE(std::get<BanPreview>(*preview).addressConnections, 3);

    // The default for a guest: this connection only.
    QCOMPARE(outcomeOf(mod->answer(mod->send(Ban{0, {}, first, 3600, "spam", {}}))),
             QStringLiteral("ok"));
    QVERIFY(guests[0]->waitForDisconnected());
    QVERIFY(guests[1]->staysWithout<protocol::Error>(200));
    QVERIFY(guests[1]->isConnected() && guests[2]->isConnected());
    QVERIFY(m_security->moderation().activeBans().isEmpty());
    // The address, when chosen: everyone on it.
    QTRY_COMPARE(mod->waiting.size(), 2);
    const QString second = mod->waiting.keys().first();
    QCOMPARE(outcomeOf(mod->answer(mod->send(Ban{0, {}, second, 3600, "spam", BanScope::Address}))),
             QStringLiteral("ok"));
    QVERIFY(guests[1]->waitForDisconnected());
    QVERIFY(guests[2]->waitForDisconnected());
    QCOMPARE(m_security->moderation().activeBans().size(), 1);
    QCOMPARE(m_security->moderation().activeBans().first().ip, QStringLiteral("127.0.0.1"));

    // The audit names each target by client id with what was banned.
    QTRY_COMPARE(auditRows(QStringLiteral("WHERE command = 'ban'")).size(), 2);
    const auto rows = auditRows(QStringLiteral("WHERE command = 'ban'"));
    QCOMPARE(rows[0][2], first + QStringLiteral(" connection"));
    QCOMPARE(rows[1][2], second + QStringLiteral(" address 127.0.0.1"));
    QCOMPARE(rows[1][4], QStringLiteral("ok"));
    QCOMPARE(rows[1][5], QStringLiteral("127.0.0.1"));
}

void TestControlBackend::accountBanScopeCounts() {
    // bob on two connections, plus a guest on the same address.
    std::vector<std::unique_ptr<TestClient>> bobs;
    for (int i = 0; i < 2; ++i) {
        auto c = std::make_unique<TestClient>();
        QVERIFY(c->connectTo(m_chat->url()));
        c->send(protocol::Login{QStringLiteral("bob"), kPassword, std::nullopt});
        QVERIFY(c->waitFor<protocol::Authenticated>(10000));
        bobs.push_back(std::move(c));
    }
    bobs[0]->send(protocol::Join{30, 30, 1});
    QVERIFY(bobs[0]->waitFor<protocol::Waiting>());
    auto guest = TestClient::waitingAt(m_chat->url(), -30, -30, 1);
    QVERIFY(guest);
    TestConsole *mod = console(QStringLiteral("mod1"));
    QVERIFY(mod && mod->subscribe());
    QTRY_COMPARE(mod->waiting.size(), 2);
    QString bobId;
    for (const WaitingClient &w : std::as_const(mod->waiting))
        if (w.account)
            bobId = w.id;
    QVERIFY(!bobId.isEmpty());
    const auto preview = mod->answer(mod->send(PreviewBan{0, bobId}));
    QVERIFY(preview && std::holds_alternative<BanPreview>(*preview));
    const BanPreview p = std::get<BanPreview>(*preview);
    QCOMPARE(p.account, QStringLiteral("bob"));
    QCOMPARE(p.accountConnections, 2);
    QCOMPARE(p.addressConnections, 3);
    // Account scope (the default for a logged-in client): both of bob's
    // connections go, the guest stays.
    QCOMPARE(outcomeOf(mod->answer(mod->send(Ban{0, {}, bobId, 3600, "spam", {}}))),
             QStringLiteral("ok"));
    QVERIFY(bobs[0]->waitForDisconnected());
    QVERIFY(bobs[1]->waitForDisconnected());
    QVERIFY(guest->isConnected());
    QTRY_VERIFY(!auditRows(QStringLiteral("WHERE command = 'ban'")).isEmpty());
    QCOMPARE(auditRows(QStringLiteral("WHERE command = 'ban'")).first()[2],
             bobId + QStringLiteral(" account bob"));
}

void TestControlBackend::loginsAreAudited() {
    TestConsole *c = console({});
    QVERIFY(c);
    QVERIFY(!c->login(QStringLiteral("mod1"), QStringLiteral("wrong password")));
    QVERIFY(!c->login(QStringLiteral("bob"), kPassword)); // role user: refused
    QVERIFY(c->login(QStringLiteral("mod1"), kPassword));
    QTRY_COMPARE(auditRows(QStringLiteral("WHERE command = 'login'")).size(), 3);
    const auto rows = auditRows(QStringLiteral("WHERE command = 'login'"));
    QCOMPARE(rows[0][2], QStringLiteral("mod1"));
    QCOMPARE(rows[0][4], QStringLiteral("failed"));
    QCOMPARE(rows[0][5], QStringLiteral("127.0.0.1"));
    QVERIFY(!rows[0].join(u' ').contains(QStringLiteral("wrong password")));
    QCOMPARE(rows[1][2], QStringLiteral("bob"));
    QCOMPARE(rows[1][4], QStringLiteral("refused"));
    QCOMPARE(rows[2][0], QStringLiteral("mod1"));
    QCOMPARE(rows[2][4], QStringLiteral("ok"));
    QCOMPARE(rows[2][5], QStringLiteral("127.0.0.1"));
    // A refused command, with the reason.
    QCOMPARE(outcomeOf(c->answer(c->send(Drain{0}))), QStringLiteral("forbidden"));
    QTRY_COMPARE(auditRows(QStringLiteral("WHERE command = 'drain'")).size(), 1);
    QCOMPARE(auditRows(QStringLiteral("WHERE command = 'drain'")).first()[4],
             QStringLiteral("refused"));
}

void TestControlBackend::banCommandListsAndRemoves() {
    TestConsole *admin = console(QStringLiteral("admin1"));
    QVERIFY(admin);
    QCOMPARE(outcomeOf(admin->answer(admin->send(Ban{0, "bob", {}, 0, "for good", {}}))),
             QStringLiteral("ok"));
    QString out;
    QCOMPARE(command({QStringLiteral("ban"), QStringLiteral("list")}, {}, &out), 0);
    QVERIFY2(out.contains(QStringLiteral("account bob\tpermanent")), qPrintable(out));
    QVERIFY(out.contains(QStringLiteral("admin1\tfor good")));
    const QString id = out.split(u'\n').value(1).section(u'\t', 0, 0);
    QCOMPARE(command({QStringLiteral("ban"), QStringLiteral("remove"), id}, {}, &out), 0);
    QCOMPARE(command({QStringLiteral("ban"), QStringLiteral("remove"), id}, {}, &out), 1);
    QCOMPARE(command({QStringLiteral("ban"), QStringLiteral("list")}, {}, &out), 0);
    QVERIFY(!out.contains(QStringLiteral("bob")));
    QCOMPARE(command({QStringLiteral("ban"), QStringLiteral("frobnicate")}, {}, &out), 2);
    QTRY_COMPARE(auditRows(QStringLiteral("WHERE command = 'unban'")).size(), 1);
    QCOMPARE(auditRows(QStringLiteral("WHERE command = 'unban'")).first()[2], id);
}

void TestControlBackend::resetTwoFactor() {
    const auto enrolled = m_security->database()
                              .run([](Storage &s) {
                                  const auto a = s.accountByName(QStringLiteral("mod2"));
                                  s.setTotpSecret(a->id, QStringLiteral("JBSWY3DPEHPK3PXP"));
                                  return s.enableTotp(a->id, 1, {QStringLiteral("hash")});
                              })
                              .result();
    QVERIFY(enrolled);
    // With 2FA on and no code, the console login fails.
    TestConsole *c = console({});
    QVERIFY(c);
    QVERIFY(!c->login(QStringLiteral("mod2"), kPassword));
    QString out;
    QCOMPARE(command({QStringLiteral("user"), QStringLiteral("reset-2fa"), QStringLiteral("mod2")},
                     {}, &out),
             0);
    QCOMPARE(
        command({QStringLiteral("user"), QStringLiteral("reset-2fa"), QStringLiteral("nobody")}, {},
                &out),
        1);
    const auto account =
        m_security->database()
            .run([](Storage &s) { return s.accountByName(QStringLiteral("mod2")); })
            .result();
    QVERIFY(account && !account->totpEnabled && account->totpSecret.isEmpty());
    // Same name, same password, no code: in again.
    TestConsole *again = console({});
    QVERIFY(again && again->login(QStringLiteral("mod2"), kPassword));
    const auto rows = auditRows(QStringLiteral("WHERE command = 'reset_2fa'"));
    QCOMPARE(rows.size(), 1);
    QCOMPARE(rows.first()[2], QStringLiteral("mod2"));
    QCOMPARE(rows.first()[5], QStringLiteral("command line"));
}

// An IPv6 host picks any address of its /64 for each connection, so an
// address ban must cover the /64 (and an IPv4 ban exactly one address),
// both for the chat's connect check and for a login's stored-ban check.
void TestControlBackend::addressBansCoverAnIpv6Slash64() {
    Moderation &moderation = m_security->moderation();
    // The futures finish on this thread's event loop: wait by turning it.
    auto v6 = moderation.banIp(QHostAddress(QStringLiteral("2001:db8:1:2::5")),
                               QStringLiteral("spam"), std::nullopt, std::nullopt);
    auto v4 = moderation.banIp(QHostAddress(QStringLiteral("10.0.0.1")), QStringLiteral("spam"),
                               std::nullopt, std::nullopt);
    QTRY_VERIFY(v6.isFinished() && v4.isFinished());
    QVERIFY(moderation.activeBan(std::nullopt, QHostAddress(QStringLiteral("2001:db8:1:2::5"))));
    QVERIFY(moderation.activeBan(std::nullopt,
                                 QHostAddress(QStringLiteral("2001:db8:1:2:ffff:1:2:3"))));
    QVERIFY(!moderation.activeBan(std::nullopt, QHostAddress(QStringLiteral("2001:db8:1:3::5"))));
    QVERIFY(moderation.activeBan(std::nullopt, QHostAddress(QStringLiteral("::ffff:10.0.0.1"))));
    QVERIFY(!moderation.activeBan(std::nullopt, QHostAddress(QStringLiteral("10.0.0.2"))));
    // The login path asks the database, with the same key.
    auto pending = m_security->accounts().login(QStringLiteral("bob"), kPassword, std::nullopt,
                                                QHostAddress(QStringLiteral("2001:db8:1:2::77")));
    QTRY_VERIFY_WITH_TIMEOUT(pending.isFinished(), 10000);
    const AuthResult login = pending.result();
    QVERIFY(std::holds_alternative<protocol::Error>(login));
    QVERIFY(std::get<protocol::Error>(login).code == ErrorCode::Forbidden);
}

QTEST_GUILESS_MAIN(TestControlBackend)
#include "tst_controlbackend.moc"
