// SPDX-License-Identifier: MIT
// Two real whisperchat-cli processes against a real server, as a person
// would use them from two terminals.

#include "serverprocess.h"
#include "testclient.h"
#include "totp.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QPointer>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

#include <cmath>
#include <csignal>
#include <memory>

using whisper::test::ServerProcess;
using whisper::test::TestClient;

namespace {

constexpr int kTickMs = 400;

// Longitude `km` east of (lat, lon) on the protocol sphere.
double eastOf(double lat, double lon, double km) {
    return lon + km / (6371.0088 * M_PI / 180.0 * std::cos(lat * M_PI / 180.0));
}

class Cli {
public:
    Cli(const QUrl &url, double lat, double lon, double range, QStringList extra = {})
        : Cli(QStringList{QStringLiteral("--url"), url.toString(), QStringLiteral("--lat"),
                          QString::number(lat, 'f', 6), QStringLiteral("--lon"),
                          QString::number(lon, 'f', 6), QStringLiteral("--range"),
                          QString::number(range)} +
              extra) {}
    // Started with exactly these arguments (no location: it starts in the
    // lobby).
    explicit Cli(const QStringList &arguments, const QString &program = ServerProcess::binary(
                                                   QStringLiteral("whisperchat-cli"))) {
        m_process.setProgram(program);
        m_process.setArguments(arguments);
        m_process.start();
    }
    ~Cli() {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.kill();
            m_process.waitForFinished(3000);
        }
    }
    bool waitForLine(const QString &needle, int timeoutMs = 5000) {
        return QTest::qWaitFor(
            [&] {
                m_out += m_process.readAllStandardOutput();
                return QString::fromUtf8(m_out).contains(needle);
            },
            timeoutMs);
    }
    void type(const QByteArray &line) { m_process.write(line + '\n'); }
    QString output() {
        m_out += m_process.readAllStandardOutput();
        return QString::fromUtf8(m_out);
    }
    QString errors() {
        m_err += m_process.readAllStandardError();
        return QString::fromUtf8(m_err);
    }
    QProcess &process() { return m_process; }
    // Closes standard input, as Ctrl-D or the end of a pipe does, and checks
    // that the client then exits by itself with `exitCode`: a client that
    // hangs fails here instead of hanging the suite.
    bool exitsAtEndOfInput(int exitCode = 0) {
        m_process.closeWriteChannel();
        if (!m_process.waitForFinished(5000))
            return false;
        return m_process.exitStatus() == QProcess::NormalExit && m_process.exitCode() == exitCode;
    }

private:
    QProcess m_process;
    QByteArray m_out;
    QByteArray m_err;
};

// Forwards loopback TCP connections to the server. cut() drops every
// connection through it at once, without a close handshake, as a phone
// changing networks does; new connections are forwarded again.
class TcpProxy : public QObject {
public:
    explicit TcpProxy(quint16 targetPort)
        : m_target(targetPort) {
        m_listener.listen(QHostAddress::LocalHost);
        connect(&m_listener, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *in = m_listener.nextPendingConnection()) {
                auto *out = new QTcpSocket(in);
                out->connectToHost(QHostAddress::LocalHost, m_target);
                connect(in, &QTcpSocket::readyRead, out, [in, out] { out->write(in->readAll()); });
                connect(out, &QTcpSocket::readyRead, in, [in, out] { in->write(out->readAll()); });
                connect(in, &QTcpSocket::disconnected, out, &QTcpSocket::disconnectFromHost);
                connect(out, &QTcpSocket::disconnected, in, &QTcpSocket::disconnectFromHost);
                m_sockets.append(in);
            }
        });
    }
    QUrl url() const {
        return QUrl(QStringLiteral("ws://127.0.0.1:%1/").arg(m_listener.serverPort()));
    }
    void cut() {
        for (const QPointer<QTcpSocket> &in : std::exchange(m_sockets, {})) {
            if (!in)
                continue;
            for (QTcpSocket *out : in->findChildren<QTcpSocket *>())
                out->abort();
            in->abort();
            in->deleteLater();
        }
    }

private:
    quint16 m_target;
    QTcpServer m_listener;
    QList<QPointer<QTcpSocket>> m_sockets;
};

} // namespace

class TestCli : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void threeKmApartChat();
    void rangeTwoNeverMatches();
    void nextFindsSomeoneElse();
    void jsonModePrintsFrames();
    void partnerCannotFakeLinesOrControlTheTerminal();
    void invalidArgumentsExitWith2();
    void endOfInputBeforeJoiningExits();
    void endOfInputWhileWaitingLeavesAndExits();
    void endOfInputWhilePairedLeavesAndExits();
    void endOfInputAfterPartnerLeftExits();
    void withoutLocationSaysHowToJoin();
    void errorsAreSentences();
    void linesOverTheLimitsAreNotSent();
    void unreachableServerIsSaidSo();
    void lostConnectionIsResumed();
    void drainingServerIsLeftForTheNextOne();
    void registerLogoutAndLogin();
    void loginAsksForTheTwoFactorCode();
    void blockedPartnerIsNotMatchedAgain();
    void reportIsAcknowledged();
    void partnerTypingAndDeliveredMarksAreShown();
    void helpListsEveryCommand();
    void passwordIsNotEchoedOnATerminal();
    void interruptAtThePasswordPromptRestoresEcho();
    void typingOnATerminalIsSent();

private:
    std::unique_ptr<ServerProcess> m_server;
};

void TestCli::initTestCase() {
    // Cheap password hashing keeps the account cases fast; without the
    // exclusion of recent partners only a block keeps two people apart.
    m_server = std::make_unique<ServerProcess>(QStringList{
        QStringLiteral("--tick-ms"), QString::number(kTickMs), QStringLiteral("--argon2-ops"),
        QStringLiteral("1"), QStringLiteral("--argon2-mem-kib"), QStringLiteral("256"),
        QStringLiteral("--recent-partner-exclusion-s"), QStringLiteral("0")});
    QVERIFY(m_server->start());
}

void TestCli::cleanupTestCase() {
    QVERIFY(m_server->terminate());
}

void TestCli::threeKmApartChat() {
    const double lat = 59.3293, lon = 18.0686; // Stockholm
    Cli a(m_server->chatUrl(), lat, lon, 10);
    QVERIFY(a.waitForLine(QStringLiteral("waiting")));
    Cli b(m_server->chatUrl(), lat, eastOf(lat, lon, 3.0), 10);
    QVERIFY(b.waitForLine(QStringLiteral("waiting")));
    QElapsedTimer sinceBothWait;
    sinceBothWait.start();
    QVERIFY(a.waitForLine(QStringLiteral("matched within 5 km")));
    QVERIFY(b.waitForLine(QStringLiteral("matched within 5 km")));
    // Matched by the first tick after both waited (plus scheduling slack on
    // a busy machine).
    QVERIFY2(sinceBothWait.elapsed() <= 2 * kTickMs + 500,
             qPrintable(QString::number(sinceBothWait.elapsed())));

    a.type("hello from the old town");
    QVERIFY(b.waitForLine(QStringLiteral(": hello from the old town")));
    b.type("hi! //not a command");
    QVERIFY(a.waitForLine(QStringLiteral(": hi! //not a command")));
    b.type("//leave is text");
    QVERIFY(a.waitForLine(QStringLiteral(": /leave is text")));

    a.type("/quit");
    QVERIFY(a.process().waitForFinished(5000));
    QCOMPARE(a.process().exitCode(), 0);
    QVERIFY(b.waitForLine(QStringLiteral("partner left (left)")));
    b.type("/quit");
    QVERIFY(b.process().waitForFinished(5000));
}

void TestCli::rangeTwoNeverMatches() {
    const double lat = -34.6037, lon = -58.3816; // Buenos Aires
    Cli a(m_server->chatUrl(), lat, lon, 10);
    Cli b(m_server->chatUrl(), lat, eastOf(lat, lon, 3.0), 2);
    QVERIFY(a.waitForLine(QStringLiteral("waiting")));
    QVERIFY(b.waitForLine(QStringLiteral("waiting")));
    // Many ticks pass; neither is ever matched.
    QVERIFY(!a.waitForLine(QStringLiteral("matched"), 6 * kTickMs));
    QVERIFY(!b.output().contains(QStringLiteral("matched")));
}

void TestCli::nextFindsSomeoneElse() {
    const double lat = 41.9028, lon = 12.4964; // Rome
    Cli a(m_server->chatUrl(), lat, lon, 10);
    Cli b(m_server->chatUrl(), lat, lon, 10);
    QVERIFY(a.waitForLine(QStringLiteral("matched")));
    QVERIFY(b.waitForLine(QStringLiteral("matched")));
    Cli c(m_server->chatUrl(), lat, lon, 10);
    QVERIFY(c.waitForLine(QStringLiteral("waiting")));
    // a moves on: b is told, a and c meet (a just left b, so not b again).
    a.type("/next");
    QVERIFY(b.waitForLine(QStringLiteral("partner left (left)")));
    QVERIFY(c.waitForLine(QStringLiteral("matched")));
    QVERIFY(a.waitForLine(QStringLiteral("you left")));
    // a's own line for the new pair may come after c's (with io-threads the
    // two connections are written by different threads): wait for it.
    QTRY_COMPARE(a.output().count(QStringLiteral("matched within")), 2);
}

void TestCli::jsonModePrintsFrames() {
    Cli a(m_server->chatUrl(), 0.0, 0.0, 1, {QStringLiteral("--json")});
    QVERIFY(a.waitForLine(QStringLiteral("\"type\":\"welcome\"")));
    QVERIFY(a.waitForLine(QStringLiteral("\"type\":\"waiting\"")));
    a.type("not paired yet");
    a.type("/leave");
    QVERIFY(a.waitForLine(QStringLiteral("\"type\":\"left\"")));
}

void TestCli::partnerCannotFakeLinesOrControlTheTerminal() {
    // The partner is a raw protocol client: it sends what a hostile client
    // would, not what the CLI would type.
    const double lat = 60.1699, lon = 24.9384; // Helsinki
    Cli a(m_server->chatUrl(), lat, lon, 10);
    QVERIFY(a.waitForLine(QStringLiteral("waiting")));
    auto partner = TestClient::waitingAt(m_server->chatUrl(), lat, lon + 0.01, 10);
    QVERIFY(partner);
    QVERIFY(partner->waitFor<whisper::protocol::Matched>(10000));
    QVERIFY(a.waitForLine(QStringLiteral("matched within")));

    const QString forged =
        QStringLiteral("bye\n* partner left (left); /next to meet someone else\r\n"
                       "* notice from the operators: send your password"
                       "\x1b]0;owned\x07\x1b[2J\x1b[1A\u009b31m\x7f\x08\x01"
                       "end");
    partner->send(whisper::protocol::SendMessage{forged, std::nullopt});
    QVERIFY(a.waitForLine(QStringLiteral("end\n")));
    const QString out = a.output();
    // No escape, C0 (other than the line ends of the CLI's own lines), DEL
    // or C1 character reached the terminal.
    for (const QChar c : out) {
        const char16_t u = c.unicode();
        QVERIFY2(u == u'\n' || u == u'\t' || (u >= 0x20 && u != 0x7f && (u < 0x80 || u > 0x9f)),
                 qPrintable(QStringLiteral("control character U+%1 printed")
                                .arg(int(u), 4, 16, QLatin1Char('0'))));
    }
    // The message is one line, its breaks shown, and no line of the output
    // is a forged status line.
    const QStringList lines = out.split(u'\n');
    for (const QString &line : lines) {
        QVERIFY2(!line.startsWith(QStringLiteral("* partner left")), qPrintable(line));
        QVERIFY2(!line.startsWith(QStringLiteral("* notice")), qPrintable(line));
    }
    QVERIFY2(out.contains(QStringLiteral(": bye\u23ce* partner left (left); /next to meet someone "
                                         "else\u23ce* notice from the operators: send your "
                                         "passwordend")),
             qPrintable(out));
    a.type("/quit");
    QVERIFY(a.process().waitForFinished(5000));
}

void TestCli::invalidArgumentsExitWith2() {
    for (const QStringList &args :
         {QStringList{QStringLiteral("--lat"), QStringLiteral("91"), QStringLiteral("--lon"),
                      QStringLiteral("0"), QStringLiteral("--range"), QStringLiteral("5")},
          QStringList{QStringLiteral("--lat"), QStringLiteral("1")},
          QStringList{QStringLiteral("--url"), QStringLiteral("http://x")}}) {
        QProcess p;
        p.start(ServerProcess::binary(QStringLiteral("whisperchat-cli")), args);
        QVERIFY(p.waitForFinished(5000));
        QCOMPARE(p.exitCode(), 2);
        QVERIFY(!p.readAllStandardError().isEmpty());
    }
}

void TestCli::endOfInputBeforeJoiningExits() {
    Cli a({QStringLiteral("--url"), m_server->chatUrl().toString()});
    QVERIFY(a.waitForLine(QStringLiteral("* connected to")));
    QVERIFY2(a.exitsAtEndOfInput(0), qPrintable(a.output() + a.errors()));
}

void TestCli::endOfInputWhileWaitingLeavesAndExits() {
    const double lat = 64.1466, lon = -21.9426; // Reykjavik
    Cli a(m_server->chatUrl(), lat, lon, 10);
    QVERIFY(a.waitForLine(QStringLiteral("waiting")));
    a.type("for a partner who never comes");
    QVERIFY2(a.exitsAtEndOfInput(0), qPrintable(a.output() + a.errors()));
    QVERIFY2(a.output().contains(QStringLiteral("* end of input while waiting: 1 line(s) not "
                                                "sent\n* end of input: leaving the waiting room")),
             qPrintable(a.output()));
    // It left the waiting room: someone at the same place waits alone.
    auto other = TestClient::waitingAt(m_server->chatUrl(), lat, lon, 10);
    QVERIFY(other);
    QVERIFY(other->staysWithout<whisper::protocol::Matched>(4 * kTickMs));
}

void TestCli::endOfInputWhilePairedLeavesAndExits() {
    const double lat = 38.7223, lon = -9.1393; // Lisbon
    Cli a(m_server->chatUrl(), lat, lon, 10);
    QVERIFY(a.waitForLine(QStringLiteral("waiting")));
    auto partner = TestClient::waitingAt(m_server->chatUrl(), lat, lon, 10);
    QVERIFY(partner);
    QVERIFY(a.waitForLine(QStringLiteral("matched within")));
    a.type("last words");
    QVERIFY2(a.exitsAtEndOfInput(0), qPrintable(a.output() + a.errors()));
    const auto message = partner->waitFor<whisper::protocol::IncomingMessage>();
    QVERIFY(message);
    QCOMPARE(message->text, QStringLiteral("last words"));
    const auto left = partner->waitFor<whisper::protocol::PartnerLeft>();
    QVERIFY(left);
    QVERIFY(left->reason == whisper::protocol::LeftReason::Left);
}

void TestCli::endOfInputAfterPartnerLeftExits() {
    const double lat = 50.0755, lon = 14.4378; // Prague
    Cli a(m_server->chatUrl(), lat, lon, 10);
    QVERIFY(a.waitForLine(QStringLiteral("waiting")));
    auto partner = TestClient::waitingAt(m_server->chatUrl(), lat, lon, 10);
    QVERIFY(partner);
    QVERIFY(a.waitForLine(QStringLiteral("matched within")));
    partner->send(whisper::protocol::Leave{});
    QVERIFY(a.waitForLine(QStringLiteral("partner left")));
    QVERIFY2(a.exitsAtEndOfInput(0), qPrintable(a.output() + a.errors()));
}

void TestCli::withoutLocationSaysHowToJoin() {
    const double lat = 48.2082, lon = 16.3738; // Vienna
    Cli a({QStringLiteral("--url"), m_server->chatUrl().toString()});
    QVERIFY(a.waitForLine(QStringLiteral("* type /join LAT LON RANGE_KM to look for someone "
                                         "nearby")));
    // Text before joining is not kept for a later partner: the user is told.
    a.type("hello before joining");
    QVERIFY(a.waitForLine(QStringLiteral("! not sent: you are not in a chat")));
    a.type("/join 48.2082 nowhere 10");
    QVERIFY(a.waitForLine(QStringLiteral("! LON must be a number from -180 to 180")));
    a.type("/join 48.2082 16.3738 10");
    QVERIFY(a.waitForLine(QStringLiteral("waiting for someone nearby")));
    auto partner = TestClient::waitingAt(m_server->chatUrl(), lat, lon, 10);
    QVERIFY(partner);
    QVERIFY(a.waitForLine(QStringLiteral("matched within")));
    a.type("hello after joining");
    const auto message = partner->waitFor<whisper::protocol::IncomingMessage>();
    QVERIFY(message);
    QCOMPARE(message->text, QStringLiteral("hello after joining"));
    QVERIFY(partner->staysWithout<whisper::protocol::IncomingMessage>(300));
    QVERIFY2(a.exitsAtEndOfInput(0), qPrintable(a.output() + a.errors()));
}

void TestCli::errorsAreSentences() {
    // A server that rate-limits loopback too, as it would a real user.
    ServerProcess server({QStringLiteral("--rate-exempt"), QString()});
    QVERIFY(server.start());
    Cli a(server.chatUrl(), 45.4642, 9.19, 1); // Milan
    QVERIFY(a.waitForLine(QStringLiteral("waiting")));
    // Joined once; each further /join is a conflict until the connection's
    // join bucket (5) is empty, then rate_limited.
    for (int i = 0; i < 6; ++i)
        a.type("/join");
    QVERIFY(a.waitForLine(QStringLiteral("! you are already waiting for someone\n")));
    QVERIFY(a.waitForLine(QStringLiteral("! slow down: try again in ")));
    const QString out = a.output();
    QVERIFY2(QRegularExpression(QStringLiteral("! slow down: try again in [1-9][0-9]* s\n"))
                 .match(out)
                 .hasMatch(),
             qPrintable(out));
    // No wire codes reach the user.
    for (const char *code : {"conflict", "rate_limited"})
        QVERIFY2(!out.contains(QLatin1String(code)), qPrintable(out));
    // The refused extra joins did not take the client out of the waiting
    // room: a line typed now is kept for the partner it meets.
    a.type("kept while waiting");
    auto partner = TestClient::waitingAt(server.chatUrl(), 45.4642, 9.19, 1);
    QVERIFY(partner);
    const auto message = partner->waitFor<whisper::protocol::IncomingMessage>();
    QVERIFY(message);
    QCOMPARE(message->text, QStringLiteral("kept while waiting"));
    QVERIFY2(!a.output().contains(QStringLiteral("not sent")), qPrintable(a.output()));
    a.type("/quit");
    QVERIFY(a.process().waitForFinished(5000));
    QVERIFY(server.terminate());
}

void TestCli::linesOverTheLimitsAreNotSent() {
    ServerProcess server({QStringLiteral("--max-text-chars"), QStringLiteral("50"),
                          QStringLiteral("--max-message-bytes"), QStringLiteral("256")});
    QVERIFY(server.start());
    const double lat = 52.2297, lon = 21.0122; // Warsaw
    Cli a(server.chatUrl(), lat, lon, 10);
    QVERIFY(a.waitForLine(QStringLiteral("waiting")));
    auto partner = TestClient::waitingAt(server.chatUrl(), lat, lon, 10);
    QVERIFY(partner);
    QVERIFY(a.waitForLine(QStringLiteral("matched within")));

    // One character over max_text_chars.
    a.type(QByteArray(51, 'x'));
    QVERIFY(
        a.waitForLine(QStringLiteral("! not sent: that line is 51 characters; the limit is 50\n")));
    // Within max_text_chars but over max_message_bytes once JSON-escaped
    // (each U+0001 is "\u0001", six bytes): the server would close with 1009.
    a.type(QByteArray(45, '\x01'));
    // 45 * 6 bytes of text in {"type":"message","text":"…","id":"1"}.
    QVERIFY(a.waitForLine(QStringLiteral(
        "! not sent: that line is 307 bytes as a message; the limit is 256 bytes\n")));
    // The connection is still open and nothing reached the partner before
    // the line that fits.
    a.type("fits");
    const auto message = partner->waitFor<whisper::protocol::IncomingMessage>();
    QVERIFY(message);
    QCOMPARE(message->text, QStringLiteral("fits"));
    QVERIFY(partner->unread().isEmpty() ||
            !std::holds_alternative<whisper::protocol::IncomingMessage>(partner->unread().first()));
    QVERIFY(a.process().state() == QProcess::Running);
    QVERIFY(!a.output().contains(QStringLiteral("too long")));
    QVERIFY2(a.exitsAtEndOfInput(0), qPrintable(a.output() + a.errors()));
    QVERIFY(server.terminate());
}

void TestCli::unreachableServerIsSaidSo() {
    // A loopback port that was free a moment ago: nothing listens there.
    quint16 port = 0;
    {
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost));
        port = probe.serverPort();
    }
    const QString url = QStringLiteral("ws://127.0.0.1:%1/").arg(port);
    // Standard input stays open: the failed connection alone ends it.
    Cli a({QStringLiteral("--url"), url});
    QVERIFY(a.process().waitForFinished(5000));
    QCOMPARE(a.process().exitStatus(), QProcess::NormalExit);
    QVERIFY(a.process().exitCode() != 0);
    const QString errors = a.errors();
    QVERIFY2(errors.contains(QStringLiteral("* cannot reach %1: connection refused").arg(url)),
             qPrintable(errors));
    QVERIFY2(!errors.contains(QStringLiteral("1000")), qPrintable(errors));
}

void TestCli::lostConnectionIsResumed() {
    ServerProcess server({QStringLiteral("--tick-ms"), QStringLiteral("50"),
                          QStringLiteral("--resume-grace-s"), QStringLiteral("10")});
    QVERIFY(server.start());
    TcpProxy proxy(quint16(server.chatUrl().port()));
    Cli a(proxy.url(), 48.2, 16.37, 5);
    TestClient partner;
    QVERIFY(partner.connectTo(server.chatUrl()));
    partner.send(whisper::protocol::Join{48.2, 16.37, 5});
    QVERIFY(partner.waitFor<whisper::protocol::Matched>());
    QVERIFY2(a.waitForLine(QStringLiteral("* matched")), qPrintable(a.output()));

    proxy.cut();
    QVERIFY2(a.waitForLine(QStringLiteral("* connection lost, reconnecting...")),
             qPrintable(a.output() + a.errors()));
    QVERIFY(partner.waitFor<whisper::protocol::PartnerAway>());
    partner.send(whisper::protocol::SendMessage{QStringLiteral("still there?"), std::nullopt});
    QVERIFY2(a.waitForLine(QStringLiteral("* back in your chat with")),
             qPrintable(a.output() + a.errors()));
    QVERIFY(partner.waitFor<whisper::protocol::PartnerBack>());
    // What the partner wrote meanwhile arrives, and the chat goes on.
    QVERIFY(a.waitForLine(QStringLiteral(": still there?")));
    a.type("yes, back again");
    const auto reply = partner.waitFor<whisper::protocol::IncomingMessage>();
    QVERIFY(reply);
    QCOMPARE(reply->text, QStringLiteral("yes, back again"));
    QVERIFY(a.process().state() == QProcess::Running);
    QVERIFY2(a.exitsAtEndOfInput(0), qPrintable(a.output() + a.errors()));
}

void TestCli::drainingServerIsLeftForTheNextOne() {
    ServerProcess first({QStringLiteral("--drain-grace-s"), QStringLiteral("30")});
    QVERIFY(first.start());
    const int port = first.chatUrl().port();
    Cli a({QStringLiteral("--url"), first.chatUrl().toString()});
    QVERIFY(a.waitForLine(QStringLiteral("* connected")));
    ::kill(pid_t(first.pid()), SIGTERM);
    QVERIFY2(a.waitForLine(QStringLiteral("* the server is restarting; reconnecting...")),
             qPrintable(a.output() + a.errors()));
    // The client moved on by itself, so the drain ended early.
    QVERIFY(QTest::qWaitFor([&] { return !first.isRunning(); }, 10000));
    QCOMPARE(first.exitCode(), 0);
    // Its successor on the same port knows nothing of the old session.
    ServerProcess second({QStringLiteral("--port"), QString::number(port)});
    QVERIFY(second.start());
    QVERIFY2(
        a.waitForLine(QStringLiteral("* reconnected, but your chat could not be resumed"), 15000),
        qPrintable(a.output() + a.errors()));
    QVERIFY(a.process().state() == QProcess::Running);
    QVERIFY2(a.exitsAtEndOfInput(0), qPrintable(a.output() + a.errors()));
}

namespace {
const QByteArray kPassword = "correct horse battery";
const QStringList kCommands{
    QStringLiteral("/join"),     QStringLiteral("/next"),   QStringLiteral("/leave"),
    QStringLiteral("/register"), QStringLiteral("/login"),  QStringLiteral("/logout"),
    QStringLiteral("/block"),    QStringLiteral("/report"), QStringLiteral("/help"),
    QStringLiteral("/quit"),     QStringLiteral("//")};
} // namespace

void TestCli::registerLogoutAndLogin() {
    Cli a({QStringLiteral("--url"), m_server->chatUrl().toString()});
    QVERIFY(a.waitForLine(QStringLiteral("* connected to")));
    a.type("/register cli_walrus");
    QVERIFY(a.waitForLine(QStringLiteral("new password for cli_walrus: ")));
    a.type(kPassword);
    QVERIFY2(a.waitForLine(QStringLiteral("* logged in as cli_walrus (user)")),
             qPrintable(a.output()));
    a.type("/logout");
    QVERIFY(a.waitForLine(QStringLiteral("* logged out; you are a guest again")));
    a.type("/login cli_walrus");
    QVERIFY(a.waitForLine(QStringLiteral("password for cli_walrus: ")));
    a.type("not the password");
    QVERIFY(a.waitForLine(QStringLiteral("! login failed: invalid username or password")));
    a.type("/login cli_walrus");
    a.type(kPassword);
    QTRY_COMPARE(a.output().count(QStringLiteral("* logged in as cli_walrus")), 2);
    // The password was never printed, and was not sent as chat text.
    QVERIFY(!a.output().contains(QString::fromUtf8(kPassword)));
    QVERIFY(!a.output().contains(QStringLiteral("not sent")));
    // End of input while logged in (in the lobby) ends the client.
    QVERIFY2(a.exitsAtEndOfInput(0), qPrintable(a.output() + a.errors()));
}

void TestCli::loginAsksForTheTwoFactorCode() {
    using namespace whisper::protocol;
    // The account and its second factor are set up over the protocol.
    TestClient setup;
    QVERIFY(setup.connectTo(m_server->chatUrl()));
    setup.send(Register{QStringLiteral("cli_heron"), QString::fromUtf8(kPassword)});
    QVERIFY(setup.waitFor<Authenticated>(10000));
    setup.send(TotpEnroll{QString::fromUtf8(kPassword)});
    const auto enrolment = setup.waitFor<TotpEnrollment>(10000);
    QVERIFY(enrolment);
    const QByteArray secret = *whisper::totp::base32Decode(enrolment->secret);
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    setup.send(TotpEnable{whisper::totp::codeAt(secret, now), QString::fromUtf8(kPassword)});
    QVERIFY(setup.waitFor<TotpEnabled>(10000));

    Cli a({QStringLiteral("--url"), m_server->chatUrl().toString()});
    QVERIFY(a.waitForLine(QStringLiteral("* connected to")));
    a.type("/login cli_heron");
    a.type(kPassword);
    QVERIFY2(a.waitForLine(QStringLiteral("two-factor code (or a recovery code): ")),
             qPrintable(a.output()));
    QVERIFY(!a.output().contains(QStringLiteral("logged in")));
    // The next step's code: the current one was spent enabling 2FA.
    a.type(whisper::totp::codeAt(secret, now + 30).toUtf8());
    QVERIFY2(a.waitForLine(QStringLiteral("* logged in as cli_heron (user)")),
             qPrintable(a.output()));
    QVERIFY2(a.exitsAtEndOfInput(0), qPrintable(a.output() + a.errors()));
}

void TestCli::blockedPartnerIsNotMatchedAgain() {
    const double lat = 55.6761, lon = 12.5683; // Copenhagen
    Cli a(m_server->chatUrl(), lat, lon, 10);
    QVERIFY(a.waitForLine(QStringLiteral("waiting")));
    Cli b(m_server->chatUrl(), lat, lon, 10);
    QVERIFY(a.waitForLine(QStringLiteral("matched within")));
    QVERIFY(b.waitForLine(QStringLiteral("matched within")));
    a.type("/block");
    QVERIFY2(a.waitForLine(QStringLiteral("* blocked: chat ended")), qPrintable(a.output()));
    QVERIFY(b.waitForLine(QStringLiteral("partner left (blocked)")));
    // Both look again at the same place: ticks pass, they stay apart.
    a.type("/next");
    b.type("/next");
    QTRY_COMPARE(a.output().count(QStringLiteral("waiting for someone")), 2);
    QTRY_COMPARE(b.output().count(QStringLiteral("waiting for someone")), 2);
    QVERIFY(!a.waitForLine(QStringLiteral("xx-never-xx"), 3 * kTickMs));
    QCOMPARE(a.output().count(QStringLiteral("matched within")), 1);
    QCOMPARE(b.output().count(QStringLiteral("matched within")), 1);
    // A third person there is matched with one of them.
    Cli c(m_server->chatUrl(), lat, lon, 10);
    QVERIFY(c.waitForLine(QStringLiteral("matched within")));
    QTRY_COMPARE(a.output().count(QStringLiteral("matched within")) +
                     b.output().count(QStringLiteral("matched within")),
                 3);
}

void TestCli::reportIsAcknowledged() {
    const double lat = 45.4642, lon = 9.19; // Milan
    Cli a(m_server->chatUrl(), lat, lon, 10);
    QVERIFY(a.waitForLine(QStringLiteral("waiting")));
    Cli b(m_server->chatUrl(), lat, lon, 10);
    QVERIFY(a.waitForLine(QStringLiteral("matched within")));
    QVERIFY(b.waitForLine(QStringLiteral("matched within")));
    a.type("/report");
    QVERIFY(a.waitForLine(QStringLiteral("! usage: /report REASON")));
    a.type("/report spam links");
    QVERIFY2(a.waitForLine(QStringLiteral("* reported to the moderators")), qPrintable(a.output()));
    // The chat goes on, and the partner is not told.
    a.type("still here");
    QVERIFY(b.waitForLine(QStringLiteral(": still here")));
    QVERIFY(!b.output().contains(QStringLiteral("report")));
}

void TestCli::partnerTypingAndDeliveredMarksAreShown() {
    const double lat = 52.3676, lon = 4.9041; // Amsterdam
    Cli a(m_server->chatUrl(), lat, lon, 10);
    QVERIFY(a.waitForLine(QStringLiteral("waiting")));
    auto partner = TestClient::waitingAt(m_server->chatUrl(), lat, lon, 10);
    QVERIFY(partner);
    QVERIFY(a.waitForLine(QStringLiteral("matched within")));
    // Typing is shown once per burst, however often the partner repeats it;
    // a message ends the burst.
    partner->send(whisper::protocol::Typing{true});
    partner->send(whisper::protocol::Typing{true});
    partner->send(whisper::protocol::SendMessage{QStringLiteral("typed it"), std::nullopt});
    partner->send(whisper::protocol::Typing{true});
    partner->send(whisper::protocol::SendMessage{QStringLiteral("end"), std::nullopt});
    QVERIFY2(a.waitForLine(QStringLiteral(": end\n")), qPrintable(a.output()));
    static const QRegularExpression burst(QStringLiteral(
        R"(is typing\.\.\.\n[^\n]*: typed it\n[^\n]*is typing\.\.\.\n[^\n]*: end\n)"));
    QVERIFY2(a.output().contains(burst), qPrintable(a.output()));
    QCOMPARE(a.output().count(QStringLiteral(" is typing...")), 2);
    a.type("first line");
    a.type("a second line that is long enough to be shortened in its mark");
    QVERIFY(partner->waitFor<whisper::protocol::IncomingMessage>());
    QVERIFY2(a.waitForLine(QStringLiteral("* \u2713 delivered: first line\n")),
             qPrintable(a.output()));
    QVERIFY2(a.waitForLine(QStringLiteral("* \u2713 delivered: a second line that is long "
                                          "enough to be\u2026\n")),
             qPrintable(a.output()));
    QCOMPARE(a.output().count(QStringLiteral("delivered")), 2);
}

void TestCli::helpListsEveryCommand() {
    Cli a({QStringLiteral("--url"), m_server->chatUrl().toString()});
    QVERIFY(a.waitForLine(QStringLiteral("* connected to")));
    a.type("/help");
    QVERIFY(a.waitForLine(QStringLiteral("Commands:")));
    QVERIFY(a.waitForLine(QStringLiteral("//TEXT")));
    QProcess help;
    help.start(ServerProcess::binary(QStringLiteral("whisperchat-cli")),
               {QStringLiteral("--help")});
    QVERIFY(help.waitForFinished(5000));
    QCOMPARE(help.exitCode(), 0);
    const QString helpText = QString::fromUtf8(help.readAllStandardOutput());
    const QString inApp = a.output();
    for (const QString &command : kCommands) {
        QVERIFY2(inApp.contains(QStringLiteral("\n  ") + command), qPrintable(command));
        QVERIFY2(helpText.contains(QStringLiteral("\n  ") + command), qPrintable(command));
    }
    QVERIFY2(a.exitsAtEndOfInput(0), qPrintable(a.output() + a.errors()));
}

void TestCli::passwordIsNotEchoedOnATerminal() {
    // script(1) runs the client on a pseudo-terminal, whose line discipline
    // echoes what is typed unless the client turns echo off.
    if (QStandardPaths::findExecutable(QStringLiteral("script")).isEmpty())
        QSKIP("script(1) from util-linux is not installed");
    Cli a({QStringLiteral("-qfec"),
           ServerProcess::binary(QStringLiteral("whisperchat-cli")) + QStringLiteral(" --url ") +
               m_server->chatUrl().toString(),
           QStringLiteral("/dev/null")},
          QStringLiteral("script"));
    QVERIFY2(a.waitForLine(QStringLiteral("* connected to")), qPrintable(a.output()));
    a.type("/login cli_nobody");
    QVERIFY2(a.waitForLine(QStringLiteral("password for cli_nobody: ")), qPrintable(a.output()));
    a.type("secret-echo-check");
    QVERIFY2(a.waitForLine(QStringLiteral("! login failed")), qPrintable(a.output()));
    // The terminal did echo the command, and echoes again afterwards.
    a.type("/help");
    QVERIFY2(a.waitForLine(QStringLiteral("Commands:")), qPrintable(a.output()));
    QVERIFY(a.output().contains(QStringLiteral("/login cli_nobody")));
    QVERIFY2(!a.output().contains(QStringLiteral("secret-echo-check")), qPrintable(a.output()));
    QVERIFY(a.output().contains(QStringLiteral("/help")));
}

void TestCli::interruptAtThePasswordPromptRestoresEcho() {
    if (QStandardPaths::findExecutable(QStringLiteral("script")).isEmpty())
        QSKIP("script(1) from util-linux is not installed");
    // Ctrl-C at the prompt ends the client; the shell after it then finds
    // the terminal echoing again (stty says "echo", not "-echo"). The shell
    // catches SIGINT itself, so it lives on; the client gets the default.
    const QString command = QStringLiteral("trap : INT; %1 --url %2; echo exited; stty -a")
                                .arg(ServerProcess::binary(QStringLiteral("whisperchat-cli")),
                                     m_server->chatUrl().toString());
    Cli a({QStringLiteral("-qfec"), QStringLiteral("sh -c '%1'").arg(command),
           QStringLiteral("/dev/null")},
          QStringLiteral("script"));
    QVERIFY2(a.waitForLine(QStringLiteral("* connected to")), qPrintable(a.output()));
    a.type("/login cli_nobody");
    QVERIFY2(a.waitForLine(QStringLiteral("password for cli_nobody: ")), qPrintable(a.output()));
    a.process().write("\x03"); // Ctrl-C, through the terminal's line discipline
    QVERIFY2(a.waitForLine(QStringLiteral("icanon")), qPrintable(a.output()));
    static const QRegularExpression echoOn(QStringLiteral(R"((^|\s)echo(\s|$))"));
    QVERIFY2(a.output().section(QStringLiteral("exited"), -1).contains(echoOn),
             qPrintable(a.output()));
}

void TestCli::typingOnATerminalIsSent() {
    if (QStandardPaths::findExecutable(QStringLiteral("script")).isEmpty())
        QSKIP("script(1) from util-linux is not installed");
    using whisper::protocol::PartnerTyping;
    const double lat = 47.3769, lon = 8.5417; // Zurich
    Cli a({QStringLiteral("-qfec"),
           QStringLiteral("%1 --url %2 --lat %3 --lon %4 --range 10")
               .arg(ServerProcess::binary(QStringLiteral("whisperchat-cli")),
                    m_server->chatUrl().toString())
               .arg(lat)
               .arg(lon),
           QStringLiteral("/dev/null")},
          QStringLiteral("script"));
    QVERIFY2(a.waitForLine(QStringLiteral("waiting")), qPrintable(a.output()));
    auto partner = TestClient::waitingAt(m_server->chatUrl(), lat, lon, 10);
    QVERIFY(partner);
    QVERIFY(a.waitForLine(QStringLiteral("matched within")));
    // The first key of a line tells the partner; erasing it all says stop.
    a.process().write("hel");
    auto typing = partner->waitFor<PartnerTyping>();
    QVERIFY(typing);
    QVERIFY(typing->active);
    a.process().write("\x7f\x7f\x7f");
    typing = partner->waitFor<PartnerTyping>();
    QVERIFY(typing);
    QVERIFY(!typing->active);
    // A line typed and sent: typing, then the text as edited.
    a.process().write("hex\x7flo \xc3\xa9t\xc3\xa9\x7f\x7f\r");
    typing = partner->waitFor<PartnerTyping>();
    QVERIFY(typing);
    QVERIFY(typing->active);
    const auto message = partner->waitFor<whisper::protocol::IncomingMessage>();
    QVERIFY(message);
    QCOMPARE(message->text, QStringLiteral("helo \u00e9"));
    QVERIFY2(a.waitForLine(QStringLiteral("delivered: helo \u00e9")), qPrintable(a.output()));
    // Typing a command is not chat: nothing is sent for it.
    a.process().write("/help\r");
    QVERIFY(a.waitForLine(QStringLiteral("Commands:")));
    for (const auto &frame : partner->unread())
        QVERIFY2(!std::holds_alternative<PartnerTyping>(frame) &&
                     !std::holds_alternative<whisper::protocol::IncomingMessage>(frame),
                 qPrintable(whisper::protocol::typeName(frame)));
    // Ctrl-D on an empty line ends the input on a terminal too.
    a.process().write("\x04");
    QVERIFY(a.process().waitForFinished(5000));
    QCOMPARE(a.process().exitCode(), 0);
    QVERIFY(partner->waitFor<whisper::protocol::PartnerLeft>());
}

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
