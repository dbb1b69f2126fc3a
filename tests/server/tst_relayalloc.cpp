// SPDX-License-Identifier: MIT
// Heap allocations per relayed message on the main thread, in the steady
// state: a chat server wired as main.cpp wires it (epoll dispatcher, accounts
// and rate limits, metrics, the control endpoint's hub) relays messages
// between two real WebSocket clients on loopback, and this binary's malloc
// counts every allocation the main thread makes while a window of messages
// goes through. The clients run on a thread of their own (plain blocking
// sockets), so their allocations are not counted. Sanitizer builds, which
// replace malloc themselves, do not build this suite.

#include "chatserver.h"
#include "controlserver.h"
#include "controlservicebackend.h"
#include "epolldispatcher.h"
#include "securitystack.h"
#include "serverconfig.h"
#include "servermetrics.h"

#include <QCoreApplication>
#include <QEventLoop>
#include <QLoggingCategory>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>

// ---- counting malloc -------------------------------------------------------
// Interposed for the whole process (Qt, libstdc++ and all); glibc's own
// implementation does the work. free() stays glibc's.
extern "C" {
void *__libc_malloc(size_t);
void *__libc_calloc(size_t, size_t);
void *__libc_realloc(void *, size_t);
}

namespace {
std::atomic<bool> g_counting{false};
std::atomic<long> g_allocations{0};
thread_local bool t_countedThread = false;

inline void countAllocation() {
    if (t_countedThread && g_counting.load(std::memory_order_relaxed))
        g_allocations.fetch_add(1, std::memory_order_relaxed);
}
} // namespace

extern "C" void *malloc(size_t n) {
    countAllocation();
    return __libc_malloc(n);
}
extern "C" void *calloc(size_t n, size_t size) {
    countAllocation();
    return __libc_calloc(n, size);
}
extern "C" void *realloc(void *p, size_t n) {
    countAllocation();
    return __libc_realloc(p, n);
}

namespace whisper {

namespace {

// A minimal blocking WebSocket client: masked text frames out, the server's
// unmasked frames in; every wait bounded by the socket's receive timeout.
class BlockingClient {
public:
    ~BlockingClient() {
        if (m_fd >= 0)
            ::close(m_fd);
    }

    bool open(quint16 port) {
        m_fd = ::socket(AF_INET, SOCK_STREAM, 0);
        timeval timeout{10, 0};
        ::setsockopt(m_fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
        int one = 1;
        ::setsockopt(m_fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(port);
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::connect(m_fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0)
            return false;
        const std::string request = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                                    "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                                    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n";
        if (!writeAll(request.data(), request.size()))
            return false;
        while (m_in.find("\r\n\r\n") == std::string::npos)
            if (!fill())
                return false;
        if (m_in.rfind("HTTP/1.1 101", 0) != 0)
            return false;
        m_in.erase(0, m_in.find("\r\n\r\n") + 4);
        return true;
    }

    bool send(const std::string &text) {
        std::string frame;
        frame += char(0x81);
        if (text.size() < 126) {
            frame += char(0x80 | text.size());
        } else {
            frame += char(0x80 | 126);
            frame += char(text.size() >> 8);
            frame += char(text.size() & 0xFF);
        }
        const unsigned char mask[4] = {0x12, 0x34, 0x56, 0x78};
        frame.append(reinterpret_cast<const char *>(mask), 4);
        for (std::size_t i = 0; i < text.size(); ++i)
            frame += char(text[i] ^ mask[i & 3]);
        return writeAll(frame.data(), frame.size());
    }

    // The next text frame whose content holds `needle` (other frames, pings
    // among them, are skipped); empty on timeout or a closed connection.
    std::string receive(const std::string &needle) {
        for (;;) {
            std::string text;
            quint8 opcode = 0;
            if (!nextFrame(opcode, text))
                return {};
            if (opcode == 0x1 && text.find(needle) != std::string::npos)
                return text;
        }
    }

private:
    bool writeAll(const char *p, std::size_t n) {
        while (n > 0) {
            const ssize_t w = ::send(m_fd, p, n, MSG_NOSIGNAL);
            if (w <= 0)
                return false;
            p += w;
            n -= std::size_t(w);
        }
        return true;
    }
    bool fill() {
        char buffer[4096];
        const ssize_t n = ::recv(m_fd, buffer, sizeof buffer, 0);
        if (n <= 0)
            return false;
        m_in.append(buffer, std::size_t(n));
        return true;
    }
    bool nextFrame(quint8 &opcode, std::string &payload) {
        for (;;) {
            if (m_in.size() >= 2) {
                const auto b1 = static_cast<unsigned char>(m_in[1]) & 0x7F;
                std::size_t header = 2, length = b1;
                if (b1 == 126 && m_in.size() >= 4) {
                    length = (std::size_t(static_cast<unsigned char>(m_in[2])) << 8) |
                             static_cast<unsigned char>(m_in[3]);
                    header = 4;
                }
                if (b1 < 126 || header == 4) {
                    if (m_in.size() >= header + length) {
                        opcode = static_cast<unsigned char>(m_in[0]) & 0x0F;
                        payload = m_in.substr(header, length);
                        m_in.erase(0, header + length);
                        return true;
                    }
                }
            }
            if (!fill())
                return false;
        }
    }

    int m_fd = -1;
    std::string m_in;
};

} // namespace

class TestRelayAlloc : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void steadyStateAllocatesNothing();
};

void TestRelayAlloc::steadyStateAllocatesNothing() {
    QVERIFY2(useEpollDispatcher(), "the server's own dispatcher is what is measured");
    t_countedThread = true; // the main thread: the server's
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    ServerConfig config;
    config.listenAddress = QStringLiteral("127.0.0.1");
    config.port = 0;
    config.dataDir = dir.path();
    config.tickMs = 50;
    config.argon2OpsLimit = 1;
    config.argon2MemKiB = 256;
    // The rate limit is applied to every message, as in production, but
    // with room for the whole run.
    config.rateMessageBurst = 100000;
    QString error;
    const auto security = SecurityStack::create(config, &error);
    QVERIFY2(security, qPrintable(error));
    ServerMetrics metrics(QStringLiteral("test"), QStringLiteral("native"));
    ChatServer chat(config, nullptr, &metrics);
    chat.setSecurity(&security->services());
    QVERIFY(chat.listen());
    ControlServiceBackend backend(security->accounts(), security->moderation(),
                                  security->database());
    ControlServer control(QStringLiteral("127.0.0.1"), 0, ControlLimits{}, chat, backend,
                          QStringLiteral("test"));
    QVERIFY(control.listen());
    const auto port = quint16(chat.url().port());
    // The matchmaker's tick (a hand-off to its worker thread, every tick-ms
    // whatever the traffic) stops once the pair is made: it is the server's
    // background work, not the messages'.
    QObject::connect(&chat, &ChatServer::pairStarted, &chat, [&chat] { chat.matchmaker().stop(); });

    // Past the 256 ids of the dedup window before counting: the window's
    // storage is made while it fills, once per pair.
    constexpr int kWarmup = 400, kCounted = 1000;
    std::string failure;
    long counted = -1;
    QEventLoop loop;
    // Posted from the client thread (its allocation is not counted).
    auto done = [&loop] {
        QMetaObject::invokeMethod(&loop, &QEventLoop::quit, Qt::QueuedConnection);
    };
    std::thread client([&] {
        auto fail = [&](const std::string &why) {
            failure = why;
            done();
        };
        BlockingClient a, b;
        if (!a.open(port) || !b.open(port))
            return fail("handshake");
        if (a.receive("\"welcome\"").empty() || b.receive("\"welcome\"").empty())
            return fail("welcome");
        const std::string join = R"({"type":"join","lat":52.52,"lon":13.405,"range_km":10})";
        if (!a.send(join) || !b.send(join))
            return fail("join");
        if (a.receive("\"matched\"").empty() || b.receive("\"matched\"").empty())
            return fail("matched");
        for (int i = 0; i < kWarmup + kCounted; ++i) {
            if (i == kWarmup) {
                g_allocations = 0;
                g_counting = true;
            }
            char id[16];
            std::snprintf(id, sizeof id, "m%05d", i);
            if (!a.send(std::string(R"({"type":"message","text":"a message of some length, )") +
                        id + R"(","id":")" + id + "\"}"))
                return fail("send");
            if (b.receive(id).empty())
                return fail(std::string("message ") + id + " did not arrive");
            if (a.receive("\"delivered\"").empty())
                return fail(std::string("no delivered for ") + id);
        }
        g_counting = false;
        counted = g_allocations.load();
        done();
    });
    // Bounded anyway: every client wait times out after 10 s.
    QTimer::singleShot(120000, &loop, &QEventLoop::quit);
    loop.exec();
    g_counting = false;
    client.join();
    QVERIFY2(failure.empty(), failure.c_str());
    QVERIFY(counted >= 0);
    qInfo("%ld allocations on the main thread for %d relayed messages", counted, kCounted);
    // Zero per message; the bound leaves room for the server's timers (the
    // control flush, the sweep; the epoll dispatcher allocates when it
    // re-arms one), a few per second whatever the traffic. One allocation
    // per message would be kCounted (the code before counted 5 per message).
    QVERIFY2(
        counted < kCounted / 10,
        qPrintable(QStringLiteral("%1 allocations for %2 messages").arg(counted).arg(kCounted)));

    // What replaced signals still counts: the metrics and the console's view.
    QCOMPARE(metrics.messagesRelayed.value(), std::uint64_t(kWarmup + kCounted));
    const auto pairs = control.hub().pairs();
    QCOMPARE(pairs.size(), 1);
    QCOMPARE(pairs.cbegin()->messages, qint64(kWarmup + kCounted));
}

} // namespace whisper

int main(int argc, char *argv[]) {
    // As main.cpp: the epoll dispatcher, chosen before the application, and
    // no debug output (formatting a line allocates).
    whisper::installEventDispatcher();
    QCoreApplication app(argc, argv);
    QLoggingCategory::setFilterRules(QStringLiteral("*.debug=false"));
    whisper::TestRelayAlloc test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_relayalloc.moc"
