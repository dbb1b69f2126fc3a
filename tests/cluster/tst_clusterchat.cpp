// SPDX-License-Identifier: MIT
// One global waiting room and chat across nodes, on a whole cluster from
// scripts/cluster-up.sh: real redis-server, PostgreSQL, three
// whisperchat-server nodes and nginx on loopback. Clients are matched and
// chat across nodes with `delivered` acks in order; 600 clients joining at
// once across the nodes all get one pair each; a draining node's client
// resumes its chat on another node; killing a node (kill -9) tells its
// clients' partners, and its client resumes on another node with what was
// sent meanwhile; killing the leader hands matching to another node within
// two lease periods; while redis-server is down `join` fails
// fast and same-node pairs keep chatting, and afterwards matching works.
// The slots run in order and share one cluster that they wear down.
#include "clusterrig.h"
#include "protocol.h"
#include "testclient.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QHash>
#include <QProcess>
#include <QRegularExpression>
#include <QSet>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <signal.h>

using namespace whisper;
using namespace whisper::protocol;
using whisper::test::ClusterRig;
using whisper::test::TestClient;

namespace {

constexpr int kLeaseMs = 1500;
constexpr int kTickMs = 100;
constexpr int kNodeTtlMs = 3000;

} // namespace

class TestClusterChat : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void metricsNameOneLeader();
    void matchedAcrossNodesAndChatInOrder();
    void sixHundredJoinAtOnce();
    void recentPartnersFollowAccountsAcrossNodes();
    void drainedNodeClientResumesElsewhere();
    void killedNodeTellsPartnersOnOtherNodes();
    void killedLeaderHandsMatchingOver();
    void redisDownFailsJoinFastAndSameNodePairsChat();

private:
    qint64 pidOf(const QString &name) const;
    QByteArray redis(const QStringList &args) const;
    QString leaderNode() const;
    // GET `path` from the node's operations endpoint: status line to body.
    QByteArray httpGet(const QString &node, const QByteArray &path) const;
    QString nodeOf(const TestClient &client) const { return client.welcome().node; }
    // A client that resumes `token` through the load balancer.
    std::unique_ptr<TestClient> resumeThroughBalancer(const QString &token,
                                                      std::optional<Resumed> *resumed);
    // Two clients on the given nodes joined at the same spot and matched.
    // With `loginA`, A registers that account on its node first.
    bool pairUp(const QString &nodeA, const QString &nodeB, double lat, double lon,
                std::unique_ptr<TestClient> &a, std::unique_ptr<TestClient> &b,
                const QString &loginA = {});
    // The client is still logged in: after leaving its pair, `logout`
    // answers `logged_out` (a guest would get an error).
    static bool stillLoggedIn(TestClient &c);
    // A fresh connection to `node` logged in as `name` (registered on
    // first use), waiting at lat/lon.
    std::unique_ptr<TestClient> accountWaitingAt(const QString &node, const QString &name,
                                                 bool registerFirst, double lat, double lon);
    // `count` messages with ids each way; each arrives once, in order, and
    // its sender hears `delivered` for every one.
    void chatBothWays(TestClient &a, TestClient &b, int count, const QString &tag);
    void killNode(const QString &name);

    ClusterRig m_rig;
    QUrl m_chat;
    QMap<QString, QUrl> m_nodes; // live node name -> its own chat URL
    QString m_redisPort;
};

qint64 TestClusterChat::pidOf(const QString &name) const {
    return m_rig.pidOf(name);
}

QByteArray TestClusterChat::redis(const QStringList &args) const {
    QProcess cli;
    cli.start(QStringLiteral("redis-cli"),
              QStringList{QStringLiteral("-h"), QStringLiteral("127.0.0.1"), QStringLiteral("-p"),
                          m_redisPort} +
                  args);
    cli.waitForFinished(5000);
    return cli.readAllStandardOutput().trimmed();
}

QString TestClusterChat::leaderNode() const {
    const QByteArray token = redis({QStringLiteral("GET"), QStringLiteral("whisper:leader")});
    return QString::fromUtf8(token.mid(token.indexOf(':') + 1));
}

void TestClusterChat::initTestCase() {
    // Registrations are never rate-exempt; this suite makes a few accounts.
    QVERIFY2(m_rig.up({QStringLiteral("--rate-exempt"), QStringLiteral("127.0.0.1"),
                       QStringLiteral("--rate-register-burst"), QStringLiteral("20"),
                       QStringLiteral("--tick-ms"), QString::number(kTickMs),
                       QStringLiteral("--leader-lease-ms"), QString::number(kLeaseMs),
                       QStringLiteral("--node-ttl-ms"), QString::number(kNodeTtlMs)},
                      4),
             qPrintable(m_rig.error()));
    m_chat = m_rig.chat();
    m_nodes = m_rig.nodes();
    m_redisPort = m_rig.redisPort();
    // One node leads within a lease period of starting.
    QTRY_VERIFY_WITH_TIMEOUT(m_nodes.contains(leaderNode()), 3 * kLeaseMs);
}

void TestClusterChat::cleanupTestCase() {
    m_rig.down();
}

bool TestClusterChat::pairUp(const QString &nodeA, const QString &nodeB, double lat, double lon,
                             std::unique_ptr<TestClient> &a, std::unique_ptr<TestClient> &b,
                             const QString &loginA) {
    if (loginA.isEmpty()) {
        a = TestClient::waitingAt(m_nodes.value(nodeA), lat, lon, 5);
    } else {
        a = std::make_unique<TestClient>();
        if (!a->connectTo(m_nodes.value(nodeA)))
            return false;
        a->send(Register{loginA, QStringLiteral("correct horse battery staple")});
        if (!a->waitFor<Authenticated>(10000))
            return false;
        a->send(Join{lat, lon, 5});
        if (!a->waitFor<Waiting>())
            return false;
    }
    b = TestClient::waitingAt(m_nodes.value(nodeB), lat, lon, 5);
    if (!a || !b || nodeOf(*a) != nodeA || nodeOf(*b) != nodeB)
        return false;
    const auto ma = a->waitFor<Matched>(5000);
    const auto mb = b->waitFor<Matched>(5000);
    return ma && mb && ma->pair == mb->pair;
}

std::unique_ptr<TestClient> TestClusterChat::accountWaitingAt(const QString &node,
                                                              const QString &name,
                                                              bool registerFirst, double lat,
                                                              double lon) {
    auto c = std::make_unique<TestClient>();
    if (!c->connectTo(m_nodes.value(node)))
        return nullptr;
    const QString password = QStringLiteral("correct horse battery staple");
    if (registerFirst)
        c->send(Register{name, password});
    else
        c->send(Login{name, password, std::nullopt});
    if (!c->waitFor<Authenticated>(10000))
        return nullptr;
    c->send(Join{lat, lon, 5});
    if (!c->waitFor<Waiting>())
        return nullptr;
    return c;
}

bool TestClusterChat::stillLoggedIn(TestClient &c) {
    c.send(Leave{});
    if (!c.waitFor<Left>())
        return false;
    c.send(Logout{});
    const auto out = c.waitFor<LoggedOut>();
    return out && !out->reason;
}

std::unique_ptr<TestClient>
TestClusterChat::resumeThroughBalancer(const QString &token, std::optional<Resumed> *resumed) {
    auto client = std::make_unique<TestClient>();
    if (!client->connectTo(m_chat))
        return nullptr;
    client->send(ResumeSession{token});
    *resumed = client->waitFor<Resumed>(5000);
    return client;
}

void TestClusterChat::chatBothWays(TestClient &a, TestClient &b, int count, const QString &tag) {
    TestClient *sides[] = {&a, &b};
    for (int dir = 0; dir < 2; ++dir) {
        TestClient &from = *sides[dir];
        TestClient &to = *sides[1 - dir];
        for (int i = 0; i < count; ++i)
            from.send(SendMessage{QStringLiteral("%1 %2 %3").arg(tag).arg(dir).arg(i),
                                  QStringLiteral("%1-%2-%3").arg(tag).arg(dir).arg(i)});
        for (int i = 0; i < count; ++i) {
            const auto got = to.waitFor<IncomingMessage>();
            QVERIFY2(got, qPrintable(QStringLiteral("message %1 of %2 missing").arg(i).arg(tag)));
            QCOMPARE(got->text, QStringLiteral("%1 %2 %3").arg(tag).arg(dir).arg(i));
        }
        for (int i = 0; i < count; ++i) {
            const auto ack = from.waitFor<Delivered>();
            QVERIFY(ack);
            QCOMPARE(ack->id, QStringLiteral("%1-%2-%3").arg(tag).arg(dir).arg(i));
        }
        QVERIFY(to.staysWithout<IncomingMessage>(100)); // none twice
    }
}

void TestClusterChat::killNode(const QString &name) {
    const qint64 pid = pidOf(name);
    QVERIFY(pid > 0);
    QCOMPARE(::kill(pid_t(pid), SIGKILL), 0);
    m_nodes.remove(name);
}

QByteArray TestClusterChat::httpGet(const QString &node, const QByteArray &path) const {
    return m_rig.httpGet(node, path);
}

void TestClusterChat::metricsNameOneLeader() {
    // Each node's operations endpoint says whether it leads and how far
    // Redis is; exactly one node leads.
    int leaders = 0;
    for (const QString &name : m_nodes.keys()) {
        QByteArray body;
        // The round trip appears with the node's first PING (once a second).
        QTRY_VERIFY_WITH_TIMEOUT((body = httpGet(name, "/metrics"))
                                     .contains("\nwhisperchat_cluster_redis_roundtrip_seconds "),
                                 5000);
        QVERIFY2(body.contains("\nwhisperchat_cluster_redis_up 1"), body.constData());
        QVERIFY(body.contains("\nwhisperchat_cluster_redis_roundtrip_seconds "));
        const bool leads = body.contains("\nwhisperchat_cluster_leader 1");
        QVERIFY(leads || body.contains("\nwhisperchat_cluster_leader 0"));
        QCOMPARE(leads, name == leaderNode());
        leaders += leads;
        const QByteArray ready = httpGet(name, "/readyz");
        QVERIFY2(ready.startsWith("HTTP/1.1 200") && ready.endsWith("ready\n"), ready.constData());
    }
    QCOMPARE(leaders, 1);
}

void TestClusterChat::matchedAcrossNodesAndChatInOrder() {
    std::unique_ptr<TestClient> a, b;
    QVERIFY(pairUp(QStringLiteral("node1"), QStringLiteral("node2"), 10.0, 10.0, a, b));
    chatBothWays(*a, *b, 50, QStringLiteral("cross"));
    // Typing and leaving cross too.
    a->send(Typing{true});
    const auto typing = b->waitFor<PartnerTyping>();
    QVERIFY(typing && typing->active);
    a->send(Leave{});
    QVERIFY(a->waitFor<Left>());
    const auto left = b->waitFor<PartnerLeft>();
    QVERIFY(left);
    QVERIFY(left->reason == LeftReason::Left);
    // A message after the pair ended is refused, not delivered.
    b->send(SendMessage{QStringLiteral("late"), QStringLiteral("late-1")});
    const auto refused = b->waitFor<Error>();
    QVERIFY(refused);
    QVERIFY(refused->code == ErrorCode::Conflict);
}

void TestClusterChat::sixHundredJoinAtOnce() {
    // Everyone at one spot with a range that covers it: every pair is
    // eligible, so all 600 are matched, each exactly once.
    constexpr int kClients = 600;
    const QStringList nodes{QStringLiteral("node1"), QStringLiteral("node2"),
                            QStringLiteral("node3")};
    std::vector<std::unique_ptr<TestClient>> clients;
    for (int i = 0; i < kClients; ++i) {
        auto c = std::make_unique<TestClient>();
        QVERIFY(c->connectTo(m_nodes.value(nodes[i % nodes.size()])));
        clients.push_back(std::move(c));
    }
    QElapsedTimer sinceJoin;
    sinceJoin.start();
    for (auto &c : clients)
        c->send(Join{-33.9, 18.4, 20});
    QHash<QString, int> membersOf;
    for (int i = 0; i < kClients; ++i) {
        const auto m = clients[i]->waitFor<Matched>(20000);
        QVERIFY2(m, qPrintable(QStringLiteral("client %1 was not matched").arg(i)));
        ++membersOf[m->pair];
    }
    // A few ticks after the last join, not a long wait.
    QVERIFY2(sinceJoin.elapsed() < 10000, qPrintable(QString::number(sinceJoin.elapsed())));
    QCOMPARE(membersOf.size(), kClients / 2);
    for (auto it = membersOf.cbegin(); it != membersOf.cend(); ++it)
        QCOMPARE(it.value(), 2);
    // Nobody gets a second pair in the ticks that follow.
    QTest::qWait(3 * kTickMs);
    for (auto &c : clients)
        QVERIFY(c->staysWithout<Matched>(0));
}

void TestClusterChat::recentPartnersFollowAccountsAcrossNodes() {
    // Two accounts chat across node1 and node2 and part; both come back
    // through nodes that never served their pair. They are not matched with
    // each other again (recent-partner-exclusion-s), but with a newcomer.
    const double lat = -40.0, lon = 100.0;
    auto x = accountWaitingAt(QStringLiteral("node1"), QStringLiteral("recentx"), true, lat, lon);
    auto y = accountWaitingAt(QStringLiteral("node2"), QStringLiteral("recenty"), true, lat, lon);
    QVERIFY(x && y);
    const auto mx = x->waitFor<Matched>(5000);
    QVERIFY(mx && y->waitFor<Matched>(5000));
    x->send(Leave{});
    QVERIFY(x->waitFor<Left>());
    QVERIFY(y->waitFor<PartnerLeft>());
    x.reset();
    y.reset();
    x = accountWaitingAt(QStringLiteral("node3"), QStringLiteral("recentx"), false, lat, lon);
    y = accountWaitingAt(QStringLiteral("node4"), QStringLiteral("recenty"), false, lat, lon);
    QVERIFY(x && y);
    // Ten ticks: long enough for the leader to have paired them.
    QVERIFY2(x->staysWithout<Matched>(10 * kTickMs), "recent partners matched again");
    QVERIFY(y->staysWithout<Matched>(0));
    auto z = TestClient::waitingAt(m_nodes.value(QStringLiteral("node1")), lat, lon, 5);
    QVERIFY(z);
    const auto mz = z->waitFor<Matched>(5000);
    QVERIFY(mz);
    // The one who waited longest (x) gets the newcomer, or the nearest;
    // either way one of the two, and y still waits.
    const auto withX = x->waitFor<Matched>(2000);
    QVERIFY(withX);
    QCOMPARE(withX->pair, mz->pair);
    QVERIFY(y->staysWithout<Matched>(5 * kTickMs));
}

void TestClusterChat::drainedNodeClientResumesElsewhere() {
    // node4 never leads here (node1 started first and holds the lease).
    const QString drained = QStringLiteral("node4");
    QVERIFY(leaderNode() != drained);
    std::unique_ptr<TestClient> mover, stayer;
    QVERIFY(pairUp(drained, QStringLiteral("node1"), 15.0, 15.0, mover, stayer,
                   QStringLiteral("mover")));
    const QString token = mover->welcome().resumeToken.value_or(QString());
    QVERIFY(!token.isEmpty());
    QCOMPARE(::kill(pid_t(pidOf(drained)), SIGTERM), 0);
    const auto notice = mover->waitFor<Notice>(5000);
    QVERIFY(notice);
    QCOMPARE(notice->kind.value_or(QString()), QStringLiteral("server_draining"));
    // Through the balancer, new clients land on the other nodes only: the
    // draining node answers the proxy's upgrades with 503 and nginx moves on.
    for (int i = 0; i < 8; ++i) {
        TestClient fresh;
        QVERIFY(fresh.connectTo(m_chat));
        QVERIFY2(nodeOf(fresh) != drained, "the balancer placed a client on a draining node");
    }
    // The draining node is still a member: nobody takes it for dead (the
    // node check runs every second).
    QVERIFY(stayer->staysWithout<PartnerAway>(2500));
    // The stayer writes while the mover moves; the mover's old connection
    // is still open (the grace period runs).
    stayer->send(SendMessage{QStringLiteral("while you move"), QStringLiteral("move-1")});
    QVERIFY(mover->waitFor<IncomingMessage>());
    std::optional<Resumed> resumed;
    auto moved = resumeThroughBalancer(token, &resumed);
    QVERIFY(moved);
    QVERIFY2(resumed, "the drained node's client did not resume through the balancer");
    QCOMPARE(resumed->state, QStringLiteral("paired"));
    QVERIFY(nodeOf(*moved) != drained);
    QVERIFY(!resumed->resumeToken.isEmpty());
    // The stayer heard nothing of partner_left; the pair chats on.
    QVERIFY(stayer->waitFor<Delivered>());
    chatBothWays(*moved, *stayer, 10, QStringLiteral("moved"));
    QVERIFY(stayer->staysWithout<PartnerLeft>(0));
    m_nodes.remove(drained);
    QTRY_VERIFY_WITH_TIMEOUT(::kill(pid_t(pidOf(drained)), 0) != 0, 30000);
    QVERIFY(stayer->staysWithout<PartnerLeft>(0));
    // It moved logged in, as a resume on the same node would have left it.
    QVERIFY2(stillLoggedIn(*moved), "the login did not move with the session");
}

void TestClusterChat::killedNodeTellsPartnersOnOtherNodes() {
    const QString leader = leaderNode();
    QStringList others;
    for (const QString &n : m_nodes.keys())
        if (n != leader)
            others.append(n);
    QCOMPARE(others.size(), 2);
    const QString victim = others[0];
    const QString survivor = others[1];
    // Two pairs span the victim and the leader's node: one victim client
    // resumes on its partner's node, the other on a third node. A pair of
    // the two survivors keeps chatting.
    std::unique_ptr<TestClient> onVictim[2], partner[2], keepA, keepB;
    QVERIFY(pairUp(victim, leader, 20.0, 20.0, onVictim[0], partner[0], QStringLiteral("victim0")));
    QVERIFY(pairUp(victim, leader, 25.0, 25.0, onVictim[1], partner[1]));
    QVERIFY(pairUp(survivor, leader, 21.0, 21.0, keepA, keepB));
    // A logged-in victim client whose login ends while it is away.
    std::unique_ptr<TestClient> ended, endedPartner;
    QVERIFY(pairUp(victim, leader, 30.0, 30.0, ended, endedPartner, QStringLiteral("ended")));
    const QString endedToken = ended->welcome().resumeToken.value_or(QString());
    chatBothWays(*keepA, *keepB, 10, QStringLiteral("before"));
    QString token[2];
    for (int k = 0; k < 2; ++k) {
        token[k] = onVictim[k]->welcome().resumeToken.value_or(QString());
        QVERIFY(!token[k].isEmpty());
    }

    QElapsedTimer sinceKill;
    sinceKill.start();
    killNode(victim);
    for (int k = 0; k < 2; ++k) {
        const auto away = partner[k]->waitFor<PartnerAway>(10000);
        QVERIFY2(away, "the partner of a killed node's client was not told within 10 s");
        QVERIFY(sinceKill.elapsed() <= 10000);
        QVERIFY(partner[k]->staysWithout<PartnerLeft>(0));
    }
    qInfo() << "partner_away" << sinceKill.elapsed() << "ms after kill -9";
    chatBothWays(*keepA, *keepB, 10, QStringLiteral("after"));

    // Written while the partners are away: held, delivered once back.
    for (int k = 0; k < 2; ++k)
        for (int i = 0; i < 3; ++i)
            partner[k]->send(SendMessage{QStringLiteral("held %1").arg(i),
                                         QStringLiteral("held-%1-%2").arg(k).arg(i)});
    QVERIFY(partner[1]->staysWithout<Delivered>(200));

    // The killed node's clients come back and resume their chats: one on
    // its partner's node, one on a third node, one through the balancer.
    const QString resumeOn[2] = {leader, survivor};
    for (int k = 0; k < 2; ++k) {
        QVERIFY(onVictim[k]->waitForDisconnected(5000));
        auto back = std::make_unique<TestClient>();
        QVERIFY(back->connectTo(m_nodes.value(resumeOn[k])));
        back->send(ResumeSession{token[k]});
        const auto resumed = back->waitFor<Resumed>();
        QVERIFY2(resumed, "the killed node's client did not resume on another node");
        QCOMPARE(resumed->state, QStringLiteral("paired"));
        QVERIFY(partner[k]->waitFor<PartnerBack>());
        for (int i = 0; i < 3; ++i) {
            const auto got = back->waitFor<IncomingMessage>();
            QVERIFY(got);
            QCOMPARE(got->text, QStringLiteral("held %1").arg(i));
            const auto ack = partner[k]->waitFor<Delivered>();
            QVERIFY(ack);
            QCOMPARE(ack->id, QStringLiteral("held-%1-%2").arg(k).arg(i));
        }
        chatBothWays(*back, *partner[k], 10, QStringLiteral("resumed %1").arg(k));
        QVERIFY(partner[k]->staysWithout<PartnerLeft>(0));
        // A used token is spent everywhere.
        std::optional<Resumed> again;
        auto replay = resumeThroughBalancer(token[k], &again);
        QVERIFY(replay);
        QVERIFY(!again);
        const auto refused = replay->waitFor<Error>();
        QVERIFY(refused && refused->code == ErrorCode::NotFound);
        if (k == 0)
            QVERIFY2(stillLoggedIn(*back), "the login did not move with the session");
    }

    // The account logs out everywhere while its client is away: the client
    // resumes, hears that its login ended, and its pair ends at once.
    QVERIFY(endedPartner->waitFor<PartnerAway>(10000));
    TestClient other;
    QVERIFY(other.connectTo(m_nodes.value(survivor)));
    other.send(Login{QStringLiteral("ended"), QStringLiteral("correct horse battery staple"),
                     std::nullopt});
    QVERIFY(other.waitFor<Authenticated>(10000));
    other.send(Logout{true});
    QVERIFY(other.waitFor<LoggedOut>());
    auto back = std::make_unique<TestClient>();
    QVERIFY(back->connectTo(m_nodes.value(survivor)));
    back->send(ResumeSession{endedToken});
    QVERIFY(back->waitFor<Resumed>());
    const auto out = back->waitFor<LoggedOut>();
    QVERIFY2(out, "a login that ended while away came back with the session");
    QCOMPARE(out->reason.value_or(QString()), QStringLiteral("session_ended"));
    QVERIFY(back->waitForDisconnected());
    const auto left = endedPartner->waitFor<PartnerLeft>(5000);
    QVERIFY(left);
}

void TestClusterChat::killedLeaderHandsMatchingOver() {
    const QString leader = leaderNode();
    QVERIFY(m_nodes.contains(leader));
    QStringList others = m_nodes.keys();
    others.removeAll(leader);
    QCOMPARE(others.size(), 1);
    QElapsedTimer sinceKill;
    sinceKill.start();
    killNode(leader);
    // Joined right after the kill: only a new leader can match them.
    auto a = TestClient::waitingAt(m_nodes.value(others[0]), 30.0, 30.0, 5);
    auto b = TestClient::waitingAt(m_nodes.value(others[0]), 30.0, 30.0, 5);
    QVERIFY(a && b);
    QVERIFY(a->waitFor<Matched>(2 * kLeaseMs + 2000));
    QVERIFY(b->waitFor<Matched>(1000));
    qInfo() << "matched" << sinceKill.elapsed() << "ms after the leader was killed; lease"
            << kLeaseMs << "ms";
    // Two lease periods, plus one tick and the time to connect and join.
    QVERIFY2(sinceKill.elapsed() <= 2 * kLeaseMs + kTickMs + 1000,
             qPrintable(QString::number(sinceKill.elapsed())));
    QCOMPARE(leaderNode(), others[0]);
}

void TestClusterChat::redisDownFailsJoinFastAndSameNodePairsChat() {
    QCOMPARE(m_nodes.size(), 1);
    const QString node = m_nodes.firstKey();
    std::unique_ptr<TestClient> a, b;
    QVERIFY(pairUp(node, node, 40.0, 40.0, a, b));

    const qint64 redisPid = pidOf(QStringLiteral("redis"));
    QVERIFY(redisPid > 0);
    QCOMPARE(::kill(pid_t(redisPid), SIGKILL), 0);
    QTRY_VERIFY_WITH_TIMEOUT(::kill(pid_t(redisPid), 0) != 0, 5000);

    // The node notices within its reply timeout; from then on a join is
    // refused at once instead of waiting in a room nobody matches.
    auto joiner = std::make_unique<TestClient>();
    QVERIFY(joiner->connectTo(m_nodes.value(node)));
    qint64 refusedInMs = -1;
    const auto joinRefused = [&] {
        QElapsedTimer answered;
        answered.start();
        joiner->send(Join{41.0, 41.0, 5});
        const auto reply = joiner->next(2000);
        if (reply && std::holds_alternative<Waiting>(*reply)) {
            joiner->send(Leave{});
            joiner->waitFor<Left>();
            return false;
        }
        const auto *e = reply ? std::get_if<Error>(&*reply) : nullptr;
        if (e && e->code == ErrorCode::Unavailable)
            refusedInMs = answered.elapsed();
        return e != nullptr;
    };
    QTRY_VERIFY_WITH_TIMEOUT(joinRefused(), 10000);
    const bool refused = refusedInMs >= 0 && refusedInMs < 1000;
    // Load balancers stop sending it clients meanwhile.
    const QByteArray notReady = httpGet(node, "/readyz");
    QVERIFY2(notReady.startsWith("HTTP/1.1 503") && notReady.endsWith("redis unreachable\n"),
             notReady.constData());
    QVERIFY2(refused, qPrintable(QStringLiteral("join not refused at once with redis-server down "
                                                "(%1 ms)")
                                     .arg(refusedInMs)));
    // The same-node pair chats on throughout.
    chatBothWays(*a, *b, 10, QStringLiteral("down"));

    // Back on the same port; the node reconnects with backoff and joins work.
    QCOMPARE(QProcess::execute(
                 QStringLiteral("redis-server"),
                 {QStringLiteral("--port"), m_redisPort, QStringLiteral("--bind"),
                  QStringLiteral("127.0.0.1"), QStringLiteral("--save"), QString(),
                  QStringLiteral("--appendonly"), QStringLiteral("no"), QStringLiteral("--dir"),
                  m_rig.stateDir() + QStringLiteral("/redis"), QStringLiteral("--daemonize"),
                  QStringLiteral("yes"), QStringLiteral("--pidfile"),
                  m_rig.stateDir() + QStringLiteral("/pids/redis.pid"), QStringLiteral("--logfile"),
                  m_rig.stateDir() + QStringLiteral("/logs/redis-again.log")}),
             0);
    std::unique_ptr<TestClient> c, d;
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            auto probe = std::make_unique<TestClient>();
            if (!probe->connectTo(m_nodes.value(node)))
                return false;
            probe->send(Join{42.0, 42.0, 5});
            const auto reply = probe->next(2000);
            return reply && std::holds_alternative<Waiting>(*reply);
        }(),
        15000);
    QTRY_VERIFY_WITH_TIMEOUT(httpGet(node, "/readyz").startsWith("HTTP/1.1 200"), 10000);
    QVERIFY(pairUp(node, node, 43.0, 43.0, c, d));
    chatBothWays(*c, *d, 5, QStringLiteral("again"));
    chatBothWays(*a, *b, 5, QStringLiteral("still"));

    // PostgreSQL stopping (fast shutdown) makes the node unready too.
    const qint64 pg = pidOf(QStringLiteral("postgres"));
    QVERIFY(pg > 0);
    QCOMPARE(::kill(pid_t(pg), SIGINT), 0);
    QTRY_VERIFY_WITH_TIMEOUT(httpGet(node, "/readyz").endsWith("database unreachable\n"), 10000);
}

QTEST_GUILESS_MAIN(TestClusterChat)
#include "tst_clusterchat.moc"
