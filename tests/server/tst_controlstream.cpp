// SPDX-License-Identifier: MIT
// The control stream: paged snapshots at the page-size limit, deltas bounded
// per frame, and a console's mirror converging to the server's real state
// after random joins, matches, messages, leaves, disconnects and kicks.

#include "chatserver.h"
#include "controlserver.h"
#include "testclient.h"
#include "tst_control_support.h"

#include <QRandomGenerator>
#include <QTest>

using namespace whisper;
using namespace whisper::control;
using whisper::test::FakeControlBackend;
using whisper::test::TestClient;
using whisper::test::TestConsole;

class TestControlStream : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();
    void snapshotPagesAtLimit();
    void deltaFramesAreBounded();
    void coarsensPositions();
    void convergesAfterRandomChurn();
    void manyWaitingStayWithinBandwidth();
    void messageCountsFollowPairsAcrossSlotReuse();

private:
    void start(int maxBatchItems, int tickMs = 20);
    std::unique_ptr<TestClient> join(double lat, double lon, double rangeKm);
    TestConsole *subscribedConsole();
    bool converged(const TestConsole &c) const;

    std::unique_ptr<ChatServer> m_chat;
    std::unique_ptr<FakeControlBackend> m_backend;
    std::unique_ptr<ControlServer> m_control;
    QList<TestConsole *> m_consoles;
};

void TestControlStream::init() {
    m_backend = std::make_unique<FakeControlBackend>();
    m_backend->addUser("mod", "pw", Role::Moderator);
}

void TestControlStream::cleanup() {
    qDeleteAll(m_consoles);
    m_consoles.clear();
    m_control.reset();
    m_chat.reset();
}

void TestControlStream::start(int maxBatchItems, int tickMs) {
    ServerConfig c;
    c.listenAddress = QStringLiteral("127.0.0.1");
    c.port = 0;
    c.tickMs = tickMs;
    c.recentPartnerExclusionSec = 0;
    m_chat = std::make_unique<ChatServer>(c);
    QVERIFY(m_chat->listen());
    ControlLimits limits;
    limits.batchMs = 50;
    limits.maxBatchItems = maxBatchItems;
    m_control = std::make_unique<ControlServer>(QStringLiteral("127.0.0.1"), 0, limits, *m_chat,
                                                *m_backend, QStringLiteral("test"));
    QVERIFY(m_control->listen());
}

std::unique_ptr<TestClient> TestControlStream::join(double lat, double lon, double rangeKm) {
    return TestClient::waitingAt(m_chat->url(), lat, lon, rangeKm);
}

TestConsole *TestControlStream::subscribedConsole() {
    auto *c = new TestConsole;
    m_consoles.append(c);
    if (!c->open(m_control->url()) || !c->login("mod", "pw") || !c->subscribe())
        return nullptr;
    return c;
}

bool TestControlStream::converged(const TestConsole &c) const {
    const ControlHub &hub = m_control->hub();
    return c.snapshotDone && c.waiting == hub.waiting() && c.pairs == hub.pairs() &&
           c.waiting.size() == m_chat->waitingCount() && c.pairs.size() == m_chat->pairCount();
}

void TestControlStream::snapshotPagesAtLimit() {
    start(2);
    std::vector<std::unique_ptr<TestClient>> clients;
    // Far apart with tiny ranges: nobody is matched.
    for (int i = 0; i < 5; ++i) {
        clients.push_back(join(-60 + 25 * i, 10 * i, 1));
        QVERIFY(clients.back());
    }
    TestConsole *c = subscribedConsole();
    QVERIFY(c);
    // Five records, two per page: pages of 2, 2 and 1, only the last says so.
    QCOMPARE(c->pages.size(), 3);
    QCOMPARE(c->pages[0].waiting.size(), 2);
    QCOMPARE(c->pages[1].waiting.size(), 2);
    QCOMPARE(c->pages[2].waiting.size(), 1);
    QVERIFY(!c->pages[0].last && !c->pages[1].last && c->pages[2].last);
    for (const Snapshot &p : std::as_const(c->pages))
        QCOMPARE(p.totalWaiting, 5);
    QCOMPARE(c->waiting.size(), 5);
    QVERIFY(converged(*c));
}

void TestControlStream::deltaFramesAreBounded() {
    start(3);
    TestConsole *c = subscribedConsole();
    QVERIFY(c);
    std::vector<std::unique_ptr<TestClient>> clients;
    for (int i = 0; i < 10; ++i) {
        clients.push_back(join(-60 + 12 * i, 5 * i, 1));
        QVERIFY(clients.back());
    }
    QTRY_VERIFY(converged(*c));
    // Ten additions at three records per frame: at least four frames, none
    // over the limit.
    int records = 0;
    for (const Delta &d : std::as_const(c->deltas)) {
        const int n = int(d.waitingAdded.size() + d.waitingRemoved.size() + d.pairsAdded.size() +
                          d.pairsRemoved.size() + d.pairMessages.size());
        QVERIFY(n <= 3);
        records += n;
    }
    QVERIFY(records >= 10);
}

void TestControlStream::coarsensPositions() {
    start(100);
    auto a = join(52.51234, 13.38765, 1);
    QVERIFY(a);
    TestConsole *c = subscribedConsole();
    QVERIFY(c);
    QCOMPARE(c->waiting.size(), 1);
    const WaitingClient w = c->waiting.values().first();
    QCOMPARE(w.lat, 52.5);
    QCOMPARE(w.lon, 13.4);
    QVERIFY(!w.account);
    // Ids are opaque: not the server's sequential client numbers.
    QVERIFY(w.id.size() > 4);
}

void TestControlStream::convergesAfterRandomChurn() {
    start(7); // small frames: backlogs carry over several batches
    QRandomGenerator rng(20261127);
    constexpr int kClients = 24;
    std::vector<std::unique_ptr<TestClient>> clients(kClients);
    // 0: lobby/unconnected, 1: waiting or paired (the server decides).
    TestConsole *early = subscribedConsole();
    QVERIFY(early);
    TestConsole *late = nullptr;

    for (int step = 0; step < 160; ++step) {
        const int i = rng.bounded(kClients);
        auto &client = clients[i];
        const int action = rng.bounded(10);
        if (!client || !client->isConnected()) {
            // In one small area so that many of them match.
            client = join(48 + rng.bounded(1.0), 11 + rng.bounded(1.0), 50 + rng.bounded(100));
            QVERIFY(client);
        } else if (action < 3) {
            client->send(protocol::Leave{});
        } else if (action < 5) {
            client->send(protocol::Join{48 + rng.bounded(1.0), 11 + rng.bounded(1.0), 80});
        } else if (action < 7) {
            client->send(protocol::SendMessage{QStringLiteral("hi"), std::nullopt});
        } else if (action == 7) {
            client->close();
        } else if (action == 8 && !early->pairs.isEmpty()) {
            const QString pair = early->pairs.keys().at(rng.bounded(int(early->pairs.size())));
            early->send(KickPair{0, pair});
        } else if (action == 9 && !early->waiting.isEmpty()) {
            const QString id = early->waiting.keys().at(rng.bounded(int(early->waiting.size())));
            early->send(Kick{0, id});
        }
        if (step == 80) {
            late = subscribedConsole();
            QVERIFY(late);
        }
        // Let some events through between steps, without fixed sleeps.
        if (step % 8 == 0)
            QTest::qWait(0);
    }
    // Two who certainly wait at the end (far from everyone, tiny ranges), so
    // the final state is never empty whatever the dice said.
    auto southPole = join(-89, -170, 1);
    auto northPole = join(89, 170, 1);
    QVERIFY(southPole && northPole);
    // Quiet now: both consoles must end up with exactly the server's state.
    QTRY_VERIFY_WITH_TIMEOUT(converged(*early), 10000);
    QTRY_VERIFY_WITH_TIMEOUT(converged(*late), 10000);
    QVERIFY(m_chat->waitingCount() >= 2);
    QCOMPARE(early->undecodable, 0);
    // Message counts only, never text, reach the console.
    for (const PairInfo &p : std::as_const(early->pairs))
        QCOMPARE(p.messages, m_control->hub().pairs().value(p.id).messages);
    QVERIFY(std::any_of(early->events.cbegin(), early->events.cend(),
                        [](const Event &e) { return e.kind == EventKind::Matched; }));
}

void TestControlStream::manyWaitingStayWithinBandwidth() {
    // 20,000 waiting entries put straight into the room (a test process
    // cannot open that many connections; the matchmaker is kept idle), then
    // 2,000 leave and 2,000 arrive at once. Every frame stays within the page
    // limit, however much changed.
    constexpr int kItems = 1000;
    start(kItems, 60000);
    auto &room = const_cast<WaitingRoom &>(m_chat->waitingRoom());
    QRandomGenerator rng(5);
    constexpr int kWaiting = 20000;
    for (int i = 0; i < kWaiting; ++i) {
        WaitingEntry e;
        e.candidate.id = ClientId(1000000 + i);
        e.candidate.pos = {rng.bounded(180.0) - 90, rng.bounded(360.0) - 180};
        e.candidate.rangeKm = 1 + rng.bounded(500.0);
        e.sinceMs = 1700000000000 + i;
        QVERIFY(room.enter(e));
    }
    TestConsole *c = subscribedConsole();
    QVERIFY(c);
    QCOMPARE(c->waiting.size(), kWaiting);
    QCOMPARE(c->pages.size(), kWaiting / kItems);
    // ~100 bytes per waiting client: one page is at most ~100 KiB.
    QVERIFY2(c->maxFrameBytes <= kItems * 110 + 512, qPrintable(QString::number(c->maxFrameBytes)));

    for (int i = 0; i < 2000; ++i)
        QVERIFY(room.remove(ClientId(1000000 + i)));
    for (int i = 0; i < 2000; ++i) {
        WaitingEntry e;
        e.candidate.id = ClientId(2000000 + i);
        e.candidate.pos = {10, 10};
        e.candidate.rangeKm = 1;
        QVERIFY(room.enter(e));
    }
    QTRY_VERIFY_WITH_TIMEOUT(converged(*c), 10000);
    int frames = 0;
    for (const Delta &d : std::as_const(c->deltas)) {
        const int n = int(d.waitingAdded.size() + d.waitingRemoved.size());
        QVERIFY(n <= kItems);
        frames += n > 0;
    }
    QVERIFY(frames >= 4); // 4,000 changes at 1,000 per frame
    QVERIFY2(c->maxFrameBytes <= kItems * 110 + 512, qPrintable(QString::number(c->maxFrameBytes)));
}

QTEST_GUILESS_MAIN(TestControlStream)
void TestControlStream::messageCountsFollowPairsAcrossSlotReuse() {
    // The hub counts relayed messages per pair in reused integer slots and
    // folds them into the pair records when they are read: counts stay with
    // their pair across slot reuse, and only pairs that got messages since
    // the last flush are listed as changed.
    start(100);
    // Flushed by hand below, so no timer takes the changes in between.
    m_control->close();
    ControlHub &hub = m_control->hub();
    using protocol::SendMessage;
    auto pairUp =
        [this](double lat) -> std::pair<std::unique_ptr<TestClient>, std::unique_ptr<TestClient>> {
        auto a = join(lat, 10.0, 5.0);
        auto b = join(lat, 10.001, 5.0);
        if (!a || !b || !a->waitFor<protocol::Matched>() || !b->waitFor<protocol::Matched>())
            return {};
        return {std::move(a), std::move(b)};
    };

    auto [a, b] = pairUp(10.0);
    QVERIFY(a && b);
    QTRY_COMPARE(hub.pairs().size(), 1);
    const QString first = hub.pairs().cbegin().key();
    hub.takeChanges();
    for (int i = 0; i < 3; ++i)
        a->send(SendMessage{QStringLiteral("hi"), std::nullopt});
    b->send(SendMessage{QStringLiteral("yo"), std::nullopt});
    QVERIFY(b->waitFor<protocol::IncomingMessage>());
    QVERIFY(a->waitFor<protocol::IncomingMessage>());
    QTRY_COMPARE(hub.pairs().value(first).messages, qint64(4));
    QCOMPARE(hub.takeChanges().pairsMessaged, QSet<QString>{first});
    QVERIFY(hub.takeChanges().pairsMessaged.isEmpty());

    a->send(protocol::Leave{});
    QVERIFY(b->waitFor<protocol::PartnerLeft>());
    QTRY_VERIFY(hub.pairs().isEmpty());
    const ControlChanges ended = hub.takeChanges();
    QVERIFY(ended.pairsRemoved.contains(first));
    QVERIFY(ended.pairsMessaged.isEmpty());

    // The next pair takes the freed slot and counts from zero.
    auto [c, d] = pairUp(20.0);
    QVERIFY(c && d);
    QTRY_COMPARE(hub.pairs().size(), 1);
    const QString second = hub.pairs().cbegin().key();
    QVERIFY(second != first);
    c->send(SendMessage{QStringLiteral("x"), std::nullopt});
    QVERIFY(d->waitFor<protocol::IncomingMessage>());
    QTRY_COMPARE(hub.pairs().value(second).messages, qint64(1));
    // Dropped changes (no console listening) keep the counts right.
    hub.discardChanges();
    d->send(SendMessage{QStringLiteral("y"), std::nullopt});
    QVERIFY(c->waitFor<protocol::IncomingMessage>());
    QTRY_COMPARE(hub.pairs().value(second).messages, qint64(2));
    QCOMPARE(hub.takeChanges().pairsMessaged, QSet<QString>{second});
    QVERIFY(hub.stats().messagesPerSecond > 0);
}

#include "tst_controlstream.moc"
