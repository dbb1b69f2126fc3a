// SPDX-License-Identifier: MIT
// Graceful drain on SIGTERM against the real server process: clients are
// told (a `notice` of kind "server_draining" with a reconnect hint), new
// ones are refused, the rest are closed with 1001 after the grace period,
// and the process exits 0 when empty or at the deadline; a second signal
// ends it at once.

#include "serverprocess.h"
#include "testclient.h"

#include <QElapsedTimer>
#include <QTest>

#include <csignal>

using namespace whisper::protocol;
using whisper::test::ServerProcess;
using whisper::test::TestClient;

class TestDrain : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void sigtermNotifiesThenClosesWith1001AfterGrace();
    void exitsAsSoonAsEveryoneLeft();
    void deadlineEndsADrainThatWouldLastLonger();
    void secondSigtermExitsAtOnce();

private:
    static bool exited(ServerProcess &server, int timeoutMs) {
        return QTest::qWaitFor([&] { return !server.isRunning(); }, timeoutMs);
    }
};

void TestDrain::sigtermNotifiesThenClosesWith1001AfterGrace() {
    ServerProcess server({QStringLiteral("--drain-grace-s"), QStringLiteral("1"),
                          QStringLiteral("--drain-deadline-s"), QStringLiteral("20"),
                          QStringLiteral("--tick-ms"), QStringLiteral("20")});
    QVERIFY(server.start());
    TestClient a, b, idle;
    QVERIFY(a.connectTo(server.chatUrl()) && b.connectTo(server.chatUrl()) &&
            idle.connectTo(server.chatUrl()));
    a.send(Join{1.0, 1.0, 5});
    b.send(Join{1.0, 1.0, 5});
    QVERIFY(a.waitFor<Matched>() && b.waitFor<Matched>());

    QElapsedTimer timer;
    timer.start();
    ::kill(pid_t(server.pid()), SIGTERM);
    for (TestClient *c : {&a, &b, &idle}) {
        const auto notice = c->waitFor<Notice>();
        QVERIFY(notice);
        QCOMPARE(notice->kind, std::optional<QString>(QStringLiteral("server_draining")));
        QVERIFY(notice->reconnectAfterMs.has_value());
        QVERIFY(*notice->reconnectAfterMs >= 0 && *notice->reconnectAfterMs <= 1000);
        QVERIFY(!notice->text.isEmpty());
    }
    // During the grace period pairs carry on...
    a.send(SendMessage{QStringLiteral("last words"), QStringLiteral("w1")});
    QVERIFY(b.waitFor<IncomingMessage>());
    QVERIFY(a.waitFor<Delivered>());
    // ...and nobody new gets in.
    TestClient late;
    QVERIFY(!late.connectTo(server.chatUrl(), 2000));
    QVERIFY(late.waitForDisconnected());
    QCOMPARE(late.closeCode(), int(QWebSocketProtocol::CloseCodePolicyViolated));
    QVERIFY(late.closeReason().contains(QLatin1String("draining")));

    for (TestClient *c : {&a, &b, &idle}) {
        QVERIFY(c->waitForDisconnected(5000));
        QCOMPARE(c->closeCode(), int(QWebSocketProtocol::CloseCodeGoingAway));
    }
    QVERIFY(timer.elapsed() >= 900);
    QVERIFY(exited(server, 5000));
    QCOMPARE(server.exitStatus(), QProcess::NormalExit);
    QCOMPARE(server.exitCode(), 0);
}

void TestDrain::exitsAsSoonAsEveryoneLeft() {
    // A long grace period: the clients leaving is what ends it.
    ServerProcess server({QStringLiteral("--drain-grace-s"), QStringLiteral("60"),
                          QStringLiteral("--drain-deadline-s"), QStringLiteral("120")});
    QVERIFY(server.start());
    TestClient a, b;
    QVERIFY(a.connectTo(server.chatUrl()) && b.connectTo(server.chatUrl()));
    QElapsedTimer timer;
    timer.start();
    ::kill(pid_t(server.pid()), SIGTERM);
    QVERIFY(a.waitFor<Notice>() && b.waitFor<Notice>());
    a.close();
    QVERIFY(b.isConnected());
    QVERIFY(!exited(server, 300)); // one client is still there
    b.close();
    QVERIFY(exited(server, 5000));
    QVERIFY(timer.elapsed() < 10000);
    QCOMPARE(server.exitStatus(), QProcess::NormalExit);
    QCOMPARE(server.exitCode(), 0);
}

void TestDrain::deadlineEndsADrainThatWouldLastLonger() {
    ServerProcess server({QStringLiteral("--drain-grace-s"), QStringLiteral("60"),
                          QStringLiteral("--drain-deadline-s"), QStringLiteral("1")});
    QVERIFY(server.start());
    TestClient stays;
    QVERIFY(stays.connectTo(server.chatUrl()));
    QElapsedTimer timer;
    timer.start();
    ::kill(pid_t(server.pid()), SIGTERM);
    QVERIFY(stays.waitFor<Notice>());
    QVERIFY(exited(server, 5000));
    QVERIFY(timer.elapsed() >= 900);
    QCOMPARE(server.exitStatus(), QProcess::NormalExit);
    QCOMPARE(server.exitCode(), 0);
    QVERIFY(stays.waitForDisconnected());
}

void TestDrain::secondSigtermExitsAtOnce() {
    ServerProcess server({QStringLiteral("--drain-grace-s"), QStringLiteral("60"),
                          QStringLiteral("--drain-deadline-s"), QStringLiteral("120")});
    QVERIFY(server.start());
    TestClient stays;
    QVERIFY(stays.connectTo(server.chatUrl()));
    ::kill(pid_t(server.pid()), SIGTERM);
    QVERIFY(stays.waitFor<Notice>());
    QVERIFY(!exited(server, 300));
    QElapsedTimer timer;
    timer.start();
    ::kill(pid_t(server.pid()), SIGINT);
    QVERIFY(exited(server, 3000));
    QVERIFY(timer.elapsed() < 3000);
    QCOMPARE(server.exitStatus(), QProcess::NormalExit);
    QVERIFY(stays.waitForDisconnected());
}

QTEST_GUILESS_MAIN(TestDrain)
#include "tst_drain.moc"
