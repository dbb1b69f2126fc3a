// SPDX-License-Identifier: MIT
// The client address behind trusted reverse proxies: X-Forwarded-For is
// believed only from a trusted peer and only back to the rightmost hop
// that is not itself a trusted proxy.
#include "forwardedfor.h"
#include "ipkey.h"

#include <QTest>

using namespace whisper;

class TestForwardedFor : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void clientAddress_data();
    void clientAddress();
};

void TestForwardedFor::clientAddress_data() {
    QTest::addColumn<QString>("trusted");
    QTest::addColumn<QString>("peer");
    QTest::addColumn<QByteArray>("header");
    QTest::addColumn<QString>("client");
    QTest::newRow("no proxies configured") << ""
                                           << "10.0.0.5" << QByteArray("1.2.3.4") << "10.0.0.5";
    QTest::newRow("untrusted peer's header ignored")
        << "10.0.0.0/8"
        << "192.0.2.7" << QByteArray("1.2.3.4") << "192.0.2.7";
    QTest::newRow("one proxy") << "10.0.0.5"
                               << "10.0.0.5" << QByteArray("1.2.3.4") << "1.2.3.4";
    QTest::newRow("forged hops left of the proxy's")
        << "10.0.0.5"
        << "10.0.0.5" << QByteArray("6.6.6.6, 1.2.3.4") << "1.2.3.4";
    QTest::newRow("two trusted proxies")
        << "10.0.0.0/8"
        << "10.0.0.5" << QByteArray("6.6.6.6, 1.2.3.4, 10.9.9.9") << "1.2.3.4";
    QTest::newRow("every hop trusted: leftmost")
        << "10.0.0.0/8"
        << "10.0.0.5" << QByteArray("10.1.1.1, 10.2.2.2") << "10.1.1.1";
    QTest::newRow("garbage ends the walk")
        << "10.0.0.0/8"
        << "10.0.0.5" << QByteArray("1.2.3.4, nonsense, 10.2.2.2") << "10.2.2.2";
    QTest::newRow("trusted peer without header") << "10.0.0.5"
                                                 << "10.0.0.5" << QByteArray() << "10.0.0.5";
    QTest::newRow("ipv6 client") << "127.0.0.1"
                                 << "127.0.0.1" << QByteArray("2001:db8::1") << "2001:db8::1";
    QTest::newRow("bracketed with port")
        << "127.0.0.1"
        << "127.0.0.1" << QByteArray("[2001:db8::1]:5555") << "2001:db8::1";
    QTest::newRow("ipv4 with port") << "127.0.0.1"
                                    << "127.0.0.1" << QByteArray("1.2.3.4:80") << "1.2.3.4";
    QTest::newRow("mapped peer") << "127.0.0.1"
                                 << "::ffff:127.0.0.1" << QByteArray("1.2.3.4") << "1.2.3.4";
}

void TestForwardedFor::clientAddress() {
    QFETCH(QString, trusted);
    QFETCH(QString, peer);
    QFETCH(QByteArray, header);
    QFETCH(QString, client);
    const QHostAddress got = forwardedClient(QHostAddress(peer), header, parseSubnetList(trusted));
    QCOMPARE(got, QHostAddress(client));
}

QTEST_GUILESS_MAIN(TestForwardedFor)
#include "tst_forwardedfor.moc"
