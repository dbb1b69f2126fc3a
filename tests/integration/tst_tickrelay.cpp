// SPDX-License-Identifier: MIT
// Chat keeps flowing while a long matchmaking tick runs. The real
// whisperchat-server is started with its test seam, which puts 200,000
// synthetic waiting entries into the matchmaker once the first pair is made
// (a process may not hold that many connections); two real WebSocket clients
// then chat through the relay while the tick over those entries runs.

#include "instrumented.h"
#include "serverprocess.h"
#include "testclient.h"

#include <QElapsedTimer>
#include <QRegularExpression>
#include <QTest>

using namespace whisper::protocol;
using whisper::test::ServerProcess;
using whisper::test::TestClient;

namespace {
constexpr int kInjected = 200000;
// Entries per spot: each search steps over its spot-mates, so the tick costs
// about kInjected * kGroup checks - seconds, not minutes, on a slow machine.
// Under a sanitizer (-O1, every access checked) a tenth of them still makes
// a tick of seconds; all of them ran past QtTest's 5-minute limit.
constexpr int kGroup = whisper::test::kInstrumented ? 300 : 3000;
constexpr qint64 kRoundTripBoundMs = 500;
constexpr int kMaxRounds = 1000;
// The server allows a client a burst of messages, then about four a second
// (rate-message-*): rounds are paced to stay within that.
constexpr int kPaceMs = 300;
} // namespace

class TestTickRelay : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void relayKeepsFlowingDuringLongTick();
};

void TestTickRelay::relayKeepsFlowingDuringLongTick() {
    ServerProcess server({QStringLiteral("--tick-ms"), QStringLiteral("50")});
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("WHISPERCHAT_ENABLE_TEST_SEAMS"), QStringLiteral("1"));
    env.insert(QStringLiteral("WHISPERCHAT_TEST_INJECT_WAITING"), QString::number(kInjected));
    env.insert(QStringLiteral("WHISPERCHAT_TEST_INJECT_GROUP"), QString::number(kGroup));
    env.insert(QStringLiteral("QT_LOGGING_RULES"),
               QStringLiteral("whisper.server.matchmaker.debug=true"));
    server.setEnvironment(env);
    QVERIFY2(server.start(), server.log().constData());

    TestClient a;
    TestClient b;
    QVERIFY(a.connectTo(server.chatUrl()));
    QVERIFY(b.connectTo(server.chatUrl()));
    a.send(Join{48.8566, 2.3522, 10});
    b.send(Join{48.8566, 2.3622, 10});
    QVERIFY(a.waitFor<Matched>(10000));
    QVERIFY(b.waitFor<Matched>(10000));

    // The pair triggers the injection; the next tick serves all of it.
    const QByteArray started =
        QByteArrayLiteral("tick started, pending ") + QByteArray::number(kInjected);
    QTRY_VERIFY2_WITH_TIMEOUT(server.log().contains(started), server.log().right(2000).constData(),
                              30000);
    const qsizetype tickStartAt = server.log().indexOf(started);
    static const QRegularExpression tookLine(QStringLiteral(R"(tick took (\d+) ms, pairs (\d+))"));
    const auto finishedTick = [&]() -> QRegularExpressionMatch {
        return tookLine.match(QString::fromUtf8(server.log().mid(tickStartAt)));
    };

    // Round trips a -> b -> a until the tick is over.
    QList<qint64> roundTrips;
    QElapsedTimer clock;
    for (int i = 0; i < kMaxRounds && !finishedTick().hasMatch(); ++i) {
        clock.start();
        a.send(SendMessage{QStringLiteral("ping %1").arg(i), std::nullopt});
        const auto atB = b.waitFor<IncomingMessage>(5000);
        QVERIFY2(atB, "message a -> b lost during the tick");
        QCOMPARE(atB->text, QStringLiteral("ping %1").arg(i));
        b.send(SendMessage{QStringLiteral("pong %1").arg(i), std::nullopt});
        const auto atA = a.waitFor<IncomingMessage>(5000);
        QVERIFY2(atA, "message b -> a lost during the tick");
        QCOMPARE(atA->text, QStringLiteral("pong %1").arg(i));
        roundTrips << clock.elapsed();
        QTest::qWait(kPaceMs); // pacing for the rate limit, not a wait for a result
    }
    QTRY_VERIFY_WITH_TIMEOUT(finishedTick().hasMatch(), 120000);
    const auto took = finishedTick();
    const qint64 tickMs = took.captured(1).toLongLong();
    qInfo() << "tick over" << kInjected << "entries took" << tickMs << "ms;" << roundTrips.size()
            << "round trips meanwhile, slowest"
            << *std::max_element(roundTrips.begin(), roundTrips.end()) << "ms";

    // The tick was long, pairs nobody among the synthetic entries, and the
    // relay answered quickly throughout.
    QVERIFY2(tickMs >= 1000, qPrintable(QStringLiteral("tick took only %1 ms").arg(tickMs)));
    QCOMPARE(took.captured(2).toInt(), 0);
    QVERIFY2(roundTrips.size() >= 3, qPrintable(QString::number(roundTrips.size())));
    for (const qint64 ms : std::as_const(roundTrips))
        QVERIFY2(ms < kRoundTripBoundMs, qPrintable(QStringLiteral("round trip %1 ms").arg(ms)));

    QVERIFY(server.terminate(15000));
    QVERIFY(server.log().contains("test seam: injected 200000"));
}

QTEST_MAIN(TestTickRelay)
#include "tst_tickrelay.moc"
