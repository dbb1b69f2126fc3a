// SPDX-License-Identifier: MIT
// One cluster node, the real whisperchat-server with a real redis-server
// and PostgreSQL: it registers a heartbeat with a TTL, names itself in
// `welcome`, makes pair ids that carry its node id, refuses the SQLite
// store and a node id already in use, and comes back into Redis after a
// Redis restart. A node without --redis stays exactly a single node.
#include "pgcluster.h"
#include "redisprocess.h"
#include "serverprocess.h"
#include "testclient.h"

#include <QSignalSpy>
#include <QTest>

using namespace whisper;
using namespace whisper::test;

class TestClusterNode : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void sqliteStoreIsRefused();
    void invalidClusterSettingsAreRefused_data();
    void invalidClusterSettingsAreRefused();
    void singleNodeWelcomeNamesNoNode();
    void nodeRegistersAndNamesItself();
    void nodeIdInUseIsRefused();
    void heartbeatReturnsAfterRedisRestart();
    void gracefulStopLeavesTheCluster();

private:
    QStringList nodeArgs(const QString &nodeId) const;
    QString heartbeatField(const QString &nodeId, const QString &field) const;

    PgCluster m_pg;
    RedisProcess m_redis;
};

void TestClusterNode::initTestCase() {
    QVERIFY2(m_redis.start(), qPrintable(m_redis.errorString()));
    QVERIFY2(m_pg.start(), qPrintable(m_pg.errorString()));
}

QStringList TestClusterNode::nodeArgs(const QString &nodeId) const {
    return {QStringLiteral("--redis"),
            m_redis.url(),
            QStringLiteral("--db"),
            m_pg.url(),
            QStringLiteral("--node-id"),
            nodeId,
            QStringLiteral("--argon2-mem-kib"),
            QStringLiteral("64"),
            QStringLiteral("--argon2-ops"),
            QStringLiteral("1")};
}

QString TestClusterNode::heartbeatField(const QString &nodeId, const QString &field) const {
    return m_redis.cli({QStringLiteral("HGET"), QStringLiteral("whisper:node:") + nodeId, field});
}

void TestClusterNode::sqliteStoreIsRefused() {
    ServerProcess node({QStringLiteral("--redis"), m_redis.url(), QStringLiteral("--node-id"),
                        QStringLiteral("lonely")});
    QVERIFY(!node.start());
    QTRY_VERIFY_WITH_TIMEOUT(!node.isRunning(), 5000);
    QCOMPARE(node.exitCode(), 2);
    const QByteArray log = node.log();
    QVERIFY2(log.contains("needs the shared PostgreSQL store") && log.contains("--db postgresql"),
             log.constData());
    // Nothing of it reached the cluster.
    QCOMPARE(heartbeatField(QStringLiteral("lonely"), QStringLiteral("chat")), QString());
}

void TestClusterNode::invalidClusterSettingsAreRefused_data() {
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("message");
    QTest::newRow("redis url") << QStringList{QStringLiteral("--redis"),
                                              QStringLiteral("http://127.0.0.1:1")}
                               << "is not a redis://HOST:PORT URL";
    QTest::newRow("node id characters")
        << QStringList{QStringLiteral("--node-id"), QStringLiteral("a b")}
        << "must be 1 to 32 letters";
    QTest::newRow("node id 33 characters")
        << QStringList{QStringLiteral("--node-id"), QString(33, u'n')} << "must be 1 to 32";
    QTest::newRow("ttl below 1 s")
        << QStringList{QStringLiteral("--node-ttl-ms"), QStringLiteral("999")}
        << "from 1000 to 60000";
}

void TestClusterNode::invalidClusterSettingsAreRefused() {
    QFETCH(QStringList, args);
    QFETCH(QString, message);
    ServerProcess node(args);
    QVERIFY(!node.start());
    QTRY_VERIFY_WITH_TIMEOUT(!node.isRunning(), 5000);
    QCOMPARE(node.exitCode(), 2);
    const QByteArray log = node.log();
    QVERIFY2(log.contains(message.toUtf8()), log.constData());
}

void TestClusterNode::singleNodeWelcomeNamesNoNode() {
    // --node-id alone does not make a cluster member.
    ServerProcess node({QStringLiteral("--node-id"), QStringLiteral("solo")});
    QVERIFY2(node.start(), node.log().constData());
    TestClient client;
    QVERIFY(client.connectTo(node.chatUrl()));
    QCOMPARE(client.welcome().node, QString());
    QCOMPARE(heartbeatField(QStringLiteral("solo"), QStringLiteral("chat")), QString());
}

void TestClusterNode::nodeRegistersAndNamesItself() {
    ServerProcess node(nodeArgs(QStringLiteral("alpha")));
    QVERIFY2(node.start(), node.log().constData());
    QTRY_COMPARE_WITH_TIMEOUT(heartbeatField(QStringLiteral("alpha"), QStringLiteral("chat")),
                              node.chatUrl().toString(), 5000);
    QCOMPARE(heartbeatField(QStringLiteral("alpha"), QStringLiteral("control")),
             node.controlUrl().toString());
    const int ttl =
        m_redis.cli({QStringLiteral("PTTL"), QStringLiteral("whisper:node:alpha")}).toInt();
    QVERIFY2(ttl > 0 && ttl <= 6000, qPrintable(QString::number(ttl)));
    QVERIFY(m_redis.cli({QStringLiteral("SMEMBERS"), QStringLiteral("whisper:nodes")})
                .contains(QStringLiteral("alpha")));

    auto a = TestClient::waitingAt(node.chatUrl(), 48.85, 2.35, 50);
    QVERIFY(a);
    QCOMPARE(a->welcome().node, QStringLiteral("alpha"));
    auto b = TestClient::waitingAt(node.chatUrl(), 48.86, 2.35, 50);
    QVERIFY(b);
    const auto matched = a->waitFor<protocol::Matched>();
    QVERIFY(matched);
    // Unique across the cluster: the node id is part of every pair id.
    QVERIFY2(matched->pair.startsWith(QStringLiteral("alpha.")), qPrintable(matched->pair));
    QVERIFY(node.terminate());
}

void TestClusterNode::nodeIdInUseIsRefused() {
    ServerProcess first(nodeArgs(QStringLiteral("beta")));
    QVERIFY2(first.start(), first.log().constData());
    QTRY_VERIFY_WITH_TIMEOUT(
        !heartbeatField(QStringLiteral("beta"), QStringLiteral("instance")).isEmpty(), 5000);
    ServerProcess second(nodeArgs(QStringLiteral("beta")));
    // It may print its ready line before Redis answers; then it stops.
    second.start();
    QTRY_VERIFY_WITH_TIMEOUT(!second.isRunning(), 10000);
    QCOMPARE(second.exitCode(), 1);
    const QByteArray log = second.log();
    QVERIFY2(log.contains("node id 'beta' is in use by another running node"), log.constData());
    // The first one is untouched.
    QCOMPARE(heartbeatField(QStringLiteral("beta"), QStringLiteral("chat")),
             first.chatUrl().toString());
    QVERIFY(first.terminate());
}

void TestClusterNode::heartbeatReturnsAfterRedisRestart() {
    ServerProcess node(nodeArgs(QStringLiteral("gamma")));
    QVERIFY2(node.start(), node.log().constData());
    QTRY_VERIFY_WITH_TIMEOUT(
        !heartbeatField(QStringLiteral("gamma"), QStringLiteral("chat")).isEmpty(), 5000);
    m_redis.stop();
    QVERIFY2(m_redis.start(), qPrintable(m_redis.errorString())); // empty: no persistence
    QTRY_COMPARE_WITH_TIMEOUT(heartbeatField(QStringLiteral("gamma"), QStringLiteral("chat")),
                              node.chatUrl().toString(), 8000);
    // The node kept serving meanwhile.
    TestClient client;
    QVERIFY(client.connectTo(node.chatUrl()));
    QVERIFY(node.log().contains("lost redis://"));
    QVERIFY(node.terminate());
}

void TestClusterNode::gracefulStopLeavesTheCluster() {
    ServerProcess node(nodeArgs(QStringLiteral("delta")));
    QVERIFY2(node.start(), node.log().constData());
    QTRY_VERIFY_WITH_TIMEOUT(
        !heartbeatField(QStringLiteral("delta"), QStringLiteral("chat")).isEmpty(), 5000);
    QVERIFY(node.terminate());
    // At once, not after the 6 s TTL.
    QCOMPARE(heartbeatField(QStringLiteral("delta"), QStringLiteral("chat")), QString());
    QVERIFY(!m_redis.cli({QStringLiteral("SMEMBERS"), QStringLiteral("whisper:nodes")})
                 .contains(QStringLiteral("delta")));
}

QTEST_GUILESS_MAIN(TestClusterNode)
#include "tst_clusternode.moc"
