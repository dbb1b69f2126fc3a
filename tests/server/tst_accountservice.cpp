// SPDX-License-Identifier: MIT
// The account service in process: real SQLite in a temporary directory, real
// Argon2id (small parameters), explicit client addresses.
#include "accounts.h"
#include "database.h"
#include "handoff.h"
#include "ipkey.h"
#include "permissions.h"
#include "sessiontokens.h"
#include "totp.h"

#include <QMutex>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

using namespace whisper;
using namespace whisper::protocol;

namespace {
const QString kPassword = QStringLiteral("correct horse battery");
const QHostAddress kIpA(QStringLiteral("10.0.0.1"));
const QHostAddress kIpB(QStringLiteral("10.0.0.2"));
const QHostAddress kIpC(QStringLiteral("10.0.0.3"));

QString codeOf(const AuthResult &r) {
    if (const auto *e = std::get_if<Error>(&r))
        return toString(e->code);
    return QStringLiteral("ok");
}

// A limiter that answers a moment later from another thread, as a network
// round trip would, records what it was asked, and refuses every attempt
// that touches a bucket set listed in `refuse`.
class ScriptedLimiter final : public AttemptLimiter {
public:
    QFuture<qint64> pour(const QList<AttemptPour> &pours, qint64) override {
        QStringList parts;
        qint64 wait = 0;
        for (const AttemptPour &p : pours) {
            parts << p.bucket + QLatin1Char('=') + p.key;
            if (refuse.contains(p.bucket))
                wait = 4242;
        }
        {
            QMutexLocker lock(&mutex);
            calls << parts.join(QLatin1Char(' '));
        }
        return runHandedOver(QThreadPool::globalInstance(), [wait] {
            QThread::msleep(20);
            return wait;
        });
    }
    void reset(const QString &bucket, const QString &key) override {
        QMutexLocker lock(&mutex);
        resets << bucket + QLatin1Char('=') + key;
    }
    void prune(qint64) override {}
    QStringList takeCalls() {
        QMutexLocker lock(&mutex);
        return std::exchange(calls, {});
    }

    QMutex mutex;
    QStringList calls;
    QStringList resets;
    QSet<QString> refuse;
};
} // namespace

class TestAccountService : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();
    void permissionTable_data();
    void permissionTable();
    void staffOperationsNeedTheRole_data();
    void staffOperationsNeedTheRole();
    void staffTwoFactorCanBeRequired();
    void bruteForceLocksOneNameNotOthers();
    void strangerCannotLockOwnerOutFromAnotherAddress();
    void perAccountBucketBoundsDistributedGuessing();
    void staffLoginsHaveTheirOwnBuckets();
    void ipv6AddressesAreKeyedByTheirSlash64();
    void twoFactorChangesNeedThePassword();
    void totpGuessingLocksOut();
    void passwordChangeRevokesOtherLogins();
    void accountChangesAreAnnounced();
    void loginRacingAPasswordChangeFails();
    void perIpLimitDoesNotTouchOtherIps();
    void ownersOwnLoginsNeverLockThem();
    void rehashOnLoginWhenParametersChange();
    void hashQueueIsBounded();
    void tokensAreStoredHashed();
    void installedLimiterCountsEveryAttempt();

private:
    std::unique_ptr<Accounts> makeAccounts(AccountSettings settings = {});
    // Logs in and returns the identity with its session, or fails the test.
    std::optional<Identity> loginAs(Accounts &accounts, const QString &name,
                                    const QHostAddress &ip = kIpA);
    // Turns 2FA on for the account directly in storage; returns the secret.
    QByteArray enableTotpFor(qint64 accountId);
    qint64 addAccount(const QString &name, Role role);

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<Database> m_db;
    qint64 m_now = 1700000000000;
};

std::unique_ptr<Accounts> TestAccountService::makeAccounts(AccountSettings settings) {
    settings.hash = HashParams{1, 256};
    if (settings.loginPerUser == AccountSettings{}.loginPerUser)
        settings.loginPerUser = LeakRate{3, 60000, 600000};
    return std::make_unique<Accounts>(settings, *m_db, [this] { return m_now; });
}

qint64 TestAccountService::addAccount(const QString &name, Role role) {
    PasswordHasher hasher(HashParams{1, 256}, 1);
    const QString hash = hasher.hashNow(kPassword);
    return *m_db->run([=](Storage &s) { return s.createAccount(name, hash, role, 0); }).result();
}

void TestAccountService::init() {
    m_dir = std::make_unique<QTemporaryDir>();
    m_db = std::make_unique<Database>(StorageLocation{QString(), m_dir->path()});
    m_db->open();
}

void TestAccountService::cleanup() {
    m_db.reset();
    m_dir.reset();
}

void TestAccountService::permissionTable_data() {
    QTest::addColumn<int>("permission");
    QTest::addColumn<bool>("user");
    QTest::addColumn<bool>("moderator");
    QTest::addColumn<bool>("admin");
    const Permission moderatorOps[] = {Permission::ViewConsole,    Permission::KickClient,
                                       Permission::BanTemporary,   Permission::ListReports,
                                       Permission::ResolveReports, Permission::LookupAccount};
    const Permission adminOps[] = {Permission::BanPermanent, Permission::SetRole,
                                   Permission::Broadcast,    Permission::SetTickInterval,
                                   Permission::Drain,        Permission::ManageUsers};
    for (Permission p : moderatorOps)
        QTest::addRow("%s", qPrintable(toString(p))) << int(p) << false << true << true;
    for (Permission p : adminOps)
        QTest::addRow("%s", qPrintable(toString(p))) << int(p) << false << false << true;
}

void TestAccountService::permissionTable() {
    QFETCH(int, permission);
    QFETCH(bool, user);
    QFETCH(bool, moderator);
    QFETCH(bool, admin);
    const auto p = Permission(permission);
    QCOMPARE(roleHas(Role::User, p), user);
    QCOMPARE(roleHas(Role::Moderator, p), moderator);
    QCOMPARE(roleHas(Role::Admin, p), admin);
}

void TestAccountService::staffOperationsNeedTheRole_data() {
    QTest::addColumn<QString>("role");
    QTest::addColumn<int>("permission");
    QTest::addColumn<QString>("expected");
    QTest::addRow("user, moderator op") << "user" << int(Permission::KickClient) << "forbidden";
    QTest::addRow("user, console") << "user" << int(Permission::ViewConsole) << "forbidden";
    QTest::addRow("moderator, moderator op")
        << "moderator" << int(Permission::BanTemporary) << "ok";
    QTest::addRow("moderator, admin op") << "moderator" << int(Permission::SetRole) << "forbidden";
    QTest::addRow("moderator, permanent ban")
        << "moderator" << int(Permission::BanPermanent) << "forbidden";
    QTest::addRow("admin, admin op") << "admin" << int(Permission::SetRole) << "ok";
}

void TestAccountService::staffOperationsNeedTheRole() {
    QFETCH(QString, role);
    QFETCH(int, permission);
    QFETCH(QString, expected);
    auto accounts = makeAccounts();
    addAccount(QStringLiteral("staff"), *roleFromString(role));
    const AuthResult r = accounts
                             ->verifyStaff(QStringLiteral("staff"), kPassword, std::nullopt, kIpA,
                                           Permission(permission))
                             .result();
    QCOMPARE(codeOf(r), expected);
    // Wrong password: unauthorized whatever the role.
    const AuthResult wrong =
        accounts
            ->verifyStaff(QStringLiteral("staff"), QStringLiteral("not it at all"), std::nullopt,
                          kIpA, Permission(permission))
            .result();
    QCOMPARE(codeOf(wrong), QStringLiteral("unauthorized"));
}

void TestAccountService::staffTwoFactorCanBeRequired() {
    AccountSettings settings;
    settings.requireStaff2fa = true;
    auto accounts = makeAccounts(settings);
    addAccount(QStringLiteral("boss"), Role::Admin);
    const AuthResult r = accounts
                             ->verifyStaff(QStringLiteral("boss"), kPassword, std::nullopt, kIpA,
                                           Permission::ViewConsole)
                             .result();
    QCOMPARE(codeOf(r), QStringLiteral("forbidden"));
    // Chat login is unaffected.
    QCOMPARE(
        codeOf(accounts->login(QStringLiteral("boss"), kPassword, std::nullopt, kIpA).result()),
        QStringLiteral("ok"));
}

void TestAccountService::bruteForceLocksOneNameNotOthers() {
    auto accounts = makeAccounts();
    addAccount(QStringLiteral("victim"), Role::User);
    addAccount(QStringLiteral("other"), Role::User);
    for (int i = 0; i < 3; ++i)
        QCOMPARE(codeOf(accounts
                            ->login(QStringLiteral("victim"),
                                    QStringLiteral("guess guess %1").arg(i), std::nullopt, kIpA)
                            .result()),
                 QStringLiteral("unauthorized"));
    // The guessing address is locked out of this name, right password or not.
    const AuthResult locked =
        accounts->login(QStringLiteral("Victim"), kPassword, std::nullopt, kIpA).result();
    QCOMPARE(codeOf(locked), QStringLiteral("rate_limited"));
    QCOMPARE(std::get<Error>(locked).retryAfterMs, std::optional<qint64>(600000));
    // Other accounts, from the attacker's IP or another, are unaffected.
    QCOMPARE(
        codeOf(accounts->login(QStringLiteral("other"), kPassword, std::nullopt, kIpA).result()),
        QStringLiteral("ok"));
    QCOMPARE(
        codeOf(accounts->login(QStringLiteral("other"), kPassword, std::nullopt, kIpB).result()),
        QStringLiteral("ok"));
    // The documented lockout, then that address gets in too.
    m_now += 600000 - 1;
    QCOMPARE(
        codeOf(accounts->login(QStringLiteral("victim"), kPassword, std::nullopt, kIpA).result()),
        QStringLiteral("rate_limited"));
    m_now += 1;
    QCOMPARE(
        codeOf(accounts->login(QStringLiteral("victim"), kPassword, std::nullopt, kIpA).result()),
        QStringLiteral("ok"));
}

void TestAccountService::strangerCannotLockOwnerOutFromAnotherAddress() {
    auto accounts = makeAccounts(); // 3 attempts per name and address, then locked
    addAccount(QStringLiteral("owner"), Role::User);
    for (int i = 0; i < 10; ++i)
        accounts->login(QStringLiteral("owner"), QStringLiteral("guess %1 guess").arg(i),
                        std::nullopt, kIpA);
    QCOMPARE(
        codeOf(accounts->login(QStringLiteral("owner"), kPassword, std::nullopt, kIpA).result()),
        QStringLiteral("rate_limited"));
    // The owner, elsewhere, is not frozen by the stranger's lockout.
    QCOMPARE(
        codeOf(accounts->login(QStringLiteral("owner"), kPassword, std::nullopt, kIpB).result()),
        QStringLiteral("ok"));
    // The owner's own failures from their address count for that address only.
    for (int i = 0; i < 2; ++i)
        accounts->login(QStringLiteral("owner"), QStringLiteral("typo typo"), std::nullopt, kIpB)
            .result();
    QCOMPARE(
        codeOf(accounts->login(QStringLiteral("owner"), kPassword, std::nullopt, kIpB).result()),
        QStringLiteral("ok"));
}

void TestAccountService::perAccountBucketBoundsDistributedGuessing() {
    AccountSettings settings;
    settings.loginPerAccount = LeakRate{4, 60000, 0};
    auto accounts = makeAccounts(settings);
    addAccount(QStringLiteral("target"), Role::User);
    // Four addresses, one guess each: within the per-name total.
    for (int i = 1; i <= 4; ++i)
        QCOMPARE(codeOf(accounts
                            ->login(QStringLiteral("target"), QStringLiteral("guess guess"),
                                    std::nullopt, QHostAddress(QStringLiteral("10.1.0.%1").arg(i)))
                            .result()),
                 QStringLiteral("unauthorized"));
    // The fifth address is over it: a wait of one leak interval, no lockout.
    const AuthResult fifth = accounts
                                 ->login(QStringLiteral("target"), kPassword, std::nullopt,
                                         QHostAddress(QStringLiteral("10.1.0.5")))
                                 .result();
    QCOMPARE(codeOf(fifth), QStringLiteral("rate_limited"));
    QCOMPARE(std::get<Error>(fifth).retryAfterMs, std::optional<qint64>(60000));
    m_now += 60000;
    QCOMPARE(codeOf(accounts
                        ->login(QStringLiteral("target"), kPassword, std::nullopt,
                                QHostAddress(QStringLiteral("10.1.0.5")))
                        .result()),
             QStringLiteral("ok"));
}

void TestAccountService::staffLoginsHaveTheirOwnBuckets() {
    auto accounts = makeAccounts();
    addAccount(QStringLiteral("mod"), Role::Moderator);
    // Chat-port guessing locks the chat login of this name from this address...
    for (int i = 0; i < 4; ++i)
        accounts->login(QStringLiteral("mod"), QStringLiteral("guess guess"), std::nullopt, kIpA)
            .result();
    QCOMPARE(codeOf(accounts->login(QStringLiteral("mod"), kPassword, std::nullopt, kIpA).result()),
             QStringLiteral("rate_limited"));
    // ... but not the console login, even from the same address.
    QCOMPARE(codeOf(accounts
                        ->verifyStaff(QStringLiteral("mod"), kPassword, std::nullopt, kIpA,
                                      Permission::ViewConsole)
                        .result()),
             QStringLiteral("ok"));
    // And the other way round.
    for (int i = 0; i < 4; ++i)
        accounts
            ->verifyStaff(QStringLiteral("mod"), QStringLiteral("guess guess"), std::nullopt, kIpB,
                          Permission::ViewConsole)
            .result();
    QCOMPARE(codeOf(accounts
                        ->verifyStaff(QStringLiteral("mod"), kPassword, std::nullopt, kIpB,
                                      Permission::ViewConsole)
                        .result()),
             QStringLiteral("rate_limited"));
    QCOMPARE(codeOf(accounts->login(QStringLiteral("mod"), kPassword, std::nullopt, kIpB).result()),
             QStringLiteral("ok"));
}

void TestAccountService::ipv6AddressesAreKeyedByTheirSlash64() {
    const QHostAddress a(QStringLiteral("2001:db8:1:2:aaaa::1"));
    const QHostAddress b(QStringLiteral("2001:db8:1:2:ffff:ffff:ffff:ffff"));
    const QHostAddress c(QStringLiteral("2001:db8:1:3::1"));
    QCOMPARE(ipKey(a), ipKey(b));
    QVERIFY(ipKey(a) != ipKey(c));
    QCOMPARE(ipKey(a), QStringLiteral("2001:db8:1:2::/64"));
    QCOMPARE(ipKey(QHostAddress(QStringLiteral("::ffff:10.0.0.1"))), QStringLiteral("10.0.0.1"));
    QCOMPARE(ipKey(kIpA), QStringLiteral("10.0.0.1"));
    // Walking the host part of a /64 does not escape the lockout.
    auto accounts = makeAccounts();
    addAccount(QStringLiteral("v6"), Role::User);
    for (int i = 1; i <= 3; ++i)
        accounts
            ->login(QStringLiteral("v6"), QStringLiteral("guess guess"), std::nullopt,
                    QHostAddress(QStringLiteral("2001:db8:1:2::%1").arg(i)))
            .result();
    QCOMPARE(codeOf(accounts->login(QStringLiteral("v6"), kPassword, std::nullopt, b).result()),
             QStringLiteral("rate_limited"));
    QCOMPARE(codeOf(accounts->login(QStringLiteral("v6"), kPassword, std::nullopt, c).result()),
             QStringLiteral("ok"));
}

void TestAccountService::perIpLimitDoesNotTouchOtherIps() {
    AccountSettings settings;
    settings.loginPerIp = LeakRate{2, 60000, 0};
    settings.loginPerUser = LeakRate{100, 1, 0};
    auto accounts = makeAccounts(settings);
    addAccount(QStringLiteral("user1"), Role::User);
    for (int i = 0; i < 2; ++i)
        QCOMPARE(codeOf(accounts
                            ->login(QStringLiteral("user1"), QStringLiteral("wrong wrong"),
                                    std::nullopt, kIpA)
                            .result()),
                 QStringLiteral("unauthorized"));
    QCOMPARE(
        codeOf(accounts->login(QStringLiteral("user1"), kPassword, std::nullopt, kIpA).result()),
        QStringLiteral("rate_limited"));
    QCOMPARE(
        codeOf(accounts->login(QStringLiteral("user1"), kPassword, std::nullopt, kIpB).result()),
        QStringLiteral("ok"));
}

void TestAccountService::ownersOwnLoginsNeverLockThem() {
    auto accounts = makeAccounts(); // 3 attempts per name, then a lockout
    addAccount(QStringLiteral("owner"), Role::User);
    for (int i = 0; i < 10; ++i)
        QCOMPARE(
            codeOf(
                accounts->login(QStringLiteral("owner"), kPassword, std::nullopt, kIpA).result()),
            QStringLiteral("ok"));
    // Failures still count: two wrong, one right (resets), three wrong, locked.
    for (int i = 0; i < 2; ++i)
        accounts->login(QStringLiteral("owner"), QStringLiteral("wrong wrong"), std::nullopt, kIpA)
            .result();
    QCOMPARE(
        codeOf(accounts->login(QStringLiteral("owner"), kPassword, std::nullopt, kIpA).result()),
        QStringLiteral("ok"));
    for (int i = 0; i < 3; ++i)
        QCOMPARE(codeOf(accounts
                            ->login(QStringLiteral("owner"), QStringLiteral("wrong wrong"),
                                    std::nullopt, kIpA)
                            .result()),
                 QStringLiteral("unauthorized"));
    QCOMPARE(
        codeOf(accounts->login(QStringLiteral("owner"), kPassword, std::nullopt, kIpA).result()),
        QStringLiteral("rate_limited"));
}

void TestAccountService::hashQueueIsBounded() {
    addAccount(QStringLiteral("busy"), Role::User);
    AccountSettings settings;
    settings.hash = HashParams{3, 32768}; // slow enough to stay in flight
    settings.hashThreads = 1;
    settings.maxPendingHashes = 2;
    settings.loginPerUser = LeakRate{100, 1, 0};
    Accounts accounts(settings, *m_db, [this] { return m_now; });
    auto first = accounts.login(QStringLiteral("busy"), kPassword, std::nullopt, kIpA);
    auto second = accounts.login(QStringLiteral("nobody"), kPassword, std::nullopt, kIpA);
    // At the edge: the third is refused at once.
    const AuthResult third =
        accounts.login(QStringLiteral("busy"), kPassword, std::nullopt, kIpA).result();
    QCOMPARE(codeOf(third), QStringLiteral("unavailable"));
    QCOMPARE(codeOf(first.result()), QStringLiteral("ok"));
    QCOMPARE(codeOf(second.result()), QStringLiteral("unauthorized"));
    // Once they finished, work is accepted again.
    QCOMPARE(codeOf(accounts.login(QStringLiteral("busy"), kPassword, std::nullopt, kIpA).result()),
             QStringLiteral("ok"));
}

void TestAccountService::rehashOnLoginWhenParametersChange() {
    addAccount(QStringLiteral("old"), Role::User); // t=1, m=256 KiB
    AccountSettings settings;
    settings.hash = HashParams{2, 512};
    settings.loginPerUser = LeakRate{100, 1, 0};
    Accounts accounts(settings, *m_db, [this] { return m_now; });
    QCOMPARE(codeOf(accounts.login(QStringLiteral("old"), kPassword, std::nullopt, kIpA).result()),
             QStringLiteral("ok"));
    const QString stored =
        m_db->run([](Storage &s) { return s.accountByName(QStringLiteral("old"))->passwordHash; })
            .result();
    QVERIFY2(stored.contains(QLatin1String("m=512,t=2")), qPrintable(stored));
    QVERIFY(stored.startsWith(QLatin1String("$argon2id$")));
    QCOMPARE(codeOf(accounts.login(QStringLiteral("old"), kPassword, std::nullopt, kIpA).result()),
             QStringLiteral("ok"));
}

void TestAccountService::tokensAreStoredHashed() {
    auto accounts = makeAccounts();
    const AuthResult r =
        accounts->registerAccount(QStringLiteral("newbie"), kPassword, kIpA).result();
    QCOMPARE(codeOf(r), QStringLiteral("ok"));
    const QString token = std::get<AuthOk>(r).token;
    QCOMPARE(QByteArray::fromBase64(token.toLatin1(), QByteArray::Base64UrlEncoding).size(), 32);
    const auto bySelf =
        m_db->run([token](Storage &s) { return s.touchSession(token, 1, 1LL << 40); }).result();
    QVERIFY(!bySelf); // the raw token is not a key
    const auto byHash =
        m_db->run([token, this](Storage &s) {
                return s.touchSession(sessiontokens::hashOf(token), m_now, 1LL << 40);
            })
            .result();
    QVERIFY(byHash);
    QCOMPARE(codeOf(accounts->resume(token, kIpB).result()), QStringLiteral("ok"));
    m_now += accounts->settings().sessionIdleMs + 1;
    QCOMPARE(codeOf(accounts->resume(token, kIpB).result()), QStringLiteral("unauthorized"));
}

std::optional<Identity> TestAccountService::loginAs(Accounts &accounts, const QString &name,
                                                    const QHostAddress &ip) {
    const AuthResult r = accounts.login(name, kPassword, std::nullopt, ip).result();
    if (const auto *ok = std::get_if<AuthOk>(&r))
        return ok->identity;
    qWarning() << "login failed:" << std::get<Error>(r).message;
    return std::nullopt;
}

QByteArray TestAccountService::enableTotpFor(qint64 accountId) {
    const QByteArray secret = totp::generateSecret();
    m_db->run([accountId, secret](Storage &s) {
            s.setTotpSecret(accountId, totp::base32Encode(secret));
            s.enableTotp(accountId, 0, {sessiontokens::hashOf(QStringLiteral("recovery"))});
        })
        .waitForFinished();
    return secret;
}

void TestAccountService::twoFactorChangesNeedThePassword() {
    auto accounts = makeAccounts();
    addAccount(QStringLiteral("careful"), Role::User);
    const auto who = loginAs(*accounts, QStringLiteral("careful"));
    QVERIFY(who);
    auto codeOfOutcome = [](const auto &outcome) {
        if (const auto *e = std::get_if<Error>(&outcome))
            return toString(e->code);
        return QStringLiteral("ok");
    };
    // A session alone cannot enrol: no password, or a wrong one.
    QCOMPARE(codeOfOutcome(accounts->enrollTotp(*who, std::nullopt, kIpA).result()),
             QStringLiteral("unauthorized"));
    QCOMPARE(codeOfOutcome(
                 accounts->enrollTotp(*who, QStringLiteral("not the password"), kIpA).result()),
             QStringLiteral("unauthorized"));
    const auto enrolment = accounts->enrollTotp(*who, kPassword, kIpA).result();
    QCOMPARE(codeOfOutcome(enrolment), QStringLiteral("ok"));
    const QByteArray secret = *totp::base32Decode(std::get<TotpEnrollment>(enrolment).secret);
    const QString code = totp::codeAt(secret, m_now / 1000);
    // The right code is not enough without the password.
    QCOMPARE(codeOfOutcome(accounts->enableTotp(*who, code, std::nullopt, kIpA).result()),
             QStringLiteral("unauthorized"));
    QCOMPARE(
        codeOfOutcome(
            accounts->enableTotp(*who, code, QStringLiteral("wrong password!"), kIpA).result()),
        QStringLiteral("unauthorized"));
    QCOMPARE(codeOfOutcome(accounts->enableTotp(*who, code, kPassword, kIpA).result()),
             QStringLiteral("ok"));
}

void TestAccountService::totpGuessingLocksOut() {
    AccountSettings settings;
    settings.totpPerAccount = LeakRate{3, 60000, 300000};
    settings.totpPerIp = LeakRate{100, 60000, 300000};
    auto accounts = makeAccounts(settings);
    const qint64 id = addAccount(QStringLiteral("guarded"), Role::User);
    const auto who = loginAs(*accounts, QStringLiteral("guarded"));
    QVERIFY(who);
    const QByteArray secret = enableTotpFor(id);
    auto disable = [&](const QString &code, const QHostAddress &ip) {
        const auto r = accounts->disableTotp(*who, code, ip).result();
        if (const auto *e = std::get_if<Error>(&r))
            return *e;
        return Error{ErrorCode::Internal, QStringLiteral("disabled"), {}, {}};
    };
    const QString right = totp::codeAt(secret, m_now / 1000);
    const QString wrong =
        right == QLatin1String("000000") ? QStringLiteral("111111") : QStringLiteral("000000");
    for (int i = 0; i < 3; ++i)
        QCOMPARE(toString(disable(wrong, kIpA).code), QStringLiteral("unauthorized"));
    // At the edge: the fourth guess locks the account's second factor...
    const Error locked = disable(wrong, kIpA);
    QCOMPARE(toString(locked.code), QStringLiteral("rate_limited"));
    QCOMPARE(locked.retryAfterMs, std::optional<qint64>(300000));
    // ... for the right code too, from any address, and for login.
    QCOMPARE(toString(disable(right, kIpB).code), QStringLiteral("rate_limited"));
    const AuthResult login =
        accounts->login(QStringLiteral("guarded"), kPassword, right, kIpC).result();
    QCOMPARE(codeOf(login), QStringLiteral("rate_limited"));
    m_now += 300000;
    QCOMPARE(disable(totp::codeAt(secret, m_now / 1000), kIpA).message, QStringLiteral("disabled"));

    // Per address as well: one address guessing at several accounts.
    AccountSettings perIp;
    perIp.totpPerAccount = LeakRate{100, 60000, 300000};
    perIp.totpPerIp = LeakRate{2, 60000, 300000};
    auto second = makeAccounts(perIp);
    const qint64 x = addAccount(QStringLiteral("x-user"), Role::User);
    const qint64 y = addAccount(QStringLiteral("y-user"), Role::User);
    enableTotpFor(x);
    enableTotpFor(y);
    QCOMPARE(codeOf(second->login(QStringLiteral("x-user"), kPassword, wrong, kIpA).result()),
             QStringLiteral("unauthorized"));
    QCOMPARE(codeOf(second->login(QStringLiteral("y-user"), kPassword, wrong, kIpA).result()),
             QStringLiteral("unauthorized"));
    QCOMPARE(codeOf(second->login(QStringLiteral("y-user"), kPassword, wrong, kIpA).result()),
             QStringLiteral("rate_limited"));
}

void TestAccountService::passwordChangeRevokesOtherLogins() {
    auto accounts = makeAccounts();
    const qint64 id = addAccount(QStringLiteral("victim2"), Role::User);
    const auto owner = loginAs(*accounts, QStringLiteral("victim2"), kIpA);
    const auto thief = loginAs(*accounts, QStringLiteral("victim2"), kIpB);
    QVERIFY(owner && thief);
    QSignalSpy revoked(accounts.get(), &Accounts::accountRevoked);
    const QString newPassword = QStringLiteral("a brand new password");
    QVERIFY(std::holds_alternative<PasswordChanged>(
        accounts->changePassword(*owner, kPassword, newPassword, kIpA).result()));
    QTRY_COMPARE(revoked.count(), 1);
    QCOMPARE(revoked.at(0).at(0).toLongLong(), id);
    QCOMPARE(toString(revoked.at(0).at(1).value<Revocation>()),
             toString(Revocation::PasswordChanged));
    QCOMPARE(revoked.at(0).at(2).toString(), owner->tokenHash);
    // The thief's session is gone: even knowing the new password it cannot
    // take over the second factor through it.
    const auto enrol = accounts->enrollTotp(*thief, newPassword, kIpB).result();
    QVERIFY(std::holds_alternative<Error>(enrol));
    QCOMPARE(std::get<Error>(enrol).message,
             QStringLiteral("this login session was revoked; log in again"));
    const auto change =
        accounts->changePassword(*thief, newPassword, QStringLiteral("thief's own password"), kIpB)
            .result();
    QVERIFY(std::holds_alternative<Error>(change));
    // The owner's session carries on.
    QVERIFY(std::holds_alternative<TotpEnrollment>(
        accounts->enrollTotp(*owner, newPassword, kIpA).result()));
}

void TestAccountService::accountChangesAreAnnounced() {
    auto accounts = makeAccounts();
    const qint64 id = addAccount(QStringLiteral("managed"), Role::Moderator);
    const auto one = loginAs(*accounts, QStringLiteral("managed"));
    QVERIFY(one);
    QSignalSpy revoked(accounts.get(), &Accounts::accountRevoked);
    QSignalSpy roles(accounts.get(), &Accounts::roleChanged);

    QVERIFY(accounts->setRole(id, Role::User).result());
    QTRY_COMPARE(roles.count(), 1);
    QCOMPARE(toString(roles.at(0).at(1).value<Role>()), toString(Role::User));
    QVERIFY(!accounts->setRole(id + 100, Role::User).result()); // no such account: silent
    QCOMPARE(roles.count(), 1);

    accounts->logoutEverywhere(id).waitForFinished();
    QTRY_COMPARE(revoked.count(), 1);
    QCOMPARE(toString(revoked.at(0).at(1).value<Revocation>()),
             toString(Revocation::LoggedOutEverywhere));
    QVERIFY(revoked.at(0).at(2).toString().isEmpty());
    QVERIFY(!m_db->run([t = one->tokenHash](Storage &s) { return s.sessionExists(t); }).result());

    QVERIFY(accounts->setDisabled(id, true).result());
    QTRY_COMPARE(revoked.count(), 2);
    QCOMPARE(toString(revoked.at(1).at(1).value<Revocation>()), toString(Revocation::Disabled));
    // A ban elsewhere is announced through the same signal.
    accounts->revoke(id, Revocation::Banned);
    QCOMPARE(revoked.count(), 3);
    QCOMPARE(toString(Revocation::Banned), QStringLiteral("banned"));
}

void TestAccountService::loginRacingAPasswordChangeFails() {
    // A hash slow enough to still be verifying when the change lands.
    PasswordHasher slow(HashParams{3, 32768}, 1);
    const QString hash = slow.hashNow(kPassword);
    const qint64 id = *m_db->run([hash](Storage &s) {
                               return s.createAccount(QStringLiteral("racer"), hash, Role::User, 0);
                           })
                           .result();
    auto accounts = makeAccounts();
    auto login = accounts->login(QStringLiteral("racer"), kPassword, std::nullopt, kIpA);
    // Queued on the database thread right behind the login's lookup: the
    // password changes while the old one is being verified.
    m_db->run([id](Storage &s) { s.changePassword(id, QStringLiteral("$new$"), QString()); })
        .waitForFinished();
    // The old password must not yield a session the change did not revoke.
    QCOMPARE(codeOf(login.result()), QStringLiteral("unauthorized"));
    QCOMPARE(m_db->run([id](Storage &s) { return s.deleteSessionsOf(id); }).result(), 0);
}

void TestAccountService::installedLimiterCountsEveryAttempt() {
    auto accounts = makeAccounts();
    addAccount(QStringLiteral("Owner"), Role::User);
    addAccount(QStringLiteral("mod"), Role::Moderator);
    ScriptedLimiter limiter;
    accounts->setAttemptLimiter(&limiter);
    const QString a = ipKey(kIpA);

    // Unknown and known names: the same buckets, in the same order.
    QCOMPARE(
        codeOf(accounts->login(QStringLiteral("Nobody"), kPassword, std::nullopt, kIpA).result()),
        QStringLiteral("unauthorized"));
    const auto owner = loginAs(*accounts, QStringLiteral("owner"), kIpA);
    QVERIFY(owner);
    QCOMPARE(limiter.takeCalls(),
             (QStringList{
                 QStringLiteral("login:ip=%1 login:user-ip=nobody|%1 login:user=nobody").arg(a),
                 QStringLiteral("login:ip=%1 login:user-ip=owner|%1 login:user=owner").arg(a)}));
    // The right password empties the name's bucket for this address.
    QCOMPARE(limiter.resets, QStringList{QStringLiteral("login:user-ip=owner|%1").arg(a)});

    QCOMPARE(
        codeOf(
            accounts->verifyStaff(QStringLiteral("mod"), kPassword, std::nullopt, kIpA).result()),
        QStringLiteral("ok"));
    QCOMPARE(codeOf(accounts->registerAccount(QStringLiteral("fresh"), kPassword, kIpA).result()),
             QStringLiteral("ok"));
    QCOMPARE(codeOf(accounts->resume(QStringLiteral("no such token"), kIpA).result()),
             QStringLiteral("unauthorized"));
    QVERIFY(std::holds_alternative<Error>(
        accounts
            ->changePassword(*owner, QStringLiteral("not the password"),
                             QStringLiteral("a brand new password"), kIpA)
            .result()));
    QCOMPARE(
        limiter.takeCalls(),
        (QStringList{QStringLiteral("staff:ip=%1 staff:user-ip=mod|%1 staff:user=mod").arg(a),
                     QStringLiteral("register:ip=%1").arg(a), QStringLiteral("login:ip=%1").arg(a),
                     QStringLiteral("login:user-ip=owner|%1 login:user=owner").arg(a)}));

    // A second-factor code after the right password: its own buckets, and a
    // right code resets the account's.
    const qint64 guarded = addAccount(QStringLiteral("guarded"), Role::User);
    const QByteArray secret = enableTotpFor(guarded);
    QCOMPARE(codeOf(accounts
                        ->login(QStringLiteral("guarded"), kPassword,
                                totp::codeAt(secret, m_now / 1000), kIpA)
                        .result()),
             QStringLiteral("ok"));
    QCOMPARE(limiter.takeCalls(),
             (QStringList{
                 QStringLiteral("login:ip=%1 login:user-ip=guarded|%1 login:user=guarded").arg(a),
                 QStringLiteral("totp:ip=%1 totp:account=%2").arg(a).arg(guarded)}));
    QVERIFY(limiter.resets.contains(QStringLiteral("totp:account=%1").arg(guarded)));
    // A wrong password: no second-factor guess is counted.
    QCOMPARE(codeOf(accounts
                        ->login(QStringLiteral("guarded"), QStringLiteral("wrong password"),
                                QStringLiteral("123456"), kIpA)
                        .result()),
             QStringLiteral("unauthorized"));
    QCOMPARE(limiter.takeCalls().size(), 1);

    // Its refusal is the answer, with its wait, and nothing else happens.
    limiter.refuse = {QStringLiteral("login:user"), QStringLiteral("register:ip")};
    const AuthResult refused =
        accounts->login(QStringLiteral("owner"), kPassword, std::nullopt, kIpA).result();
    QCOMPARE(codeOf(refused), QStringLiteral("rate_limited"));
    QCOMPARE(std::get<Error>(refused).retryAfterMs.value_or(0), qint64(4242));
    QCOMPARE(codeOf(accounts->registerAccount(QStringLiteral("another"), kPassword, kIpA).result()),
             QStringLiteral("rate_limited"));
    QVERIFY(
        !m_db->run([](Storage &s) { return s.accountByName(QStringLiteral("another")); }).result());

    // Uninstalled: the node's own buckets again.
    accounts->setAttemptLimiter(nullptr);
    limiter.takeCalls();
    QVERIFY(loginAs(*accounts, QStringLiteral("owner"), kIpA));
    QVERIFY(limiter.takeCalls().isEmpty());
}

QTEST_GUILESS_MAIN(TestAccountService)
#include "tst_accountservice.moc"
