// SPDX-License-Identifier: MIT
// One cluster node, the real whisperchat-server with a real redis-server
// and PostgreSQL: it registers a heartbeat with a TTL, names itself in
// `welcome`, makes pair ids that carry its node id, refuses the SQLite
// store and a node id already in use, and comes back into Redis after a
// Redis restart. A node without --redis stays exactly a single node. An
// idle node sends Redis a few commands a second (no polling), and a pair
// whose members are both on the node costs Redis nothing per message.
#include "pgcluster.h"
#include "redisprocess.h"
#include "serverprocess.h"
#include "testclient.h"

#include <QElapsedTimer>
#include <QRegularExpression>
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
    void idleNodeDoesNotPollRedis();
    void sameNodeMessagesCostRedisNothing();

private:
    QStringList nodeArgs(const QString &nodeId) const;
    QString heartbeatField(const QString &nodeId, const QString &field) const;
    // INFO commandstats: calls per command (scripts' redis.call counted too).
    QHash<QString, qint64> commandCalls() const;
    static qint64 total(const QHash<QString, qint64> &calls);

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

QHash<QString, qint64> TestClusterNode::commandCalls() const {
    QHash<QString, qint64> calls;
    const QStringList lines = m_redis.cli({QStringLiteral("INFO"), QStringLiteral("commandstats")})
                                  .split(QLatin1Char('\n'));
    // cmdstat_xread:calls=12,usec=...
    static const QRegularExpression line(QStringLiteral(R"(^cmdstat_([^:]+):calls=(\d+))"));
    for (const QString &l : lines)
        if (const auto m = line.match(l.trimmed()); m.hasMatch())
            calls.insert(m.captured(1), m.captured(2).toLongLong());
    return calls;
}

qint64 TestClusterNode::total(const QHash<QString, qint64> &calls) {
    qint64 sum = 0;
    for (const qint64 n : calls)
        sum += n;
    return sum;
}

void TestClusterNode::idleNodeDoesNotPollRedis() {
    ServerProcess node(nodeArgs(QStringLiteral("epsilon")));
    QVERIFY2(node.start(), node.log().constData());
    // Alone, it leads: the lease taken and the room rebuilt, the stream
    // followed from then on.
    QTRY_VERIFY_WITH_TIMEOUT(node.log().contains("global waiting room rebuilt"), 10000);
    QVERIFY(m_redis.cli({QStringLiteral("GET"), QStringLiteral("whisper:leader")})
                .endsWith(QStringLiteral(":epsilon")));
    const auto before = commandCalls();
    QElapsedTimer window;
    window.start();
    // A rate needs a window of time: nothing is awaited here, the node is
    // idle and Redis counts what it is sent meanwhile.
    QTest::qWait(4000);
    const auto after = commandCalls();
    const double seconds = window.elapsed() / 1000.0;
    const double xreads =
        (after.value(QStringLiteral("xread")) - before.value(QStringLiteral("xread"))) / seconds;
    const double all = (total(after) - total(before)) / seconds;
    qInfo("idle leader: %.1f Redis commands/s, %.2f XREAD/s", all, xreads);
    // One blocking read per block period (2 s), not a poll every 20 ms (50/s).
    QVERIFY2(xreads <= 1.0, qPrintable(QString::number(xreads)));
    // Lease and sweep each second, heartbeat every 2 s, one PING a second:
    // about 14 calls/s counting the scripts' own; polling made it 65.
    QVERIFY2(all < 30, qPrintable(QString::number(all)));
    QVERIFY(node.terminate());
}

void TestClusterNode::sameNodeMessagesCostRedisNothing() {
    QStringList args = nodeArgs(QStringLiteral("zeta"));
    args << QStringLiteral("--rate-exempt") << QStringLiteral("127.0.0.0/8,::1");
    ServerProcess node(args);
    QVERIFY2(node.start(), node.log().constData());
    QTRY_VERIFY_WITH_TIMEOUT(node.log().contains("global waiting room rebuilt"), 10000);
    auto a = TestClient::waitingAt(node.chatUrl(), 48.85, 2.35, 50);
    QVERIFY(a);
    auto b = TestClient::waitingAt(node.chatUrl(), 48.86, 2.35, 50);
    QVERIFY(b);
    QVERIFY(a->waitFor<protocol::Matched>(10000));
    QVERIFY(b->waitFor<protocol::Matched>(10000));

    constexpr int kMessages = 400;
    const auto before = commandCalls();
    for (int i = 0; i < kMessages; ++i)
        a->send(protocol::SendMessage{QStringLiteral("m%1").arg(i), QString::number(i)});
    for (int i = 0; i < kMessages; ++i) {
        const auto delivered = a->waitFor<protocol::Delivered>();
        QVERIFY2(delivered, qPrintable(QString::number(i)));
        QCOMPARE(delivered->id, QString::number(i));
    }
    const auto after = commandCalls();
    for (int i = 0; i < kMessages; ++i) {
        const auto in = b->waitFor<protocol::IncomingMessage>();
        QVERIFY(in);
        QCOMPARE(in->text, QStringLiteral("m%1").arg(i));
    }
    // What the node sends Redis anyway (lease, heartbeat, probe: about 14
    // calls/s) may fall in the window; one call per message would be 400.
    const qint64 calls = total(after) - total(before);
    qInfo("%d same-node messages: %lld Redis calls meanwhile", kMessages, calls);
    QVERIFY2(calls < kMessages / 4, qPrintable(QString::number(calls)));
    QCOMPARE(after.value(QStringLiteral("publish")), before.value(QStringLiteral("publish")));
    QVERIFY(node.terminate());
}

QTEST_GUILESS_MAIN(TestClusterNode)
#include "tst_clusternode.moc"
