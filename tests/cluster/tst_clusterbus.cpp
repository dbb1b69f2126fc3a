// SPDX-License-Identifier: MIT
// What travels between cluster nodes: every event kind, matches and waiting
// entries survive encoding with all 64 bits of their ids, and anything
// malformed on a node's channel is refused rather than half-read.
#include "clusterbus.h"
#include "clusterwaitingroom.h"
#include "ids.h"

#include <QTest>

#include <limits>

using namespace whisper;

class TestClusterBus : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void eventsRoundTrip_data();
    void eventsRoundTrip();
    void matchRoundTrips();
    void malformedIsRefused_data();
    void malformedIsRefused();
    void waitingEntryRoundTrips();
    void waitingEntryRefusesNonsense();
};

namespace {
// Ids with the top bits set: exact only if they travel as strings.
const ClientId kA = clientIdBase(QStringLiteral("node-a")) + 123456789;
const ClientId kB = (std::uint64_t(0xfffffe) << kNodeIdShift) + 987654321;
} // namespace

void TestClusterBus::eventsRoundTrip_data() {
    QTest::addColumn<int>("kind");
    using K = PeerEvent::Kind;
    for (const K k : {K::Message, K::Typing, K::Left, K::Away, K::Back, K::Ack, K::Nack, K::Kick,
                      K::Rebind, K::Taken, K::Frame})
        QTest::addRow("kind %d", int(k)) << int(k);
}

void TestClusterBus::eventsRoundTrip() {
    QFETCH(int, kind);
    PeerEvent e;
    e.kind = PeerEvent::Kind(kind);
    e.to = kA;
    e.from = kB;
    using K = PeerEvent::Kind;
    if (e.kind == K::Message || e.kind == K::Frame) {
        e.text = QStringLiteral("h\u00e9llo \"w\u00f6rld\" \U0001F600");
        e.id = QStringLiteral("m-1");
    }
    if (e.kind == K::Message)
        e.ts = 1765000000123;
    if (e.kind == K::Typing)
        e.active = true;
    if (e.kind == K::Left)
        e.reason = protocol::LeftReason::Blocked;
    if (e.kind == K::Ack || e.kind == K::Nack)
        e.id = QStringLiteral("m-2");
    if (e.kind == K::Nack)
        e.full = true;
    if (e.kind == K::Kick)
        e.pairOnly = true;
    if (e.kind == K::Rebind)
        e.was = kB + 1;
    const auto decoded = decodeBusMessage(encodePeerEvent(e));
    QVERIFY(decoded);
    QVERIFY(std::holds_alternative<PeerEvent>(*decoded));
    QVERIFY(std::get<PeerEvent>(*decoded) == e);
}

void TestClusterBus::matchRoundTrips() {
    ClusterMatch m{QStringLiteral("node-a.Kq0dPx2m"),         kA, kB,
                   std::numeric_limits<std::uint64_t>::max(), 42, 5};
    const auto decoded = decodeBusMessage(encodeClusterMatch(m));
    QVERIFY(decoded);
    QVERIFY(std::holds_alternative<ClusterMatch>(*decoded));
    QVERIFY(std::get<ClusterMatch>(*decoded) == m);
}

void TestClusterBus::malformedIsRefused_data() {
    QTest::addColumn<QByteArray>("json");
    QTest::newRow("not json") << QByteArray("{\"t\":");
    QTest::newRow("array") << QByteArray("[1,2]");
    QTest::newRow("unknown kind") << QByteArray(R"({"t":"boom","to":"1","f":"2"})");
    QTest::newRow("numeric ids") << QByteArray(R"({"t":"msg","to":1,"f":2})");
    QTest::newRow("id not a number") << QByteArray(R"({"t":"ack","to":"x","f":"2","id":"a"})");
    QTest::newRow("left without reason") << QByteArray(R"({"t":"left","to":"1","f":"2"})");
    QTest::newRow("rebind without was") << QByteArray(R"({"t":"rebind","to":"1","f":"2"})");
    QTest::newRow("match with itself")
        << QByteArray(R"({"t":"m","p":"x","a":"1","b":"1","ka":"1","kb":"2","d":1})");
    QTest::newRow("match without pair")
        << QByteArray(R"({"t":"m","a":"1","b":"2","ka":"1","kb":"2","d":1})");
}

void TestClusterBus::malformedIsRefused() {
    QFETCH(QByteArray, json);
    QVERIFY(!decodeBusMessage(json));
}

void TestClusterBus::waitingEntryRoundTrips() {
    WaitingEntry e;
    e.candidate.id = kA;
    e.candidate.pos = geo::GeoPoint{-33.9, 18.4};
    e.candidate.rangeKm = 12.5;
    e.candidate.identityKey = std::numeric_limits<std::uint64_t>::max() - 7;
    e.candidate.excludes = {Exclusion{kB, 1765000000000},
                            Exclusion{3, std::numeric_limits<std::int64_t>::max()}};
    e.sinceMs = 1765000000999;
    const auto d = decodeWaitingEntry(encodeWaitingEntry(e));
    QVERIFY(d);
    QCOMPARE(d->candidate.id, e.candidate.id);
    QCOMPARE(d->candidate.pos.latDeg, e.candidate.pos.latDeg);
    QCOMPARE(d->candidate.pos.lonDeg, e.candidate.pos.lonDeg);
    QCOMPARE(d->candidate.rangeKm, e.candidate.rangeKm);
    QCOMPARE(d->candidate.identityKey, e.candidate.identityKey);
    QCOMPARE(d->sinceMs, e.sinceMs);
    QCOMPARE(d->candidate.excludes.size(), std::size_t(2));
    QCOMPARE(d->candidate.excludes[0].key, kB);
    QCOMPARE(d->candidate.excludes[1].untilMs, std::numeric_limits<std::int64_t>::max());
}

void TestClusterBus::waitingEntryRefusesNonsense() {
    QVERIFY(!decodeWaitingEntry("{"));
    QVERIFY(!decodeWaitingEntry(R"({"id":"0","lat":0,"lon":0,"r":1,"k":"1","s":"1"})"));
    QVERIFY(!decodeWaitingEntry(R"({"id":"5","lat":91,"lon":0,"r":1,"k":"1","s":"1"})"));
    QVERIFY(!decodeWaitingEntry(R"({"id":"5","lat":0,"lon":0,"r":-1,"k":"1","s":"1"})"));
    QVERIFY(!decodeWaitingEntry(R"({"id":"5","lat":0,"lon":0,"r":1,"s":"1"})"));
}

QTEST_GUILESS_MAIN(TestClusterBus)
#include "tst_clusterbus.moc"
