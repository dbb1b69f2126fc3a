// SPDX-License-Identifier: MIT
// Per-address keys and caps: ipKey() and PeerLimiter, without sockets.

#include "ipkey.h"
#include "peerlimiter.h"

#include <QTest>

#include <memory>
#include <thread>
#include <vector>

using whisper::ipKey;
using whisper::PeerLimiter;
using whisper::PeerLimits;
using whisper::PeerSlot;

class TestPeerLimits : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void ipKeyGroups_data();
    void ipKeyGroups();
    void concurrentCapAtTheEdge();
    void halfOpenCapAtTheEdge();
    void ipv6CountsByPrefix();
    void exemptSubnetsCountNothing();
    void slotsOutliveTheLimiter();
    void releasesFromOtherThreads();
};

void TestPeerLimits::ipKeyGroups_data() {
    QTest::addColumn<QString>("a");
    QTest::addColumn<QString>("b");
    QTest::addColumn<bool>("same");
    QTest::addRow("IPv4 per address") << "127.0.0.1"
                                      << "127.0.0.2" << false;
    QTest::addRow("IPv4 equal") << "192.0.2.7"
                                << "192.0.2.7" << true;
    QTest::addRow("IPv4-mapped is IPv4") << "::ffff:192.0.2.7"
                                         << "192.0.2.7" << true;
    QTest::addRow("same /64") << "2001:db8:1:2::1"
                              << "2001:db8:1:2:ffff:ffff:ffff:ffff" << true;
    QTest::addRow("neighbouring /64") << "2001:db8:1:2::1"
                                      << "2001:db8:1:3::1" << false;
    QTest::addRow("differs in bit 64") << "2001:db8:1:2::"
                                       << "2001:db8:1:2:8000::" << true;
    QTest::addRow("differs in bit 63") << "2001:db8:1:2::"
                                       << "2001:db8:1:3::" << false;
    QTest::addRow("loopback v6 vs v4") << "::1"
                                       << "127.0.0.1" << false;
}

void TestPeerLimits::ipKeyGroups() {
    QFETCH(QString, a);
    QFETCH(QString, b);
    QFETCH(bool, same);
    QCOMPARE(ipKey(QHostAddress(a)) == ipKey(QHostAddress(b)), same);
}

void TestPeerLimits::concurrentCapAtTheEdge() {
    PeerLimiter limiter(PeerLimits{3, 100, {}});
    const QHostAddress a(QStringLiteral("198.51.100.1"));
    std::vector<std::unique_ptr<PeerSlot>> slots;
    for (int i = 0; i < 3; ++i) {
        slots.push_back(limiter.admit(a));
        QVERIFY(slots.back());
        slots.back()->upgraded();
    }
    QVERIFY(!limiter.admit(a)); // the fourth
    QVERIFY(limiter.admit(QHostAddress(QStringLiteral("198.51.100.2"))));
    QCOMPARE(limiter.connections(a), 3);
    slots.pop_back();
    QCOMPARE(limiter.connections(a), 2);
    QVERIFY(limiter.admit(a));
}

void TestPeerLimits::halfOpenCapAtTheEdge() {
    PeerLimiter limiter(PeerLimits{100, 2, {}});
    const QHostAddress a(QStringLiteral("198.51.100.1"));
    auto s1 = limiter.admit(a), s2 = limiter.admit(a);
    QVERIFY(s1 && s2);
    QVERIFY(!limiter.admit(a));
    QCOMPARE(limiter.halfOpen(a), 2);
    s1->upgraded();
    s1->upgraded(); // counted once
    QCOMPARE(limiter.halfOpen(a), 1);
    auto s3 = limiter.admit(a);
    QVERIFY(s3);
    QVERIFY(!limiter.admit(a));
    s2.reset(); // a handshake that failed
    QCOMPARE(limiter.halfOpen(a), 1);
    QCOMPARE(limiter.connections(a), 2);
    QVERIFY(limiter.admit(a));
}

void TestPeerLimits::ipv6CountsByPrefix() {
    PeerLimiter limiter(PeerLimits{2, 100, {}});
    auto s1 = limiter.admit(QHostAddress(QStringLiteral("2001:db8::1")));
    auto s2 = limiter.admit(QHostAddress(QStringLiteral("2001:db8::2")));
    QVERIFY(s1 && s2);
    // Another address of the same /64 is the same host.
    QVERIFY(!limiter.admit(QHostAddress(QStringLiteral("2001:db8::ffff:1"))));
    QVERIFY(limiter.admit(QHostAddress(QStringLiteral("2001:db8:0:1::1"))));
}

void TestPeerLimits::exemptSubnetsCountNothing() {
    PeerLimiter limiter(
        PeerLimits{1, 1, whisper::parseSubnetList(QStringLiteral("127.0.0.0/8, ::1"))});
    std::vector<std::unique_ptr<PeerSlot>> slots;
    for (int i = 0; i < 10; ++i) {
        slots.push_back(limiter.admit(QHostAddress(QStringLiteral("127.0.0.1"))));
        QVERIFY(slots.back());
        slots.push_back(limiter.admit(QHostAddress(QStringLiteral("::ffff:127.0.0.9"))));
        QVERIFY(slots.back());
    }
    QCOMPARE(limiter.connections(QHostAddress(QStringLiteral("127.0.0.1"))), 0);
    auto other = limiter.admit(QHostAddress(QStringLiteral("192.0.2.1")));
    QVERIFY(other);
    QVERIFY(!limiter.admit(QHostAddress(QStringLiteral("192.0.2.1"))));
}

void TestPeerLimits::slotsOutliveTheLimiter() {
    std::unique_ptr<PeerSlot> slot;
    {
        PeerLimiter limiter(PeerLimits{1, 1, {}});
        slot = limiter.admit(QHostAddress(QStringLiteral("192.0.2.1")));
        QVERIFY(slot);
    }
    slot->upgraded();
    slot.reset(); // no use after free (ASan/valgrind would say)
}

void TestPeerLimits::releasesFromOtherThreads() {
    PeerLimiter limiter(PeerLimits{1000000, 1000000, {}});
    const QHostAddress a(QStringLiteral("192.0.2.1"));
    std::vector<std::unique_ptr<PeerSlot>> slots;
    for (int i = 0; i < 4000; ++i)
        slots.push_back(limiter.admit(a));
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&slots, t] {
            for (std::size_t i = std::size_t(t); i < slots.size(); i += 4) {
                slots[i]->upgraded();
                slots[i].reset();
            }
        });
    for (std::thread &t : threads)
        t.join();
    QCOMPARE(limiter.connections(a), 0);
    QCOMPARE(limiter.halfOpen(a), 0);
}

QTEST_GUILESS_MAIN(TestPeerLimits)
#include "tst_peerlimits.moc"
