// SPDX-License-Identifier: MIT
// The cluster-wide login and registration buckets against a real
// redis-server: the Lua script counts as the in-memory bucket does, two
// nodes share one bucket, keys are hashed and expire when idle, a reset
// reaches every node, and while Redis is down the node counts in its own
// buckets.
#include "redisclient.h"
#include "redisprocess.h"
#include "sharedratelimits.h"

#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTest>

using namespace whisper;
using whisper::test::RedisProcess;

namespace {

constexpr qint64 kT0 = 1'765'000'000'000; // a wall-clock time in ms

// The answer of one pour, waiting on the event loop.
std::optional<qint64> pourAndWait(AttemptLimiter &limiter, const QList<AttemptPour> &pours,
                                  qint64 nowMs) {
    QFuture<qint64> f = limiter.pour(pours, nowMs);
    if (!QTest::qWaitFor([&] { return f.isFinished(); }, 5000) || f.resultCount() != 1)
        return std::nullopt;
    return f.result();
}

RedisEndpoint endpointOf(const RedisProcess &redis) {
    return *RedisEndpoint::parse(redis.url());
}

struct Node {
    explicit Node(const RedisProcess &redis)
        : client(endpointOf(redis), RedisClientOptions{2000, 3000, 50, 200})
        , limiter(client) {}
    bool start() {
        QSignalSpy connected(&client, &RedisClient::connected);
        client.start();
        return connected.wait(5000);
    }
    RedisClient client;
    SharedRateLimiter limiter;
};

} // namespace

class TestSharedRateLimits : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void countsAsTheLocalBucketDoes();
    void nodesShareOneBucket();
    void firstFullBucketStopsTheAttempt();
    void keysAreHashedAndExpireWhenIdle();
    void resetReachesEveryNode();
    void fallsBackToLocalBucketsWhileRedisIsDown();

private:
    RedisProcess m_redis;
};

void TestSharedRateLimits::initTestCase() {
    QVERIFY2(m_redis.start(), qPrintable(m_redis.errorString()));
}

void TestSharedRateLimits::countsAsTheLocalBucketDoes() {
    // The same random sequence of attempts, at the same times, through the
    // script and through LeakyBucket: the same answers, lockouts included.
    Node node(m_redis);
    QVERIFY(node.start());
    LocalAttemptLimiter local;
    QRandomGenerator rng(7);
    const LeakRate rates[] = {{3, 1000, 0}, {2, 500, 4000}, {5, 300, 0}};
    const QString keys[] = {QStringLiteral("a"), QStringLiteral("b")};
    qint64 now = kT0;
    int refused = 0, lockouts = 0;
    for (int i = 0; i < 200; ++i) {
        now += rng.bounded(250);
        const int r = rng.bounded(3);
        const QString key = keys[rng.bounded(2)];
        const QList<AttemptPour> pours{{QStringLiteral("same%1").arg(r), key, rates[r]}};
        const qint64 expected = local.pourNow(pours, now);
        const auto got = pourAndWait(node.limiter, pours, now);
        QVERIFY2(got, qPrintable(QString::number(i)));
        QVERIFY2(*got == expected, qPrintable(QStringLiteral("attempt %1 (bucket %2): %3, not %4")
                                                  .arg(i)
                                                  .arg(r)
                                                  .arg(*got)
                                                  .arg(expected)));
        refused += expected > 0;
        lockouts += expected == 4000;
    }
    // The sequence did exercise refusals and lockouts.
    QVERIFY2(refused > 20, qPrintable(QString::number(refused)));
    QVERIFY2(lockouts > 0, qPrintable(QString::number(lockouts)));
    QVERIFY(!node.limiter.isFallingBack());
}

void TestSharedRateLimits::nodesShareOneBucket() {
    Node a(m_redis), b(m_redis), c(m_redis);
    QVERIFY(a.start() && b.start() && c.start());
    // 6 attempts at once, then a lockout: 2 per node on three nodes.
    const QList<AttemptPour> pours{{QStringLiteral("share:user-ip"),
                                    QStringLiteral("victim|192.0.2.1"),
                                    LeakRate{6, 60000, 900000}}};
    Node *nodes[] = {&a, &b, &c};
    for (int i = 0; i < 6; ++i)
        QCOMPARE(pourAndWait(nodes[i % 3]->limiter, pours, kT0 + i), qint64(0));
    QCOMPARE(pourAndWait(a.limiter, pours, kT0 + 6), qint64(900000));
    QCOMPARE(pourAndWait(c.limiter, pours, kT0 + 7), qint64(899999));
}

void TestSharedRateLimits::firstFullBucketStopsTheAttempt() {
    Node node(m_redis);
    QVERIFY(node.start());
    const AttemptPour ip{QStringLiteral("first:ip"), QStringLiteral("192.0.2.9"),
                         LeakRate{2, 1000, 0}};
    auto user = [](const QString &name) {
        return AttemptPour{QStringLiteral("first:user"), name, LeakRate{10, 1000, 0}};
    };
    QCOMPARE(pourAndWait(node.limiter, {ip, user(QStringLiteral("x"))}, kT0), qint64(0));
    QCOMPARE(pourAndWait(node.limiter, {ip, user(QStringLiteral("y"))}, kT0), qint64(0));
    // The address is full: the name's bucket gets nothing.
    QCOMPARE(pourAndWait(node.limiter, {ip, user(QStringLiteral("z"))}, kT0), qint64(1000));
    QCOMPARE(m_redis.cli({QStringLiteral("EXISTS"),
                          QString::fromLatin1(SharedRateLimiter::redisKey(
                              QStringLiteral("first:user"), QStringLiteral("z")))}),
             QStringLiteral("0"));
    QCOMPARE(m_redis.cli({QStringLiteral("EXISTS"),
                          QString::fromLatin1(SharedRateLimiter::redisKey(
                              QStringLiteral("first:user"), QStringLiteral("y")))}),
             QStringLiteral("1"));
}

void TestSharedRateLimits::keysAreHashedAndExpireWhenIdle() {
    Node node(m_redis);
    QVERIFY(node.start());
    const QString name = QStringLiteral("some-user-name|198.51.100.7");
    const QByteArray key = SharedRateLimiter::redisKey(QStringLiteral("login:user-ip"), name);
    QVERIFY(key.startsWith("whisper:rl:login:user-ip:"));
    QCOMPARE(key.size(), qsizetype(QByteArray("whisper:rl:login:user-ip:").size() + 32));
    QVERIFY(!key.contains("some-user-name") && !key.contains("198.51"));
    // Three units of 20 s: the bucket is empty, and the key gone, in 60 s.
    const QList<AttemptPour> pours{{QStringLiteral("login:user-ip"), name, LeakRate{5, 20000, 0}}};
    for (int i = 0; i < 3; ++i)
        QCOMPARE(pourAndWait(node.limiter, pours, kT0), qint64(0));
    const int ttl = m_redis.cli({QStringLiteral("PTTL"), QString::fromLatin1(key)}).toInt();
    QVERIFY2(ttl > 55000 && ttl <= 60000, qPrintable(QString::number(ttl)));
    // A lockout keeps the key exactly as long as the lockout.
    const QList<AttemptPour> locking{
        {QStringLiteral("login:user-ip"), QStringLiteral("other"), LeakRate{1, 20000, 300000}}};
    QCOMPARE(pourAndWait(node.limiter, locking, kT0), qint64(0));
    QCOMPARE(pourAndWait(node.limiter, locking, kT0), qint64(300000));
    const int lockTtl = m_redis
                            .cli({QStringLiteral("PTTL"),
                                  QString::fromLatin1(SharedRateLimiter::redisKey(
                                      QStringLiteral("login:user-ip"), QStringLiteral("other")))})
                            .toInt();
    QVERIFY2(lockTtl > 295000 && lockTtl <= 300000, qPrintable(QString::number(lockTtl)));
}

void TestSharedRateLimits::resetReachesEveryNode() {
    Node a(m_redis), b(m_redis);
    QVERIFY(a.start() && b.start());
    const QList<AttemptPour> pours{{QStringLiteral("reset:user-ip"),
                                    QStringLiteral("owner|192.0.2.3"), LeakRate{1, 60000, 600000}}};
    QCOMPARE(pourAndWait(a.limiter, pours, kT0), qint64(0));
    QCOMPARE(pourAndWait(b.limiter, pours, kT0 + 1), qint64(600000));
    // The owner logs in on node a (from the database thread, as Accounts
    // does): node b lets the name in again.
    QThread *worker = QThread::create([&a] {
        a.limiter.reset(QStringLiteral("reset:user-ip"), QStringLiteral("owner|192.0.2.3"));
    });
    worker->start();
    QVERIFY(worker->wait(5000));
    delete worker;
    const QString key = QString::fromLatin1(SharedRateLimiter::redisKey(
        QStringLiteral("reset:user-ip"), QStringLiteral("owner|192.0.2.3")));
    QTRY_COMPARE(m_redis.cli({QStringLiteral("EXISTS"), key}), QStringLiteral("0"));
    QCOMPARE(pourAndWait(b.limiter, pours, kT0 + 2), qint64(0));
}

void TestSharedRateLimits::fallsBackToLocalBucketsWhileRedisIsDown() {
    RedisProcess redis;
    QVERIFY2(redis.start(), qPrintable(redis.errorString()));
    Node node(redis);
    QVERIFY(node.start());
    const QList<AttemptPour> pours{
        {QStringLiteral("down:ip"), QStringLiteral("192.0.2.5"), LeakRate{3, 60000, 0}}};
    // One attempt while Redis is up also counts in the node's own bucket.
    QCOMPARE(pourAndWait(node.limiter, pours, kT0), qint64(0));
    QSignalSpy lost(&node.client, &RedisClient::disconnected);
    redis.stop();
    QTRY_COMPARE(lost.count(), 1);
    // Answered (fast, not `unavailable`), by the local bucket: two more fit.
    QElapsedTimer timer;
    timer.start();
    QCOMPARE(pourAndWait(node.limiter, pours, kT0 + 1), qint64(0));
    QVERIFY2(timer.elapsed() < 500, qPrintable(QString::number(timer.elapsed())));
    QVERIFY(node.limiter.isFallingBack());
    QCOMPARE(pourAndWait(node.limiter, pours, kT0 + 2), qint64(0));
    QCOMPARE(pourAndWait(node.limiter, pours, kT0 + 3), qint64(60000 - 3));
    // Redis is back (empty): shared again.
    QSignalSpy back(&node.client, &RedisClient::connected);
    QVERIFY2(redis.start(), qPrintable(redis.errorString()));
    QVERIFY(back.wait(5000));
    QCOMPARE(pourAndWait(node.limiter, pours, kT0 + 4), qint64(0));
    QVERIFY(!node.limiter.isFallingBack());
}

QTEST_GUILESS_MAIN(TestSharedRateLimits)
#include "tst_sharedratelimits.moc"
