// SPDX-License-Identifier: MIT
// ClusterDirectory against a real redis-server: what the consoles of a
// cluster see is read from the nodes' keys as the nodes write them. Live
// nodes only, with their load and the leader; every waiting client of a
// live node; each pair once, and a pair across two nodes only while both
// nodes hold it; a node whose heartbeat is gone is left out and its pairs
// hash deleted. ClusterPairs writes and deletes a node's pairs as its
// pairs start and end.
#include "clusterdirectory.h"
#include "clusterpairs.h"
#include "clusterwaitingroom.h"
#include "ids.h"
#include "redisclient.h"
#include "redisprocess.h"

#include <QSignalSpy>
#include <QTest>

using namespace whisper;
using whisper::test::RedisProcess;

class TestClusterDirectory : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void readsWhatTheNodesWrote();
    void pairsFollowTheirStartAndEnd();
};

namespace {

QString entry(ClientId a, ClientId b) {
    return QString::fromUtf8(
        encodePairEntry(ClusterPairEntry{a, b, 1000, 5, std::nullopt, QPointF(13.4, 52.5)}));
}

WaitingEntry waiting(ClientId id, double lat, double lon) {
    WaitingEntry e;
    e.candidate.id = id;
    e.candidate.pos.latDeg = lat;
    e.candidate.pos.lonDeg = lon;
    e.candidate.rangeKm = 10;
    e.candidate.identityKey = id;
    e.sinceMs = 5000;
    return e;
}

} // namespace

void TestClusterDirectory::readsWhatTheNodesWrote() {
    RedisProcess redis;
    QVERIFY2(redis.start(), qPrintable(redis.errorString()));
    const ClientId n1 = clientIdBase(QStringLiteral("n1"));
    const ClientId n2 = clientIdBase(QStringLiteral("n2"));
    const ClientId gone = clientIdBase(QStringLiteral("gone"));
    redis.cli({"SADD", "whisper:nodes", "n1", "n2", "gone"});
    redis.cli({"HSET", "whisper:node:n1", "instance", "x", "connections", "10", "waiting", "1",
               "pairs", "2", "msgs_per_s", "3.50", "redis_latency_us", "250"});
    redis.cli({"HSET", "whisper:node:n2", "instance", "y", "connections", "4"});
    redis.cli({"SET", "whisper:leader", "7:n2"});
    redis.cli({"HSET", "whisper:waiting:n1", QString::number(n1 + 1),
               QString::fromUtf8(encodeWaitingEntry(waiting(n1 + 1, 48.1, 11.6)))});
    redis.cli({"HSET", "whisper:waiting:n1", "junk", "not json"});
    // A pair across n1 and n2 in both hashes; one across them that n2 has
    // already ended; one wholly on n2; and the pairs of the node that died.
    redis.cli({"HSET", "whisper:pairs:n1", "n1.cross", entry(n1 + 2, n2 + 2), "n1.ended",
               entry(n1 + 3, n2 + 3)});
    redis.cli({"HSET", "whisper:pairs:n2", "n1.cross", entry(n1 + 2, n2 + 2), "n2.own",
               entry(n2 + 4, n2 + 5)});
    redis.cli({"HSET", "whisper:pairs:gone", "gone.x", entry(gone + 1, gone + 2)});

    RedisClient client(*RedisEndpoint::parse(redis.url()));
    client.start();
    ClusterDirectory directory(client, QStringLiteral("n1"), 100);
    QSignalSpy read(&directory, &ClusterDirectory::snapshotReady);
    QTRY_VERIFY(client.isConnected());
    directory.setActive(true);
    QTRY_VERIFY(read.count() >= 1);
    const auto snap = read.first().first().value<ClusterSnapshot>();

    QCOMPARE(snap.self, QStringLiteral("n1"));
    QCOMPARE(snap.nodes.size(), 2);
    QCOMPARE(snap.nodes[0].node, QStringLiteral("n1"));
    QCOMPARE(snap.nodes[0].connections, 10);
    QCOMPARE(snap.nodes[0].pairs, 2);
    QCOMPARE(snap.nodes[0].messagesPerSecond, 3.5);
    QCOMPARE(snap.nodes[0].redisLatencyUs, 250);
    QVERIFY(!snap.nodes[0].leader);
    QCOMPARE(snap.nodes[1].node, QStringLiteral("n2"));
    QVERIFY(snap.nodes[1].leader);
    QCOMPARE(snap.nodes[1].redisLatencyUs, -1);

    QCOMPARE(snap.waiting.size(), 1); // the undecodable entry is skipped
    QCOMPARE(snap.waiting[0].id, n1 + 1);
    QCOMPARE(snap.waiting[0].node, QStringLiteral("n1"));
    QCOMPARE(snap.waiting[0].lat, 48.1);

    QStringList pairs;
    for (const auto &p : snap.pairs)
        pairs << p.id;
    pairs.sort();
    QCOMPARE(pairs, (QStringList{QStringLiteral("n1.cross"), QStringLiteral("n2.own")}));
    // The dead node's pairs are deleted with it.
    QTRY_COMPARE(redis.cli({"EXISTS", "whisper:pairs:gone"}), QStringLiteral("0"));

    directory.setActive(false);
    read.clear();
    QVERIFY(!read.wait(300)); // three intervals: a stopped directory reads nothing
}

void TestClusterDirectory::pairsFollowTheirStartAndEnd() {
    RedisProcess redis;
    QVERIFY2(redis.start(), qPrintable(redis.errorString()));
    RedisClient client(*RedisEndpoint::parse(redis.url()));
    client.start();
    QTRY_VERIFY(client.isConnected());
    InProcessWaitingRoom room;
    ClusterPairs pairs(client, QStringLiteral("n1"), room);
    const ClientId a = clientIdBase(QStringLiteral("n1")) + 1;
    const ClientId b = clientIdBase(QStringLiteral("n2")) + 1;
    room.enter(waiting(a, 52.5123, 13.4049));
    pairs.started(QStringLiteral("n1.p"), a, b, 1000, 5);
    QTRY_COMPARE(redis.cli({"HLEN", "whisper:pairs:n1"}), QStringLiteral("1"));
    const auto stored = decodePairEntry(redis.cli({"HGET", "whisper:pairs:n1", "n1.p"}).toUtf8());
    QVERIFY(stored);
    QCOMPARE(stored->a, a);
    QCOMPARE(stored->b, b);
    // The member here on the console's grid, never finer; the far one unknown.
    QVERIFY(stored->whereA);
    QCOMPARE(stored->whereA->y(), 52.5);
    QCOMPARE(stored->whereA->x(), 13.4);
    QVERIFY(!stored->whereB);
    // Ended by either member.
    pairs.ended(b);
    QTRY_COMPARE(redis.cli({"HLEN", "whisper:pairs:n1"}), QStringLiteral("0"));
    pairs.started(QStringLiteral("n1.q"), a, b, 2000, 5);
    pairs.closed(a);
    QTRY_COMPARE(redis.cli({"HLEN", "whisper:pairs:n1"}), QStringLiteral("0"));
    QCOMPARE(pairs.count(), 0);
}

QTEST_GUILESS_MAIN(TestClusterDirectory)
#include "tst_clusterconsole_directory.moc"
