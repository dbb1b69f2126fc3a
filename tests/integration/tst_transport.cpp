// SPDX-License-Identifier: MIT
// The chat transport under hostile peers, against the real server process:
// per-connection memory (slow readers, ping floods, many idle sockets with
// full buffers) and the per-address caps on concurrent and half-open
// connections. Every case runs on the native transport, on its I/O threads
// and, where the behaviour is the transport's, on Qt WebSockets.

#include "instrumented.h"
#include "procstats.h"
#include "rawwsclient.h"
#include "serverprocess.h"
#include "testclient.h"
#include "wsframe.h"

#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QFile>
#include <QTest>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <memory>
#include <vector>

using whisper::test::RawWsClient;
using whisper::test::ServerProcess;
using whisper::test::TestClient;

namespace {

// Frames go through the project's one tested writer and parser
// (common/wsframe.h).
QByteArray maskedFrame(quint8 opcode, const QByteArray &payload) {
    std::string out;
    whisper::ws::appendMaskedFrame(out, whisper::ws::Opcode(opcode),
                                   std::string_view(payload.data(), payload.size()), 0x12345678);
    return QByteArray(out.data(), qsizetype(out.size()));
}

struct Frame {
    quint8 opcode;
    QByteArray payload;
};

// Takes the complete server frames off the front of `buffer`.
QList<Frame> takeFrames(QByteArray &buffer) {
    QList<Frame> frames;
    for (;;) {
        whisper::ws::FrameView view;
        const whisper::ws::ParseResult r =
            whisper::ws::parseFrame(std::string_view(buffer.constData(), buffer.size()), view);
        if (r != whisper::ws::ParseResult::Frame)
            break;
        const std::string payload = whisper::ws::unmaskedPayload(view);
        frames.append({quint8(view.opcode), QByteArray(payload.data(), qsizetype(payload.size()))});
        buffer.remove(0, qsizetype(view.frameBytes));
    }
    return frames;
}

// A client on a plain POSIX socket, for what Qt's sockets hide: a small
// receive buffer set before connecting, reads of an exact size, and sends
// that report the reset of a connection the server dropped.
class PosixClient {
public:
    ~PosixClient() {
        if (m_fd >= 0)
            ::close(m_fd);
    }

    bool connectTo(const QUrl &url, int receiveBuffer) {
        m_fd = ::socket(AF_INET, SOCK_STREAM, 0);
        if (m_fd < 0)
            return false;
        if (receiveBuffer > 0) {
            // Small both ways: requests must not pile up in this side's
            // send buffer either, or "asked for but not read" would be
            // requests the server has not seen rather than its output.
            ::setsockopt(m_fd, SOL_SOCKET, SO_RCVBUF, &receiveBuffer, sizeof receiveBuffer);
            ::setsockopt(m_fd, SOL_SOCKET, SO_SNDBUF, &receiveBuffer, sizeof receiveBuffer);
        }
        sockaddr_in sa{};
        sa.sin_family = AF_INET;
        sa.sin_port = htons(quint16(url.port()));
        ::inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
        if (::connect(m_fd, reinterpret_cast<sockaddr *>(&sa), sizeof sa) != 0)
            return false;
        const QByteArray request = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                                   "Connection: Upgrade\r\nSec-WebSocket-Key: "
                                   "dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
        if (!sendAll(request, 5000))
            return false;
        QDeadlineTimer deadline(5000);
        while (!deadline.hasExpired()) {
            const qsizetype end = m_in.indexOf("\r\n\r\n");
            if (end >= 0) {
                const bool ok = m_in.startsWith("HTTP/1.1 101");
                m_in.remove(0, end + 4);
                return ok;
            }
            if (readSome(4096, int(deadline.remainingTime())) <= 0)
                return false;
        }
        return false;
    }

    // False when the connection is gone (reset, broken pipe) or on timeout.
    bool sendAll(const QByteArray &data, int timeoutMs) {
        qsizetype done = 0;
        QDeadlineTimer deadline(timeoutMs);
        while (done < data.size()) {
            const ssize_t n = ::send(m_fd, data.constData() + done, std::size_t(data.size() - done),
                                     MSG_NOSIGNAL | MSG_DONTWAIT);
            if (n > 0) {
                done += n;
                continue;
            }
            if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
                m_gone = true;
                return false;
            }
            if (deadline.hasExpired())
                return false;
            pollfd p{m_fd, POLLOUT, 0};
            ::poll(&p, 1, int(qMin<qint64>(100, deadline.remainingTime())));
        }
        return true;
    }

    // Reads up to `max` bytes into the buffer; 0 at the end of the stream,
    // -1 on a reset or timeout.
    qsizetype readSome(qsizetype max, int timeoutMs) {
        pollfd p{m_fd, POLLIN, 0};
        if (::poll(&p, 1, timeoutMs) <= 0)
            return -1;
        QByteArray chunk(max, Qt::Uninitialized);
        const ssize_t n = ::recv(m_fd, chunk.data(), std::size_t(max), 0);
        if (n < 0) {
            m_gone = errno != EAGAIN && errno != EINTR;
            return -1;
        }
        if (n == 0)
            m_gone = true;
        m_in.append(chunk.constData(), n);
        m_received += n;
        return n;
    }

    // Reads until the server has ended the connection; false on timeout.
    bool readUntilGone(int timeoutMs) {
        QDeadlineTimer deadline(timeoutMs);
        while (!m_gone && !deadline.hasExpired()) {
            readSome(65536, int(qMin<qint64>(100, deadline.remainingTime())));
            if (m_in.size() > (1 << 20))
                takeFrames(m_in); // keep the buffer small; bytes are counted
        }
        return m_gone;
    }

    QByteArray &buffer() { return m_in; }
    qint64 received() const { return m_received; }
    bool gone() const { return m_gone; }
    int fd() const { return m_fd; }

private:
    int m_fd = -1;
    QByteArray m_in;
    qint64 m_received = 0;
    bool m_gone = false;
};

// One request that earns a fixed-size `error` reply: the output a peer can
// make the server produce without any rate limit on it.
QByteArray unknownTypeRequest() {
    return maskedFrame(0x1, R"({"type":")" + QByteArray(64, 'x') + R"("})");
}

QStringList transportArgs(const QString &transport, const QString &ioThreads) {
    return {QStringLiteral("--transport"), transport, QStringLiteral("--io-threads"), ioThreads};
}

void addTransportRows(bool withQt = true) {
    QTest::addColumn<QString>("transport");
    QTest::addColumn<QString>("ioThreads");
    QTest::addRow("native") << QStringLiteral("native") << QStringLiteral("0");
    QTest::addRow("native, io-threads 2") << QStringLiteral("native") << QStringLiteral("2");
    if (withQt)
        QTest::addRow("qt") << QStringLiteral("qt") << QStringLiteral("0");
}

} // namespace

class TestTransport : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void trickleReaderKeepsMemoryBounded_data() { addTransportRows(); }
    void trickleReaderKeepsMemoryBounded();
    void pingFloodClosesWith1008_data() { addTransportRows(false); }
    void pingFloodClosesWith1008();
    void idleSocketsWithFullBuffersStayWithinBudget_data() { addTransportRows(); }
    void idleSocketsWithFullBuffersStayWithinBudget();
    void perAddressCapsAtTheEdge_data() { addTransportRows(); }
    void perAddressCapsAtTheEdge();
    void trickledHandshakeStillTimesOut_data() { addTransportRows(); }
    void trickledHandshakeStillTimesOut();
};

void TestTransport::trickleReaderKeepsMemoryBounded() {
    // A peer that reads, but always a little less than it makes the server
    // write, so the server's output never drains completely. The output
    // buffer must stay within its budget however much passes through it, and
    // once the peer stops reading, the server must drop it and carry on.
    QFETCH(QString, transport);
    QFETCH(QString, ioThreads);
    constexpr int kBudget = 512 * 1024;
    ServerProcess server(transportArgs(transport, ioThreads) +
                         QStringList{QStringLiteral("--max-output-bytes"), QString::number(kBudget),
                                     QStringLiteral("--socket-buffer-bytes"),
                                     QStringLiteral("16384")});
    QVERIFY(server.start());
    PosixClient slow;
    QVERIFY(slow.connectTo(server.chatUrl(), 4096));
    // The welcome, then one reply to learn its size.
    QByteArray &in = slow.buffer();
    // (QTRY_* evaluates its expression once more at the end: it accumulates.)
    QList<Frame> welcome;
    QTRY_VERIFY_WITH_TIMEOUT(
        (slow.readSome(4096, 50), welcome += takeFrames(in), !welcome.isEmpty()), 5000);
    const QByteArray request = unknownTypeRequest();
    QVERIFY(slow.sendAll(request, 5000));
    const qint64 before = slow.received() - in.size();
    QList<Frame> reply;
    QTRY_VERIFY_WITH_TIMEOUT((slow.readSome(4096, 50), reply += takeFrames(in), !reply.isEmpty()),
                             5000);
    QVERIFY(reply.first().payload.contains("unknown message type"));
    const qint64 replyBytes = slow.received() - in.size() - before;
    QVERIFY(replyBytes > 100);

    const qint64 baseline = whisper::residentKiB(server.pid());
    QVERIFY(baseline > 0);
    // About 16 MB pass through the server while it always has 384 KiB more
    // to send than the peer took: more than the kernel buffers hold (their
    // exact size on loopback varies), less than the budget, so the output
    // never drains completely and is never over the budget. The volume is
    // for the resident-memory bound, which an instrumented build does not
    // assert (instrumented.h): there 4 MB, still ten times the lag, check
    // that the peer is never dropped within the budget.
    constexpr qint64 kLag = 384 * 1024;
    constexpr int kBatch = 64;
    const QByteArray batch = request.repeated(kBatch);
    qint64 requests = 1;
    qint64 peakKiB = baseline;
    const qint64 target =
        (whisper::test::kResidentMemoryIsMeaningful ? 16 << 20 : 4 << 20) / replyBytes;
    const qint64 firstByte = before;
    while (requests < target) {
        QVERIFY(slow.sendAll(batch, 5000));
        requests += kBatch;
        const qint64 expected = firstByte + requests * replyBytes;
        while (expected - slow.received() > kLag)
            QVERIFY2(slow.readSome(4096, 5000) >= 0, "the server stopped answering");
        in.clear(); // counted, not kept
        if ((requests / kBatch) % 64 == 0)
            peakKiB = qMax(peakKiB, whisper::residentKiB(server.pid()));
    }
    peakKiB = qMax(peakKiB, whisper::residentKiB(server.pid()));
    // The budget, twice over for the allocator and the transport's own
    // buffers, and a few MiB of noise (logging, timers, Qt's heap).
    // With I/O threads, each may also hold up to 1 MiB of messages read but
    // not yet handled by the main thread (docs/OPERATIONS.md).
    const qint64 boundKiB = 2 * kBudget / 1024 + 4096 + ioThreads.toInt() * 1024;
    qInfo("RSS grew by %lld KiB while %lld MB passed", peakKiB - baseline,
          (requests * replyBytes) >> 20);
    QVERIFY2(!whisper::test::kResidentMemoryIsMeaningful || peakKiB - baseline < boundKiB,
             qPrintable(QStringLiteral("RSS grew by %1 KiB (bound %2 KiB) while %3 MB passed")
                            .arg(peakKiB - baseline)
                            .arg(boundKiB)
                            .arg(requests * replyBytes >> 20)));

    // Now it stops reading: the server must drop it (the next sends fail)
    // within the budget, without the RSS following.
    QElapsedTimer timer;
    timer.start();
    bool dropped = false;
    while (!dropped && timer.elapsed() < 15000) {
        dropped = !slow.sendAll(batch, 1000) && slow.gone();
        if ((requests += kBatch) % (kBatch * 64) == 0)
            peakKiB = qMax(peakKiB, whisper::residentKiB(server.pid()));
    }
    QVERIFY2(dropped, "a peer that stopped reading was never dropped");
    QVERIFY2(!whisper::test::kResidentMemoryIsMeaningful || peakKiB - baseline < boundKiB,
             qPrintable(QStringLiteral("RSS grew by %1 KiB").arg(peakKiB - baseline)));
    // Others are still served.
    TestClient other;
    QVERIFY(other.connectTo(server.chatUrl()));
}

void TestTransport::pingFloodClosesWith1008() {
    // Pongs are output the peer makes the server hold: beyond the ping rate
    // (default: 10 at once, one a second) the connection closes with 1008.
    QFETCH(QString, transport);
    QFETCH(QString, ioThreads);
    ServerProcess server(transportArgs(transport, ioThreads));
    QVERIFY(server.start());
    RawWsClient raw;
    QVERIFY(raw.connectTcp(server.chatUrl()));
    QVERIFY(raw.handshake());
    // Within the rate: every ping is answered, the connection stays.
    QByteArray pings;
    for (int i = 0; i < 5; ++i)
        pings += maskedFrame(0x9, "p" + QByteArray::number(i));
    raw.socket().write(pings);
    QByteArray in;
    int pongs = 0;
    QTRY_COMPARE_WITH_TIMEOUT((
                                  raw.socket().waitForReadyRead(20), in += raw.socket().readAll(),
                                  [&] {
                                      for (const Frame &f : takeFrames(in))
                                          pongs += f.opcode == 0xA;
                                  }(),
                                  pongs),
                              5, 5000);
    QCOMPARE(raw.socket().state(), QAbstractSocket::ConnectedState);

    // A flood: at most the rest of the burst is answered, then 1008.
    pings.clear();
    for (int i = 0; i < 200; ++i)
        pings += maskedFrame(0x9, QByteArray(125, 'p'));
    raw.socket().write(pings);
    int closeCode = -1;
    QDeadlineTimer deadline(5000);
    while (closeCode < 0 && !deadline.hasExpired()) {
        raw.socket().waitForReadyRead(50);
        in += raw.socket().readAll();
        for (const Frame &f : takeFrames(in)) {
            pongs += f.opcode == 0xA;
            if (f.opcode == 0x8 && f.payload.size() >= 2)
                closeCode = (quint8(f.payload[0]) << 8) | quint8(f.payload[1]);
        }
    }
    QCOMPARE(closeCode, int(QWebSocketProtocol::CloseCodePolicyViolated));
    QVERIFY2(pongs <= 12, qPrintable(QStringLiteral("%1 pongs").arg(pongs)));
    TestClient other;
    QVERIFY(other.connectTo(server.chatUrl()));
}

void TestTransport::idleSocketsWithFullBuffersStayWithinBudget() {
    // Peers each leave output unread up to most of the budget, then sit
    // idle. The server keeps them all (they are within the budget), its RSS
    // grows by at most the documented worst case per connection, and each
    // gets every byte once it reads.
    QFETCH(QString, transport);
    QFETCH(QString, ioThreads);
    // 200 peers for the resident-memory bound; an instrumented build does
    // not assert it (instrumented.h), and 50 show that none is dropped.
    constexpr int kPeers = whisper::test::kResidentMemoryIsMeaningful ? 200 : 50;
    constexpr int kBudget = 64 * 1024;
    constexpr int kMaxMessage = 16 * 1024;
    ServerProcess server(
        transportArgs(transport, ioThreads) +
        QStringList{QStringLiteral("--max-output-bytes"), QString::number(kBudget),
                    QStringLiteral("--socket-buffer-bytes"), QStringLiteral("16384"),
                    QStringLiteral("--max-message-bytes"), QString::number(kMaxMessage),
                    QStringLiteral("--max-connections"), QString::number(kPeers + 10)});
    QVERIFY(server.start());
    std::vector<std::unique_ptr<PosixClient>> peers;
    for (int i = 0; i < kPeers; ++i) {
        peers.push_back(std::make_unique<PosixClient>());
        QVERIFY(peers.back()->connectTo(server.chatUrl(), 4096));
    }
    // Everyone connected and idle: the baseline.
    TestClient probe;
    QVERIFY(probe.connectTo(server.chatUrl()));
    const qint64 baseline = whisper::residentKiB(server.pid());
    QVERIFY(baseline > 0);

    // Each asks for about 56 KiB of replies (each under 150 bytes) and reads
    // none of them: the kernel takes a part (its buffers are fixed at 16 KiB
    // a side), the server holds the rest. All of it fits in the 64 KiB
    // budget, whatever the kernel takes: its share depends on the server's
    // pace. A server slowed down by a loaded machine or a sanitizer sends
    // its replies one by one in small segments, whose overhead in the
    // kernel's buffers leaves it holding a few KiB of data, and 80 KiB of
    // replies were then more than the budget for some peers.
    const QByteArray request = unknownTypeRequest();
    const int requestsEach = (56 * 1024) / 150;
    const QByteArray burst = request.repeated(requestsEach);
    for (auto &p : peers)
        QVERIFY(p->sendAll(burst, 10000));
    // Wait until the server answered all of them: the probe's own request,
    // sent last, is answered once the loop has worked through the rest, and
    // the RSS settles.
    probe.sendRaw(QStringLiteral("{\"type\":\"leave\"}"));
    QVERIFY(probe.next(whisper::test::scaledMs(10000)));
    qint64 now = whisper::residentKiB(server.pid()), peak = now;
    QDeadlineTimer settle(10000);
    for (int steady = 0; steady < 5 && !settle.hasExpired();) {
        QTest::qWait(50); // a sampling interval, not a wait for an event
        const qint64 last = std::exchange(now, whisper::residentKiB(server.pid()));
        peak = qMax(peak, now);
        steady = qAbs(now - last) < 64 ? steady + 1 : 0;
    }
    // Documented worst case in user space (docs/OPERATIONS.md): the output
    // budget, a message being read and one read's worth of input, ~4 KiB of
    // state; Qt's transport keeps its own socket objects on top.
    const qint64 perConnectionKiB =
        (kBudget + kMaxMessage + 64 * 1024) / 1024 + (transport == QLatin1String("qt") ? 32 : 4);
    qInfo("RSS grew by %lld KiB for %d peers (%lld KiB each)", peak - baseline, kPeers,
          (peak - baseline) / kPeers);
    QVERIFY2(!whisper::test::kResidentMemoryIsMeaningful ||
                 (peak - baseline) <= kPeers * perConnectionKiB,
             qPrintable(QStringLiteral("RSS grew by %1 KiB for %2 peers (bound %3 KiB each)")
                            .arg(peak - baseline)
                            .arg(kPeers)
                            .arg(perConnectionKiB)));
    // None was dropped: each reads every reply.
    for (auto &p : peers) {
        QByteArray &in = p->buffer();
        int replies = 0;
        qint64 replyBytes = 0; // on the wire: a 2-byte header each
        QDeadlineTimer deadline(whisper::test::scaledMs(10000));
        while (replies < requestsEach && !deadline.hasExpired()) {
            for (const Frame &f : takeFrames(in)) {
                QVERIFY2(f.opcode != 0x8, "a peer within the budget was closed");
                if (f.payload.contains("unknown message type")) {
                    ++replies;
                    replyBytes += 2 + f.payload.size();
                }
            }
            if (replies < requestsEach)
                QVERIFY2(p->readSome(65536, 5000) > 0, "a peer within the budget was dropped");
        }
        QCOMPARE(replies, requestsEach);
        // The premise: the peer never left more than the budget unread.
        QVERIFY2(replyBytes <= kBudget, qPrintable(QString::number(replyBytes)));
    }
}

void TestTransport::perAddressCapsAtTheEdge() {
    // At most 2 half-open and 4 connections in all from one address; another
    // address is served meanwhile. (ServerProcess exempts loopback from the
    // chat limits by default; this server exempts nobody on it.)
    QFETCH(QString, transport);
    QFETCH(QString, ioThreads);
    ServerProcess server(transportArgs(transport, ioThreads) +
                         QStringList{QStringLiteral("--max-connections-per-ip"),
                                     QStringLiteral("4"), QStringLiteral("--max-half-open-per-ip"),
                                     QStringLiteral("2"), QStringLiteral("--handshake-timeout-ms"),
                                     QStringLiteral("60000"), QStringLiteral("--rate-exempt"),
                                     QStringLiteral("192.0.2.1")});
    QVERIFY(server.start());
    const QUrl url = server.chatUrl();
    const auto refused = [&url](RawWsClient &c, const char *from = nullptr) {
        if (from)
            c.socket().bind(QHostAddress(QLatin1String(from)));
        // The kernel completes the TCP handshake; the server then closes
        // at once, long before the 60 s handshake timeout.
        if (!c.connectTcp(url))
            return true;
        QElapsedTimer t;
        t.start();
        return c.waitForDisconnected(5000) && t.elapsed() < 5000;
    };

    RawWsClient half[2];
    for (RawWsClient &c : half)
        QVERIFY(c.connectTcp(url));
    RawWsClient thirdHalfOpen;
    QVERIFY(refused(thirdHalfOpen));
    // Another address is not affected.
    RawWsClient elsewhere;
    elsewhere.socket().bind(QHostAddress(QStringLiteral("127.0.0.2")));
    QVERIFY(elsewhere.connectTcp(url));
    QVERIFY(elsewhere.handshake());

    // Upgraded, they are no longer half-open, but count towards the 4.
    for (RawWsClient &c : half)
        QVERIFY(c.handshake());
    RawWsClient full[2];
    for (RawWsClient &c : full) {
        QVERIFY(c.connectTcp(url));
        QVERIFY(c.handshake());
    }
    RawWsClient fifth;
    QVERIFY(refused(fifth));
    // A connection that ends frees its place.
    full[0].socket().abort();
    std::unique_ptr<RawWsClient> again;
    bool admitted = false;
    for (QDeadlineTimer deadline(5000); !admitted && !deadline.hasExpired();) {
        again = std::make_unique<RawWsClient>();
        admitted = again->connectTcp(url) && again->handshake(1000);
    }
    QVERIFY(admitted);
    QVERIFY(elsewhere.socket().state() == QAbstractSocket::ConnectedState);
}

void TestTransport::trickledHandshakeStillTimesOut() {
    // Slowloris: a request head sent a byte at a time never completes; the
    // handshake timeout counts from the accept, not from the last byte.
    QFETCH(QString, transport);
    QFETCH(QString, ioThreads);
    ServerProcess server(
        transportArgs(transport, ioThreads) +
        QStringList{QStringLiteral("--handshake-timeout-ms"), QStringLiteral("500")});
    QVERIFY(server.start());
    RawWsClient slow;
    QVERIFY(slow.connectTcp(server.chatUrl()));
    QElapsedTimer timer;
    timer.start();
    const QByteArray head = "GET / HTTP/1.1\r\nHost: x\r\nX-Padding: " + QByteArray(200, 'a');
    qsizetype sent = 0;
    while (slow.socket().state() == QAbstractSocket::ConnectedState && sent < head.size() &&
           timer.elapsed() < 5000) {
        slow.socket().write(head.mid(sent++, 1));
        slow.socket().flush();
        slow.socket().waitForReadyRead(25); // paces the bytes; ends early when closed
    }
    QVERIFY(slow.waitForDisconnected(5000));
    QVERIFY2(timer.elapsed() >= 400 && timer.elapsed() < 3000,
             qPrintable(QStringLiteral("dropped after %1 ms").arg(timer.elapsed())));
    TestClient client;
    QVERIFY(client.connectTo(server.chatUrl()));
}

QTEST_GUILESS_MAIN(TestTransport)
#include "tst_transport.moc"
