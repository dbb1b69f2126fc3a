// SPDX-License-Identifier: MIT
// The admin console of any node sees the whole cluster, on a whole cluster
// from scripts/cluster-up.sh (real redis-server, PostgreSQL, three
// whisperchat-server nodes, nginx) and a real control connection to node1:
// clients waiting on node2 and node3 are on node1's map; a pair across
// node2 and node3 (once, though both nodes hold it) and a node3-only pair
// are in its pair list; the node table lists all three nodes with their
// load and exactly one leader; a kick through node1 of a client on node3
// closes it with 1008 and its partner hears partner_left "kicked"; a ban
// of the account of a client on node3 does the same, its preview counts
// what node3 knows, and the ban is stored.
#include "clusterrig.h"
#include "controlprotocol.h"
#include "protocol.h"
#include "testclient.h"
#include "testpaths.h"
#include "tst_control_support.h"

#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>

using namespace whisper;
using namespace whisper::protocol;
using whisper::test::ClusterRig;
using whisper::test::TestClient;
using whisper::test::TestConsole;

namespace {

const QString kAdmin = QStringLiteral("clusteradmin");
const QString kPassword = QStringLiteral("a long console password");
constexpr int kViewMs = 8000; // a reading a second, and deltas after it

bool near(double a, double b) {
    return std::abs(a - b) <= 0.25; // the privacy grid, then the console's
}

} // namespace

class TestClusterConsole : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void waitingOnOtherNodesAppear();
    void pairsOfOtherNodesAppearOnce();
    void pairWithThisNodeEndsOnEitherSide();
    void nodeTableWithOneLeader();
    void kickReachesClientOnNode3();
    void banReachesAccountOnNode3();

private:
    QList<control::WaitingClient> waitingNear(double lat, double lon) const;
    QList<control::PairInfo> pairsNear(double lat, double lon) const;
    // The pair whose members waited at the two latitudes on one meridian.
    std::optional<control::PairInfo> pairBetween(double latA, double latB, double lon) const;
    // Two clients on the given nodes matched at one spot.
    bool pairUp(const QString &nodeA, const QString &nodeB, double lat, double lon,
                std::unique_ptr<TestClient> &a, std::unique_ptr<TestClient> &b);
    // The kicked or banned member closes with 1008, the other hears
    // partner_left "kicked".
    void expectRemoved(TestClient &gone, TestClient &partner);

    ClusterRig m_rig;
    QMap<QString, QUrl> m_nodes; // node name -> its own chat URL
    QUrl m_control;              // node1's control endpoint
    QString m_dbUrl;
    TestConsole m_console;
};

void TestClusterConsole::initTestCase() {
    QVERIFY2(m_rig.up({QStringLiteral("--rate-exempt"), QStringLiteral("127.0.0.1"),
                       QStringLiteral("--tick-ms"), QStringLiteral("100"),
                       QStringLiteral("--leader-lease-ms"), QStringLiteral("1500"),
                       QStringLiteral("--argon2-ops"), QStringLiteral("1"),
                       QStringLiteral("--argon2-mem-kib"), QStringLiteral("256")}),
             qPrintable(m_rig.error()));
    m_nodes = m_rig.nodes();
    m_control = m_rig.controls().value(QStringLiteral("node1"));
    m_dbUrl = m_rig.dbUrl();

    // The console's account, made the way an operator does it.
    QProcess user;
    user.start(QStringLiteral(WHISPER_BUILD_DIR "/bin/whisperchat-server"),
               {QStringLiteral("user"), QStringLiteral("add"), kAdmin, QStringLiteral("--role"),
                QStringLiteral("admin"), QStringLiteral("--password-stdin"), QStringLiteral("--db"),
                m_dbUrl, QStringLiteral("--argon2-ops"), QStringLiteral("1"),
                QStringLiteral("--argon2-mem-kib"), QStringLiteral("256")});
    QVERIFY(user.waitForStarted());
    user.write(kPassword.toUtf8() + '\n');
    user.closeWriteChannel();
    QVERIFY(user.waitForFinished(30000));
    QVERIFY2(user.exitCode() == 0, user.readAllStandardError().constData());

    QVERIFY(m_console.open(m_control));
    QVERIFY(m_console.login(kAdmin, kPassword));
    QVERIFY(m_console.subscribe());
}

void TestClusterConsole::cleanupTestCase() {
    m_rig.down();
}

QList<control::WaitingClient> TestClusterConsole::waitingNear(double lat, double lon) const {
    QList<control::WaitingClient> out;
    for (const auto &w : m_console.waiting)
        if (near(w.lat, lat) && near(w.lon, lon))
            out.append(w);
    return out;
}

QList<control::PairInfo> TestClusterConsole::pairsNear(double lat, double lon) const {
    QList<control::PairInfo> out;
    for (const auto &p : m_console.pairs)
        if (near(p.latA, lat) && near(p.lonA, lon) && near(p.latB, lat) && near(p.lonB, lon))
            out.append(p);
    return out;
}

bool TestClusterConsole::pairUp(const QString &nodeA, const QString &nodeB, double lat, double lon,
                                std::unique_ptr<TestClient> &a, std::unique_ptr<TestClient> &b) {
    a = TestClient::waitingAt(m_nodes.value(nodeA), lat, lon, 5);
    b = TestClient::waitingAt(m_nodes.value(nodeB), lat, lon, 5);
    if (!a || !b || a->welcome().node != nodeA || b->welcome().node != nodeB)
        return false;
    const auto ma = a->waitFor<Matched>(5000);
    const auto mb = b->waitFor<Matched>(5000);
    return ma && mb && ma->pair == mb->pair;
}

void TestClusterConsole::expectRemoved(TestClient &gone, TestClient &partner) {
    QVERIFY(gone.waitForDisconnected(5000));
    QCOMPARE(gone.closeCode(), 1008);
    const auto left = partner.waitFor<PartnerLeft>(5000);
    QVERIFY(left);
    QVERIFY(left->reason == LeftReason::Kicked);
    QVERIFY(partner.isConnected());
}

void TestClusterConsole::waitingOnOtherNodesAppear() {
    const auto onNode2 =
        TestClient::waitingAt(m_nodes.value(QStringLiteral("node2")), 48.1, 11.6, 5);
    const auto onNode3 =
        TestClient::waitingAt(m_nodes.value(QStringLiteral("node3")), -33.9, 18.4, 5);
    QVERIFY(onNode2 && onNode3);
    QCOMPARE(onNode2->welcome().node, QStringLiteral("node2"));
    QCOMPARE(onNode3->welcome().node, QStringLiteral("node3"));
    QTRY_COMPARE_WITH_TIMEOUT(waitingNear(48.1, 11.6).size(), 1, kViewMs);
    QTRY_COMPARE_WITH_TIMEOUT(waitingNear(-33.9, 18.4).size(), 1, kViewMs);
    // The console's grid: a tenth of a degree, never finer.
    for (const auto &w : waitingNear(48.1, 11.6) + waitingNear(-33.9, 18.4)) {
        QCOMPARE(std::round(w.lat * 10) / 10, w.lat);
        QCOMPARE(std::round(w.lon * 10) / 10, w.lon);
    }
    // Gone from the map when they leave.
    onNode3->close();
    QTRY_COMPARE_WITH_TIMEOUT(waitingNear(-33.9, 18.4).size(), 0, kViewMs);
    QCOMPARE(waitingNear(48.1, 11.6).size(), 1);
}

void TestClusterConsole::pairsOfOtherNodesAppearOnce() {
    std::unique_ptr<TestClient> a, b, c, d;
    QVERIFY(pairUp(QStringLiteral("node2"), QStringLiteral("node3"), 35.7, 139.7, a, b));
    QVERIFY(pairUp(QStringLiteral("node3"), QStringLiteral("node3"), 40.4, -3.7, c, d));
    // The node2-node3 pair is in both nodes' hashes, and listed once.
    QTRY_COMPARE_WITH_TIMEOUT(pairsNear(35.7, 139.7).size(), 1, kViewMs);
    QTRY_COMPARE_WITH_TIMEOUT(pairsNear(40.4, -3.7).size(), 1, kViewMs);
    const control::PairInfo cross = pairsNear(35.7, 139.7).first();
    QVERIFY(cross.a != cross.b);
    QVERIFY(!cross.a.isEmpty() && !cross.b.isEmpty());
    QVERIFY(cross.distanceKm > 0);
    // Still once after two more readings.
    auto statsSeen = [this] {
        return std::count_if(m_console.deltas.cbegin(), m_console.deltas.cend(),
                             [](const control::Delta &d) { return d.stats.has_value(); });
    };
    const auto seen = statsSeen();
    QTRY_VERIFY_WITH_TIMEOUT(statsSeen() >= seen + 2, kViewMs);
    QCOMPARE(pairsNear(35.7, 139.7).size(), 1);
    // A pair that ends on one node goes from the view.
    a->send(Leave{});
    QVERIFY(b->waitFor<PartnerLeft>());
    QTRY_COMPARE_WITH_TIMEOUT(pairsNear(35.7, 139.7).size(), 0, kViewMs);
    QCOMPARE(pairsNear(40.4, -3.7).size(), 1);
}

void TestClusterConsole::pairWithThisNodeEndsOnEitherSide() {
    // node1 hears of the end of a pair across nodes in three ways: its
    // member is told (the far member left), its member left (only the far
    // node is told: node1 sees it gone from that node's pairs), or its
    // member disconnected.
    const struct {
        double lat;
        int how; // 0 far member leaves, 1 node1's member leaves, 2 it disconnects
    } cases[] = {{12.0, 0}, {14.0, 1}, {16.0, 2}};
    for (const auto &c : cases) {
        std::unique_ptr<TestClient> here, far;
        QVERIFY(pairUp(QStringLiteral("node1"), QStringLiteral("node2"), c.lat, 100.0, here, far));
        QTRY_COMPARE_WITH_TIMEOUT(pairsNear(c.lat, 100.0).size(), 1, kViewMs);
        if (c.how == 0) {
            far->send(Leave{});
            QVERIFY(here->waitFor<PartnerLeft>());
        } else if (c.how == 1) {
            here->send(Leave{});
            QVERIFY(far->waitFor<PartnerLeft>());
        } else {
            here->close();
            QVERIFY(far->waitFor<PartnerLeft>());
        }
        QTRY_COMPARE_WITH_TIMEOUT(pairsNear(c.lat, 100.0).size(), 0, kViewMs);
    }
}

void TestClusterConsole::nodeTableWithOneLeader() {
    const auto onNode3 =
        TestClient::waitingAt(m_nodes.value(QStringLiteral("node3")), 1.3, 103.8, 5);
    QVERIFY(onNode3);
    auto table = [this] {
        return m_console.stats ? m_console.stats->nodes : QList<control::NodeStats>();
    };
    QTRY_COMPARE_WITH_TIMEOUT(table().size(), 3, kViewMs);
    // Loads arrive with the next heartbeats.
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            for (const auto &n : table())
                if (n.node == QLatin1String("node3"))
                    return n.waiting >= 1 && n.connections >= 1;
            return false;
        }(),
        kViewMs);
    QStringList names;
    int leaders = 0, selves = 0;
    for (const auto &n : table()) {
        names << n.node;
        leaders += n.leader ? 1 : 0;
        if (n.self) {
            ++selves;
            QCOMPARE(n.node, QStringLiteral("node1"));
        }
        QVERIFY2(n.redisLatencyMs && *n.redisLatencyMs >= 0, qPrintable(n.node));
        QVERIFY(n.messagesPerSecond >= 0);
    }
    QCOMPARE(names, (QStringList{QStringLiteral("node1"), QStringLiteral("node2"),
                                 QStringLiteral("node3")}));
    QCOMPARE(leaders, 1);
    QCOMPARE(selves, 1);
}

std::optional<control::PairInfo> TestClusterConsole::pairBetween(double latA, double latB,
                                                                 double lon) const {
    for (const auto &p : m_console.pairs)
        if (near(p.lonA, lon) && near(p.lonB, lon) &&
            ((near(p.latA, latA) && near(p.latB, latB)) ||
             (near(p.latA, latB) && near(p.latB, latA))))
            return p;
    return std::nullopt;
}

void TestClusterConsole::kickReachesClientOnNode3() {
    // Half a degree apart, so the map tells node3's member by its place.
    const auto onNode2 =
        TestClient::waitingAt(m_nodes.value(QStringLiteral("node2")), -22.9, -43.2, 100);
    const auto onNode3 =
        TestClient::waitingAt(m_nodes.value(QStringLiteral("node3")), -22.4, -43.2, 100);
    QVERIFY(onNode2 && onNode3);
    QCOMPARE(onNode3->welcome().node, QStringLiteral("node3"));
    QVERIFY(onNode2->waitFor<Matched>());
    QVERIFY(onNode3->waitFor<Matched>());
    QTRY_VERIFY_WITH_TIMEOUT(pairBetween(-22.9, -22.4, -43.2).has_value(), kViewMs);
    const control::PairInfo pair = *pairBetween(-22.9, -22.4, -43.2);
    const QString far = near(pair.latA, -22.4) ? pair.a : pair.b;
    const auto kick = m_console.answer(m_console.send(control::Kick{0, far}));
    QVERIFY(kick && std::holds_alternative<control::Ok>(*kick));
    expectRemoved(*onNode3, *onNode2);
    QTRY_VERIFY_WITH_TIMEOUT(!pairBetween(-22.9, -22.4, -43.2), kViewMs);
}

void TestClusterConsole::banReachesAccountOnNode3() {
    // An account on node3, paired with a guest on node2.
    TestClient member;
    QVERIFY(member.connectTo(m_nodes.value(QStringLiteral("node3"))));
    QCOMPARE(member.welcome().node, QStringLiteral("node3"));
    member.send(Register{QStringLiteral("farmember"), QStringLiteral("far member password")});
    QVERIFY(member.waitFor<Authenticated>(10000));
    member.send(Join{56.2, 37.6, 100});
    QVERIFY(member.waitFor<Waiting>());
    const auto guest =
        TestClient::waitingAt(m_nodes.value(QStringLiteral("node2")), 55.7, 37.6, 100);
    QVERIFY(guest);
    QVERIFY(member.waitFor<Matched>());
    QVERIFY(guest->waitFor<Matched>());
    QTRY_VERIFY_WITH_TIMEOUT(pairBetween(55.7, 56.2, 37.6).has_value(), kViewMs);
    const control::PairInfo pair = *pairBetween(55.7, 56.2, 37.6);
    const QString far = near(pair.latA, 56.2) ? pair.a : pair.b;
    const QString guestId = far == pair.a ? pair.b : pair.a;

    // The previews are the members' nodes' answers.
    const auto preview = m_console.answer(m_console.send(control::PreviewBan{0, far}));
    QVERIFY(preview);
    const auto *p = std::get_if<control::BanPreview>(&*preview);
    QVERIFY(p);
    QCOMPARE(p->account, QStringLiteral("farmember"));
    QCOMPARE(p->accountConnections, 1);
    QVERIFY(p->addressConnections >= 1);
    const auto guestPreview = m_console.answer(m_console.send(control::PreviewBan{0, guestId}));
    QVERIFY(guestPreview);
    const auto *g = std::get_if<control::BanPreview>(&*guestPreview);
    QVERIFY(g);
    QCOMPARE(g->account, QString());

    control::Ban ban;
    ban.client = far;
    ban.durationS = 3600;
    ban.reason = QStringLiteral("cluster test");
    ban.scope = control::BanScope::Account;
    const auto answer = m_console.answer(m_console.send(ban), 10000);
    QVERIFY(answer);
    QVERIFY2(std::holds_alternative<control::Ok>(*answer),
             std::holds_alternative<control::Error>(*answer)
                 ? qPrintable(std::get<control::Error>(*answer).message)
                 : "not ok");
    expectRemoved(member, *guest);
    // The ban is stored for the account (not for an address).
    const auto bans = m_console.answer(m_console.send(control::ListBans{}));
    QVERIFY(bans);
    const auto *list = std::get_if<control::Bans>(&*bans);
    QVERIFY(list);
    QVERIFY(std::any_of(list->bans.cbegin(), list->bans.cend(), [](const control::BanInfo &b) {
        return b.account == QLatin1String("farmember");
    }));
}

QTEST_GUILESS_MAIN(TestClusterConsole)
#include "tst_clusterconsole.moc"
