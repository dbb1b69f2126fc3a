// SPDX-License-Identifier: MIT
// Chat round-trip latency while passwords hash: one paired couple
// measures message -> delivered round trips at a steady rate, first with no
// logins (the baseline peer, same run), then while 20 clients log in
// concurrently and continuously with the default Argon2id parameters. Prints
// p50/p99/max of both phases, how many round trips each used, and the
// ratios. A phase that stops early (a `delivered` that never came, or an
// error that never came) fails the run: a percentile of fewer samples than
// asked for is not the figure the table names. The server is the real
// whisperchat-server, started here on loopback with a temporary data dir.
#include "protocol.h"
#include "serverprocess.h"
#include "testclient.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QTemporaryDir>
#include <QTimer>
#include <QWebSocket>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <vector>

using namespace whisper;
using namespace whisper::protocol;
using whisper::test::ServerProcess;
using whisper::test::TestClient;

namespace {
const QString kPassword = QStringLiteral("benchmark password 1");

struct Stats {
    double p50 = 0, p99 = 0, max = 0;
    int n = 0;
};

Stats statsOf(std::vector<double> v) {
    Stats s;
    if (v.empty())
        return s;
    std::sort(v.begin(), v.end());
    auto at = [&](double q) { return v[std::min(v.size() - 1, size_t(q * double(v.size())))]; };
    s.p50 = at(0.50);
    s.p99 = at(0.99);
    s.max = v.back();
    s.n = int(v.size());
    return s;
}

// Round trips of `count` messages, one every `intervalMs`, timed from the
// send to the arrival of `delivered` (signal-driven, no polling).
std::vector<double> measure(QWebSocket &sender, int count, int intervalMs,
                            const std::function<void()> &between = {}) {
    std::vector<double> rtts;
    QElapsedTimer clock;
    for (int i = 0; i < count; ++i) {
        const QString id = QStringLiteral("m%1").arg(i);
        QEventLoop loop;
        bool got = false;
        auto c = QObject::connect(
            &sender, &QWebSocket::textMessageReceived, &loop, [&](const QString &text) {
                if (text.contains(QLatin1String("\"delivered\"")) && text.contains(id)) {
                    got = true;
                    loop.quit();
                }
            });
        QTimer::singleShot(10000, &loop, &QEventLoop::quit);
        clock.start();
        sender.sendTextMessage(QString::fromUtf8(
            Codec::encode(ClientMessage{SendMessage{QStringLiteral("ping"), id}})));
        loop.exec();
        const double ms = double(clock.nsecsElapsed()) / 1e6;
        QObject::disconnect(c);
        if (!got)
            break;
        rtts.push_back(ms);
        if (between)
            between();
        QTest::qWait(intervalMs);
    }
    return rtts;
}
// Milliseconds from sending `frame` to the next `error` frame; -1 when none
// came within 10 s.
double timeToError(QWebSocket &socket, const QByteArray &frame) {
    QEventLoop loop;
    bool got = false;
    auto c = QObject::connect(&socket, &QWebSocket::textMessageReceived, &loop,
                              [&](const QString &text) {
                                  if (text.contains(QLatin1String("\"error\""))) {
                                      got = true;
                                      loop.quit();
                                  }
                              });
    QTimer::singleShot(10000, &loop, &QEventLoop::quit);
    QElapsedTimer clock;
    clock.start();
    socket.sendTextMessage(QString::fromUtf8(frame));
    loop.exec();
    QObject::disconnect(c);
    return got ? double(clock.nsecsElapsed()) / 1e6 : -1.0;
}
} // namespace

int main(int argc, char *argv[]) {
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addOption({QStringLiteral("messages"), QStringLiteral("Round trips per phase"),
                      QStringLiteral("N"), QStringLiteral("400")});
    parser.addOption({QStringLiteral("logins"), QStringLiteral("Concurrent login clients"),
                      QStringLiteral("N"), QStringLiteral("20")});
    parser.process(app);
    const int messages = parser.value(QStringLiteral("messages")).toInt();
    const int loginClients = parser.value(QStringLiteral("logins")).toInt();

    QTemporaryDir dir;
    // Default Argon2id parameters (the point of the benchmark); login limits
    // opened up so the logins keep hashing instead of being refused.
    ServerProcess server({QStringLiteral("--data-dir"), dir.path(),
                          QStringLiteral("--rate-login-user-burst"), QStringLiteral("1000000"),
                          QStringLiteral("--rate-login-user-leak-ms"), QStringLiteral("1"),
                          QStringLiteral("--rate-login-ip-burst"), QStringLiteral("1000000"),
                          QStringLiteral("--rate-login-ip-leak-ms"), QStringLiteral("1"),
                          QStringLiteral("--rate-register-burst"), QStringLiteral("1000"),
                          QStringLiteral("--tick-ms"), QStringLiteral("20")});
    if (!server.start()) {
        std::fprintf(stderr, "loginlatency: server did not start\n%s\n", server.log().constData());
        return 1;
    }

    std::vector<std::unique_ptr<TestClient>> logins;
    for (int i = 0; i < loginClients; ++i) {
        auto c = std::make_unique<TestClient>();
        if (!c->connectTo(server.chatUrl()))
            return 1;
        c->send(Register{QStringLiteral("bench%1").arg(i), kPassword});
        logins.push_back(std::move(c));
    }
    for (auto &c : logins)
        if (!c->waitFor<Authenticated>(60000)) {
            std::fprintf(stderr, "loginlatency: registration failed\n");
            return 1;
        }
    // Fresh connections for the login load (one login per connection).
    for (auto &c : logins) {
        c = std::make_unique<TestClient>();
        c->connectTo(server.chatUrl());
    }

    TestClient a, b;
    if (!a.connectTo(server.chatUrl()) || !b.connectTo(server.chatUrl()))
        return 1;
    a.send(Join{48.1, 11.5, 10});
    b.send(Join{48.1, 11.51, 10});
    if (!a.waitFor<Matched>(10000) || !b.waitFor<Matched>(10000))
        return 1;
    QWebSocket &pinger = a.socket();

    const int intervalMs = 10;
    measure(pinger, 50, intervalMs); // warm-up
    const Stats idle = statsOf(measure(pinger, messages, intervalMs));

    // Load: each login client logs in, and on every answer reconnects and
    // logs in again, so `loginClients` hashes are always queued or running.
    int loginsDone = 0;
    std::vector<int> inFlight(logins.size(), 0);
    auto startLogin = [&](size_t i) {
        logins[i] = std::make_unique<TestClient>();
        logins[i]->connectTo(server.chatUrl());
        logins[i]->send(Login{QStringLiteral("bench%1").arg(i), kPassword, std::nullopt});
    };
    for (size_t i = 0; i < logins.size(); ++i)
        startLogin(i);
    auto pump = [&] {
        for (size_t i = 0; i < logins.size(); ++i)
            if (!logins[i]->unread().isEmpty()) {
                ++loginsDone;
                startLogin(i);
            }
    };
    QElapsedTimer loadClock;
    loadClock.start();
    const Stats loaded = statsOf(measure(pinger, messages, intervalMs, pump));
    const double loadSeconds = double(loadClock.elapsed()) / 1000.0;

    std::printf("chat round trip (message -> delivered), %d per phase, every %d ms\n", messages,
                intervalMs);
    std::printf("%-28s %8s %8s %8s %8s\n", "phase", "samples", "p50 ms", "p99 ms", "max ms");
    std::printf("%-28s %8d %8.2f %8.2f %8.2f\n", "no logins (baseline)", idle.n, idle.p50, idle.p99,
                idle.max);
    std::printf("%-28s %8d %8.2f %8.2f %8.2f\n",
                qPrintable(QStringLiteral("%1 logins hashing").arg(loginClients)), loaded.n,
                loaded.p50, loaded.p99, loaded.max);
    std::printf("ratio loaded/baseline: p50 %.2f, p99 %.2f; p99 difference %.2f ms\n",
                idle.p50 > 0 ? loaded.p50 / idle.p50 : 0.0,
                idle.p99 > 0 ? loaded.p99 / idle.p99 : 0.0, loaded.p99 - idle.p99);
    std::printf("logins completed during the loaded phase: %d (%.1f/s, Argon2id m=19 MiB t=2)\n",
                loginsDone, loginsDone / std::max(0.001, loadSeconds));

    // Unknown user vs wrong password: the answer must not tell them apart,
    // in text (tested in tst_accounts) or in time (measured here).
    for (auto &c : logins)
        c.reset();
    TestClient prober;
    prober.connectTo(server.chatUrl());
    constexpr int kProbes = 40;
    std::vector<double> unknown, wrong;
    for (int i = 0; i < kProbes; ++i) {
        const double u = timeToError(
            prober.socket(),
            Codec::encode(ClientMessage{Login{QStringLiteral("nobody%1").arg(i),
                                              QStringLiteral("wrong password"), std::nullopt}}));
        const double w = timeToError(
            prober.socket(),
            Codec::encode(ClientMessage{
                Login{QStringLiteral("bench0"), QStringLiteral("wrong password"), std::nullopt}}));
        if (u < 0 || w < 0)
            break;
        unknown.push_back(u);
        wrong.push_back(w);
    }
    const Stats u = statsOf(unknown), w = statsOf(wrong);
    std::printf("failed login (%d samples each), unknown user: p50 %.2f ms; wrong password: p50 "
                "%.2f ms; ratio %.2f\n",
                u.n, u.p50, w.p50, w.p50 > 0 ? u.p50 / w.p50 : 0.0);
    server.terminate();

    bool complete = true;
    const auto require = [&complete](const char *phase, int got, int wanted) {
        if (got < wanted) {
            std::fprintf(stderr, "loginlatency: phase '%s' stopped early: %d of %d samples\n",
                         phase, got, wanted);
            complete = false;
        }
    };
    require("no logins", idle.n, messages);
    require("logins hashing", loaded.n, messages);
    require("failed login, unknown user", u.n, kProbes);
    require("failed login, wrong password", w.n, kProbes);
    return complete ? 0 : 1;
}
