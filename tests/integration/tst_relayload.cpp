// SPDX-License-Identifier: MIT
// Relay under load: the real server and the real load generator as separate
// processes. Every client connects, joins, is matched, chats and leaves.
// Every message names its sender and carries the sender's sequence number,
// so the load generator checks each one: acknowledged once and in order, and
// received once, in order, by the sender's partner and nobody else. Also the
// native transport's protocol duties that Qt's WebSocket layer could not meet.
#include "rawwsclient.h"
#include "serverprocess.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using whisper::test::RawWsClient;
using whisper::test::ServerProcess;

class TestRelayLoad : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void everyMessageAccountedFor_data();
    void everyMessageAccountedFor();
    void invalidUtf8IsAnErrorAndTheConnectionStaysOpen();
    void fragmentedMessageIsReassembled();
    void nonWebSocketRequestIsRefused();
    void transportSettingsAtTheEdge_data();
    void transportSettingsAtTheEdge();
};

void TestRelayLoad::everyMessageAccountedFor_data() {
    QTest::addColumn<QStringList>("serverArgs");
    QTest::addColumn<int>("clients");
    QTest::addColumn<QStringList>("load");
    QTest::addColumn<int>("ioThreads");
    const QStringList native{"--transport", "native", "--io-threads", "0"};
    // Sockets on two I/O threads, sessions on the main thread: the members of
    // a pair reach the main thread in different batches (round robin), so
    // with a short tick they often join in different ticks. The load
    // generator gives every pair a spot out of everyone else's reach, so the
    // first member waits for its partner instead of being paired across
    // pairs and stranding two clients (seen with pairs of a city in reach
    // of each other: 2-16 clients left waiting).
    const QStringList threaded{"--transport", "native", "--io-threads", "2", "--tick-ms", "50"};
    // Window mode: 4 messages in flight per client, as fast as acks return.
    QTest::addRow("native, 1000 clients, window")
        << native << 1000 << QStringList{"--window", "4"} << 0;
    // Fixed total rate, the shape of the 5k-connection benchmark.
    QTest::addRow("native, 1000 clients, 5000 msg/s")
        << native << 1000 << QStringList{"--rate", "5000"} << 0;
    // The load generator on two event loops (threads), each with its own
    // pairs: the merged report must still account for every message.
    QTest::addRow("native, 1000 clients, 5000 msg/s, 2 loadgen threads")
        << native << 1000 << QStringList{"--rate", "5000", "--threads", "2"} << 0;
    QTest::addRow("io-threads 2, 1000 clients, window")
        << threaded << 1000 << QStringList{"--window", "4"} << 2;
    QTest::addRow("io-threads 2, 1000 clients, 5000 msg/s")
        << threaded << 1000 << QStringList{"--rate", "5000"} << 2;
    // The Qt WebSockets fallback stays correct too.
    QTest::addRow("qt, 200 clients, window")
        << QStringList{"--transport", "qt"} << 200 << QStringList{"--window", "2"} << 0;
}

void TestRelayLoad::everyMessageAccountedFor() {
    QFETCH(QStringList, serverArgs);
    QFETCH(int, clients);
    QFETCH(QStringList, load);
    QFETCH(int, ioThreads);

    // The load generator is a local, trusted client: no chat rate limits.
    ServerProcess server(
        serverArgs + QStringList{QStringLiteral("--rate-exempt"), QStringLiteral("127.0.0.0/8")});
    QVERIFY(server.start());
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString json = dir.filePath(QStringLiteral("result.json"));
    // The rows with I/O threads must really run on them: exactly that many,
    // and each one busy with this load (every connection's reads, writes
    // and frames are theirs). Without, none may exist.
    const QMap<QString, qint64> ioBefore = server.ioThreadCpuTicks();
    QCOMPARE(ioBefore.size(), ioThreads);

    QProcess loadgen;
    loadgen.setProcessChannelMode(QProcess::MergedChannels);
    loadgen.start(ServerProcess::binary(QStringLiteral("whisperchat-loadgen")),
                  QStringList{"--url", server.chatUrl().toString(), "--clients",
                              QString::number(clients), "--warmup", "0.5", "--duration", "2",
                              "--phase-timeout", "30", "--server-pid",
                              QString::number(server.pid()), "--json", json} +
                      load);
    QVERIFY(loadgen.waitForStarted(5000));
    // Bounded: four phases of at most 30 s each, typically a few seconds.
    const bool finished = loadgen.waitForFinished(150000);
    if (!finished)
        loadgen.kill();
    const QByteArray output = loadgen.readAll();
    QVERIFY2(finished, output.constData());
    QVERIFY2(loadgen.exitStatus() == QProcess::NormalExit && loadgen.exitCode() == 0,
             output.constData());

    const QMap<QString, qint64> ioAfter = server.ioThreadCpuTicks();
    QCOMPARE(ioAfter.keys(), ioBefore.keys());
    for (auto it = ioBefore.begin(); it != ioBefore.end(); ++it) {
        // Two ticks (20 ms at 100 Hz) is far below what a thread carrying
        // half of 1000 chatting clients uses, and far above an idle one.
        const qint64 used = ioAfter.value(it.key()) - it.value();
        QVERIFY2(used >= 2, qPrintable(QStringLiteral("%1 used %2 ticks").arg(it.key()).arg(used)));
    }

    QFile file(json);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QJsonObject r = QJsonDocument::fromJson(file.readAll()).object();
    QCOMPARE(r.value("connected").toInt(), clients);
    QCOMPARE(r.value("matched").toInt(), clients);
    QCOMPARE(r.value("errors").toInt(), 0);
    QVERIFY2(r.value("error_kinds").toArray().isEmpty(), output.constData());
    const qint64 sent = r.value("sent").toInteger();
    QVERIFY2(sent >= clients, output.constData()); // every client chatted
    QCOMPARE(r.value("delivered").toInteger(), sent);
    QCOMPARE(r.value("received").toInteger(), sent);
    QVERIFY(r.value("accounted").toBool());
    // Message by message, not only in total: a message delivered to the
    // wrong pair, or a duplicate making up for a loss, keeps the totals.
    QCOMPARE(r.value("pairs_verified").toInt(), clients / 2);
    QCOMPARE(r.value("misrouted").toInteger(), 0);
    QCOMPARE(r.value("duplicated").toInteger(), 0);
    QCOMPARE(r.value("out_of_order").toInteger(), 0);
    QCOMPARE(r.value("ack_mismatches").toInteger(), 0);
    QCOMPARE(r.value("pairs_left").toInt(), clients / 2);

    QVERIFY(server.terminate());
    QCOMPARE(server.exitCode(), 0);
}

void TestRelayLoad::invalidUtf8IsAnErrorAndTheConnectionStaysOpen() {
    ServerProcess server;
    QVERIFY(server.start());
    RawWsClient client;
    QVERIFY(client.connectTcp(server.chatUrl()));
    QVERIFY(client.handshake());
    QCOMPARE(client.readTextFrames(500).size(), 1); // welcome
    client.sendText(QByteArray("{\"type\":\"message\",\"text\":\"\xC3\x28\"}"));
    const QList<QByteArray> answers = client.readTextFrames(2000);
    QCOMPARE(answers.size(), 1);
    const QJsonObject error = QJsonDocument::fromJson(answers.first()).object();
    QCOMPARE(error.value("type").toString(), QStringLiteral("error"));
    QCOMPARE(error.value("code").toString(), QStringLiteral("bad_request"));
    QCOMPARE(client.closeCodeReceived(), -1);
    // Still open and still speaking the protocol.
    client.sendText(R"({"type":"leave"})");
    const QList<QByteArray> again = client.readTextFrames(2000);
    QCOMPARE(again.size(), 1);
    QCOMPARE(QJsonDocument::fromJson(again.first()).object().value("code").toString(),
             QStringLiteral("conflict"));
    QVERIFY(server.terminate());
}

void TestRelayLoad::fragmentedMessageIsReassembled() {
    ServerProcess server;
    QVERIFY(server.start());
    RawWsClient client;
    QVERIFY(client.connectTcp(server.chatUrl()));
    QVERIFY(client.handshake());
    QCOMPARE(client.readTextFrames(500).size(), 1); // welcome
    // {"type":"leave"} in two frames: text without FIN, then a continuation.
    client.sendFrame(whisper::ws::Opcode::Text, R"({"type":)", false);
    client.sendFrame(whisper::ws::Opcode::Continuation, R"("leave"})");
    const QList<QByteArray> answers = client.readTextFrames(2000);
    QCOMPARE(answers.size(), 1);
    // A whole `leave`, answered as one: not waiting, so a conflict.
    const QJsonObject o = QJsonDocument::fromJson(answers.first()).object();
    QCOMPARE(o.value("code").toString(), QStringLiteral("conflict"));
    QCOMPARE(o.value("ref").toString(), QStringLiteral("leave"));
    QVERIFY(server.terminate());
}

void TestRelayLoad::nonWebSocketRequestIsRefused() {
    // Without the browser client (on, a plain GET gets the page:
    // tst_webclient) a request that is no upgrade is a failed handshake.
    ServerProcess server({QStringLiteral("--web-client"), QStringLiteral("false")});
    QVERIFY(server.start());
    QTcpSocket socket;
    socket.connectToHost(server.chatUrl().host(), quint16(server.chatUrl().port()));
    QVERIFY(socket.waitForConnected(5000));
    socket.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    QTRY_VERIFY_WITH_TIMEOUT(
        socket.bytesAvailable() > 0 || socket.state() != QAbstractSocket::ConnectedState, 5000);
    socket.waitForReadyRead(200);
    QVERIFY(socket.readAll().startsWith("HTTP/1.1 400"));
    QTRY_VERIFY_WITH_TIMEOUT(socket.state() == QAbstractSocket::UnconnectedState, 5000);
    QVERIFY(server.terminate());
}

void TestRelayLoad::transportSettingsAtTheEdge_data() {
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<bool>("valid");
    QTest::addRow("backlog 0") << QStringList{"--listen-backlog", "0"} << false;
    // The smallest queue works; bursts beyond it wait for SYN retransmits,
    // which is why the default is 4096.
    QTest::addRow("backlog 1") << QStringList{"--listen-backlog", "1"} << true;
    QTest::addRow("backlog max") << QStringList{"--listen-backlog", "1048576"} << true;
    QTest::addRow("backlog over max") << QStringList{"--listen-backlog", "1048577"} << false;
    QTest::addRow("transport native") << QStringList{"--transport", "native"} << true;
    QTest::addRow("transport qt") << QStringList{"--transport", "qt"} << true;
    QTest::addRow("transport unknown") << QStringList{"--transport", "libwebsockets"} << false;
    QTest::addRow("io-threads 1") << QStringList{"--io-threads", "1"} << true;
    QTest::addRow("io-threads max") << QStringList{"--io-threads", "64"} << true;
    QTest::addRow("io-threads over max") << QStringList{"--io-threads", "65"} << false;
    QTest::addRow("io-threads negative") << QStringList{"--io-threads", "-1"} << false;
    // Qt WebSockets stay on the main loop; the setting is ignored, said so.
    QTest::addRow("io-threads with transport qt")
        << QStringList{"--io-threads", "2", "--transport", "qt"} << true;
}

void TestRelayLoad::transportSettingsAtTheEdge() {
    QFETCH(QStringList, args);
    QFETCH(bool, valid);
    ServerProcess server(args + QStringList{"--rate-exempt", "127.0.0.0/8"});
    if (!valid) {
        QVERIFY(!server.start(5000));
        QTRY_VERIFY_WITH_TIMEOUT(!server.isRunning(), 5000);
        QCOMPARE(server.exitCode(), 2);
        QVERIFY(server.log().contains(args.first().mid(2).toUtf8()));
        return;
    }
    QVERIFY(server.start());
    QProcess loadgen;
    loadgen.setProcessChannelMode(QProcess::MergedChannels);
    loadgen.start(ServerProcess::binary(QStringLiteral("whisperchat-loadgen")),
                  QStringList{"--url", server.chatUrl().toString(), "--clients", "100",
                              "--handshake-window", "1", "--warmup", "0", "--duration", "0.5",
                              "--phase-timeout", "30"});
    QVERIFY(loadgen.waitForStarted(5000));
    const bool finished = loadgen.waitForFinished(120000);
    if (!finished)
        loadgen.kill();
    const QByteArray output = loadgen.readAll();
    QVERIFY2(finished && loadgen.exitCode() == 0, output.constData());
    QVERIFY(server.terminate());
    if (args.contains(QStringLiteral("qt")) && args.contains(QStringLiteral("--io-threads")))
        QVERIFY2(server.log().contains("io-threads=2 ignored"), server.log().constData());
}

QTEST_GUILESS_MAIN(TestRelayLoad)
#include "tst_relayload.moc"
