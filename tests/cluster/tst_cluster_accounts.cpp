// SPDX-License-Identifier: MIT
// Login and registration limits of a whole cluster from
// scripts/cluster-up.sh (real redis-server, PostgreSQL, three nodes,
// nginx): attempts spread over the three nodes meet the limit at the same
// total one node would allow, and the per-address login bucket behind the
// load balancer counts the real client, whatever X-Forwarded-For it forges;
// with Redis stopped, logins go on under each node's own limits.
// (tst_clusterup shows accounts and bans reaching every node, and the
// connect limit behind the proxy.)
#include "clusterrig.h"
#include "totp.h"
#include "wsframe.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QSet>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <signal.h>

#include <memory>

using namespace whisper;
using whisper::test::ClusterRig;

namespace {

constexpr qint64 kLockoutMs = 900000; // --login-lockout-s default
constexpr qint64 kSlowLeakMs = 600000;

// A WebSocket client on a chosen loopback source address (QWebSocket
// cannot bind one) that may add request headers, reading the server's
// text frames one at a time.
class SourcedClient {
public:
    bool open(const QHostAddress &source, const QUrl &url, const QByteArray &extraHeaders = {}) {
        if (!m_socket.bind(source))
            return false;
        m_socket.connectToHost(QHostAddress(url.host()), quint16(url.port()));
        if (!m_socket.waitForConnected(5000))
            return false;
        m_socket.write("GET / HTTP/1.1\r\nHost: " + url.authority().toLatin1() +
                       "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                       "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                       "Sec-WebSocket-Version: 13\r\n" +
                       extraHeaders + "\r\n");
        if (!QTest::qWaitFor(
                [&] {
                    m_buffer += m_socket.readAll();
                    return m_buffer.contains("\r\n\r\n");
                },
                5000) ||
            !m_buffer.startsWith("HTTP/1.1 101")) {
            qWarning() << "handshake:" << m_buffer.left(200);
            return false;
        }
        m_buffer.remove(0, m_buffer.indexOf("\r\n\r\n") + 4);
        const QJsonObject welcome = next();
        m_node = welcome.value(QStringLiteral("node")).toString();
        return welcome.value(QStringLiteral("type")).toString() == QStringLiteral("welcome");
    }
    void send(const QJsonObject &message) {
        std::string frame;
        ws::appendMaskedFrame(frame, ws::Opcode::Text,
                              QJsonDocument(message).toJson(QJsonDocument::Compact).toStdString(),
                              0x37fa213d);
        m_socket.write(frame.data(), qint64(frame.size()));
    }
    // The next text frame; empty after 10 s without one.
    QJsonObject next() {
        QJsonObject out;
        (void)QTest::qWaitFor(
            [&] {
                m_buffer += m_socket.readAll();
                ws::FrameView frame;
                while (ws::parseFrame(
                           std::string_view(m_buffer.constData(), std::size_t(m_buffer.size())),
                           frame) == ws::ParseResult::Frame) {
                    const bool text = frame.opcode == ws::Opcode::Text;
                    const QByteArray payload(frame.payload.data(), qsizetype(frame.payload.size()));
                    m_buffer.remove(0, qsizetype(frame.frameBytes));
                    if (text) {
                        out = QJsonDocument::fromJson(payload).object();
                        return true;
                    }
                }
                return false;
            },
            10000);
        return out;
    }
    // One login; the answer's `code`, or "authenticated".
    QJsonObject login(const QString &username, const QString &password) {
        send(QJsonObject{{QStringLiteral("type"), QStringLiteral("login")},
                         {QStringLiteral("username"), username},
                         {QStringLiteral("password"), password}});
        return next();
    }

    // The node that welcomed this client.
    const QString &node() const { return m_node; }

private:
    QTcpSocket m_socket;
    QByteArray m_buffer;
    QString m_node;
};

QString codeOf(const QJsonObject &answer) {
    return answer.value(QStringLiteral("type")).toString() == QStringLiteral("error")
               ? answer.value(QStringLiteral("code")).toString()
               : answer.value(QStringLiteral("type")).toString();
}

qint64 retryAfterOf(const QJsonObject &answer) {
    return qint64(answer.value(QStringLiteral("retry_after_ms")).toDouble());
}

QString describe(const QJsonObject &answer) {
    return QString::fromUtf8(QJsonDocument(answer).toJson(QJsonDocument::Compact));
}

} // namespace

class TestClusterAccounts : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void loginAttemptsCountAcrossNodes();
    void registrationsCountAcrossNodes();
    void loginLimitBehindTheProxySeesTheRealClient();
    void secondFactorGuessesCountAcrossNodes();
    // Last: it stops Redis.
    void loginsGoOnWhileRedisIsDown();

private:
    ClusterRig m_rig;
    QUrl m_chat;                 // the load balancer
    QMap<QString, QUrl> m_nodes; // node name -> its own chat URL
};

void TestClusterAccounts::initTestCase() {
    QVERIFY2(m_rig.up({// Per name and address: 4 wrong passwords, then the lockout;
                       // per address: 6 attempts; per address: 2 registrations. None
                       // drains noticeably while the suite runs.
                       QStringLiteral("--rate-login-user-burst"), QStringLiteral("4"),
                       QStringLiteral("--rate-login-user-leak-ms"), QString::number(kSlowLeakMs),
                       QStringLiteral("--rate-login-ip-burst"), QStringLiteral("6"),
                       QStringLiteral("--rate-login-ip-leak-ms"), QString::number(kSlowLeakMs),
                       QStringLiteral("--rate-register-burst"), QStringLiteral("2"),
                       QStringLiteral("--rate-register-leak-ms"), QString::number(kSlowLeakMs),
                       QStringLiteral("--argon2-mem-kib"), QStringLiteral("64"),
                       QStringLiteral("--argon2-ops"), QStringLiteral("1")}),
             qPrintable(m_rig.error()));
    m_chat = m_rig.chat();
    m_nodes = m_rig.nodes();
}

void TestClusterAccounts::cleanupTestCase() {
    m_rig.down();
}

void TestClusterAccounts::loginAttemptsCountAcrossNodes() {
    // One client address with a connection to each node, guessing in turn.
    const QHostAddress client(QStringLiteral("127.0.0.11"));
    SourcedClient on[3];
    for (int n = 0; n < 3; ++n)
        QVERIFY(on[n].open(client, m_nodes.value(QStringLiteral("node%1").arg(n + 1))));
    // The name need not exist: the buckets are the same either way.
    for (int i = 0; i < 4; ++i) {
        const QJsonObject answer =
            on[i % 3].login(QStringLiteral("somebody"), QStringLiteral("guess number %1").arg(i));
        QVERIFY2(codeOf(answer) == QStringLiteral("unauthorized"), qPrintable(describe(answer)));
    }
    // The fifth guess, on the second node, is over the cluster's 4: the
    // lockout (per node, 4 guesses on each of three nodes would be 12).
    const QJsonObject fifth = on[1].login(QStringLiteral("somebody"), QStringLiteral("guess five"));
    QVERIFY2(codeOf(fifth) == QStringLiteral("rate_limited"), qPrintable(describe(fifth)));
    QVERIFY2(retryAfterOf(fifth) > kSlowLeakMs && retryAfterOf(fifth) <= kLockoutMs,
             qPrintable(describe(fifth)));
    // Locked on the third node too.
    QCOMPARE(codeOf(on[2].login(QStringLiteral("Somebody"), QStringLiteral("guess six"))),
             QStringLiteral("rate_limited"));
    // Refused attempts count too: the address has made its 6, so another
    // name is refused by the per-address bucket (not a lockout), although
    // node1 itself has seen only two.
    const QJsonObject seventh =
        on[0].login(QStringLiteral("another"), QStringLiteral("guess seven"));
    QVERIFY2(codeOf(seventh) == QStringLiteral("rate_limited"), qPrintable(describe(seventh)));
    QVERIFY2(retryAfterOf(seventh) <= kSlowLeakMs, qPrintable(describe(seventh)));
}

void TestClusterAccounts::registrationsCountAcrossNodes() {
    const QHostAddress client(QStringLiteral("127.0.0.12"));
    auto registerOn = [&](const QString &node, const QString &name) {
        SourcedClient c;
        if (!c.open(client, m_nodes.value(node)))
            return QJsonObject();
        c.send(QJsonObject{{QStringLiteral("type"), QStringLiteral("register")},
                           {QStringLiteral("username"), name},
                           {QStringLiteral("password"), QStringLiteral("long enough password")}});
        return c.next();
    };
    QCOMPARE(codeOf(registerOn(QStringLiteral("node1"), QStringLiteral("first_of_two"))),
             QStringLiteral("authenticated"));
    QCOMPARE(codeOf(registerOn(QStringLiteral("node2"), QStringLiteral("second_of_two"))),
             QStringLiteral("authenticated"));
    // The third would be the first on node3.
    const QJsonObject third = registerOn(QStringLiteral("node3"), QStringLiteral("third_of_two"));
    QVERIFY2(codeOf(third) == QStringLiteral("rate_limited"), qPrintable(describe(third)));
    QVERIFY(retryAfterOf(third) > 0);
}

void TestClusterAccounts::loginLimitBehindTheProxySeesTheRealClient() {
    // Through nginx, each connection forging another origin to the left of
    // what nginx appends: the nodes trust only the proxy's hop, so all of
    // them count 127.0.0.13, wherever the balancer sends it.
    const QHostAddress client(QStringLiteral("127.0.0.13"));
    // Held open, so least_conn spreads them over the nodes.
    std::vector<std::unique_ptr<SourcedClient>> held;
    QSet<QString> nodesSeen;
    for (int i = 0; i < 7; ++i) {
        held.push_back(std::make_unique<SourcedClient>());
        SourcedClient &c = *held.back();
        QVERIFY(c.open(client, m_chat,
                       QByteArray("X-Forwarded-For: 203.0.113.") + QByteArray::number(i + 1) +
                           ", 127.0.0.1\r\n"));
        const QJsonObject answer =
            c.login(QStringLiteral("name%1").arg(i), QStringLiteral("some password"));
        const QString expected =
            i < 6 ? QStringLiteral("unauthorized") : QStringLiteral("rate_limited");
        QVERIFY2(codeOf(answer) == expected,
                 qPrintable(QStringLiteral("attempt %1: %2").arg(i).arg(describe(answer))));
        nodesSeen.insert(c.node());
    }
    QCOMPARE(nodesSeen.size(), 3);
    // Another client behind the same proxy has its own allowance: the nodes
    // did not count the proxy.
    SourcedClient other;
    QVERIFY(other.open(QHostAddress(QStringLiteral("127.0.0.14")), m_chat));
    QCOMPARE(codeOf(other.login(QStringLiteral("name0"), QStringLiteral("some password"))),
             QStringLiteral("unauthorized"));
}

void TestClusterAccounts::secondFactorGuessesCountAcrossNodes() {
    const QString password = QStringLiteral("long enough password");
    QByteArray secret;
    {
        SourcedClient c;
        QVERIFY(c.open(QHostAddress(QStringLiteral("127.0.0.16")),
                       m_nodes.value(QStringLiteral("node1"))));
        c.send(QJsonObject{{QStringLiteral("type"), QStringLiteral("register")},
                           {QStringLiteral("username"), QStringLiteral("twofactor")},
                           {QStringLiteral("password"), password}});
        QCOMPARE(codeOf(c.next()), QStringLiteral("authenticated"));
        c.send(QJsonObject{{QStringLiteral("type"), QStringLiteral("totp_enroll")},
                           {QStringLiteral("password"), password}});
        const QJsonObject enrolment = c.next();
        QCOMPARE(codeOf(enrolment), QStringLiteral("totp_enrollment"));
        secret = totp::base32Decode(enrolment.value(QStringLiteral("secret")).toString())
                     .value_or(QByteArray());
        QVERIFY(!secret.isEmpty());
        c.send(QJsonObject{{QStringLiteral("type"), QStringLiteral("totp_enable")},
                           {QStringLiteral("password"), password},
                           {QStringLiteral("code"),
                            totp::codeAt(secret, QDateTime::currentMSecsSinceEpoch() / 1000)}});
        QCOMPARE(codeOf(c.next()), QStringLiteral("totp_enabled"));
    }
    // A code no step around now accepts.
    QString wrong = QStringLiteral("000000");
    for (int n = 0; totp::verify(secret, wrong, QDateTime::currentMSecsSinceEpoch() / 1000, 2); ++n)
        wrong = QStringLiteral("%1").arg(n * 7919 % 1000000, 6, 10, QLatin1Char('0'));
    // The right password with wrong codes, each from another address (so
    // no per-address bucket fills) on the next node: the account's 5 are
    // the cluster's 5, then the lockout.
    for (int i = 0; i < 6; ++i) {
        SourcedClient c;
        QVERIFY(c.open(QHostAddress(QStringLiteral("127.0.0.%1").arg(20 + i)),
                       m_nodes.value(QStringLiteral("node%1").arg(i % 3 + 1))));
        c.send(QJsonObject{{QStringLiteral("type"), QStringLiteral("login")},
                           {QStringLiteral("username"), QStringLiteral("twofactor")},
                           {QStringLiteral("password"), password},
                           {QStringLiteral("totp"), wrong}});
        const QJsonObject answer = c.next();
        QVERIFY2(codeOf(answer) ==
                     (i < 5 ? QStringLiteral("unauthorized") : QStringLiteral("rate_limited")),
                 qPrintable(QStringLiteral("guess %1: %2").arg(i).arg(describe(answer))));
        if (i == 5)
            QVERIFY2(retryAfterOf(answer) > kSlowLeakMs, qPrintable(describe(answer)));
    }
}

void TestClusterAccounts::loginsGoOnWhileRedisIsDown() {
    const QHostAddress client(QStringLiteral("127.0.0.15"));
    const QString password = QStringLiteral("long enough password");
    {
        SourcedClient c;
        QVERIFY(c.open(client, m_nodes.value(QStringLiteral("node1"))));
        c.send(QJsonObject{{QStringLiteral("type"), QStringLiteral("register")},
                           {QStringLiteral("username"), QStringLiteral("steady")},
                           {QStringLiteral("password"), password}});
        QCOMPARE(codeOf(c.next()), QStringLiteral("authenticated"));
    }
    // Redis goes away (its PID from cluster-up.sh's file).
    const qint64 pid = m_rig.pidOf(QStringLiteral("redis"));
    QVERIFY(pid > 0 && ::kill(pid_t(pid), SIGTERM) == 0);
    QTRY_VERIFY_WITH_TIMEOUT(::kill(pid_t(pid), 0) != 0, 10000);
    // A login on another node is answered by that node's own buckets, at
    // once, rather than refused.
    SourcedClient c;
    QVERIFY(c.open(client, m_nodes.value(QStringLiteral("node2"))));
    QElapsedTimer timer;
    timer.start();
    const QJsonObject answer = c.login(QStringLiteral("steady"), password);
    QVERIFY2(codeOf(answer) == QStringLiteral("authenticated"), qPrintable(describe(answer)));
    QVERIFY2(timer.elapsed() < 3000, qPrintable(QString::number(timer.elapsed())));
    // And the per-name lockout still holds, per node: 4 wrong guesses, then
    // refused.
    SourcedClient guesser;
    QVERIFY(guesser.open(client, m_nodes.value(QStringLiteral("node2"))));
    for (int i = 0; i < 4; ++i)
        QCOMPARE(codeOf(guesser.login(QStringLiteral("steady"), QStringLiteral("wrong %1").arg(i))),
                 QStringLiteral("unauthorized"));
    QCOMPARE(codeOf(guesser.login(QStringLiteral("steady"), QStringLiteral("wrong again"))),
             QStringLiteral("rate_limited"));
}

QTEST_GUILESS_MAIN(TestClusterAccounts)
#include "tst_cluster_accounts.moc"
