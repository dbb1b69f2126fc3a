// SPDX-License-Identifier: MIT
// The in-process resume store and the resume record as a value: what a
// shared store (another node) would rely on.

#include "resumestore.h"

#include <QTest>

using namespace whisper;

class TestResumeStore : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void tokensAreRandomAndLong();
    void tokenIsSingleUseAndReplacedByTheNext();
    void tokenWithTheSameLookupKeyButOtherSecretIsRefused();
    void queueIsBoundedExceptForUnboundedFrames();
    void expiryAndForget();
    void recordRoundTripsThroughJson();
    void brokenJsonIsRefused();
};

void TestResumeStore::tokensAreRandomAndLong() {
    const QString a = newResumeToken();
    const QString b = newResumeToken();
    QCOMPARE(a.size(), 43); // 256 bits, base64url without padding
    QVERIFY(a != b);
}

void TestResumeStore::tokenIsSingleUseAndReplacedByTheNext() {
    InProcessResumeStore store;
    const QString first = newResumeToken();
    store.bindToken(7, first);
    const QString second = newResumeToken();
    store.bindToken(7, second); // the first dies
    QVERIFY(!store.redeem(first));
    QCOMPARE(store.redeem(second), std::optional<ClientId>(7));
    QVERIFY(!store.redeem(second));
    QVERIFY(!store.redeem(QString()));
}

void TestResumeStore::tokenWithTheSameLookupKeyButOtherSecretIsRefused() {
    InProcessResumeStore store;
    const QString token = newResumeToken();
    store.bindToken(3, token);
    QString forged = token;
    forged[forged.size() - 1] =
        forged.back() == QLatin1Char('A') ? QLatin1Char('B') : QLatin1Char('A');
    QVERIFY(!store.redeem(forged));
    QVERIFY(!store.redeem(token.left(16)));
    // A failed guess does not spend the real token.
    QCOMPARE(store.redeem(token), std::optional<ClientId>(3));
}

void TestResumeStore::queueIsBoundedExceptForUnboundedFrames() {
    InProcessResumeStore store;
    QCOMPARE(store.enqueue(1, QueuedFrame{"{}", 0, {}}, 2), ResumeStore::Enqueued::NotParked);
    ResumeRecord r;
    r.clientId = 1;
    store.park(r);
    QCOMPARE(store.enqueue(1, QueuedFrame{"a", 2, QStringLiteral("m1")}, 2),
             ResumeStore::Enqueued::Queued);
    QCOMPARE(store.enqueue(1, QueuedFrame{"b", 0, {}}, 2), ResumeStore::Enqueued::Queued);
    QCOMPARE(store.enqueue(1, QueuedFrame{"c", 0, {}}, 2), ResumeStore::Enqueued::Full);
    QCOMPARE(store.enqueue(1, QueuedFrame{"d", 0, {}}, -1), ResumeStore::Enqueued::Queued);
    const auto back = store.unpark(1);
    QVERIFY(back);
    QCOMPARE(back->queue.size(), 3);
    QCOMPARE(back->queue.at(0).frame, QByteArray("a"));
    QCOMPARE(back->queue.at(0).ackId, QStringLiteral("m1"));
    QCOMPARE(back->queue.at(2).frame, QByteArray("d"));
    QVERIFY(!store.isParked(1));
}

void TestResumeStore::expiryAndForget() {
    InProcessResumeStore store;
    ResumeRecord early, late;
    early.clientId = 1;
    early.expiresAtMs = 1000;
    late.clientId = 2;
    late.expiresAtMs = 5000;
    store.park(early);
    store.park(late);
    store.bindToken(1, newResumeToken());
    QCOMPARE(store.expired(999), QList<ClientId>());
    QCOMPARE(store.expired(1000), QList<ClientId>{1});
    store.forget(1);
    QCOMPARE(store.parkedCount(), 1);
    QCOMPARE(store.expired(6000), QList<ClientId>{2});
}

void TestResumeStore::recordRoundTripsThroughJson() {
    ResumeRecord r;
    r.clientId = 0xFFFFFFFFFFFFFFF0ull; // beyond a double's exact range
    r.identityKey = 0x8000000000000001ull;
    r.state = QStringLiteral("paired");
    r.pairId = QStringLiteral("Kq0dPx2mB9sA1c3e");
    r.partnerId = 42;
    r.partnerHandle = QStringLiteral("quiet-otter-42");
    r.distanceKm = 5;
    r.waitingSinceMs = 1795819768826;
    r.waitingLat = 52.5;
    r.waitingLon = 13.4;
    r.waitingRangeKm = 10;
    r.accountId = 9;
    r.loginTokenHash = QStringLiteral("ab12");
    r.expiresAtMs = 1795819788826;
    r.queue = {QueuedFrame{R"({"text":"hi \"there\"","ts":1,"type":"message"})", 42,
                           QStringLiteral("m-1")},
               QueuedFrame{R"({"type":"partner_left","reason":"left"})", 0, QString()}};
    r.recentIds = {QStringLiteral("a"), QStringLiteral("b")};
    r.recentIdsDelivered = {true, false};
    const auto back = ResumeRecord::fromJson(r.toJson());
    QVERIFY(back);
    QCOMPARE(*back, r);

    ResumeRecord guest;
    guest.clientId = 1;
    guest.state = QStringLiteral("lobby");
    const auto guestBack = ResumeRecord::fromJson(guest.toJson());
    QVERIFY(guestBack);
    QVERIFY(!guestBack->accountId);
    QCOMPARE(*guestBack, guest);
}

void TestResumeStore::brokenJsonIsRefused() {
    QVERIFY(!ResumeRecord::fromJson("not json"));
    QVERIFY(!ResumeRecord::fromJson("[]"));
    QVERIFY(!ResumeRecord::fromJson(R"({"client_id":"x"})"));
}

QTEST_GUILESS_MAIN(TestResumeStore)
#include "tst_resumestore.moc"
