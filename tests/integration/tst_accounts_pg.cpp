// SPDX-License-Identifier: MIT
// The server on PostgreSQL: two whisperchat-server nodes share one
// throw-away PostgreSQL 15 cluster (started here in a temp dir).
#include "pgcluster.h"
#include "serverprocess.h"
#include "testclient.h"

#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace whisper::protocol;
using whisper::test::PgCluster;
using whisper::test::ServerProcess;
using whisper::test::TestClient;

class TestAccountsPg : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void twoNodesShareAccounts();
    void userCommandUsesTheSameDatabase();
    void passwordInUrlIsNotLogged();

private:
    QStringList args() const {
        return {QStringLiteral("--db"),
                m_pg.url(),
                QStringLiteral("--data-dir"),
                m_dir.path(),
                QStringLiteral("--argon2-ops"),
                QStringLiteral("1"),
                QStringLiteral("--argon2-mem-kib"),
                QStringLiteral("256")};
    }
    PgCluster m_pg;
    QTemporaryDir m_dir;
};

void TestAccountsPg::initTestCase() {
    QVERIFY2(m_pg.start(), qPrintable(m_pg.errorString()));
}

void TestAccountsPg::cleanupTestCase() {
    m_pg.stop();
}

void TestAccountsPg::twoNodesShareAccounts() {
    ServerProcess node1(args());
    ServerProcess node2(args());
    QVERIFY2(node1.start(), node1.log().constData());
    QVERIFY2(node2.start(), node2.log().constData());
    TestClient a;
    QVERIFY(a.connectTo(node1.chatUrl()));
    a.send(Register{QStringLiteral("shared"), QStringLiteral("long enough password")});
    const auto reg = a.waitFor<Authenticated>(10000);
    QVERIFY(reg);
    // The other node knows the account and the session token.
    TestClient b;
    QVERIFY(b.connectTo(node2.chatUrl()));
    b.send(Register{QStringLiteral("SHARED"), QStringLiteral("long enough password")});
    const auto taken = b.waitFor<Error>(10000);
    QVERIFY(taken && taken->code == ErrorCode::Conflict);
    b.send(Resume{reg->token});
    QVERIFY(b.waitFor<Authenticated>(10000));
    TestClient c;
    QVERIFY(c.connectTo(node2.chatUrl()));
    c.send(Login{QStringLiteral("shared"), QStringLiteral("long enough password"), std::nullopt});
    QVERIFY(c.waitFor<Authenticated>(10000));
    QVERIFY(node1.terminate());
    QVERIFY(node2.terminate());
    QCOMPARE(m_pg.psql(QStringLiteral("SELECT COUNT(*) FROM accounts")), QStringLiteral("1"));
    QCOMPARE(m_pg.psql(QStringLiteral("SELECT MAX(version) >= 2 FROM schema_migrations")),
             QStringLiteral("t"));
}

void TestAccountsPg::userCommandUsesTheSameDatabase() {
    QProcess p;
    p.start(ServerProcess::binary(QStringLiteral("whisperchat-server")),
            QStringList{QStringLiteral("user"), QStringLiteral("add"), QStringLiteral("pgadmin"),
                        QStringLiteral("--role"), QStringLiteral("admin"),
                        QStringLiteral("--password-stdin")} +
                args().mid(0, 4));
    QVERIFY(p.waitForStarted());
    p.write("another long password\n");
    p.closeWriteChannel();
    QVERIFY(p.waitForFinished(30000));
    QCOMPARE(p.exitCode(), 0);
    QCOMPARE(m_pg.psql(QStringLiteral("SELECT role FROM accounts WHERE username = 'pgadmin'")),
             QStringLiteral("admin"));
}

void TestAccountsPg::passwordInUrlIsNotLogged() {
    QString url = m_pg.url();
    url.replace(url.indexOf(QLatin1Char('@')), 1, QStringLiteral(":pw-not-logged@"));
    ServerProcess node({QStringLiteral("--db"), url, QStringLiteral("--data-dir"), m_dir.path()});
    QVERIFY2(node.start(), node.log().constData()); // trust auth: the password is ignored
    QVERIFY(node.terminate());
    const QByteArray everything = node.log() + node.standardOutput();
    QVERIFY(everything.contains("db=postgresql://"));
    QVERIFY(!everything.contains("pw-not-logged"));
}

QTEST_MAIN(TestAccountsPg)
#include "tst_accounts_pg.moc"
