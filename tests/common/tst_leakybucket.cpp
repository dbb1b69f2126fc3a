// SPDX-License-Identifier: MIT
#include "leakybucket.h"

#include <QTest>

using namespace whisper;

class TestLeakyBucket : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void burstThenRefuse_data();
    void burstThenRefuse();
    void drainsAtConstantRate();
    void lockoutAfterOverflow();
    void keysAreIndependent();
    void keyLimitBoundsMemory();
    void lockoutSurvivesPruning();
    void lockoutSurvivesPruningForANewKey();
};

void TestLeakyBucket::burstThenRefuse_data() {
    QTest::addColumn<int>("capacity");
    QTest::addColumn<qint64>("intervalMs");
    QTest::addRow("1 per second, burst 1") << 1 << qint64(1000);
    QTest::addRow("burst 5, 1 per 200 ms") << 5 << qint64(200);
    QTest::addRow("burst 20, 1 per 50 ms") << 20 << qint64(50);
}

void TestLeakyBucket::burstThenRefuse() {
    QFETCH(int, capacity);
    QFETCH(qint64, intervalMs);
    LeakyBucket bucket(LeakRate{capacity, intervalMs, 0});
    const qint64 t0 = 1000000;
    for (int i = 0; i < capacity; ++i)
        QCOMPARE(bucket.tryPour(t0), qint64(0));
    // Exactly at the edge: one more is refused, and the wait is one interval.
    QCOMPARE(bucket.tryPour(t0), intervalMs);
    QCOMPARE(bucket.tryPour(t0 + intervalMs - 1), qint64(1));
    QCOMPARE(bucket.tryPour(t0 + intervalMs), qint64(0));
    QVERIFY(bucket.tryPour(t0 + intervalMs) > 0);
}

void TestLeakyBucket::drainsAtConstantRate() {
    LeakyBucket bucket(LeakRate{3, 100, 0});
    qint64 t = 0;
    for (int i = 0; i < 3; ++i)
        QCOMPARE(bucket.tryPour(t), qint64(0));
    QCOMPARE(bucket.level(t), 3.0);
    QCOMPARE(bucket.level(t + 150), 1.5);
    QCOMPARE(bucket.level(t + 1000), 0.0);
    // Sustained: one per interval always fits.
    for (int i = 0; i < 50; ++i) {
        t += 100;
        QCOMPARE(bucket.tryPour(t), qint64(0));
    }
    // The burst was never given back: the bucket is still full.
    QCOMPARE(bucket.tryPour(t), qint64(100));
}

void TestLeakyBucket::lockoutAfterOverflow() {
    LeakyBucket bucket(LeakRate{2, 1000, 60000});
    QCOMPARE(bucket.tryPour(0), qint64(0));
    QCOMPARE(bucket.tryPour(0), qint64(0));
    QCOMPARE(bucket.tryPour(0), qint64(60000));
    // Draining does not help while locked.
    QCOMPARE(bucket.tryPour(30000), qint64(30000));
    QCOMPARE(bucket.tryPour(59999), qint64(1));
    QCOMPARE(bucket.tryPour(60000), qint64(0));
    QCOMPARE(bucket.tryPour(60000), qint64(0));
    QVERIFY(bucket.tryPour(60000) > 0);
}

void TestLeakyBucket::keysAreIndependent() {
    KeyedLeakyBuckets buckets(LeakRate{1, 1000, 5000});
    QCOMPARE(buckets.tryPour(QStringLiteral("alice"), 0), qint64(0));
    QCOMPARE(buckets.tryPour(QStringLiteral("alice"), 0), qint64(5000));
    QCOMPARE(buckets.tryPour(QStringLiteral("bob"), 0), qint64(0));
    buckets.reset(QStringLiteral("alice"));
    QCOMPARE(buckets.tryPour(QStringLiteral("alice"), 1), qint64(0));
    buckets.prune(100000);
    QCOMPARE(buckets.size(), 0);
}

void TestLeakyBucket::keyLimitBoundsMemory() {
    KeyedLeakyBuckets buckets(LeakRate{1, 1000, 0}, 3);
    for (int i = 0; i < 3; ++i)
        QCOMPARE(buckets.tryPour(QString::number(i), 0), qint64(0));
    QVERIFY(buckets.tryPour(QStringLiteral("new"), 0) > 0);
    QCOMPARE(buckets.size(), 3);
    // Once old buckets drained they are pruned and new keys fit again.
    QCOMPARE(buckets.tryPour(QStringLiteral("new"), 5000), qint64(0));
    QCOMPARE(buckets.size(), 1);
}

// The server prunes its buckets at least once a minute. A locked key has an
// empty bucket (the lockout replaced the wait), so pruning it would turn a
// 15-minute lockout into at most one pruning interval.
void TestLeakyBucket::lockoutSurvivesPruning() {
    constexpr qint64 kLockoutMs = 900000;
    constexpr qint64 kPruneEveryMs = 60000;
    KeyedLeakyBuckets buckets(LeakRate{2, 1000, kLockoutMs});
    const QString key = QStringLiteral("alice");
    QCOMPARE(buckets.tryPour(key, 0), qint64(0));
    QCOMPARE(buckets.tryPour(key, 0), qint64(0));
    QCOMPARE(buckets.tryPour(key, 0), kLockoutMs);
    for (qint64 t = kPruneEveryMs; t < kLockoutMs; t += kPruneEveryMs) {
        buckets.prune(t);
        QCOMPARE(buckets.size(), 1);
        QCOMPARE(buckets.tryPour(key, t), kLockoutMs - t);
    }
    buckets.prune(kLockoutMs - 1);
    QCOMPARE(buckets.tryPour(key, kLockoutMs - 1), qint64(1));
    // Once the lockout is over the key is idle and goes like any other.
    buckets.prune(kLockoutMs);
    QCOMPARE(buckets.size(), 0);
    QCOMPARE(buckets.tryPour(key, kLockoutMs), qint64(0));
}

// The other pruning path: a new key arriving at the key limit prunes first.
// A flood of fresh keys must not make room by forgetting a lockout.
void TestLeakyBucket::lockoutSurvivesPruningForANewKey() {
    KeyedLeakyBuckets buckets(LeakRate{1, 1000, 900000}, 2);
    const QString key = QStringLiteral("alice");
    QCOMPARE(buckets.tryPour(key, 0), qint64(0));
    QCOMPARE(buckets.tryPour(key, 0), qint64(900000));
    QCOMPARE(buckets.tryPour(QStringLiteral("other"), 0), qint64(0));
    // "other" has drained by now; "alice" is still locked.
    QCOMPARE(buckets.tryPour(QStringLiteral("flood"), 120000), qint64(0));
    QCOMPARE(buckets.size(), 2);
    QCOMPARE(buckets.tryPour(key, 120000), qint64(780000));
}

QTEST_GUILESS_MAIN(TestLeakyBucket)
#include "tst_leakybucket.moc"
