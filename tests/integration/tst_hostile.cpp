// SPDX-License-Identifier: MIT
// The hostile-input matrix: every bad frame of the shared tables
// (tests/support/badframes.h) and the resource attacks (slowloris
// handshakes, a ping flood, a peer that never reads, fragments never
// finished, 5,000 connections from one address) over real connections to
// one real server. Each case has its expected result: an `error` of a given
// code with the connection kept, or a given close code. Afterwards the
// server is still serving, and its memory and descriptors are back to where
// they were before the attacks (within the tolerance below).

#include "badframes.h"
#include "instrumented.h"
#include "procstats.h"
#include "rawwsclient.h"
#include "serverprocess.h"
#include "testclient.h"
#include "transportprobe.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <memory>
#include <vector>

using whisper::test::RawWsClient;
using whisper::test::ServerProcess;
using whisper::test::TestClient;

namespace {

// What the descriptors are, for the message when their number is off.
QString fdTargets(qint64 pid) {
    const QDir dir(QStringLiteral("/proc/%1/fd").arg(pid));
    QStringList targets;
    for (const QString &fd : dir.entryList(QDir::NoDotAndDotDot))
        targets << fd + QLatin1Char('>') + QFile::symLinkTarget(dir.filePath(fd));
    return targets.join(QLatin1Char(' '));
}

// Memory "back to baseline": malloc keeps some freed memory rather than
// returning it to the system, so the RSS may stay a little above where it
// was (measured: +1.3 MiB after the matrix, +0.4 MiB after the 5,000
// connections). 3 MiB is the documented tolerance; descriptors must return
// exactly.
constexpr qint64 kRssToleranceKiB = 3 * 1024;

QJsonObject json(const QByteArray &text) {
    return QJsonDocument::fromJson(text).object();
}

const QByteArray kLeave("{\"type\":\"leave\"}");

// Reads until the server's first frame (`welcome`) is in.
bool welcomed(RawWsClient &c) {
    QDeadlineTimer deadline(5000);
    while (!deadline.hasExpired())
        if (!c.readTextFrames(20).isEmpty())
            return true;
    return false;
}

// Raises this process's descriptor limit to its hard limit: 5,000 sockets.
void raiseFdLimit() {
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &limit);
    }
}

// A non-blocking POSIX socket from `source` that sends the upgrade request
// as soon as it is connected and learns whether the server upgraded it.
struct StormSocket {
    int fd = -1;
    bool sent = false;
    bool done = false;
    bool upgraded = false;
    QByteArray in;
};

int connectFrom(const char *source, quint16 port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return -1;
    sockaddr_in from{};
    from.sin_family = AF_INET;
    ::inet_pton(AF_INET, source, &from.sin_addr);
    ::bind(fd, reinterpret_cast<sockaddr *>(&from), sizeof from);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(port);
    ::inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
    if (::connect(fd, reinterpret_cast<sockaddr *>(&to), sizeof to) != 0 && errno != EINPROGRESS) {
        ::close(fd);
        return -1;
    }
    return fd;
}

// Opens `count` connections from 127.0.0.1 at once, each asking for the
// upgrade as soon as it is connected, and waits until the server has upgraded
// or closed every one (closed ones are closed here too; upgraded ones stay
// open in `storm`). `tick` runs after each poll round with the number left.
// Returns the number still unresolved at the 60 s deadline.
template <typename Tick>
int runStorm(std::vector<StormSocket> &storm, int count, quint16 port, Tick tick) {
    storm.assign(std::size_t(count), StormSocket{});
    const std::string request = whisper::ws::upgradeRequest("127.0.0.1", "/");
    int pending = count;
    for (StormSocket &s : storm)
        if ((s.fd = connectFrom("127.0.0.1", port)) < 0)
            s.done = true, --pending;
    std::vector<pollfd> polls;
    std::vector<StormSocket *> owners;
    QDeadlineTimer deadline(60000);
    while (pending > 0 && !deadline.hasExpired()) {
        polls.clear();
        owners.clear();
        for (StormSocket &s : storm) {
            if (s.done)
                continue;
            polls.push_back({s.fd, short(s.sent ? POLLIN : POLLOUT), 0});
            owners.push_back(&s);
        }
        if (::poll(polls.data(), nfds_t(polls.size()), 100) < 0)
            break;
        for (std::size_t i = 0; i < polls.size(); ++i) {
            StormSocket &s = *owners[i];
            if (!polls[i].revents)
                continue;
            bool over = false;
            if (!s.sent) {
                s.sent = ::send(s.fd, request.data(), request.size(), MSG_NOSIGNAL) ==
                         ssize_t(request.size());
                over = !s.sent; // refused before it could ask
            } else {
                char buffer[512];
                const ssize_t n = ::recv(s.fd, buffer, sizeof buffer, 0);
                if (n > 0)
                    s.in.append(buffer, n);
                over = n <= 0 || s.in.contains("\r\n\r\n");
                s.upgraded = n > 0 && s.in.startsWith("HTTP/1.1 101");
            }
            if (over) {
                s.done = true;
                --pending;
                if (!s.upgraded) // frees the descriptor for the rest
                    ::close(std::exchange(s.fd, -1));
            }
        }
        tick(pending);
    }
    return pending;
}

} // namespace

class TestHostile : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void badMessages_data();
    void badMessages();
    void badTransportInput_data();
    void badTransportInput();
    void slowlorisHandshakesDroppedWhileOthersAreServed();
    void pingFloodClosesWith1008();
    void peerThatNeverReadsIsDropped();
    void unfinishedFragmentsAreDropped();
    void memoryAndDescriptorsBackToBaseline();
    void fiveThousandConnectionsFromOneAddress();
    void cleanupTestCase();

private:
    // Still serving: a new client gets `welcome` and an answer.
    bool serving(ServerProcess &server);

    std::unique_ptr<ServerProcess> m_server;
    qint64 m_baselineRss = 0;
    int m_baselineFds = 0;
    qint64 m_peakRss = 0;
};

bool TestHostile::serving(ServerProcess &server) {
    TestClient probe;
    if (!probe.connectTo(server.chatUrl()))
        return false;
    probe.sendRaw(QString::fromLatin1(kLeave));
    const auto error = probe.waitFor<whisper::protocol::Error>();
    return error && error->code == whisper::protocol::ErrorCode::Conflict;
}

void TestHostile::initTestCase() {
    raiseFdLimit();
    // Short timeouts so the attacks that wait for one cost seconds: the
    // handshake (slowloris), the idle timeout (unfinished fragments; the raw
    // client never answers pings), the output budget (a peer that never
    // reads) and small kernel buffers so that budget is reached soon.
    m_server = std::make_unique<ServerProcess>(
        QStringList{QStringLiteral("--transport"), QStringLiteral("native"),
                    QStringLiteral("--handshake-timeout-ms"), QStringLiteral("3000"),
                    QStringLiteral("--ping-interval-ms"), QStringLiteral("1000"),
                    QStringLiteral("--idle-timeout-ms"), QStringLiteral("4000"),
                    QStringLiteral("--max-output-bytes"), QStringLiteral("65536"),
                    QStringLiteral("--socket-buffer-bytes"), QStringLiteral("16384")});
    QVERIFY(m_server->start());
    // Warm up the paths the cases take (codec, error replies, the thread's
    // read buffer), then take the baseline.
    QVERIFY(serving(*m_server));
    QTRY_VERIFY_WITH_TIMEOUT(whisper::openDescriptors(m_server->pid()) > 0, 5000);
    QTest::qWait(200); // the probe's close settles (a sampling interval)
    m_baselineRss = whisper::residentKiB(m_server->pid());
    m_baselineFds = whisper::openDescriptors(m_server->pid());
    m_peakRss = m_baselineRss;
    QVERIFY(m_baselineRss > 0);
    qInfo("baseline: RSS %lld KiB, %d descriptors", m_baselineRss, m_baselineFds);
}

void TestHostile::badMessages_data() {
    QTest::addColumn<QByteArray>("frame");
    QTest::addColumn<QString>("code");
    for (const auto &row : whisper::test::badClientFrames())
        QTest::addRow("%s", row.name) << row.frame << toString(row.code);
}

void TestHostile::badMessages() {
    // Protocol-level garbage over the native transport: each is answered with
    // its `error`, and the same connection answers the next request.
    QFETCH(QByteArray, frame);
    QFETCH(QString, code);
    static std::unique_ptr<RawWsClient> client;
    if (!client || client->socket().state() != QAbstractSocket::ConnectedState) {
        client = std::make_unique<RawWsClient>();
        QVERIFY(client->connectTcp(m_server->chatUrl()));
        QVERIFY(client->handshake());
        QVERIFY(welcomed(*client));
    }
    client->sendText(frame);
    client->sendText(kLeave);
    QList<QByteArray> replies;
    QTRY_VERIFY_WITH_TIMEOUT((replies += client->readTextFrames(20), replies.size() >= 2), 5000);
    QCOMPARE(json(replies[0]).value("type").toString(), QStringLiteral("error"));
    QCOMPARE(json(replies[0]).value("code").toString(), code);
    QCOMPARE(json(replies[1]).value("code").toString(), QStringLiteral("conflict"));
    QCOMPARE(client->closeCodeReceived(), -1);
    m_peakRss = qMax(m_peakRss, whisper::residentKiB(m_server->pid()));
}

void TestHostile::badTransportInput_data() {
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<int>("closeCode");
    QTest::addColumn<QString>("errorCode");
    QTest::addColumn<int>("pongs");
    for (const auto &row : whisper::test::badTransportInputs())
        QTest::addRow("%s", row.name.constData())
            << row.bytes << row.closeCode << row.errorCode << row.pongs;
}

void TestHostile::badTransportInput() {
    // Each case on a fresh connection: it either ends the connection with the
    // expected close code (and the server then closes the TCP connection),
    // or leaves it serving (the probe sent after it is answered), after the
    // expected `error` and pongs.
    QFETCH(QByteArray, bytes);
    QFETCH(int, closeCode);
    QFETCH(QString, errorCode);
    QFETCH(int, pongs);
    const auto seen = whisper::test::observeTransportInput(m_server->chatUrl(), bytes);
    QVERIFY(seen.handshake);
    if (closeCode != 0) {
        QCOMPARE(seen.closeCode, closeCode);
        QVERIFY(seen.disconnected);
        QVERIFY(seen.replies.isEmpty());
    } else {
        QCOMPARE(seen.closeCode, -1);
        QVERIFY(seen.stillServing);
        QCOMPARE(seen.pongs, pongs);
        // Both JSON parsers (Qt's and simdjson) take raw control characters
        // inside strings; RFC 8259 does not. Recorded in docs/TRANSPORT.md.
        if (QByteArray(QTest::currentDataTag()).startsWith("raw "))
            QEXPECT_FAIL("", "the JSON parsers accept unescaped control characters", Continue);
        QCOMPARE(seen.replies.value(0).value("code").toString(), errorCode);
        QCOMPARE(seen.replies.size(), errorCode.isEmpty() ? 0 : 1);
    }
    m_peakRss = qMax(m_peakRss, whisper::residentKiB(m_server->pid()));
}

void TestHostile::slowlorisHandshakesDroppedWhileOthersAreServed() {
    // Twelve peers (within the per-address half-open cap) trickle request
    // heads that never end. Others are served meanwhile; each trickler is
    // dropped once the 3 s handshake timeout passes from its accept.
    constexpr int kSlow = 12;
    std::vector<std::unique_ptr<RawWsClient>> slow;
    QElapsedTimer timer;
    timer.start();
    for (int i = 0; i < kSlow; ++i) {
        slow.push_back(std::make_unique<RawWsClient>());
        QVERIFY(slow.back()->connectTcp(m_server->chatUrl()));
        slow.back()->sendBytes("GET / HTTP/1.1\r\nHost: x\r\n");
    }
    QVERIFY(serving(*m_server));
    // Served while every trickler was still pending.
    for (auto &c : slow)
        QVERIFY2(c->socket().state() == QAbstractSocket::ConnectedState,
                 "a trickler was dropped before the service was shown");
    // Keep trickling until the server drops each one.
    int dropped = 0;
    QDeadlineTimer deadline(8000);
    while (dropped < kSlow && !deadline.hasExpired()) {
        dropped = 0;
        for (auto &c : slow) {
            if (c->socket().state() == QAbstractSocket::ConnectedState) {
                c->sendBytes("X-Slow: 1\r\n");
                c->socket().waitForReadyRead(10);
            }
            dropped += c->socket().state() != QAbstractSocket::ConnectedState;
        }
    }
    QCOMPARE(dropped, kSlow);
    QVERIFY2(timer.elapsed() >= 2800 && timer.elapsed() < 9000,
             qPrintable(QStringLiteral("dropped after %1 ms").arg(timer.elapsed())));
    QVERIFY(serving(*m_server));
}

void TestHostile::pingFloodClosesWith1008() {
    // Pongs are output the peer makes the server hold: beyond the ping rate
    // (10 at once, then one a second) the connection closes with 1008.
    RawWsClient flood;
    QVERIFY(flood.connectTcp(m_server->chatUrl()));
    QVERIFY(flood.handshake());
    QByteArray pings;
    for (int i = 0; i < 500; ++i)
        pings += whisper::test::clientFrame(0x9, QByteArray(125, 'p'));
    flood.sendBytes(pings);
    QTRY_VERIFY_WITH_TIMEOUT((flood.poll(), flood.closeCodeReceived() != -1), 5000);
    QCOMPARE(flood.closeCodeReceived(), 1008);
    QVERIFY2(flood.pongsReceived() <= 11, qPrintable(QString::number(flood.pongsReceived())));
    QVERIFY(flood.waitForDisconnected(5000));
    QVERIFY(serving(*m_server));
}

void TestHostile::peerThatNeverReadsIsDropped() {
    // A peer with tiny socket buffers asks for replies and reads none: the
    // server holds at most its 64 KiB output budget for it, then drops it.
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    QVERIFY(fd >= 0);
    const auto closeFd = qScopeGuard([fd] { ::close(fd); });
    const int small = 4096;
    // Small both ways, so requests do not pile up in this side's buffer.
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(quint16(m_server->chatUrl().port()));
    ::inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
    QCOMPARE(::connect(fd, reinterpret_cast<sockaddr *>(&to), sizeof to), 0);
    const std::string upgrade = whisper::ws::upgradeRequest("127.0.0.1", "/");
    QCOMPARE(::send(fd, upgrade.data(), upgrade.size(), MSG_NOSIGNAL), ssize_t(upgrade.size()));
    // Every request earns a ~150-byte `error`; requests go on until the
    // server lets go (the budget is 64 KiB of replies) or 15 s pass.
    const QByteArray request =
        whisper::test::clientFrame(0x1, R"({"type":")" + QByteArray(64, 'x') + R"("})");
    const QByteArray batch = request.repeated(256);
    const qint64 before = whisper::residentKiB(m_server->pid());
    qint64 peak = before;
    bool dropped = false;
    QElapsedTimer timer;
    timer.start();
    while (!dropped && timer.elapsed() < 15000) {
        qsizetype done = 0;
        while (done < batch.size() && !dropped && timer.elapsed() < 15000) {
            const ssize_t n = ::send(fd, batch.constData() + done, std::size_t(batch.size() - done),
                                     MSG_NOSIGNAL | MSG_DONTWAIT);
            if (n > 0)
                done += n;
            else if (n < 0 && errno != EAGAIN && errno != EINTR)
                dropped = true; // reset: the server let go of it
            else {
                pollfd p{fd, POLLOUT, 0};
                ::poll(&p, 1, 100);
            }
        }
        peak = qMax(peak, whisper::residentKiB(m_server->pid()));
    }
    m_peakRss = qMax(m_peakRss, peak);
    QVERIFY2(dropped, qPrintable(QStringLiteral(
                                     "a peer that never reads was never dropped (%1 ms, errno %2)")
                                     .arg(timer.elapsed())
                                     .arg(errno)));
    // The budget, twice over for the allocator, and some noise.
    QVERIFY2(!whisper::test::kResidentMemoryIsMeaningful || peak - before < 4096,
             qPrintable(QStringLiteral("RSS grew by %1 KiB").arg(peak - before)));
    QVERIFY(serving(*m_server));
}

void TestHostile::unfinishedFragmentsAreDropped() {
    // Fifty peers each start a message just under the 16 KiB limit and never
    // finish it (nor answer pings): the server holds each partial message
    // within the limit and drops them at the idle timeout (4 s).
    constexpr int kPeers = 50;
    std::vector<std::unique_ptr<RawWsClient>> peers;
    for (int i = 0; i < kPeers; ++i) {
        peers.push_back(std::make_unique<RawWsClient>());
        QVERIFY(peers.back()->connectTcp(m_server->chatUrl()));
        QVERIFY(peers.back()->handshake());
        peers.back()->sendBytes(whisper::test::clientFrame(
            0x1, "{\"type\":\"leave\",\"x\":\"" + QByteArray(16000, 'a'), false));
    }
    QVERIFY(serving(*m_server));
    m_peakRss = qMax(m_peakRss, whisper::residentKiB(m_server->pid()));
    for (auto &p : peers)
        QVERIFY(p->waitForDisconnected(10000));
}

void TestHostile::memoryAndDescriptorsBackToBaseline() {
    // Every connection above has ended; the server has closed their
    // descriptors and freed their buffers.
    const qint64 pid = m_server->pid();
    QTRY_VERIFY2_WITH_TIMEOUT(whisper::openDescriptors(pid) <= m_baselineFds,
                              qPrintable(fdTargets(pid)), 10000);
    const qint64 rss = whisper::residentKiB(pid);
    qInfo("RSS: baseline %lld KiB, peak %lld KiB, after %lld KiB; descriptors %d", m_baselineRss,
          m_peakRss, rss, whisper::openDescriptors(pid));
    QVERIFY2(!whisper::test::kResidentMemoryIsMeaningful || rss - m_baselineRss <= kRssToleranceKiB,
             qPrintable(QStringLiteral("RSS %1 KiB over the baseline of %2 KiB")
                            .arg(rss - m_baselineRss)
                            .arg(m_baselineRss)));
    QVERIFY(m_server->isRunning());
    QVERIFY(serving(*m_server));
}

void TestHostile::fiveThousandConnectionsFromOneAddress() {
    // 5,000 connections from 127.0.0.1 at once against the default caps
    // (100 connections and 16 half-open per address). The caps hold: at most
    // 100 are upgraded, the rest are closed at once; 127.0.0.2 and
    // 127.0.0.3 are served throughout. (Loopback is exempt from the limits
    // in the other cases; here only a documentation address is.)
    constexpr int kStorm = 5000;
    constexpr int kPerAddress = 100;
    ServerProcess server(QStringList{QStringLiteral("--rate-exempt"), QStringLiteral("192.0.2.1"),
                                     QStringLiteral("--handshake-timeout-ms"),
                                     QStringLiteral("3000")});
    QVERIFY(server.start());
    const quint16 port = quint16(server.chatUrl().port());
    const qint64 pid = server.pid();
    const auto servedFrom = [&server](const char *source) {
        RawWsClient c;
        c.socket().bind(QHostAddress(QLatin1String(source)));
        if (!c.connectTcp(server.chatUrl()) || !c.handshake())
            return false;
        c.sendText(kLeave);
        QList<QByteArray> replies;
        QDeadlineTimer deadline(5000);
        while (!deadline.hasExpired() &&
               !std::any_of(replies.cbegin(), replies.cend(),
                            [](const QByteArray &r) { return r.contains("conflict"); }))
            replies += c.readTextFrames(20);
        return !deadline.hasExpired();
    };
    QVERIFY(servedFrom("127.0.0.2"));
    {
        // A small storm first: the refusal paths allocate what they keep
        // for good (an event descriptor, pooled buffers) on first use.
        std::vector<StormSocket> warmUp;
        QCOMPARE(runStorm(warmUp, 200, port, [](int) {}), 0);
        for (StormSocket &s : warmUp)
            if (s.fd >= 0)
                ::close(s.fd);
    }
    QVERIFY(servedFrom("127.0.0.2"));
    QTest::qWait(500); // the closes settle (a sampling interval)
    const qint64 baselineRss = whisper::residentKiB(pid);
    const int baselineFds = whisper::openDescriptors(pid);

    std::vector<StormSocket> storm;
    qint64 peakRss = baselineRss;
    int peakFds = baselineFds;
    bool otherServed = false;
    const int pending = runStorm(storm, kStorm, port, [&](int left) {
        peakRss = qMax(peakRss, whisper::residentKiB(pid));
        peakFds = qMax(peakFds, whisper::openDescriptors(pid));
        if (!otherServed && left < kStorm / 2)
            otherServed = servedFrom("127.0.0.3"); // in the middle of the storm
    });
    const auto closeAll = qScopeGuard([&storm] {
        for (StormSocket &s : storm)
            if (s.fd >= 0)
                ::close(s.fd);
    });
    QCOMPARE(pending, 0);
    const int upgraded = int(std::count_if(storm.cbegin(), storm.cend(),
                                           [](const StormSocket &s) { return s.upgraded; }));
    qInfo("%d of %d upgraded; server peak %d descriptors (baseline %d), RSS +%lld KiB", upgraded,
          kStorm, peakFds, baselineFds, peakRss - baselineRss);
    QVERIFY(upgraded > 0);
    QVERIFY2(upgraded <= kPerAddress, qPrintable(QString::number(upgraded)));
    QVERIFY(otherServed || servedFrom("127.0.0.3"));
    // The storm mostly meets the half-open cap. One at a time, the address
    // gets exactly up to the connection cap and no further; another address
    // is still served.
    std::vector<std::unique_ptr<RawWsClient>> calm;
    for (int i = upgraded; i < kPerAddress; ++i) {
        calm.push_back(std::make_unique<RawWsClient>());
        QVERIFY(calm.back()->connectTcp(server.chatUrl()));
        QVERIFY2(calm.back()->handshake(), qPrintable(QString::number(i)));
    }
    RawWsClient extra;
    QVERIFY(extra.connectTcp(server.chatUrl()));
    QVERIFY(!extra.handshake(3000));
    QVERIFY(servedFrom("127.0.0.2"));
    calm.clear();

    // All gone: descriptors and memory back to the baseline.
    for (StormSocket &s : storm)
        if (s.fd >= 0)
            ::close(std::exchange(s.fd, -1));
    QTRY_VERIFY2_WITH_TIMEOUT(whisper::openDescriptors(pid) <= baselineFds,
                              qPrintable(fdTargets(pid)), 10000);
    const qint64 rss = whisper::residentKiB(pid);
    qInfo("RSS: baseline %lld KiB, peak %lld KiB, after %lld KiB", baselineRss, peakRss, rss);
    QVERIFY2(!whisper::test::kResidentMemoryIsMeaningful || rss - baselineRss <= kRssToleranceKiB,
             qPrintable(QStringLiteral("RSS %1 KiB over the baseline").arg(rss - baselineRss)));
    QVERIFY(servedFrom("127.0.0.4"));
}

void TestHostile::cleanupTestCase() {
    if (m_server) {
        QVERIFY2(m_server->isRunning(), "the server died");
        QVERIFY(m_server->terminate());
    }
}

QTEST_GUILESS_MAIN(TestHostile)
#include "tst_hostile.moc"
