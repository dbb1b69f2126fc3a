// SPDX-License-Identifier: MIT
// Matchmaker: the QObject that runs MatchEngine ticks on a worker thread and
// applies their results on its own thread. Ticks are held open through the
// worker hook (a semaphore), so arrivals and departures "during a tick" are
// deterministic rather than a race against the clock.

#include "matchmaker.h"
#include "waitingroom.h"

#include <QRegularExpression>
#include <QSemaphore>
#include <QSet>
#include <QSignalSpy>
#include <QTest>
#include <QThread>

#include <atomic>

using namespace whisper;

namespace {

WaitingEntry entry(ClientId id, double lat, double lon, double rangeKm = 10.0) {
    WaitingEntry e;
    e.candidate.id = id;
    e.candidate.pos = {lat, lon};
    e.candidate.rangeKm = rangeKm;
    e.candidate.identityKey = 5000 + id;
    return e;
}

// Holds every tick on the worker until released; releases whatever is still
// held when the test ends, so the matchmaker's destructor can join.
struct TickGate {
    QSemaphore entered;
    QSemaphore open;
    ~TickGate() { open.release(1000); }
    std::function<void()> hook() {
        return [this] {
            entered.release();
            open.acquire();
        };
    }
    bool waitUntilHeld() { return entered.tryAcquire(1, 10000); }
};

// A matchmaker over an in-process room, at a time the test sets, with spies on
// its signals. `gated`: every tick is held on the worker until released. The
// gate is declared after the matchmaker so it opens before the matchmaker
// waits for its worker on destruction.
struct Rig {
    explicit Rig(bool gated = false, int intervalMs = 1000)
        : mm(room, MatchPolicy::NearestEligible, intervalMs, [this] { return now; }) {
        if (gated)
            mm.setWorkerHookForTest(gate.hook());
    }
    qint64 now = 0;
    InProcessWaitingRoom room;
    Matchmaker mm;
    TickGate gate;
    QSignalSpy matched{&mm, &Matchmaker::matched};
    QSignalSpy finished{&mm, &Matchmaker::tickFinished};
};

} // namespace

class TestMatchmaker : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { qRegisterMetaType<whisper::ClientId>("whisper::ClientId"); }
    void tickAnnouncesPairs();
    void ticksNeverOverlap();
    void timerTicksNeverOverlap();
    void arrivalsDuringTickWaitForNextTick();
    void leaverDuringTickIsNeverAnnounced();
    void rejoinDuringTickIsNotPairedOnStaleData();
    void injectedEntriesAreNeverAnnounced();
    void exclusionExpiryUsesTheClock();
    void failedTickRebuildsTheEngineAndGoesOn();
};

void TestMatchmaker::tickAnnouncesPairs() {
    Rig rig;
    auto &[now, room, mm, gate, matched, finished] = rig;
    room.enter(entry(1, 0.0, 0.0));
    room.enter(entry(2, 0.0, 0.01));
    room.enter(entry(3, 40.0, 0.0));
    QVERIFY(mm.tick());
    QTRY_COMPARE(finished.count(), 1);
    QCOMPARE(matched.count(), 1);
    QCOMPARE(matched[0][0].value<ClientId>(), ClientId(1));
    QCOMPARE(matched[0][1].value<ClientId>(), ClientId(2));
    QVERIFY(std::abs(matched[0][2].toDouble() - 1.11) < 0.01);
    QCOMPARE(finished[0][1].toInt(), 1);
    // Matched clients leave the waiting room; the other keeps waiting.
    QVERIFY(!room.contains(1));
    QVERIFY(!room.contains(2));
    QVERIFY(room.contains(3));
    QVERIFY(!mm.isTicking());
}

void TestMatchmaker::ticksNeverOverlap() {
    Rig rig(/*gated=*/true);
    auto &[now, room, mm, gate, matched, finished] = rig;
    QVERIFY(mm.tick());
    QVERIFY(gate.waitUntilHeld());
    QVERIFY(mm.isTicking());
    QVERIFY(!mm.tick()); // refused while one runs
    QVERIFY(!mm.tick());
    gate.open.release();
    QTRY_COMPARE(finished.count(), 1);
    QVERIFY(!mm.isTicking());
    QVERIFY(mm.tick());
    QVERIFY(gate.waitUntilHeld());
    gate.open.release();
    QTRY_COMPARE(finished.count(), 2);
}

void TestMatchmaker::timerTicksNeverOverlap() {
    Rig rig(/*gated=*/false, /*intervalMs=*/1);
    auto &[now, room, mm, gate, matched, finished] = rig;
    std::atomic<int> inside{0};
    std::atomic<int> maxInside{0};
    std::atomic<int> ticks{0};
    mm.setWorkerHookForTest([&] {
        const int concurrent = ++inside;
        maxInside = std::max(maxInside.load(), concurrent);
        QThread::msleep(5); // a tick longer than the 1 ms interval
        --inside;
        ++ticks;
    });
    for (ClientId id = 1; id <= 200; ++id)
        room.enter(entry(id, id * 0.5, 0.0, 1.0));
    mm.start();
    QTRY_VERIFY_WITH_TIMEOUT(ticks >= 20, 20000);
    mm.stop();
    QTRY_VERIFY(!mm.isTicking());
    QCOMPARE(maxInside.load(), 1);
}

void TestMatchmaker::arrivalsDuringTickWaitForNextTick() {
    Rig rig(/*gated=*/true);
    auto &[now, room, mm, gate, matched, finished] = rig;
    room.enter(entry(1, 0.0, 0.0, 0.5));
    QVERIFY(mm.tick());
    QVERIFY(gate.waitUntilHeld());
    room.enter(entry(2, 0.0, 0.001));
    room.enter(entry(3, 0.0, 0.002));
    room.remove(2);
    room.enter(entry(4, 0.0, 0.003));
    QCOMPARE(mm.queuedCount(), 4u);
    gate.open.release();
    QTRY_COMPARE(finished.count(), 1);
    QCOMPARE(matched.count(), 0); // they were not in the tick's snapshot
    QCOMPARE(mm.queuedCount(), 0u);
    gate.open.release(); // let the next tick run freely
    QVERIFY(mm.tick());
    QTRY_COMPARE(finished.count(), 2);
    QCOMPARE(matched.count(), 1);
    // 1 is a leftover, so 3 (the first new arrival) is served and gets its
    // nearest eligible: 4 at 0.11 km rather than 1 at 0.22 km.
    QCOMPARE(matched[0][0].value<ClientId>(), ClientId(3));
    QCOMPARE(matched[0][1].value<ClientId>(), ClientId(4));
    QVERIFY(room.contains(1));
    QVERIFY(!room.contains(2));
}

void TestMatchmaker::leaverDuringTickIsNeverAnnounced() {
    Rig rig(/*gated=*/true);
    auto &[now, room, mm, gate, matched, finished] = rig;
    room.enter(entry(1, 0.0, 0.0));
    room.enter(entry(2, 0.0, 0.01));
    QVERIFY(mm.tick());
    QVERIFY(gate.waitUntilHeld());
    room.remove(1); // 1 leaves while the worker pairs it with 2
    gate.open.release();
    QTRY_COMPARE(finished.count(), 1);
    QCOMPARE(matched.count(), 0);
    QCOMPARE(finished[0][1].toInt(), 0);
    QVERIFY(room.contains(2));

    // 2 keeps waiting and is matched with the next one to come by.
    gate.open.release(10);
    room.enter(entry(3, 0.0, 0.02));
    QVERIFY(mm.tick());
    QTRY_COMPARE(finished.count(), 2);
    QCOMPARE(matched.count(), 1);
    QCOMPARE(matched[0][0].value<ClientId>(), ClientId(2)); // kept its place
    QCOMPARE(matched[0][1].value<ClientId>(), ClientId(3));
}

void TestMatchmaker::rejoinDuringTickIsNotPairedOnStaleData() {
    Rig rig(/*gated=*/true);
    auto &[now, room, mm, gate, matched, finished] = rig;
    room.enter(entry(1, 0.0, 0.0));
    room.enter(entry(2, 0.0, 0.01));
    QVERIFY(mm.tick());
    QVERIFY(gate.waitUntilHeld());
    // 1 leaves and joins again from another continent during the tick.
    room.remove(1);
    room.enter(entry(1, 45.0, 90.0));
    gate.open.release(10);
    QTRY_COMPARE(finished.count(), 1);
    QCOMPARE(matched.count(), 0);
    QVERIFY(mm.tick());
    QTRY_COMPARE(finished.count(), 2);
    QCOMPARE(matched.count(), 0); // 2000+ km apart now
    QVERIFY(room.contains(1));
    QVERIFY(room.contains(2));
}

void TestMatchmaker::injectedEntriesAreNeverAnnounced() {
    Rig rig;
    auto &[now, room, mm, gate, matched, finished] = rig;
    for (ClientId id = 100; id < 110; ++id)
        mm.injectForTest(entry(id, 0.0, 0.0).candidate);
    room.enter(entry(1, 50.0, 0.0));
    room.enter(entry(2, 50.0, 0.01));
    QVERIFY(mm.tick());
    QTRY_COMPARE(finished.count(), 1);
    QCOMPARE(matched.count(), 1);
    QCOMPARE(matched[0][0].value<ClientId>(), ClientId(1));
}

void TestMatchmaker::exclusionExpiryUsesTheClock() {
    Rig rig;
    auto &[now, room, mm, gate, matched, finished] = rig;
    now = 1000;
    WaitingEntry a = entry(1, 0.0, 0.0);
    a.candidate.excludes.push_back({5002, 5000}); // just left 2
    room.enter(a);
    room.enter(entry(2, 0.0, 0.01));
    QVERIFY(mm.tick());
    QTRY_COMPARE(finished.count(), 1);
    QCOMPARE(matched.count(), 0);
    now = 5000;
    QVERIFY(mm.tick());
    QTRY_COMPARE(finished.count(), 2);
    QCOMPARE(matched.count(), 1);
}

// A tick that throws (memory exhaustion is the one thing the engine can
// throw) is caught, logged and counted; the engine is rebuilt from the
// waiting room, arrivals during the failed tick included, and the next tick
// matches as if nothing had happened.
void TestMatchmaker::failedTickRebuildsTheEngineAndGoesOn() {
    Rig rig;
    auto &[now, room, mm, gate, matched, finished] = rig;
    QSemaphore held;
    QSemaphore release;
    std::atomic<bool> fail{true};
    mm.setWorkerHookForTest([&] {
        if (!fail.exchange(false))
            return;
        held.release();
        release.acquire();
        throw std::bad_alloc();
    });
    room.enter(entry(1, 0.0, 0.0));
    room.enter(entry(2, 0.0, 0.01));
    QVERIFY(mm.tick());
    QVERIFY(held.tryAcquire(1, 10000));
    // Arrive and leave while the failing tick runs.
    room.enter(entry(3, 10.0, 0.0));
    room.enter(entry(4, 10.0, 0.01));
    room.enter(entry(5, 20.0, 0.0));
    room.remove(5);
    QTest::ignoreMessage(QtCriticalMsg, QRegularExpression("tick failed"));
    release.release();
    QTRY_COMPARE(finished.count(), 1);
    QCOMPARE(mm.failedTicks(), 1);
    QCOMPARE(matched.count(), 0);
    QCOMPARE(finished[0][1].toInt(), 0);
    QVERIFY(!mm.isTicking());
    QCOMPARE(mm.queuedCount(), 0u);

    QVERIFY(mm.tick());
    QTRY_COMPARE(finished.count(), 2);
    QCOMPARE(mm.failedTicks(), 1);
    QCOMPARE(matched.count(), 2);
    QSet<ClientId> paired;
    for (const QList<QVariant> &m : matched)
        paired << m[0].value<ClientId>() << m[1].value<ClientId>();
    QCOMPARE(paired, (QSet<ClientId>{1, 2, 3, 4}));
    QCOMPARE(room.count(), 0);
}

QTEST_MAIN(TestMatchmaker)
#include "tst_matchmaker.moc"
