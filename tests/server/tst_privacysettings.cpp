// SPDX-License-Identifier: MIT
// The privacy settings and the keys the join limits count under.

#include "ipkey.h"
#include "ratelimits.h"
#include "securitystack.h"
#include "serverconfig.h"

#include <QTemporaryDir>
#include <QTest>

using namespace whisper;

class TestPrivacySettings : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void defaults();
    void privacyRadius_data();
    void privacyRadius();
    void eachSourceSetsTheJoinLimits();
    void rateKeys_data();
    void rateKeys();
};

void TestPrivacySettings::defaults() {
    const auto loaded = ConfigLoader::load({QStringLiteral("whisperchat-server")}, {});
    QVERIFY(loaded.config);
    QCOMPARE(loaded.config->privacyRadiusM, 1000);
    const RateLimitSettings rates = SecurityStack::rateLimitSettings(*loaded.config);
    QCOMPARE(rates.joinsPerIp, (LeakRate{40, 1500, 0}));
    QCOMPARE(rates.joinsPerAccount, (LeakRate{10, 2000, 0}));
    QCOMPARE(rates.joinsPerConnection, (LeakRate{5, 3000, 0}));
    // The embedded defaults and the struct's agree.
    QCOMPARE(rates.joinsPerIp, RateLimitSettings{}.joinsPerIp);
    QCOMPARE(rates.joinsPerAccount, RateLimitSettings{}.joinsPerAccount);
}

void TestPrivacySettings::privacyRadius_data() {
    QTest::addColumn<QString>("value");
    QTest::addColumn<int>("expected"); // 0: refused
    QTest::addRow("the minimum") << QStringLiteral("500") << 500;
    QTest::addRow("just below the minimum") << QStringLiteral("499") << 0;
    QTest::addRow("zero") << QStringLiteral("0") << 0;
    QTest::addRow("negative") << QStringLiteral("-1000") << 0;
    QTest::addRow("the maximum") << QStringLiteral("100000") << 100000;
    QTest::addRow("above the maximum") << QStringLiteral("100001") << 0;
    QTest::addRow("not a number") << QStringLiteral("1km") << 0;
}

void TestPrivacySettings::privacyRadius() {
    QFETCH(QString, value);
    QFETCH(int, expected);
    const auto loaded = ConfigLoader::load(
        {QStringLiteral("whisperchat-server"), QStringLiteral("--privacy-radius-m"), value}, {});
    QCOMPARE(loaded.config.has_value(), expected != 0);
    if (expected) {
        QCOMPARE(loaded.config->privacyRadiusM, expected);
        return;
    }
    QCOMPARE(loaded.exitCode, 2);
    QVERIFY2(loaded.error.contains(QLatin1String("--privacy-radius-m")), qPrintable(loaded.error));
    const bool tooSmall = value.toInt() < 500 && value != QLatin1String("1km");
    if (tooSmall)
        QVERIFY2(loaded.error.contains(QLatin1String("at least 500 metres")),
                 qPrintable(loaded.error));
}

void TestPrivacySettings::eachSourceSetsTheJoinLimits() {
    QTemporaryDir dir;
    const QString ini = dir.filePath(QStringLiteral("server.ini"));
    QFile file(ini);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("[server]\nprivacy_radius_m=2000\nrate_join_ip_burst=7\n"
               "rate_join_account_burst=3\n");
    file.close();
    QProcessEnvironment env;
    env.insert(QStringLiteral("WHISPERCHAT_RATE_JOIN_IP_LEAK_MS"), QStringLiteral("900"));
    env.insert(QStringLiteral("WHISPERCHAT_RATE_JOIN_ACCOUNT_BURST"), QStringLiteral("4"));
    const auto loaded =
        ConfigLoader::load({QStringLiteral("whisperchat-server"), QStringLiteral("--config"), ini,
                            QStringLiteral("--rate-join-account-leak-ms"), QStringLiteral("5000")},
                           env);
    QVERIFY2(loaded.config, qPrintable(loaded.error));
    QCOMPARE(loaded.config->privacyRadiusM, 2000);
    const RateLimitSettings rates = SecurityStack::rateLimitSettings(*loaded.config);
    QCOMPARE(rates.joinsPerIp, (LeakRate{7, 900, 0}));
    // The environment wins over the file.
    QCOMPARE(rates.joinsPerAccount, (LeakRate{4, 5000, 0}));
}

void TestPrivacySettings::rateKeys_data() {
    QTest::addColumn<QString>("a");
    QTest::addColumn<QString>("b");
    QTest::addColumn<bool>("sameKey");
    QTest::addRow("IPv4 addresses are their own key")
        << QStringLiteral("203.0.113.7") << QStringLiteral("203.0.113.8") << false;
    QTest::addRow("IPv4-mapped IPv6 is the IPv4 address")
        << QStringLiteral("::ffff:203.0.113.7") << QStringLiteral("203.0.113.7") << true;
    QTest::addRow("one IPv6 /64") << QStringLiteral("2001:db8:1:2::1")
                                  << QStringLiteral("2001:db8:1:2:ffff:ffff:ffff:ffff") << true;
    QTest::addRow("neighbouring IPv6 /64s")
        << QStringLiteral("2001:db8:1:2::1") << QStringLiteral("2001:db8:1:3::1") << false;
}

void TestPrivacySettings::rateKeys() {
    QFETCH(QString, a);
    QFETCH(QString, b);
    QFETCH(bool, sameKey);
    QCOMPARE(ipKey(QHostAddress(a)) == ipKey(QHostAddress(b)), sameKey);
}

QTEST_GUILESS_MAIN(TestPrivacySettings)
#include "tst_privacysettings.moc"
