// SPDX-License-Identifier: MIT
// The storage suite runs twice: against SQLite in a temporary data directory
// (tst_storage) and against a throw-away PostgreSQL 15 cluster
// (tst_storage_pg, WHISPER_STORAGE_PG).
#include "storage.h"

#ifdef WHISPER_STORAGE_PG
#include "pgcluster.h"
#endif

#include <QFileInfo>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace whisper;

class TestStorage : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void init();
    void cleanup();

    void migrationsAreRecorded();
    void newerDatabaseIsRefused();
    void accountsAreUniqueIgnoringCase();
    void injectionStringsAreLiteral_data();
    void injectionStringsAreLiteral();
    void sessionsExpireAndIdle();
    void changePasswordRevokesOtherSessions();
    void disablingRevokesSessions();
    void totpStepsAndRecoveryCodesAreSingleUse();
    void bansByAccountAndIp();
    void blocksAndReports();
    void repeatedReportIsStoredOnce();
    void otherSessionsCanBeRevoked();
    void dataAtRestIsPrivate();

private:
    StorageLocation location() const;
    void wipe();

    QTemporaryDir m_dir;
#ifdef WHISPER_STORAGE_PG
    test::PgCluster m_pg;
#endif
    std::unique_ptr<Storage> m_storage;
};

StorageLocation TestStorage::location() const {
    StorageLocation l;
    l.dataDir = m_dir.path();
#ifdef WHISPER_STORAGE_PG
    l.url = m_pg.url();
#endif
    return l;
}

void TestStorage::initTestCase() {
    QVERIFY(m_dir.isValid());
#ifdef WHISPER_STORAGE_PG
    QVERIFY2(m_pg.start(), qPrintable(m_pg.errorString()));
#endif
}

void TestStorage::cleanupTestCase() {
#ifdef WHISPER_STORAGE_PG
    m_pg.stop();
#endif
}

void TestStorage::wipe() {
    // Every test starts from an empty, freshly migrated database.
#ifdef WHISPER_STORAGE_PG
    m_pg.psql(QStringLiteral("DROP SCHEMA public CASCADE; CREATE SCHEMA public;"));
#else
    for (const char *f : {"whisperchat.db", "whisperchat.db-wal", "whisperchat.db-shm"})
        QFile::remove(m_dir.filePath(QLatin1String(f)));
#endif
}

void TestStorage::init() {
    wipe();
    m_storage = std::make_unique<Storage>();
    m_storage->open(location());
}

void TestStorage::cleanup() {
    m_storage.reset();
}

void TestStorage::migrationsAreRecorded() {
    QVERIFY(Storage::latestSchemaVersion() >= 2);
    QCOMPARE(m_storage->schemaVersion(), Storage::latestSchemaVersion());
    QCOMPARE(m_storage->isPostgres(), location().url.startsWith(QLatin1String("postgresql")));
    // Opening again applies nothing and keeps the data.
    QVERIFY(m_storage->createAccount(QStringLiteral("keeper"), QStringLiteral("h"), Role::User, 1));
    m_storage.reset();
    m_storage = std::make_unique<Storage>();
    m_storage->open(location());
    QCOMPARE(m_storage->schemaVersion(), Storage::latestSchemaVersion());
    QVERIFY(m_storage->accountByName(QStringLiteral("keeper")));
    QCOMPARE(m_storage->integrityCheck(), QStringLiteral("ok"));
}

void TestStorage::newerDatabaseIsRefused() {
    QSqlQuery q(m_storage->database());
    QVERIFY(q.prepare(
        QStringLiteral("INSERT INTO schema_migrations (version, applied_ms) VALUES (?, 0)")));
    q.addBindValue(Storage::latestSchemaVersion() + 1);
    QVERIFY(q.exec());
    m_storage.reset();
    Storage again;
    try {
        again.open(location());
        QFAIL("a database newer than the binary was opened");
    } catch (const StorageError &e) {
        QVERIFY2(QString::fromUtf8(e.what()).contains(QLatin1String("only knows up to")), e.what());
    }
}

void TestStorage::accountsAreUniqueIgnoringCase() {
    const auto id =
        m_storage->createAccount(QStringLiteral("Alice"), QStringLiteral("h1"), Role::User, 1000);
    QVERIFY(id);
    QVERIFY(
        !m_storage->createAccount(QStringLiteral("alice"), QStringLiteral("h2"), Role::User, 1));
    QVERIFY(
        !m_storage->createAccount(QStringLiteral("ALICE"), QStringLiteral("h2"), Role::User, 1));
    const auto a = m_storage->accountByName(QStringLiteral("aLiCe"));
    QVERIFY(a);
    QCOMPARE(a->id, *id);
    QCOMPARE(a->username, QStringLiteral("Alice"));
    QCOMPARE(a->passwordHash, QStringLiteral("h1"));
    QVERIFY(a->role == Role::User);
    QCOMPARE(a->createdMs, qint64(1000));
    QVERIFY(m_storage->setRole(*id, Role::Moderator));
    QVERIFY(m_storage->accountById(*id)->role == Role::Moderator);
    QCOMPARE(m_storage->listAccounts().size(), 1);
    QVERIFY(!m_storage->accountByName(QStringLiteral("bob")));
}

void TestStorage::injectionStringsAreLiteral_data() {
    QTest::addColumn<QString>("text");
    QTest::addRow("quote") << QStringLiteral("o'brien");
    QTest::addRow("drop table") << QStringLiteral("x'); DROP TABLE accounts; --");
    QTest::addRow("or true") << QStringLiteral("' OR '1'='1");
    QTest::addRow("comment") << QStringLiteral("admin'--");
    QTest::addRow("double quote") << QStringLiteral("\"; DELETE FROM sessions; \"");
    QTest::addRow("backslash") << QStringLiteral("\\'; SELECT 1; --\\");
    QTest::addRow("percent") << QStringLiteral("%_%");
}

void TestStorage::injectionStringsAreLiteral() {
    QFETCH(QString, text);
    QVERIFY(
        m_storage->createAccount(QStringLiteral("admin"), QStringLiteral("real"), Role::Admin, 1));
    const auto id = m_storage->createAccount(text, text, Role::User, 2);
    QVERIFY(id);
    const auto back = m_storage->accountByName(text);
    QVERIFY(back);
    QCOMPARE(back->id, *id);
    QCOMPARE(back->username, text);
    QCOMPARE(back->passwordHash, text);
    // Nothing else was touched or matched.
    QCOMPARE(m_storage->listAccounts().size(), 2);
    QCOMPARE(m_storage->accountByName(QStringLiteral("admin"))->passwordHash,
             QStringLiteral("real"));
    QVERIFY(!m_storage->accountByName(text + QStringLiteral("x")));
}

void TestStorage::sessionsExpireAndIdle() {
    const qint64 id =
        *m_storage->createAccount(QStringLiteral("s"), QStringLiteral("h"), Role::User, 0);
    m_storage->createSession(SessionRecord{QStringLiteral("t1"), id, 1000, 1000, 100000});
    m_storage->createSession(SessionRecord{QStringLiteral("t2"), id, 1000, 1000, 100000});
    // Used within the idle limit: valid, and the use moves the idle clock.
    QVERIFY(m_storage->touchSession(QStringLiteral("t1"), 1500, 1000));
    QVERIFY(m_storage->touchSession(QStringLiteral("t1"), 2400, 1000));
    // t2 idle for longer than allowed: gone, and stays gone.
    QVERIFY(!m_storage->touchSession(QStringLiteral("t2"), 2400, 1000));
    QVERIFY(!m_storage->touchSession(QStringLiteral("t2"), 1001, 1000000));
    // Past the absolute expiry, however active.
    QVERIFY(!m_storage->touchSession(QStringLiteral("t1"), 100000, 1000000));
    QVERIFY(!m_storage->touchSession(QStringLiteral("unknown"), 1000, 1000));
}

void TestStorage::changePasswordRevokesOtherSessions() {
    const qint64 id =
        *m_storage->createAccount(QStringLiteral("c"), QStringLiteral("old"), Role::User, 0);
    for (const char *t : {"keep", "other1", "other2"})
        m_storage->createSession(SessionRecord{QLatin1String(t), id, 0, 0, 1000000});
    QVERIFY(m_storage->changePassword(id, QStringLiteral("new"), QStringLiteral("keep")));
    QCOMPARE(m_storage->accountById(id)->passwordHash, QStringLiteral("new"));
    QVERIFY(m_storage->touchSession(QStringLiteral("keep"), 1, 1000000));
    QVERIFY(!m_storage->touchSession(QStringLiteral("other1"), 1, 1000000));
    QVERIFY(!m_storage->touchSession(QStringLiteral("other2"), 1, 1000000));
}

void TestStorage::disablingRevokesSessions() {
    const qint64 id =
        *m_storage->createAccount(QStringLiteral("d"), QStringLiteral("h"), Role::User, 0);
    m_storage->createSession(SessionRecord{QStringLiteral("t"), id, 0, 0, 1000000});
    QVERIFY(m_storage->setDisabled(id, true));
    QVERIFY(m_storage->accountById(id)->disabled);
    QVERIFY(!m_storage->touchSession(QStringLiteral("t"), 1, 1000000));
}

void TestStorage::totpStepsAndRecoveryCodesAreSingleUse() {
    const qint64 id =
        *m_storage->createAccount(QStringLiteral("t"), QStringLiteral("h"), Role::User, 0);
    QVERIFY(!m_storage->enableTotp(id, 5, {})); // no secret yet
    QVERIFY(m_storage->setTotpSecret(id, QStringLiteral("JBSWY3DPEHPK3PXP")));
    QVERIFY(m_storage->enableTotp(id, 100, {QStringLiteral("r1"), QStringLiteral("r2")}));
    QVERIFY(!m_storage->setTotpSecret(id, QStringLiteral("OTHER"))); // enabled: locked
    const auto a = m_storage->accountById(id);
    QVERIFY(a->totpEnabled);
    QCOMPARE(a->totpSecret, QStringLiteral("JBSWY3DPEHPK3PXP"));
    QCOMPARE(a->totpLastStep, qint64(100));
    QVERIFY(!m_storage->consumeTotpStep(id, 100)); // the enabling code
    QVERIFY(!m_storage->consumeTotpStep(id, 99));
    QVERIFY(m_storage->consumeTotpStep(id, 101));
    QVERIFY(!m_storage->consumeTotpStep(id, 101));
    QCOMPARE(m_storage->unusedRecoveryCodes(id), 2);
    QVERIFY(m_storage->consumeRecoveryCode(id, QStringLiteral("r1"), 5));
    QVERIFY(!m_storage->consumeRecoveryCode(id, QStringLiteral("r1"), 6));
    QVERIFY(!m_storage->consumeRecoveryCode(id, QStringLiteral("nope"), 6));
    QCOMPARE(m_storage->unusedRecoveryCodes(id), 1);
    QVERIFY(m_storage->disableTotp(id));
    QVERIFY(!m_storage->accountById(id)->totpEnabled);
    QCOMPARE(m_storage->unusedRecoveryCodes(id), 0);
}

void TestStorage::bansByAccountAndIp() {
    const qint64 id =
        *m_storage->createAccount(QStringLiteral("b"), QStringLiteral("h"), Role::User, 0);
    BanRecord byAccount;
    byAccount.accountId = id;
    byAccount.reason = QStringLiteral("spam");
    byAccount.createdMs = 0;
    byAccount.expiresMs = 1000;
    const qint64 banId = m_storage->addBan(byAccount);
    BanRecord byIp;
    byIp.ip = QStringLiteral("127.0.0.9");
    byIp.reason = QStringLiteral("flood");
    byIp.createdMs = 0; // permanent
    m_storage->addBan(byIp);

    auto ban = m_storage->activeBan(id, QStringLiteral("10.0.0.1"), 999);
    QVERIFY(ban);
    QCOMPARE(ban->reason, QStringLiteral("spam"));
    QCOMPARE(ban->expiresMs, std::optional<qint64>(1000));
    QVERIFY(!m_storage->activeBan(id, QStringLiteral("10.0.0.1"), 1000)); // expired at the edge
    ban = m_storage->activeBan(std::nullopt, QStringLiteral("127.0.0.9"), 1 << 30);
    QVERIFY(ban);
    QVERIFY(!ban->expiresMs);
    QVERIFY(!m_storage->activeBan(std::nullopt, QStringLiteral("127.0.0.1"), 0));
    QVERIFY(!m_storage->activeBan(std::nullopt, QString(), 0));
    QCOMPARE(m_storage->listActiveBans(500).size(), 2);
    QVERIFY(m_storage->liftBan(banId, 10));
    QVERIFY(!m_storage->activeBan(id, QString(), 500));
    QCOMPARE(m_storage->listActiveBans(500).size(), 1);
}

void TestStorage::blocksAndReports() {
    const qint64 a =
        *m_storage->createAccount(QStringLiteral("a"), QStringLiteral("h"), Role::User, 0);
    const qint64 mod =
        *m_storage->createAccount(QStringLiteral("m"), QStringLiteral("h"), Role::Moderator, 0);
    m_storage->addBlock(a, 18446744073709551615ULL, 1);
    m_storage->addBlock(a, 18446744073709551615ULL, 2); // idempotent
    m_storage->addBlock(a, 42, 3);
    auto blocks = m_storage->blocksOf(a);
    std::sort(blocks.begin(), blocks.end());
    QCOMPARE(blocks, (QList<quint64>{42, 18446744073709551615ULL}));
    QVERIFY(m_storage->blocksOf(mod).isEmpty());

    ReportRecord r;
    r.reporterKey = QStringLiteral("1");
    r.reporterAccountId = a;
    r.reportedKey = QStringLiteral("2");
    r.reportedIp = QStringLiteral("127.0.0.2");
    r.pairId = QStringLiteral("p");
    r.reason = QStringLiteral("rude");
    r.createdMs = 77;
    const qint64 rid = m_storage->addReport(r);
    auto open = m_storage->listReports(true);
    QCOMPARE(open.size(), 1);
    QCOMPARE(open[0].id, rid);
    QCOMPARE(open[0].reason, QStringLiteral("rude"));
    QCOMPARE(open[0].reporterAccountId, std::optional<qint64>(a));
    QVERIFY(!open[0].reportedAccountId);
    QCOMPARE(open[0].createdMs, qint64(77));
    QVERIFY(m_storage->resolveReport(rid, mod, QStringLiteral("warned"), 80));
    QVERIFY(!m_storage->resolveReport(rid, mod, QStringLiteral("again"), 81));
    QVERIFY(m_storage->listReports(true).isEmpty());
    QCOMPARE(m_storage->listReports(false).value(0).resolution, QStringLiteral("warned"));
}

void TestStorage::repeatedReportIsStoredOnce() {
    ReportRecord r;
    r.reporterKey = QStringLiteral("11");
    r.reportedKey = QStringLiteral("22");
    r.pairId = QStringLiteral("pair-1");
    r.reason = QStringLiteral("spam");
    r.createdMs = 1;
    const qint64 first = m_storage->addReport(r);
    // The same reporter, party and pair again (a flooding client): the
    // earlier row, nothing new stored.
    r.reason = QStringLiteral("spam again");
    r.createdMs = 2;
    QCOMPARE(m_storage->addReport(r), first);
    QCOMPARE(m_storage->listReports(false).size(), 1);
    QCOMPARE(m_storage->listReports(false).value(0).reason, QStringLiteral("spam"));
    // Another pair of the same two, or another reporter, is a new report.
    r.pairId = QStringLiteral("pair-2");
    QVERIFY(m_storage->addReport(r) != first);
    r.reporterKey = QStringLiteral("33");
    m_storage->addReport(r);
    QCOMPARE(m_storage->listReports(false).size(), 3);
}

void TestStorage::otherSessionsCanBeRevoked() {
    const qint64 a =
        *m_storage->createAccount(QStringLiteral("multi"), QStringLiteral("h"), Role::User, 0);
    for (const char *t : {"t1", "t2", "t3"})
        m_storage->createSession(SessionRecord{QLatin1String(t), a, 0, 0, 1LL << 50});
    QVERIFY(m_storage->sessionExists(QStringLiteral("t2")));
    QCOMPARE(m_storage->deleteOtherSessions(a, QStringLiteral("t2")), 2);
    QVERIFY(m_storage->sessionExists(QStringLiteral("t2")));
    QVERIFY(!m_storage->sessionExists(QStringLiteral("t1")));
    QVERIFY(!m_storage->sessionExists(QStringLiteral("t3")));
    QCOMPARE(m_storage->deleteOtherSessions(a, QString()), 1);
    QVERIFY(!m_storage->sessionExists(QStringLiteral("t2")));
}

void TestStorage::dataAtRestIsPrivate() {
#ifdef WHISPER_STORAGE_PG
    QSKIP("file permissions are PostgreSQL's own business");
#else
    // A data directory the server creates, with a parent it creates too.
    QTemporaryDir parent;
    const QString dataDir = parent.path() + QStringLiteral("/new/data");
    Storage s;
    s.open(StorageLocation{QString(), dataDir});
    QVERIFY(s.createAccount(QStringLiteral("someone"), QStringLiteral("h"), Role::User, 1));
    const auto owner = QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner;
    const auto others = QFileDevice::ReadGroup | QFileDevice::WriteGroup | QFileDevice::ExeGroup |
                        QFileDevice::ReadOther | QFileDevice::WriteOther | QFileDevice::ExeOther;
    const QFileInfo dir(dataDir);
    QVERIFY(dir.isDir());
    QCOMPARE(dir.permissions() & owner, owner);
    QCOMPARE(dir.permissions() & others, QFileDevice::Permissions());
    for (const char *name : {"whisperchat.db", "whisperchat.db-wal", "whisperchat.db-shm"}) {
        const QFileInfo f(dataDir + QLatin1Char('/') + QLatin1String(name));
        QVERIFY2(f.exists(), name);
        QCOMPARE(f.permissions() & (others | QFileDevice::ExeOwner), QFileDevice::Permissions());
    }
    s.close();
    // An existing database file readable by others is tightened at open.
    const QString db = dataDir + QStringLiteral("/whisperchat.db");
    QVERIFY(QFile::setPermissions(db, QFileDevice::ReadOwner | QFileDevice::WriteOwner |
                                          QFileDevice::ReadOther));
    Storage again;
    again.open(StorageLocation{QString(), dataDir});
    QCOMPARE(QFileInfo(db).permissions() & others, QFileDevice::Permissions());
    QVERIFY(again.accountByName(QStringLiteral("someone"))); // and the data is intact
#endif
}

QTEST_GUILESS_MAIN(TestStorage)
#include "tst_storage.moc"
