// SPDX-License-Identifier: MIT
// The Redis client on the Qt event loop against a real redis-server on a
// free loopback port: replies of every type, failing fast while Redis is
// down, reconnecting with backoff when it is back, and dropping a link
// whose server stopped answering.
#include "redisclient.h"
#include "redisprocess.h"

#include <QSignalSpy>
#include <QTest>

#include <signal.h>

#include <memory>

using namespace whisper;
using whisper::test::RedisProcess;

namespace {

// One command, its reply when it comes.
struct Call {
    std::shared_ptr<std::optional<RedisReply>> reply =
        std::make_shared<std::optional<RedisReply>>();
    RedisClient::Callback callback() {
        return [r = reply](const RedisReply &rr) { *r = rr; };
    }
    bool done() const { return reply->has_value(); }
    const RedisReply &get() const { return **reply; }
};

RedisEndpoint endpointOf(const RedisProcess &redis) {
    return *RedisEndpoint::parse(redis.url());
}

} // namespace

class TestRedisClient : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void endpointUrls_data();
    void endpointUrls();
    void backoffDoublesUpToItsCap();
    void repliesOfEveryType();
    void failsAtOnceWhileRedisIsDown();
    void reconnectsWhenRedisIsBack();
    void commandInFlightWhenTheLinkDropsFails();
    void silentServerIsDroppedAndRejoined();
};

void TestRedisClient::endpointUrls_data() {
    QTest::addColumn<QString>("url");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<int>("port");
    QTest::newRow("host and port") << "redis://127.0.0.1:7000" << true << 7000;
    QTest::newRow("default port") << "redis://cache.internal" << true << 6379;
    QTest::newRow("trailing slash") << "redis://h:1/" << true << 1;
    QTest::newRow("other scheme") << "http://h:1" << false << 0;
    QTest::newRow("no host") << "redis://:7000" << false << 0;
    QTest::newRow("credentials") << "redis://u:p@h:1" << false << 0;
    QTest::newRow("database path") << "redis://h:1/2" << false << 0;
    QTest::newRow("not a url") << "127.0.0.1:6379" << false << 0;
}

void TestRedisClient::endpointUrls() {
    QFETCH(QString, url);
    QFETCH(bool, valid);
    QFETCH(int, port);
    QString error;
    const auto endpoint = RedisEndpoint::parse(url, &error);
    QCOMPARE(endpoint.has_value(), valid);
    if (valid)
        QCOMPARE(int(endpoint->port), port);
    else
        QVERIFY2(error.contains(url), qPrintable(error));
}

void TestRedisClient::backoffDoublesUpToItsCap() {
    Backoff backoff(100, 1000);
    const int expected[] = {100, 200, 400, 800, 1000, 1000, 1000};
    for (const int base : expected) {
        const int delay = backoff.next();
        // Up to a fifth is taken off at random, never more, never added.
        QVERIFY2(delay <= base && delay >= base - base / 5,
                 qPrintable(QStringLiteral("%1 for %2").arg(delay).arg(base)));
    }
    backoff.reset();
    QVERIFY(backoff.next() <= 100);
}

void TestRedisClient::repliesOfEveryType() {
    RedisProcess redis;
    QVERIFY2(redis.start(), qPrintable(redis.errorString()));
    RedisClient client(endpointOf(redis));
    QSignalSpy connected(&client, &RedisClient::connected);
    client.start();
    QTRY_COMPARE(connected.count(), 1);
    QVERIFY(client.isConnected());

    const QByteArray binary("a\0b\r\nc", 6);
    Call set, get, incr, missing, list, wrong;
    client.command({"SET", "k", binary}, set.callback());
    client.command({"GET", "k"}, get.callback());
    client.command({"INCRBY", "n", "41"}, incr.callback());
    client.command({"GET", "absent"}, missing.callback());
    client.command({"RPUSH", "l", "x", "y"});
    client.command({"LRANGE", "l", "0", "-1"}, list.callback());
    client.command({"INCR", "k"}, wrong.callback());
    QTRY_VERIFY(wrong.done());
    QVERIFY(set.done() && get.done() && incr.done() && missing.done() && list.done());
    QCOMPARE(set.get().type, RedisReply::Type::Status);
    QCOMPARE(set.get().text, QByteArray("OK"));
    QCOMPARE(get.get().type, RedisReply::Type::String);
    QCOMPARE(get.get().text, binary);
    QCOMPARE(incr.get().type, RedisReply::Type::Integer);
    QCOMPARE(incr.get().integer, 41);
    QVERIFY(missing.get().isNil());
    QCOMPARE(list.get().type, RedisReply::Type::Array);
    QCOMPARE(list.get().elements.size(), 2);
    QCOMPARE(list.get().elements.at(1).text, QByteArray("y"));
    QVERIFY(wrong.get().isError());
    // The PING probe measures the round trip once a second.
    QTRY_VERIFY_WITH_TIMEOUT(client.lastLatencyUs() >= 0, 3000);
}

void TestRedisClient::failsAtOnceWhileRedisIsDown() {
    RedisProcess redis; // never started: its port refuses connections
    RedisClient client(RedisEndpoint{QStringLiteral("127.0.0.1"), 1});
    client.start();
    QElapsedTimer timer;
    timer.start();
    Call call;
    client.command({"GET", "k"}, call.callback());
    // From the event loop, not before command() returns: callers may be in
    // the middle of something.
    QVERIFY(!call.done());
    QTRY_VERIFY(call.done());
    QVERIFY2(timer.elapsed() < 200, qPrintable(QString::number(timer.elapsed())));
    QVERIFY(call.get().isError());
    QCOMPARE(call.get().text, QByteArray("unavailable"));
    QVERIFY(!client.isConnected());
}

void TestRedisClient::reconnectsWhenRedisIsBack() {
    RedisProcess redis;
    QVERIFY2(redis.start(), qPrintable(redis.errorString()));
    RedisClient client(endpointOf(redis), RedisClientOptions{2000, 3000, 50, 400});
    QSignalSpy connected(&client, &RedisClient::connected);
    QSignalSpy disconnected(&client, &RedisClient::disconnected);
    client.start();
    QTRY_COMPARE(connected.count(), 1);

    redis.stop();
    QTRY_COMPARE(disconnected.count(), 1);
    Call during;
    client.command({"PING"}, during.callback());
    QTRY_VERIFY(during.done());
    QCOMPARE(during.get().text, QByteArray("unavailable"));

    // Several refused attempts, backing off, until it is back.
    QTest::qWait(600);
    QVERIFY(!client.isConnected());
    QVERIFY2(redis.start(), qPrintable(redis.errorString()));
    QTRY_COMPARE_WITH_TIMEOUT(connected.count(), 2, 3000);
    Call after;
    client.command({"PING"}, after.callback());
    QTRY_VERIFY(after.done());
    QCOMPARE(after.get().text, QByteArray("PONG"));
}

void TestRedisClient::commandInFlightWhenTheLinkDropsFails() {
    RedisProcess redis;
    QVERIFY2(redis.start(), qPrintable(redis.errorString()));
    RedisClient client(endpointOf(redis));
    QSignalSpy connected(&client, &RedisClient::connected);
    client.start();
    QTRY_COMPARE(connected.count(), 1);
    Call blocked;
    client.command({"BLPOP", "never", "0"}, blocked.callback());
    QTest::qWait(100);
    QVERIFY(!blocked.done());
    redis.stop();
    QTRY_VERIFY(blocked.done());
    QCOMPARE(blocked.get().text, QByteArray("disconnected"));
}

void TestRedisClient::silentServerIsDroppedAndRejoined() {
    RedisProcess redis;
    QVERIFY2(redis.start(), qPrintable(redis.errorString()));
    RedisClient client(endpointOf(redis), RedisClientOptions{2000, 600, 50, 200});
    QSignalSpy connected(&client, &RedisClient::connected);
    QSignalSpy disconnected(&client, &RedisClient::disconnected);
    client.start();
    QTRY_COMPARE(connected.count(), 1);
    // A stopped process keeps its socket open and answers nothing, like a
    // host that vanished: only the reply timeout can tell.
    const qint64 pid = redis.pid();
    QVERIFY(pid > 0);
    ::kill(pid_t(pid), SIGSTOP);
    Call stuck;
    client.command({"PING"}, stuck.callback());
    QTRY_COMPARE_WITH_TIMEOUT(disconnected.count(), 1, 3000);
    QVERIFY(stuck.done());
    QCOMPARE(stuck.get().text, QByteArray("disconnected"));
    ::kill(pid_t(pid), SIGCONT);
    QTRY_COMPARE_WITH_TIMEOUT(connected.count(), 2, 5000);
}

QTEST_GUILESS_MAIN(TestRedisClient)
#include "tst_redisclient.moc"
