// SPDX-License-Identifier: MIT
// Accounts and security end to end: the real whisperchat-server with a real
// SQLite database in a temporary data directory, real WebSocket clients.

#include "rawwsclient.h"
#include "serverprocess.h"
#include "storage.h"
#include "testclient.h"
#include "totp.h"

#include <QDateTime>
#include <QDeadlineTimer>
#include <QFile>
#include <QHostAddress>
#include <QProcess>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

#include <csignal>

using namespace whisper;
using namespace whisper::protocol;
using whisper::test::RawWsClient;
using whisper::test::ServerProcess;
using whisper::test::TestClient;

namespace {
const QString kPassword = QStringLiteral("correct horse battery");

// Small Argon2id parameters: the suite tests behaviour, not hashing cost.
QStringList baseArgs(const QString &dataDir) {
    return {QStringLiteral("--data-dir"),
            dataDir,
            QStringLiteral("--argon2-ops"),
            QStringLiteral("1"),
            QStringLiteral("--argon2-mem-kib"),
            QStringLiteral("256"),
            QStringLiteral("--tick-ms"),
            QStringLiteral("50"),
            QStringLiteral("--recent-partner-exclusion-s"),
            QStringLiteral("0"),
            QStringLiteral("--control-port"),
            QStringLiteral("0")};
}
} // namespace

class TestAccounts : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void cleanupTestCase();
    void registerLoginResumeLogout();
    void unknownUserAndWrongPasswordLookAlike();
    void registrationRules_data();
    void registrationRules();
    void injectionStringsAreLiteral();
    void changePasswordRevokesOtherSessions();
    void bruteForceIsLimitedThenLocked();
    void totpEnrolmentAndSingleUse();
    void messageFloodIsLimitedThenClosed();
    void connectionsPerIpAreLimited();
    void joinsAndRegistrationsAreLimited();
    void requireLoginTurnsOffGuestChat();
    void blockedPairIsNeverMatchedAgain();
    void blocksApplyToAJoinRightAfterAuthenticated();
    void reportIsStoredWithoutChatText();
    void bansAreEnforcedUntilExpiry();
    void banWhileConnectedKicksAndBlocksJoin();
    void killDuringRegistrationsLosesNothing();
    void userCommandBootstrapsStaff();
    void userCommandDisableEndsLiveLogins();
    void disconnectDuringLoginIsHarmless();
    void stolenSessionEndsWhenOwnerChangesPassword();
    void logoutEverywhereEndsOtherConnections();
    void totpGuessingIsLockedOut();
    void everyRequestTypeIsRateLimited_data();
    void everyRequestTypeIsRateLimited();
    void strangerElsewhereCannotFreezeOwner();

private:
    int userCommand(const QStringList &args, const QByteArray &stdinData = {},
                    QByteArray *output = nullptr);
    std::unique_ptr<ServerProcess> startServer(const QString &dataDir, QStringList extra = {});
    std::unique_ptr<TestClient> connectTo(ServerProcess &server);
    std::optional<Authenticated> registerAs(TestClient &c, const QString &name,
                                            const QString &password = kPassword);
    Error expectError(TestClient &c, ErrorCode code);
    // A raw WebSocket client whose connection comes from `source`, another
    // loopback address (the whole 127.0.0.0/8 is local on Linux).
    std::unique_ptr<RawWsClient> rawFrom(ServerProcess &server, const QString &source);
    // The next `count` server frames a raw client receives (fewer on timeout).
    QList<ServerMessage> rawRead(RawWsClient &c, int count, int timeoutMs = 10000);

    QTemporaryDir m_limitsDir;
    std::unique_ptr<ServerProcess> m_limitsServer;

    // One server for all rows of registrationRules (the rows build on each
    // other: "taken" needs the earlier "ok").
    QTemporaryDir m_rulesDir;
    std::unique_ptr<ServerProcess> m_rulesServer;
};

std::unique_ptr<ServerProcess> TestAccounts::startServer(const QString &dataDir,
                                                         QStringList extra) {
    auto server = std::make_unique<ServerProcess>(baseArgs(dataDir) + extra);
    if (!server->start())
        qWarning() << "server did not start:" << server->log();
    return server;
}

std::unique_ptr<TestClient> TestAccounts::connectTo(ServerProcess &server) {
    auto c = std::make_unique<TestClient>();
    if (!c->connectTo(server.chatUrl()))
        return nullptr;
    return c;
}

std::optional<Authenticated> TestAccounts::registerAs(TestClient &c, const QString &name,
                                                      const QString &password) {
    c.send(Register{name, password});
    return c.waitFor<Authenticated>(10000);
}

Error TestAccounts::expectError(TestClient &c, ErrorCode code) {
    const auto e = c.waitFor<Error>(10000);
    if (!e) {
        qWarning() << "no error frame";
        return Error{ErrorCode::Internal, QStringLiteral("<none>"), {}, {}};
    }
    if (e->code != code)
        qWarning() << "unexpected error" << toString(e->code) << e->message;
    return *e;
}

void TestAccounts::cleanupTestCase() {
    if (m_rulesServer)
        QVERIFY(m_rulesServer->terminate());
    m_rulesServer.reset();
    if (m_limitsServer)
        QVERIFY(m_limitsServer->terminate());
    m_limitsServer.reset();
}

std::unique_ptr<RawWsClient> TestAccounts::rawFrom(ServerProcess &server, const QString &source) {
    auto c = std::make_unique<RawWsClient>();
    if (!c->socket().bind(QHostAddress(source))) {
        qWarning() << "cannot bind to" << source << c->socket().errorString();
        return nullptr;
    }
    if (!c->connectTcp(server.chatUrl()) || !c->handshake())
        return nullptr;
    return c;
}

QList<ServerMessage> TestAccounts::rawRead(RawWsClient &c, int count, int timeoutMs) {
    QList<ServerMessage> out;
    const Codec codec;
    QDeadlineTimer deadline(timeoutMs);
    while (out.size() < count && !deadline.hasExpired()) {
        // Short bounded reads, so the loop ends as soon as enough arrived.
        for (const QByteArray &frame : c.readTextFrames(50)) {
            const auto decoded = codec.decodeServer(frame);
            if (const auto *m = std::get_if<ServerMessage>(&decoded))
                out << *m;
        }
    }
    return out;
}

void TestAccounts::registerLoginResumeLogout() {
    QTemporaryDir dir;
    auto server = startServer(dir.path());
    QVERIFY(server->isRunning());
    auto a = connectTo(*server);
    QVERIFY(a);
    const auto reg = registerAs(*a, QStringLiteral("alice"));
    QVERIFY(reg);
    QCOMPARE(reg->username, QStringLiteral("alice"));
    QCOMPARE(reg->role, QStringLiteral("user"));
    QVERIFY(reg->token.size() >= 43); // 256 bits, base64url

    auto b = connectTo(*server);
    b->send(Login{QStringLiteral("ALICE"), kPassword, std::nullopt});
    const auto login = b->waitFor<Authenticated>(10000);
    QVERIFY(login);
    QCOMPARE(login->username, QStringLiteral("alice"));
    QVERIFY(login->token != reg->token);

    // A reconnect resumes with the token.
    auto c = connectTo(*server);
    c->send(Resume{login->token});
    const auto resumed = c->waitFor<Authenticated>(10000);
    QVERIFY(resumed);
    QCOMPARE(resumed->username, QStringLiteral("alice"));
    c->send(Logout{});
    QVERIFY(c->waitFor<LoggedOut>());
    // The token is revoked by the logout.
    auto d = connectTo(*server);
    d->send(Resume{login->token});
    QCOMPARE(toString(expectError(*d, ErrorCode::Unauthorized).code),
             toString(ErrorCode::Unauthorized));
    d->send(Resume{QStringLiteral("not-a-token")});
    QCOMPARE(toString(expectError(*d, ErrorCode::Unauthorized).code),
             toString(ErrorCode::Unauthorized));
    // The registration session is unaffected.
    d->send(Resume{reg->token});
    QVERIFY(d->waitFor<Authenticated>(10000));
    QVERIFY(server->terminate());
}

void TestAccounts::unknownUserAndWrongPasswordLookAlike() {
    QTemporaryDir dir;
    auto server = startServer(dir.path());
    auto a = connectTo(*server);
    QVERIFY(a && registerAs(*a, QStringLiteral("bob")));
    auto c = connectTo(*server);
    c->send(Login{QStringLiteral("bob"), QStringLiteral("wrong password!"), std::nullopt});
    const Error wrong = expectError(*c, ErrorCode::Unauthorized);
    c->send(Login{QStringLiteral("nobody"), QStringLiteral("wrong password!"), std::nullopt});
    const Error unknown = expectError(*c, ErrorCode::Unauthorized);
    QCOMPARE(toString(wrong.code), toString(ErrorCode::Unauthorized));
    QCOMPARE(unknown, wrong); // same code, text and ref: nothing to tell them apart
    QVERIFY(server->terminate());
}

void TestAccounts::registrationRules_data() {
    QTest::addColumn<QString>("username");
    QTest::addColumn<QString>("password");
    QTest::addColumn<int>("code");
    QTest::addRow("ok") << "carol" << kPassword << -1;
    QTest::addRow("password of 10") << "carol10"
                                    << "0123456789" << -1;
    QTest::addRow("password of 9") << "carol9"
                                   << "012345678" << int(ErrorCode::BadRequest);
    QTest::addRow("password is username") << "carolcarol"
                                          << "CAROLCAROL" << int(ErrorCode::BadRequest);
    QTest::addRow("username too short") << "ca" << kPassword << int(ErrorCode::BadRequest);
    QTest::addRow("username with space") << "car ol" << kPassword << int(ErrorCode::BadRequest);
    QTest::addRow("username with quote") << "o'brien" << kPassword << int(ErrorCode::BadRequest);
    QTest::addRow("taken, other case") << "CAROL" << kPassword << int(ErrorCode::Conflict);
}

void TestAccounts::registrationRules() {
    QFETCH(QString, username);
    QFETCH(QString, password);
    QFETCH(int, code);
    if (!m_rulesServer)
        m_rulesServer = startServer(
            m_rulesDir.path(), {QStringLiteral("--rate-register-burst"), QStringLiteral("100")});
    auto c = connectTo(*m_rulesServer);
    QVERIFY(c);
    c->send(Register{username, password});
    const auto reply = c->next(10000);
    QVERIFY(reply);
    if (code < 0) {
        QVERIFY(std::holds_alternative<Authenticated>(*reply));
    } else {
        const auto *e = std::get_if<Error>(&*reply);
        QVERIFY(e);
        QCOMPARE(int(e->code), code);
        QCOMPARE(e->ref, QStringLiteral("register"));
    }
}

void TestAccounts::injectionStringsAreLiteral() {
    QTemporaryDir dir;
    auto server = startServer(dir.path());
    const QString evil = QStringLiteral("x' OR '1'='1'; DROP TABLE accounts; --");
    auto a = connectTo(*server);
    QVERIFY(registerAs(*a, QStringLiteral("dave"), evil));
    auto b = connectTo(*server);
    // The injection string as a user name finds nobody...
    b->send(Login{QStringLiteral("' OR '1'='1"), evil, std::nullopt});
    QCOMPARE(toString(expectError(*b, ErrorCode::Unauthorized).code),
             toString(ErrorCode::Unauthorized));
    b->send(Login{QStringLiteral("dave' --"), evil, std::nullopt});
    QCOMPARE(toString(expectError(*b, ErrorCode::Unauthorized).code),
             toString(ErrorCode::Unauthorized));
    // ... and as a password it is compared literally.
    b->send(Login{QStringLiteral("dave"), QStringLiteral("x' OR '1'='1"), std::nullopt});
    QCOMPARE(toString(expectError(*b, ErrorCode::Unauthorized).code),
             toString(ErrorCode::Unauthorized));
    b->send(Login{QStringLiteral("dave"), evil, std::nullopt});
    QVERIFY(b->waitFor<Authenticated>(10000));
    QVERIFY(server->terminate());
    Storage s;
    s.open(StorageLocation{QString(), dir.path()});
    QCOMPARE(s.listAccounts().size(), 1);
}

void TestAccounts::changePasswordRevokesOtherSessions() {
    QTemporaryDir dir;
    auto server = startServer(dir.path());
    auto a = connectTo(*server);
    const auto first = registerAs(*a, QStringLiteral("erin"));
    QVERIFY(first);
    auto b = connectTo(*server);
    b->send(Login{QStringLiteral("erin"), kPassword, std::nullopt});
    const auto second = b->waitFor<Authenticated>(10000);
    QVERIFY(second);

    a->send(ChangePassword{QStringLiteral("not the password"), QStringLiteral("new password 1")});
    QCOMPARE(toString(expectError(*a, ErrorCode::Unauthorized).code),
             toString(ErrorCode::Unauthorized));
    a->send(ChangePassword{kPassword, QStringLiteral("erin")});
    QCOMPARE(toString(expectError(*a, ErrorCode::BadRequest).code),
             toString(ErrorCode::BadRequest));
    a->send(ChangePassword{kPassword, QStringLiteral("new password 1")});
    QVERIFY(a->waitFor<PasswordChanged>(10000));

    auto c = connectTo(*server);
    c->send(Resume{second->token});
    QCOMPARE(toString(expectError(*c, ErrorCode::Unauthorized).code),
             toString(ErrorCode::Unauthorized));
    c->send(Resume{first->token}); // the session that changed it stays
    QVERIFY(c->waitFor<Authenticated>(10000));
    auto d = connectTo(*server);
    d->send(Login{QStringLiteral("erin"), kPassword, std::nullopt});
    QCOMPARE(toString(expectError(*d, ErrorCode::Unauthorized).code),
             toString(ErrorCode::Unauthorized));
    d->send(Login{QStringLiteral("erin"), QStringLiteral("new password 1"), std::nullopt});
    QVERIFY(d->waitFor<Authenticated>(10000));
    QVERIFY(server->terminate());
}

void TestAccounts::bruteForceIsLimitedThenLocked() {
    QTemporaryDir dir;
    auto server = startServer(
        dir.path(), {QStringLiteral("--rate-login-user-burst"), QStringLiteral("3"),
                     QStringLiteral("--rate-login-user-leak-ms"), QStringLiteral("600000"),
                     QStringLiteral("--login-lockout-s"), QStringLiteral("2")});
    auto a = connectTo(*server);
    QVERIFY(registerAs(*a, QStringLiteral("frank")));
    QVERIFY(registerAs(*connectTo(*server), QStringLiteral("grace")));
    auto attacker = connectTo(*server);
    for (int i = 0; i < 3; ++i) {
        attacker->send(
            Login{QStringLiteral("frank"), QStringLiteral("guess number %1").arg(i), std::nullopt});
        QCOMPARE(toString(expectError(*attacker, ErrorCode::Unauthorized).code),
                 toString(ErrorCode::Unauthorized));
    }
    // At the edge: the 4th attempt overflows the bucket and locks the name.
    attacker->send(Login{QStringLiteral("frank"), QStringLiteral("guess 4"), std::nullopt});
    const Error limited = expectError(*attacker, ErrorCode::RateLimited);
    QCOMPARE(toString(limited.code), toString(ErrorCode::RateLimited));
    QVERIFY(limited.retryAfterMs && *limited.retryAfterMs > 1000 && *limited.retryAfterMs <= 2000);
    // Locked even for the right password...
    auto owner = connectTo(*server);
    owner->send(Login{QStringLiteral("frank"), kPassword, std::nullopt});
    QCOMPARE(toString(expectError(*owner, ErrorCode::RateLimited).code),
             toString(ErrorCode::RateLimited));
    // ... while other accounts are unaffected.
    owner->send(Login{QStringLiteral("grace"), kPassword, std::nullopt});
    QVERIFY(owner->waitFor<Authenticated>(10000));
    // After the lockout the owner gets in.
    auto later = connectTo(*server);
    bool in = false;
    for (int i = 0; i < 20 && !in; ++i) {
        later->send(Login{QStringLiteral("frank"), kPassword, std::nullopt});
        const auto reply = later->next(10000);
        QVERIFY(reply);
        in = std::holds_alternative<Authenticated>(*reply);
        if (!in) {
            const auto *e = std::get_if<Error>(&*reply);
            QVERIFY(e && e->code == ErrorCode::RateLimited);
            QTest::qWait(int(qMin<qint64>(*e->retryAfterMs, 2000)) + 20); // honour retry_after_ms
        }
    }
    QVERIFY(in);
    QVERIFY(server->terminate());
}

void TestAccounts::totpEnrolmentAndSingleUse() {
    QTemporaryDir dir;
    auto server =
        startServer(dir.path(), {QStringLiteral("--rate-login-user-burst"), QStringLiteral("100")});
    auto a = connectTo(*server);
    QVERIFY(registerAs(*a, QStringLiteral("heidi")));
    a->send(TotpEnable{QStringLiteral("123456"), kPassword});
    QCOMPARE(toString(expectError(*a, ErrorCode::Conflict).code),
             toString(ErrorCode::Conflict)); // not enrolled
    // Without the password a session alone cannot change 2FA.
    a->send(TotpEnroll{});
    QCOMPARE(expectError(*a, ErrorCode::Unauthorized).ref, QStringLiteral("totp_enroll"));
    a->send(TotpEnroll{kPassword});
    const auto enrolment = a->waitFor<TotpEnrollment>(10000);
    QVERIFY(enrolment);
    QVERIFY(enrolment->uri.startsWith(QLatin1String("otpauth://totp/")));
    QVERIFY(enrolment->uri.contains(QLatin1String("secret=") + enrolment->secret));
    const QByteArray secret = *totp::base32Decode(enrolment->secret);
    QCOMPARE(secret.size(), 20);
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    // A wrong code does not enable it.
    const QString wrongCode = totp::codeAt(secret, now - 300);
    a->send(TotpEnable{wrongCode, kPassword});
    QCOMPARE(toString(expectError(*a, ErrorCode::Unauthorized).code),
             toString(ErrorCode::Unauthorized));
    const QString code = totp::codeAt(secret, now);
    a->send(TotpEnable{code, std::nullopt}); // the code alone is not enough
    QCOMPARE(expectError(*a, ErrorCode::Unauthorized).ref, QStringLiteral("totp_enable"));
    a->send(TotpEnable{code, kPassword});
    const auto enabled = a->waitFor<TotpEnabled>(10000);
    QVERIFY(enabled);
    QCOMPARE(enabled->recoveryCodes.size(), 10);

    auto b = connectTo(*server);
    b->send(Login{QStringLiteral("heidi"), kPassword, std::nullopt});
    Error e = expectError(*b, ErrorCode::Unauthorized);
    QCOMPARE(e.message, QStringLiteral("two-factor code required"));
    // The code that enabled 2FA was used: it cannot log in.
    b->send(Login{QStringLiteral("heidi"), kPassword, code});
    e = expectError(*b, ErrorCode::Unauthorized);
    QCOMPARE(e.message, QStringLiteral("invalid two-factor code"));
    // The next step's code is within the window and works once.
    const QString next = totp::codeAt(secret, now + 30);
    b->send(Login{QStringLiteral("heidi"), kPassword, next});
    QVERIFY(b->waitFor<Authenticated>(10000));
    auto c = connectTo(*server);
    c->send(Login{QStringLiteral("heidi"), kPassword, next});
    QCOMPARE(expectError(*c, ErrorCode::Unauthorized).message,
             QStringLiteral("invalid two-factor code"));
    // A recovery code works once, in any case.
    const QString recovery = enabled->recoveryCodes.constFirst();
    c->send(Login{QStringLiteral("heidi"), kPassword, recovery.toUpper()});
    QVERIFY(c->waitFor<Authenticated>(10000));
    auto d = connectTo(*server);
    d->send(Login{QStringLiteral("heidi"), kPassword, recovery});
    QCOMPARE(toString(expectError(*d, ErrorCode::Unauthorized).code),
             toString(ErrorCode::Unauthorized));
    QVERIFY(server->terminate());
}

void TestAccounts::messageFloodIsLimitedThenClosed() {
    QTemporaryDir dir;
    auto server =
        startServer(dir.path(), {QStringLiteral("--rate-exempt"), QString(),
                                 QStringLiteral("--rate-message-burst"), QStringLiteral("3"),
                                 QStringLiteral("--rate-message-leak-ms"), QStringLiteral("600000"),
                                 QStringLiteral("--rate-abuse-strikes"), QStringLiteral("3")});
    auto a = connectTo(*server);
    auto b = connectTo(*server);
    QVERIFY(a && b);
    a->send(Join{10, 10, 50});
    b->send(Join{10, 10.01, 50});
    QVERIFY(a->waitFor<Matched>());
    QVERIFY(b->waitFor<Matched>());
    for (int i = 0; i < 3; ++i) {
        a->send(SendMessage{QStringLiteral("hi %1").arg(i), QStringLiteral("m%1").arg(i)});
        QVERIFY(a->waitFor<Delivered>());
    }
    a->send(SendMessage{QStringLiteral("one too many"), QStringLiteral("m4")});
    const Error e = expectError(*a, ErrorCode::RateLimited);
    QCOMPARE(toString(e.code), toString(ErrorCode::RateLimited));
    QCOMPARE(e.ref, QStringLiteral("message"));
    QVERIFY(e.retryAfterMs && *e.retryAfterMs > 0);
    // Exactly the three that fit arrived, in order; the one too many did not.
    for (int i = 0; i < 3; ++i) {
        const auto in = b->waitFor<IncomingMessage>();
        QVERIFY(in);
        QCOMPARE(in->text, QStringLiteral("hi %1").arg(i));
    }
    QVERIFY(b->staysWithout<IncomingMessage>(300));
    // Keeping going: closed with 1008.
    for (int i = 0; i < 5 && a->isConnected(); ++i)
        a->send(Typing{true});
    QVERIFY(a->waitForDisconnected());
    QCOMPARE(a->closeCode(), 1008);
    QVERIFY(b->waitFor<PartnerLeft>());
    QVERIFY(server->terminate());
}

void TestAccounts::connectionsPerIpAreLimited() {
    QTemporaryDir dir;
    auto server = startServer(dir.path(),
                              {QStringLiteral("--rate-exempt"), QString(),
                               QStringLiteral("--rate-connect-burst"), QStringLiteral("3"),
                               QStringLiteral("--rate-connect-leak-ms"), QStringLiteral("600000")});
    std::vector<std::unique_ptr<TestClient>> ok;
    for (int i = 0; i < 3; ++i) {
        ok.push_back(connectTo(*server));
        QVERIFY(ok.back());
    }
    auto refused = connectTo(*server); // gets welcome, then the refusal
    QVERIFY(refused);
    QCOMPARE(toString(expectError(*refused, ErrorCode::RateLimited).code),
             toString(ErrorCode::RateLimited));
    QVERIFY(refused->waitForDisconnected());
    QCOMPARE(refused->closeCode(), 1008);
    QVERIFY(ok.front()->isConnected());
    QVERIFY(server->terminate());
}

void TestAccounts::joinsAndRegistrationsAreLimited() {
    QTemporaryDir dir;
    auto server = startServer(
        dir.path(),
        {QStringLiteral("--rate-exempt"), QString(), QStringLiteral("--rate-join-burst"),
         QStringLiteral("2"), QStringLiteral("--rate-join-leak-ms"), QStringLiteral("600000"),
         QStringLiteral("--rate-register-burst"), QStringLiteral("2"),
         QStringLiteral("--rate-register-leak-ms"), QStringLiteral("600000")});
    auto a = connectTo(*server);
    QVERIFY(a);
    for (int i = 0; i < 2; ++i) {
        a->send(Join{5, 5, 10});
        QVERIFY(a->waitFor<Waiting>());
        a->send(Leave{});
        QVERIFY(a->waitFor<Left>());
    }
    // The third join in the window probes one location too many.
    a->send(Join{5, 6, 10});
    const Error e = expectError(*a, ErrorCode::RateLimited);
    QCOMPARE(e.ref, QStringLiteral("join"));
    QVERIFY(e.retryAfterMs && *e.retryAfterMs > 0);
    // Another connection has its own join bucket.
    auto other = connectTo(*server);
    other->send(Join{5, 5, 10});
    QVERIFY(other->waitFor<Waiting>());

    QVERIFY(registerAs(*connectTo(*server), QStringLiteral("reg1")));
    QVERIFY(registerAs(*connectTo(*server), QStringLiteral("reg2")));
    auto third = connectTo(*server);
    third->send(Register{QStringLiteral("reg3"), kPassword});
    const Error r = expectError(*third, ErrorCode::RateLimited);
    QCOMPARE(r.ref, QStringLiteral("register"));
    QVERIFY(server->terminate());
}

void TestAccounts::requireLoginTurnsOffGuestChat() {
    QTemporaryDir dir;
    auto server = startServer(dir.path(), {QStringLiteral("--require-login"), QStringLiteral("1")});
    auto a = connectTo(*server);
    a->send(Join{0, 0, 10});
    QCOMPARE(expectError(*a, ErrorCode::Unauthorized).ref, QStringLiteral("join"));
    QVERIFY(registerAs(*a, QStringLiteral("ivan")));
    a->send(Join{0, 0, 10});
    QVERIFY(a->waitFor<Waiting>());
    QVERIFY(server->terminate());
}

void TestAccounts::blockedPairIsNeverMatchedAgain() {
    QTemporaryDir dir;
    auto server = startServer(dir.path());
    auto a = connectTo(*server);
    auto b = connectTo(*server);
    const auto tokenA = registerAs(*a, QStringLiteral("judy"));
    const auto tokenB = registerAs(*b, QStringLiteral("mallory"));
    QVERIFY(tokenA && tokenB);
    a->send(Join{20, 20, 50});
    b->send(Join{20, 20.01, 50});
    QVERIFY(a->waitFor<Matched>());
    QVERIFY(b->waitFor<Matched>());
    a->send(Block{});
    QVERIFY(a->waitFor<Blocked>());
    const auto left = b->waitFor<PartnerLeft>();
    QVERIFY(left);
    QCOMPARE(toString(left->reason), toString(LeftReason::Blocked));

    a->send(Join{20, 20, 50});
    b->send(Join{20, 20.01, 50});
    QVERIFY(a->waitFor<Waiting>());
    QVERIFY(b->staysWithout<Matched>(800));
    // Across reconnects of both accounts.
    a.reset();
    b.reset();
    auto a2 = connectTo(*server);
    auto b2 = connectTo(*server);
    a2->send(Resume{tokenA->token});
    QVERIFY(a2->waitFor<Authenticated>(10000));
    b2->send(Login{QStringLiteral("mallory"), kPassword, std::nullopt});
    QVERIFY(b2->waitFor<Authenticated>(10000));
    a2->send(Join{20, 20, 50});
    b2->send(Join{20, 20.01, 50});
    QVERIFY(b2->waitFor<Waiting>());
    QVERIFY(a2->staysWithout<Matched>(800));
    // Blocking right after the partner left works too.
    auto c = connectTo(*server);
    auto d = connectTo(*server);
    c->send(Join{-20, -20, 50});
    d->send(Join{-20, -20.01, 50});
    QVERIFY(c->waitFor<Matched>());
    QVERIFY(d->waitFor<Matched>());
    d->send(Leave{});
    QVERIFY(c->waitFor<PartnerLeft>());
    c->send(Block{});
    QVERIFY(c->waitFor<Blocked>());
    c->send(Join{-20, -20, 50});
    d->send(Join{-20, -20.01, 50});
    QVERIFY(c->waitFor<Waiting>());
    QVERIFY(c->staysWithout<Matched>(800));
    // Both still match other people.
    auto guest = connectTo(*server);
    guest->send(Join{20, 20.02, 50});
    QVERIFY(guest->waitFor<Matched>());
    QVERIFY(server->terminate());
}

// `authenticated` promises that the account's stored blocks apply: a client
// that joins the moment it reads it must never meet someone it blocked. The
// join goes out from inside the frame handler, before the test's event loop
// turns again, so it races whatever the server still does after answering.
void TestAccounts::blocksApplyToAJoinRightAfterAuthenticated() {
    constexpr int kRounds = 20;
    QTemporaryDir dir;
    // Loopback is exempt from the chat limits and the login limits are wide:
    // the rounds reconnect and log in far faster than any person would.
    auto server = startServer(dir.path(),
                              {QStringLiteral("--rate-exempt"), QStringLiteral("127.0.0.1"),
                               QStringLiteral("--rate-login-ip-burst"), QStringLiteral("1000"),
                               QStringLiteral("--rate-login-user-burst"), QStringLiteral("1000")});
    QVERIFY(server->isRunning());
    auto a = connectTo(*server);
    auto b = connectTo(*server);
    QVERIFY(a && b);
    const auto authA = registerAs(*a, QStringLiteral("blocker"));
    QVERIFY(authA);
    QVERIFY(registerAs(*b, QStringLiteral("blocked")));
    a->send(Join{40, 40, 50});
    b->send(Join{40, 40.01, 50});
    QVERIFY(a->waitFor<Matched>());
    QVERIFY(b->waitFor<Matched>());
    a->send(Block{});
    QVERIFY(a->waitFor<Blocked>());
    QVERIFY(b->waitFor<PartnerLeft>());
    a.reset();
    // Thousands of stored blocks take the server a few milliseconds to load:
    // long enough that a join sent the moment `authenticated` arrives would
    // overtake them every time if the reply came first (without them, only
    // now and then).
    {
        Storage storage;
        storage.open(StorageLocation{QString(), dir.path()});
        const qint64 blockerId = storage.accountByName(QStringLiteral("blocker"))->id;
        // The real block is stored first (it is written after `blocked`).
        QTRY_COMPARE_WITH_TIMEOUT(storage.blocksOf(blockerId).size(), 1, 5000);
        QVERIFY(storage.database().transaction());
        for (quint64 key = 1; key <= 20000; ++key)
            storage.addBlock(blockerId, key, 0);
        QVERIFY(storage.database().commit());
    }

    QString token = authA->token;
    QStringList matched; // the rounds in which the pair met
    int rounds = 0;
    QDeadlineTimer budget(60000);
    for (int round = 0; round < kRounds && !budget.hasExpired(); ++round) {
        // The blocked account is already waiting when the blocker joins, so
        // the next tick pairs them unless the blocker's join excludes it.
        b->send(Join{40, 40.01, 50});
        QVERIFY(b->waitFor<Waiting>());
        auto blocker = connectTo(*server);
        QVERIFY(blocker);
        QWebSocket &socket = blocker->socket();
        TestClient *client = blocker.get();
        connect(&socket, &QWebSocket::textMessageReceived, client, [client] {
            const auto inbox = client->unread();
            if (!inbox.isEmpty() && std::holds_alternative<Authenticated>(inbox.last()))
                client->send(Join{40, 40, 50});
        });
        const bool viaResume = round % 2 == 0;
        if (viaResume)
            blocker->send(Resume{token});
        else
            blocker->send(Login{QStringLiteral("blocker"), kPassword, std::nullopt});
        const auto auth = blocker->waitFor<Authenticated>(10000);
        QVERIFY2(auth, qPrintable(QStringLiteral("round %1").arg(round)));
        token = auth->token;
        QVERIFY(blocker->waitFor<Waiting>());
        // Six ticks of 50 ms: a pairing would have happened by then.
        if (blocker->staysWithout<Matched>(300)) {
            QVERIFY(b->staysWithout<Matched>(0));
            b->send(Leave{});
            QVERIFY(b->waitFor<Left>());
            blocker->close();
        } else {
            matched << QStringLiteral("%1 (%2)").arg(round).arg(
                viaResume ? QStringLiteral("resume") : QStringLiteral("login"));
            QVERIFY(b->waitFor<Matched>());
            blocker->close();
            QVERIFY(b->waitFor<PartnerLeft>());
        }
        QVERIFY(blocker->waitForDisconnected());
        ++rounds;
    }
    QVERIFY2(matched.isEmpty(),
             qPrintable(QStringLiteral("matched with the blocked account in %1 of %2 rounds: %3")
                            .arg(matched.size())
                            .arg(rounds)
                            .arg(matched.join(QStringLiteral(", ")))));
    QCOMPARE(rounds, kRounds);
    QVERIFY2(!budget.hasExpired(), "the rounds took longer than their time budget");
    // Both still match someone else, so "not matched" above meant excluded.
    b->send(Join{40, 40.01, 50});
    QVERIFY(b->waitFor<Waiting>());
    auto guest = connectTo(*server);
    guest->send(Join{40, 40.02, 50});
    QVERIFY(guest->waitFor<Matched>());
    QVERIFY(b->waitFor<Matched>());
    QVERIFY(server->terminate());
}

void TestAccounts::reportIsStoredWithoutChatText() {
    QTemporaryDir dir;
    auto server = startServer(dir.path());
    auto a = connectTo(*server);
    auto b = connectTo(*server);
    QVERIFY(registerAs(*a, QStringLiteral("peggy")));
    a->send(Report{QStringLiteral("nobody to report")});
    QCOMPARE(expectError(*a, ErrorCode::Conflict).ref, QStringLiteral("report"));
    a->send(Join{30, 30, 50});
    b->send(Join{30, 30.01, 50});
    QVERIFY(a->waitFor<Matched>());
    QVERIFY(b->waitFor<Matched>());
    const QString secretText = QStringLiteral("very private chat text");
    b->send(SendMessage{secretText, std::nullopt});
    QVERIFY(a->waitFor<IncomingMessage>());
    // Abusers leave fast: the last partner can still be reported.
    b->send(Leave{});
    QVERIFY(a->waitFor<PartnerLeft>());
    a->send(Report{QStringLiteral("spam links")});
    QVERIFY(a->waitFor<Reported>(10000));
    // Repeats of the same pair are acknowledged, not stored again.
    for (int i = 0; i < 3; ++i) {
        a->send(Report{QStringLiteral("again %1").arg(i)});
        QVERIFY(a->waitFor<Reported>(10000));
    }
    QVERIFY(server->terminate());
    {
        // Counted in the file as the server left it (Storage::open would
        // migrate first, and the migration drops repeats).
        QSqlDatabase raw =
            QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("report-count"));
        raw.setDatabaseName(dir.filePath(QStringLiteral("whisperchat.db")));
        QVERIFY(raw.open());
        QSqlQuery count(raw);
        QVERIFY(count.exec(QStringLiteral("SELECT COUNT(*) FROM reports")) && count.next());
        QCOMPARE(count.value(0).toInt(), 1);
    }
    QSqlDatabase::removeDatabase(QStringLiteral("report-count"));

    Storage s;
    s.open(StorageLocation{QString(), dir.path()});
    const auto reports = s.listReports(true);
    QCOMPARE(reports.size(), 1);
    const ReportRecord &r = reports.first();
    QCOMPARE(r.reason, QStringLiteral("spam links"));
    QVERIFY(r.reporterAccountId);
    QVERIFY(!r.reportedAccountId); // a guest
    QCOMPARE(QHostAddress(r.reportedIp), QHostAddress(QHostAddress::LocalHost));
    QVERIFY(!r.reporterKey.isEmpty() && !r.reportedKey.isEmpty() && r.reporterKey != r.reportedKey);
    QVERIFY(!r.pairId.isEmpty());
    QVERIFY(r.createdMs > 0);
    QFile db(dir.filePath(QStringLiteral("whisperchat.db")));
    QVERIFY(db.open(QIODevice::ReadOnly));
    QVERIFY(!db.readAll().contains(secretText.toUtf8()));
}

void TestAccounts::bansAreEnforcedUntilExpiry() {
    QTemporaryDir dir;
    qint64 accountId = 0;
    {
        auto server = startServer(dir.path());
        auto a = connectTo(*server);
        QVERIFY(registerAs(*a, QStringLiteral("trent")));
        QVERIFY(server->terminate());
        Storage s;
        s.open(StorageLocation{QString(), dir.path()});
        accountId = s.accountByName(QStringLiteral("trent"))->id;
        BanRecord ban;
        ban.accountId = accountId;
        ban.reason = QStringLiteral("abuse");
        ban.createdMs = QDateTime::currentMSecsSinceEpoch();
        ban.expiresMs = ban.createdMs + 3000;
        s.addBan(ban);
    }
    const QStringList generous{QStringLiteral("--rate-login-user-burst"), QStringLiteral("1000"),
                               QStringLiteral("--rate-login-ip-burst"), QStringLiteral("1000")};
    auto server = startServer(dir.path(), generous);
    auto a = connectTo(*server);
    a->send(Login{QStringLiteral("trent"), kPassword, std::nullopt});
    const Error e = expectError(*a, ErrorCode::Forbidden);
    QCOMPARE(toString(e.code), toString(ErrorCode::Forbidden));
    QVERIFY(e.message.contains(QLatin1String("abuse")));
    // After expiry the same login works, and the account can join.
    bool in = false;
    for (int i = 0; i < 40 && !in; ++i) {
        a->send(Login{QStringLiteral("trent"), kPassword, std::nullopt});
        const auto reply = a->next(10000);
        QVERIFY(reply);
        in = std::holds_alternative<Authenticated>(*reply);
        if (!in)
            QTest::qWait(200);
    }
    QVERIFY(in);
    a->send(Join{1, 1, 10});
    QVERIFY(a->waitFor<Waiting>());
    QVERIFY(server->terminate());

    // An IP ban: loopback banned, nobody from it may connect.
    {
        Storage s;
        s.open(StorageLocation{QString(), dir.path()});
        BanRecord ban;
        ban.ip = QStringLiteral("127.0.0.1");
        ban.reason = QStringLiteral("flood");
        ban.createdMs = QDateTime::currentMSecsSinceEpoch();
        ban.expiresMs = ban.createdMs + 60000;
        s.addBan(ban);
    }
    server = startServer(dir.path());
    auto b = connectTo(*server);
    QVERIFY(b);
    QCOMPARE(toString(expectError(*b, ErrorCode::Forbidden).code), toString(ErrorCode::Forbidden));
    QVERIFY(b->waitForDisconnected());
    QCOMPARE(b->closeCode(), 1008);
    QVERIFY(server->terminate());
}

void TestAccounts::banWhileConnectedKicksAndBlocksJoin() {
    QTemporaryDir dir;
    auto server = startServer(dir.path(), {QStringLiteral("--ban-refresh-s"), QStringLiteral("1")});
    auto a = connectTo(*server);
    auto b = connectTo(*server);
    QVERIFY(registerAs(*a, QStringLiteral("victor")));
    a->send(Join{40, 40, 50});
    b->send(Join{40, 40.01, 50});
    QVERIFY(a->waitFor<Matched>());
    QVERIFY(b->waitFor<Matched>());
    {
        // A ban made elsewhere (another node, the console) reaches the
        // running server with the next refresh.
        Storage s;
        s.open(StorageLocation{QString(), dir.path()});
        BanRecord ban;
        ban.accountId = s.accountByName(QStringLiteral("victor"))->id;
        ban.reason = QStringLiteral("abuse");
        ban.createdMs = QDateTime::currentMSecsSinceEpoch();
        ban.expiresMs = ban.createdMs + 600000;
        s.addBan(ban);
    }
    QVERIFY(a->waitForDisconnected(10000));
    QCOMPARE(a->closeCode(), 1008);
    const auto left = b->waitFor<PartnerLeft>(5000);
    QVERIFY(left);
    QCOMPARE(toString(left->reason), toString(LeftReason::Kicked));
    // Resuming on a new connection is refused, so is a login.
    auto again = connectTo(*server);
    again->send(Login{QStringLiteral("victor"), kPassword, std::nullopt});
    QCOMPARE(toString(expectError(*again, ErrorCode::Forbidden).code),
             toString(ErrorCode::Forbidden));
    // The partner carries on.
    b->send(Join{40, 40.01, 50});
    QVERIFY(b->waitFor<Waiting>());
    QVERIFY(server->terminate());
}

void TestAccounts::killDuringRegistrationsLosesNothing() {
    QTemporaryDir dir;
    auto server =
        startServer(dir.path(), {QStringLiteral("--rate-register-burst"), QStringLiteral("1000")});
    std::vector<std::unique_ptr<TestClient>> clients;
    QStringList confirmed;
    int sent = 0;
    // Keep eight registrations in flight, each on its own connection (one
    // account per connection); kill -9 once 40 were confirmed.
    auto startOne = [&](std::unique_ptr<TestClient> &slot) {
        slot = connectTo(*server);
        if (slot)
            slot->send(Register{QStringLiteral("user%1").arg(sent++), kPassword});
    };
    clients.resize(8);
    for (auto &c : clients)
        startOne(c);
    QDeadlineTimer deadline(60000);
    while (confirmed.size() < 40 && !deadline.hasExpired()) {
        for (auto &c : clients) {
            if (!c)
                continue;
            if (const auto ok = c->waitFor<Authenticated>(5)) {
                confirmed << ok->username;
                startOne(c);
            }
        }
    }
    QVERIFY(confirmed.size() >= 40);
    ::kill(pid_t(server->pid()), SIGKILL);
    server->process().waitForFinished(5000);
    clients.clear();

    Storage s;
    s.open(StorageLocation{QString(), dir.path()});
    QCOMPARE(s.integrityCheck(), QStringLiteral("ok"));
    for (const QString &name : std::as_const(confirmed))
        QVERIFY2(s.accountByName(name), qPrintable(name));
    s.close();
    // And the server starts again on that file.
    server = startServer(dir.path());
    QVERIFY(server->isRunning());
    QVERIFY(server->terminate());
}

int TestAccounts::userCommand(const QStringList &args, const QByteArray &stdinData,
                              QByteArray *output) {
    QProcess p;
    p.start(ServerProcess::binary(QStringLiteral("whisperchat-server")),
            QStringList{QStringLiteral("user")} + args);
    if (!p.waitForStarted(10000))
        return -1;
    p.write(stdinData);
    p.closeWriteChannel();
    if (!p.waitForFinished(30000)) {
        p.kill();
        p.waitForFinished();
        return -1;
    }
    if (output)
        *output = p.readAllStandardOutput();
    return p.exitCode();
}

void TestAccounts::userCommandBootstrapsStaff() {
    QTemporaryDir dir;
    const QStringList where{QStringLiteral("--data-dir"), dir.path()};
    // No password on the command line, and the policy applies.
    QCOMPARE(userCommand(QStringList{QStringLiteral("add"), QStringLiteral("boss"),
                                     QStringLiteral("--role"), QStringLiteral("admin")} +
                         where),
             2);
    QCOMPARE(userCommand(QStringList{QStringLiteral("add"), QStringLiteral("boss"),
                                     QStringLiteral("--role"), QStringLiteral("admin"),
                                     QStringLiteral("--password-stdin")} +
                             where,
                         "short\n"),
             2);
    QCOMPARE(userCommand(QStringList{QStringLiteral("add"), QStringLiteral("boss"),
                                     QStringLiteral("--role"), QStringLiteral("admin"),
                                     QStringLiteral("--password-stdin")} +
                             where,
                         kPassword.toUtf8() + "\n"),
             0);
    QCOMPARE(userCommand(QStringList{QStringLiteral("add"), QStringLiteral("mod1"),
                                     QStringLiteral("--password-stdin")} +
                             where,
                         kPassword.toUtf8() + "\n"),
             0);
    QCOMPARE(userCommand(QStringList{QStringLiteral("set-role"), QStringLiteral("mod1"),
                                     QStringLiteral("moderator")} +
                         where),
             0);
    QByteArray list;
    QCOMPARE(userCommand(QStringList{QStringLiteral("list")} + where, {}, &list), 0);
    QVERIFY(list.contains("boss\tadmin"));
    QVERIFY(list.contains("mod1\tmoderator"));

    auto server = startServer(dir.path());
    auto a = connectTo(*server);
    a->send(Login{QStringLiteral("boss"), kPassword, std::nullopt});
    const auto boss = a->waitFor<Authenticated>(10000);
    QVERIFY(boss);
    QCOMPARE(boss->role, QStringLiteral("admin"));
    QVERIFY(server->terminate());

    QCOMPARE(userCommand(QStringList{QStringLiteral("disable"), QStringLiteral("boss")} + where),
             0);
    server = startServer(dir.path());
    auto b = connectTo(*server);
    b->send(Login{QStringLiteral("boss"), kPassword, std::nullopt});
    QCOMPARE(toString(expectError(*b, ErrorCode::Unauthorized).code),
             toString(ErrorCode::Unauthorized));
    QVERIFY(server->terminate());
}

// The `user` command is another process: the running server hears nothing
// from it, and must still end a disabled account's live logins (it compares
// them with storage every few seconds).
void TestAccounts::userCommandDisableEndsLiveLogins() {
    QTemporaryDir dir;
    const QStringList where{QStringLiteral("--data-dir"), dir.path()};
    QCOMPARE(userCommand(QStringList{QStringLiteral("add"), QStringLiteral("leaver"),
                                     QStringLiteral("--password-stdin")} +
                             where,
                         kPassword.toUtf8() + "\n"),
             0);
    auto server = startServer(dir.path());
    auto a = connectTo(*server);
    a->send(Login{QStringLiteral("leaver"), kPassword, std::nullopt});
    QVERIFY(a->waitFor<Authenticated>(10000));
    QCOMPARE(userCommand(QStringList{QStringLiteral("disable"), QStringLiteral("leaver")} + where),
             0);
    const auto out = a->waitFor<LoggedOut>(12000);
    QVERIFY(out);
    QCOMPARE(out->reason.value_or(QString()), QStringLiteral("disabled"));
    QVERIFY(server->terminate());
}

void TestAccounts::disconnectDuringLoginIsHarmless() {
    QTemporaryDir dir;
    // Default (slow) Argon2id parameters, so the clients are gone before
    // their results arrive.
    auto server = std::make_unique<ServerProcess>(QStringList{
        QStringLiteral("--data-dir"), dir.path(), QStringLiteral("--rate-login-user-burst"),
        QStringLiteral("100"), QStringLiteral("--rate-register-burst"), QStringLiteral("100")});
    QVERIFY(server->start());
    for (int i = 0; i < 10; ++i) {
        auto c = connectTo(*server);
        QVERIFY(c);
        if (i % 2)
            c->send(Register{QStringLiteral("gone%1").arg(i), kPassword});
        else
            c->send(Login{QStringLiteral("nobody"), kPassword, std::nullopt});
        c->socket().abort();
    }
    // The server is still there and answers.
    auto d = connectTo(*server);
    QVERIFY(d);
    QVERIFY(registerAs(*d, QStringLiteral("survivor")));
    QVERIFY(server->isRunning());
    QVERIFY(server->terminate());
    QCOMPARE(server->exitCode(), 0);
}

void TestAccounts::stolenSessionEndsWhenOwnerChangesPassword() {
    QTemporaryDir dir;
    auto server = startServer(dir.path());
    auto owner = connectTo(*server);
    QVERIFY(owner && registerAs(*owner, QStringLiteral("olivia")));
    // The attacker has the password and an open, logged-in connection.
    auto thief = connectTo(*server);
    thief->send(Login{QStringLiteral("olivia"), kPassword, std::nullopt});
    QVERIFY(thief->waitFor<Authenticated>(10000));

    const QString newPassword = QStringLiteral("only the owner knows");
    owner->send(ChangePassword{kPassword, newPassword});
    QVERIFY(owner->waitFor<PasswordChanged>(10000));
    // The thief tries to take over the second factor right away.
    thief->send(TotpEnroll{kPassword});
    thief->send(TotpEnroll{newPassword});
    const auto revoked = thief->waitFor<LoggedOut>(10000);
    QVERIFY(revoked);
    QCOMPARE(revoked->reason, std::optional<QString>(QStringLiteral("password_changed")));
    QVERIFY(thief->waitForDisconnected());
    QCOMPARE(thief->closeCode(), 1008);
    QVERIFY(thief->staysWithout<TotpEnrollment>(0));
    // The owner's connection carries on and can still manage 2FA.
    owner->send(TotpEnroll{newPassword});
    QVERIFY(owner->waitFor<TotpEnrollment>(10000));
    QVERIFY(owner->isConnected());
    QVERIFY(server->terminate());
    Storage s;
    s.open(StorageLocation{QString(), dir.path()});
    QVERIFY(!s.accountByName(QStringLiteral("olivia"))->totpEnabled);
}

void TestAccounts::logoutEverywhereEndsOtherConnections() {
    QTemporaryDir dir;
    auto server = startServer(dir.path());
    auto a = connectTo(*server);
    const auto first = registerAs(*a, QStringLiteral("pablo"));
    QVERIFY(first);
    auto b = connectTo(*server);
    b->send(Login{QStringLiteral("pablo"), kPassword, std::nullopt});
    const auto second = b->waitFor<Authenticated>(10000);
    QVERIFY(second);
    auto guest = connectTo(*server);

    a->send(Logout{true});
    const auto own = a->waitFor<LoggedOut>(10000);
    QVERIFY(own);
    QVERIFY(!own->reason); // its own logout: a guest again, still connected
    const auto other = b->waitFor<LoggedOut>(10000);
    QVERIFY(other);
    QCOMPARE(other->reason, std::optional<QString>(QStringLiteral("logged_out_everywhere")));
    QVERIFY(b->waitForDisconnected());
    QCOMPARE(b->closeCode(), 1008);
    QVERIFY(a->isConnected());
    QVERIFY(guest->isConnected() && guest->staysWithout<LoggedOut>(0));
    // Every token of the account is revoked.
    for (const QString &token : {first->token, second->token}) {
        auto c = connectTo(*server);
        c->send(Resume{token});
        QCOMPARE(expectError(*c, ErrorCode::Unauthorized).ref, QStringLiteral("resume"));
    }
    QVERIFY(server->terminate());
}

void TestAccounts::totpGuessingIsLockedOut() {
    QTemporaryDir dir;
    auto server =
        startServer(dir.path(), {QStringLiteral("--rate-totp-burst"), QStringLiteral("3"),
                                 QStringLiteral("--totp-lockout-s"), QStringLiteral("600")});
    QVERIFY(server->isRunning());
    auto a = connectTo(*server);
    QVERIFY(a && registerAs(*a, QStringLiteral("quinn")));
    a->send(TotpEnroll{kPassword});
    const auto enrolment = a->waitFor<TotpEnrollment>(10000);
    QVERIFY(enrolment);
    const QByteArray secret = *totp::base32Decode(enrolment->secret);
    a->send(TotpEnable{totp::codeAt(secret, QDateTime::currentSecsSinceEpoch()), kPassword});
    QVERIFY(a->waitFor<TotpEnabled>(10000));
    // A right code empties the account's bucket: three wrong ones fit.
    const QString wrong = QStringLiteral("999999") == totp::codeAt(secret, 0)
                              ? QStringLiteral("999998")
                              : QStringLiteral("999999");
    for (int i = 0; i < 3; ++i) {
        a->send(TotpDisable{wrong});
        QCOMPARE(expectError(*a, ErrorCode::Unauthorized).message,
                 QStringLiteral("invalid two-factor code"));
    }
    // At the edge: locked for the configured time, the right code included.
    a->send(TotpDisable{wrong});
    const Error locked = expectError(*a, ErrorCode::RateLimited);
    QCOMPARE(toString(locked.code), toString(ErrorCode::RateLimited));
    QVERIFY(locked.retryAfterMs && *locked.retryAfterMs > 590000 && *locked.retryAfterMs <= 600000);
    a->send(TotpDisable{totp::codeAt(secret, QDateTime::currentSecsSinceEpoch() + 30)});
    QCOMPARE(toString(expectError(*a, ErrorCode::RateLimited).code),
             toString(ErrorCode::RateLimited));
    // Login's second factor shares the lockout.
    auto b = connectTo(*server);
    b->send(Login{QStringLiteral("quinn"), kPassword,
                  totp::codeAt(secret, QDateTime::currentSecsSinceEpoch() + 30)});
    QCOMPARE(toString(expectError(*b, ErrorCode::RateLimited).code),
             toString(ErrorCode::RateLimited));
    QVERIFY(server->terminate());
}

void TestAccounts::everyRequestTypeIsRateLimited_data() {
    QTest::addColumn<QByteArray>("frame");
    QTest::addColumn<QString>("ref");
    QTest::addRow("report") << Codec::encode(ClientMessage{Report{QStringLiteral("x")}})
                            << "report";
    QTest::addRow("block") << Codec::encode(ClientMessage{Block{}}) << "block";
    QTest::addRow("totp_enroll") << Codec::encode(ClientMessage{TotpEnroll{}}) << "totp_enroll";
    QTest::addRow("totp_enable") << Codec::encode(ClientMessage{
                                        TotpEnable{QStringLiteral("1"), std::nullopt}})
                                 << "totp_enable";
    QTest::addRow("totp_disable") << Codec::encode(
                                         ClientMessage{TotpDisable{QStringLiteral("123456")}})
                                  << "totp_disable";
    QTest::addRow("logout") << Codec::encode(ClientMessage{Logout{}}) << "logout";
    QTest::addRow("change_password")
        << Codec::encode(ClientMessage{ChangePassword{kPassword, kPassword}}) << "change_password";
    QTest::addRow("resume") << Codec::encode(ClientMessage{Resume{QStringLiteral("nope")}})
                            << "resume";
    QTest::addRow("invalid JSON") << QByteArray("{\"type\":") << "";
    QTest::addRow("unknown type") << QByteArray(R"({"type":"nonsense"})") << "";
    QTest::addRow("missing field") << QByteArray(R"({"type":"join"})") << "";
}

void TestAccounts::everyRequestTypeIsRateLimited() {
    QFETCH(QByteArray, frame);
    QFETCH(QString, ref);
    if (!m_limitsServer)
        m_limitsServer = startServer(
            m_limitsDir.path(),
            {QStringLiteral("--rate-exempt"), QString(),
             QStringLiteral("--rate-account-requests-burst"), QStringLiteral("3"),
             QStringLiteral("--rate-account-requests-leak-ms"), QStringLiteral("600000"),
             QStringLiteral("--rate-report-burst"), QStringLiteral("3"),
             QStringLiteral("--rate-report-leak-ms"), QStringLiteral("600000"),
             QStringLiteral("--rate-malformed-burst"), QStringLiteral("3"),
             QStringLiteral("--rate-malformed-leak-ms"), QStringLiteral("600000"),
             QStringLiteral("--rate-abuse-strikes"), QStringLiteral("3")});
    QVERIFY(m_limitsServer->isRunning());
    auto c = connectTo(*m_limitsServer);
    QVERIFY(c);
    // Up to the burst each frame gets its ordinary answer (an error here:
    // not logged in, not paired, bad frame) ...
    for (int i = 0; i < 3; ++i) {
        c->sendRaw(QString::fromUtf8(frame));
        const auto reply = c->next(10000);
        QVERIFY(reply);
        const auto *e = std::get_if<Error>(&*reply);
        QVERIFY2(!e || e->code != ErrorCode::RateLimited, qPrintable(e ? e->message : ""));
    }
    // ... one more is refused ...
    c->sendRaw(QString::fromUtf8(frame));
    const Error limited = expectError(*c, ErrorCode::RateLimited);
    QCOMPARE(toString(limited.code), toString(ErrorCode::RateLimited));
    QCOMPARE(limited.ref, ref.isEmpty() ? QString() : ref);
    QVERIFY(limited.retryAfterMs && *limited.retryAfterMs > 0);
    // ... and a client that keeps going is closed with 1008.
    for (int i = 0; i < 5 && c->isConnected(); ++i)
        c->sendRaw(QString::fromUtf8(frame));
    QVERIFY(c->waitForDisconnected());
    QCOMPARE(c->closeCode(), 1008);
}

void TestAccounts::strangerElsewhereCannotFreezeOwner() {
    QTemporaryDir dir;
    auto server =
        startServer(dir.path(), {QStringLiteral("--rate-login-user-burst"), QStringLiteral("3"),
                                 QStringLiteral("--login-lockout-s"), QStringLiteral("600")});
    auto owner = connectTo(*server); // from 127.0.0.1
    QVERIFY(owner && registerAs(*owner, QStringLiteral("rosa")));
    owner->send(Logout{});
    QVERIFY(owner->waitFor<LoggedOut>());
    // A stranger at 127.0.0.2 guesses until locked out of the name.
    auto stranger = rawFrom(*server, QStringLiteral("127.0.0.2"));
    QVERIFY(stranger);
    QVERIFY(!rawRead(*stranger, 1).isEmpty()); // welcome
    QList<ServerMessage> answers;
    for (int i = 0; i < 4; ++i) {
        // One at a time: a connection has one login in flight.
        stranger->sendText(Codec::encode(ClientMessage{
            Login{QStringLiteral("rosa"), QStringLiteral("guess %1 guess").arg(i), std::nullopt}}));
        answers += rawRead(*stranger, 1);
    }
    QCOMPARE(answers.size(), 4);
    const auto *last = std::get_if<Error>(&answers.last());
    QVERIFY(last && last->code == ErrorCode::RateLimited);
    QVERIFY(last->retryAfterMs && *last->retryAfterMs > 590000);
    // Even the right password is refused to the stranger's address ...
    stranger->sendText(
        Codec::encode(ClientMessage{Login{QStringLiteral("rosa"), kPassword, std::nullopt}}));
    const auto refused = rawRead(*stranger, 1);
    QVERIFY(!refused.isEmpty() && std::holds_alternative<Error>(refused.first()));
    // ... while the owner at 127.0.0.1 logs in as usual.
    owner->send(Login{QStringLiteral("rosa"), kPassword, std::nullopt});
    QVERIFY(owner->waitFor<Authenticated>(10000));
    QVERIFY(server->terminate());
}

QTEST_MAIN(TestAccounts)
#include "tst_accounts.moc"
