// SPDX-License-Identifier: MIT
// A whole cluster from scripts/cluster-up.sh: real redis-server, PostgreSQL,
// three whisperchat-server nodes and nginx on loopback. Clients through
// the load balancer land on different nodes; an account registered through
// one node logs in through another; per-IP limits see the client address
// behind nginx; cluster-down.sh stops exactly what cluster-up.sh started.
#include "protocol.h"
#include "serverprocess.h"
#include "testclient.h"
#include "testpaths.h"
#include "wsframe.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QSet>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QWebSocket>

#include <signal.h>

using namespace whisper;
using namespace whisper::protocol;
using whisper::test::TestClient;

namespace {

const QString kScripts = QStringLiteral(WHISPER_SOURCE_DIR "/scripts/");

bool processAlive(qint64 pid) {
    return pid > 0 && ::kill(pid_t(pid), 0) == 0;
}

// A WebSocket handshake through the load balancer from a chosen loopback
// source address (QWebSocket cannot bind one), and the text the server
// sends in the first moments: enough to see `welcome` and a refusal.
struct SourcedClient {
    QTcpSocket socket;
    QByteArray received;

    bool open(const QHostAddress &source, const QUrl &url) {
        if (!socket.bind(source))
            return false;
        socket.connectToHost(QHostAddress(url.host()), quint16(url.port()));
        if (!socket.waitForConnected(5000))
            return false;
        socket.write("GET / HTTP/1.1\r\nHost: " + url.authority().toLatin1() +
                     "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                     "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                     "Sec-WebSocket-Version: 13\r\n\r\n");
        return waitFor("\"welcome\"");
    }
    void sendText(const QByteArray &json) {
        std::string frame;
        ws::appendMaskedFrame(frame, ws::Opcode::Text, json.toStdString(), 0x37fa213d);
        socket.write(frame.data(), qint64(frame.size()));
    }
    bool waitFor(const QByteArray &text, int timeoutMs = 5000) {
        return QTest::qWaitFor(
            [&] {
                received += socket.readAll();
                return received.contains(text);
            },
            timeoutMs);
    }
};

} // namespace

class TestClusterUp : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void readyLineAndPidFiles();
    void clientsLandOnDifferentNodes();
    void accountRegisteredOnOneNodeLogsInOnAnother();
    void perIpLimitsSeeTheClientBehindTheProxy();
    void addressBanOnOneNodeIsEnforcedOnAll();
    void downStopsExactlyTheClusterProcesses();

private:
    qint64 pidOf(const QString &name) const;

    QTemporaryDir m_state;
    QUrl m_chat;
    QUrl m_control;
    QMap<QString, QUrl> m_nodes; // node name -> its own chat URL
    QString m_dbUrl;
    QString m_upOutput;
    bool m_down = false;
};

qint64 TestClusterUp::pidOf(const QString &name) const {
    QFile f(m_state.filePath(QStringLiteral("pids/%1.pid").arg(name)));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    return f.readLine().trimmed().toLongLong();
}

void TestClusterUp::initTestCase() {
    QVERIFY(m_state.isValid());
    QProcess up;
    up.start(QStringLiteral("bash"),
             {kScripts + QStringLiteral("cluster-up.sh"), QStringLiteral("--state-dir"),
              m_state.path(), QStringLiteral("--build-dir"), QStringLiteral(WHISPER_BUILD_DIR),
              QStringLiteral("--"),
              // 127.0.0.1 (the proxy, and this test's direct connections)
              // is exempt; the addresses behind the proxy get 3 connects
              // per node before the refusal.
              QStringLiteral("--rate-exempt"), QStringLiteral("127.0.0.1"),
              QStringLiteral("--rate-connect-burst"), QStringLiteral("3"),
              QStringLiteral("--rate-connect-leak-ms"), QStringLiteral("600000"),
              QStringLiteral("--argon2-mem-kib"), QStringLiteral("64"),
              QStringLiteral("--argon2-ops"), QStringLiteral("1")});
    QVERIFY(up.waitForFinished(120000));
    m_upOutput = QString::fromUtf8(up.readAllStandardOutput());
    QVERIFY2(up.exitCode() == 0, qPrintable(up.readAllStandardError()));
    static const QRegularExpression ready(
        QStringLiteral("^cluster ready: chat (ws://127\\.0\\.0\\.1:\\d+) control "
                       "(ws://127\\.0\\.0\\.1:\\d+)\\n$"));
    const auto match = ready.match(m_upOutput);
    QVERIFY2(match.hasMatch(), qPrintable(m_upOutput));
    m_chat = QUrl(match.captured(1));
    m_control = QUrl(match.captured(2));
    QFile nodes(m_state.filePath(QStringLiteral("nodes")));
    QVERIFY(nodes.open(QIODevice::ReadOnly));
    for (const QByteArray &line : nodes.readAll().split('\n')) {
        const QList<QByteArray> f = line.split(' ');
        if (f.size() == 3)
            m_nodes.insert(QString::fromLatin1(f[0]), QUrl(QString::fromLatin1(f[1])));
    }
    QCOMPARE(m_nodes.size(), 3);
    QFile env(m_state.filePath(QStringLiteral("cluster.env")));
    QVERIFY(env.open(QIODevice::ReadOnly));
    for (const QByteArray &line : env.readAll().split('\n'))
        if (line.startsWith("DB_URL="))
            m_dbUrl = QString::fromUtf8(line.mid(7));
    QVERIFY(!m_dbUrl.isEmpty());
}

void TestClusterUp::cleanupTestCase() {
    if (!m_down)
        QProcess::execute(QStringLiteral("bash"), {kScripts + QStringLiteral("cluster-down.sh"),
                                                   QStringLiteral("--state-dir"), m_state.path()});
}

void TestClusterUp::readyLineAndPidFiles() {
    // One line, nothing else on stdout.
    QCOMPARE(m_upOutput.count(u'\n'), 1);
    for (const QString &name :
         {QStringLiteral("redis"), QStringLiteral("postgres"), QStringLiteral("lb"),
          QStringLiteral("node1"), QStringLiteral("node2"), QStringLiteral("node3")})
        QVERIFY2(processAlive(pidOf(name)), qPrintable(name));
    QVERIFY(QFile::exists(m_state.filePath(QStringLiteral("logs/node2.log"))));
    // The control URL is node1's own.
    TestClient probe;
    QVERIFY(probe.connectTo(m_nodes.value(QStringLiteral("node1"))));
    QCOMPARE(m_control.host(), QStringLiteral("127.0.0.1"));
    QVERIFY(m_control.port() != m_chat.port());
}

void TestClusterUp::clientsLandOnDifferentNodes() {
    std::vector<std::unique_ptr<TestClient>> clients;
    QMap<QString, int> perNode;
    for (int i = 0; i < 6; ++i) {
        auto c = std::make_unique<TestClient>();
        QVERIFY(c->connectTo(m_chat));
        ++perNode[c->welcome().node];
        clients.push_back(std::move(c));
    }
    // least_conn over connections held open: two on each node.
    QCOMPARE(perNode.keys(), (QList<QString>{QStringLiteral("node1"), QStringLiteral("node2"),
                                             QStringLiteral("node3")}));
    for (int count : perNode)
        QCOMPARE(count, 2);
}

void TestClusterUp::accountRegisteredOnOneNodeLogsInOnAnother() {
    TestClient a;
    QVERIFY(a.connectTo(m_nodes.value(QStringLiteral("node1"))));
    a.send(Register{QStringLiteral("roamer"), QStringLiteral("long enough password")});
    QVERIFY(a.waitFor<Authenticated>(10000));
    TestClient b;
    QVERIFY(b.connectTo(m_nodes.value(QStringLiteral("node3"))));
    QCOMPARE(b.welcome().node, QStringLiteral("node3"));
    b.send(Login{QStringLiteral("roamer"), QStringLiteral("long enough password"), std::nullopt});
    const auto auth = b.waitFor<Authenticated>(10000);
    QVERIFY(auth);
    QCOMPARE(auth->username, QStringLiteral("roamer"));
}

void TestClusterUp::perIpLimitsSeeTheClientBehindTheProxy() {
    // 3 connects per node for 127.0.0.2, held open so least_conn spreads
    // them: 9 are let in, the 10th is refused by whichever node gets it.
    std::vector<std::unique_ptr<SourcedClient>> held;
    for (int i = 0; i < 9; ++i) {
        auto c = std::make_unique<SourcedClient>();
        QVERIFY2(
            c->open(QHostAddress(QStringLiteral("127.0.0.2")), m_chat),
            qPrintable(
                QStringLiteral("connection %1: %2").arg(i).arg(QString::fromLatin1(c->received))));
        QVERIFY2(!c->waitFor("rate_limited", 150), qPrintable(QString::number(i)));
        held.push_back(std::move(c));
    }
    SourcedClient tenth;
    QVERIFY(tenth.open(QHostAddress(QStringLiteral("127.0.0.2")), m_chat));
    QVERIFY2(tenth.waitFor("rate_limited"), tenth.received.constData());
    // Another address behind the same proxy has its own allowance: the
    // nodes did not count the proxy.
    SourcedClient other;
    QVERIFY(other.open(QHostAddress(QStringLiteral("127.0.0.3")), m_chat));
    QVERIFY(!other.waitFor("rate_limited", 300));
}

void TestClusterUp::addressBanOnOneNodeIsEnforcedOnAll() {
    // An admin in the shared database.
    QProcess add;
    add.start(whisper::test::ServerProcess::binary(QStringLiteral("whisperchat-server")),
              {QStringLiteral("user"), QStringLiteral("add"), QStringLiteral("boss"),
               QStringLiteral("--role"), QStringLiteral("admin"),
               QStringLiteral("--password-stdin"), QStringLiteral("--db"), m_dbUrl});
    add.write("boss password long enough\n");
    add.closeWriteChannel();
    QVERIFY(add.waitForFinished(30000));
    QVERIFY2(add.exitCode() == 0, add.readAllStandardError().constData());

    // 127.0.0.4 waits on node1 and is connected to node2 and node3.
    const QHostAddress target(QStringLiteral("127.0.0.4"));
    SourcedClient onNode1, onNode2, heldOnNode3;
    QVERIFY(onNode1.open(target, m_nodes.value(QStringLiteral("node1"))));
    onNode1.sendText(R"({"type":"join","lat":10.0,"lon":10.0,"range_km":5})");
    QVERIFY2(onNode1.waitFor("\"waiting\""), onNode1.received.constData());
    QVERIFY(onNode2.open(target, m_nodes.value(QStringLiteral("node2"))));
    QVERIFY(heldOnNode3.open(target, m_nodes.value(QStringLiteral("node3"))));

    // The admin bans the address through node1's console.
    QWebSocket console;
    QList<QJsonObject> frames;
    connect(&console, &QWebSocket::textMessageReceived, this, [&frames](const QString &text) {
        frames << QJsonDocument::fromJson(text.toUtf8()).object();
    });
    console.open(m_control);
    QTRY_VERIFY(console.state() == QAbstractSocket::ConnectedState);
    auto awaitType = [&frames](const QString &type) -> QJsonObject {
        QJsonObject found;
        (void)QTest::qWaitFor(
            [&] {
                for (const QJsonObject &o : std::as_const(frames))
                    if (o.value(QStringLiteral("type")).toString() == type) {
                        found = o;
                        return true;
                    }
                return false;
            },
            10000);
        return found;
    };
    console.sendTextMessage(QStringLiteral(
        R"({"type":"login","req":1,"username":"boss","password":"boss password long enough"})"));
    QVERIFY(!awaitType(QStringLiteral("logged_in")).isEmpty());
    console.sendTextMessage(QStringLiteral(R"({"type":"subscribe","req":2})"));
    const QJsonArray waiting =
        awaitType(QStringLiteral("snapshot")).value(QStringLiteral("waiting")).toArray();
    QCOMPARE(waiting.size(), 1);
    const QString clientId = waiting.at(0).toObject().value(QStringLiteral("id")).toString();
    frames.clear();
    console.sendTextMessage(
        QStringLiteral(R"({"type":"ban","req":3,"client":"%1","duration_s":600,)"
                       R"("reason":"test","scope":"address"})")
            .arg(clientId));
    const QJsonObject answer = awaitType(QStringLiteral("ok"));
    QVERIFY2(!answer.isEmpty(), qPrintable(QJsonDocument(frames.value(0)).toJson()));

    // node1 closes its own; node2 and node3 close their live connections
    // from the address, long before their periodic re-read of the bans
    // (ban-refresh-s, 60 s).
    QVERIFY2(onNode1.waitFor("banned", 3000), onNode1.received.constData());
    QVERIFY2(onNode2.waitFor("banned", 3000), onNode2.received.constData());
    // node3 has read the ban once it closed its connection (one step of
    // Moderation::refresh), and from then on refuses a new one. Connecting
    // before that would race node3's reading of the ban.
    QVERIFY2(heldOnNode3.waitFor("banned", 3000), heldOnNode3.received.constData());
    SourcedClient onNode3;
    QVERIFY(onNode3.open(target, m_nodes.value(QStringLiteral("node3"))));
    QVERIFY2(onNode3.waitFor("this address is banned", 3000), onNode3.received.constData());
}

void TestClusterUp::downStopsExactlyTheClusterProcesses() {
    QMap<QString, qint64> pids;
    for (const QString &name :
         {QStringLiteral("redis"), QStringLiteral("postgres"), QStringLiteral("lb"),
          QStringLiteral("node1"), QStringLiteral("node2"), QStringLiteral("node3")})
        pids.insert(name, pidOf(name));
    // A bystander process must survive.
    QProcess bystander;
    bystander.start(QStringLiteral("sleep"), {QStringLiteral("30")});
    QVERIFY(bystander.waitForStarted());
    const int rc =
        QProcess::execute(QStringLiteral("bash"), {kScripts + QStringLiteral("cluster-down.sh"),
                                                   QStringLiteral("--state-dir"), m_state.path()});
    m_down = true;
    QCOMPARE(rc, 0);
    for (auto it = pids.cbegin(); it != pids.cend(); ++it)
        QTRY_VERIFY2(!processAlive(it.value()), qPrintable(it.key()));
    QVERIFY(bystander.state() == QProcess::Running);
    bystander.kill();
    bystander.waitForFinished();
    QVERIFY(QDir(m_state.filePath(QStringLiteral("pids"))).entryList(QDir::Files).isEmpty());
}

QTEST_GUILESS_MAIN(TestClusterUp)
#include "tst_clusterup.moc"
