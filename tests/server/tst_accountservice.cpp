// The account service in process: real SQLite in a temporary directory, real
// Argon2id (small parameters), explicit client addresses.
#include "accounts.h"
#include "database.h"
#include "permissions.h"
#include "sessiontokens.h"

#include <QTemporaryDir>
#include <QTest>

using namespace whisper;
using namespace whisper::protocol;

namespace {
const QString kPassword = QStringLiteral("correct horse battery");
const QHostAddress kIpA(QStringLiteral("10.0.0.1"));
const QHostAddress kIpB(QStringLiteral("10.0.0.2"));

QString codeOf(const AuthResult &r) {
    if (const auto *e = std::get_if<Error>(&r))
        return toString(e->code);
    return QStringLiteral("ok");
}
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
    void perIpLimitDoesNotTouchOtherIps();
    void ownersOwnLoginsNeverLockThem();
    void rehashOnLoginWhenParametersChange();
    void hashQueueIsBounded();
    void tokensAreStoredHashed();

private:
    std::unique_ptr<Accounts> makeAccounts(AccountSettings settings = {});
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
    const AuthResult locked =
        accounts->login(QStringLiteral("Victim"), kPassword, std::nullopt, kIpB).result();
    QCOMPARE(codeOf(locked), QStringLiteral("rate_limited"));
    QCOMPARE(std::get<Error>(locked).retryAfterMs, std::optional<qint64>(600000));
    // Other accounts, from the attacker's IP or another, are unaffected.
    QCOMPARE(
        codeOf(accounts->login(QStringLiteral("other"), kPassword, std::nullopt, kIpA).result()),
        QStringLiteral("ok"));
    QCOMPARE(
        codeOf(accounts->login(QStringLiteral("other"), kPassword, std::nullopt, kIpB).result()),
        QStringLiteral("ok"));
    // The documented lockout, then the owner gets in.
    m_now += 600000 - 1;
    QCOMPARE(
        codeOf(accounts->login(QStringLiteral("victim"), kPassword, std::nullopt, kIpB).result()),
        QStringLiteral("rate_limited"));
    m_now += 1;
    QCOMPARE(
        codeOf(accounts->login(QStringLiteral("victim"), kPassword, std::nullopt, kIpB).result()),
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

QTEST_GUILESS_MAIN(TestAccountService)
#include "tst_accountservice.moc"
