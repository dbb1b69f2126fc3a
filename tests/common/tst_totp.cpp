// SPDX-License-Identifier: MIT
#include "totp.h"

#include <QProcess>
#include <QRandomGenerator>
#include <QStandardPaths>
#include <QTest>

using namespace whisper;

class TestTotp : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void rfc6238Vectors_data();
    void rfc6238Vectors();
    void base32RoundTrip_data();
    void base32RoundTrip();
    void base32RejectsGarbage();
    void matchesOathtool();
    void verifyWindow_data();
    void verifyWindow();
    void provisioningUri();
};

void TestTotp::rfc6238Vectors_data() {
    QTest::addColumn<int>("algorithm");
    QTest::addColumn<qint64>("time");
    QTest::addColumn<QString>("expected");
    const QByteArray seed20 = "12345678901234567890";
    struct Row {
        qint64 t;
        const char *sha1, *sha256, *sha512;
    };
    // RFC 6238 Appendix B.
    const Row rows[] = {
        {59, "94287082", "46119246", "90693936"},
        {1111111109, "07081804", "68084774", "25091201"},
        {1111111111, "14050471", "67062674", "99943326"},
        {1234567890, "89005924", "91819424", "93441116"},
        {2000000000, "69279037", "90698825", "38618901"},
        {20000000000LL, "65353130", "77737706", "47863826"},
    };
    for (const Row &r : rows) {
        QTest::addRow("sha1-%lld", r.t) << int(QCryptographicHash::Sha1) << r.t << r.sha1;
        QTest::addRow("sha256-%lld", r.t) << int(QCryptographicHash::Sha256) << r.t << r.sha256;
        QTest::addRow("sha512-%lld", r.t) << int(QCryptographicHash::Sha512) << r.t << r.sha512;
    }
}

void TestTotp::rfc6238Vectors() {
    QFETCH(int, algorithm);
    QFETCH(qint64, time);
    QFETCH(QString, expected);
    const auto alg = QCryptographicHash::Algorithm(algorithm);
    QByteArray seed = "12345678901234567890";
    if (alg == QCryptographicHash::Sha256)
        seed = "12345678901234567890123456789012";
    else if (alg == QCryptographicHash::Sha512)
        seed = "1234567890123456789012345678901234567890123456789012345678901234";
    totp::Params p;
    p.algorithm = alg;
    p.digits = 8;
    QCOMPARE(totp::codeAt(seed, time, p), expected);
    QCOMPARE(totp::verify(seed, expected, time, 0, p), std::optional<qint64>(time / 30));
}

void TestTotp::base32RoundTrip_data() {
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("encoded");
    // RFC 4648 section 10 (without padding).
    QTest::addRow("empty") << QByteArray() << QString();
    QTest::addRow("f") << QByteArray("f") << QStringLiteral("MY");
    QTest::addRow("fo") << QByteArray("fo") << QStringLiteral("MZXQ");
    QTest::addRow("foo") << QByteArray("foo") << QStringLiteral("MZXW6");
    QTest::addRow("foob") << QByteArray("foob") << QStringLiteral("MZXW6YQ");
    QTest::addRow("fooba") << QByteArray("fooba") << QStringLiteral("MZXW6YTB");
    QTest::addRow("foobar") << QByteArray("foobar") << QStringLiteral("MZXW6YTBOI");
}

void TestTotp::base32RoundTrip() {
    QFETCH(QByteArray, bytes);
    QFETCH(QString, encoded);
    QCOMPARE(totp::base32Encode(bytes), encoded);
    QCOMPARE(totp::base32Decode(encoded), std::optional<QByteArray>(bytes));
    QCOMPARE(totp::base32Decode(encoded.toLower() + QStringLiteral("==")),
             std::optional<QByteArray>(bytes));
}

void TestTotp::base32RejectsGarbage() {
    QVERIFY(!totp::base32Decode(QStringLiteral("MZ1W")));
    QVERIFY(!totp::base32Decode(QStringLiteral("MZ?W")));
}

void TestTotp::matchesOathtool() {
    const QString oathtool = QStandardPaths::findExecutable(QStringLiteral("oathtool"));
    if (oathtool.isEmpty())
        QFAIL("oathtool not installed (scripts/install-deps.sh installs it)");
    auto *rng = QRandomGenerator::global();
    for (int i = 0; i < 20; ++i) {
        const QByteArray secret = totp::generateSecret();
        QCOMPARE(secret.size(), 20);
        const qint64 t = qint64(rng->bounded(2000000000u));
        QProcess p;
        p.start(oathtool, {QStringLiteral("--totp"), QStringLiteral("-b"),
                           QStringLiteral("--now=@%1").arg(t), totp::base32Encode(secret)});
        QVERIFY(p.waitForFinished(10000));
        QCOMPARE(p.exitCode(), 0);
        const QString expected = QString::fromLatin1(p.readAllStandardOutput()).trimmed();
        QCOMPARE(totp::codeAt(secret, t), expected);
    }
}

void TestTotp::verifyWindow_data() {
    QTest::addColumn<qint64>("offsetSeconds");
    QTest::addColumn<bool>("accepted");
    QTest::addRow("same step") << qint64(0) << true;
    QTest::addRow("one step early") << qint64(-30) << true;
    QTest::addRow("one step late") << qint64(30) << true;
    QTest::addRow("two steps early") << qint64(-60) << false;
    QTest::addRow("two steps late") << qint64(60) << false;
}

void TestTotp::verifyWindow() {
    QFETCH(qint64, offsetSeconds);
    QFETCH(bool, accepted);
    const QByteArray secret = totp::generateSecret();
    const qint64 now = 1700000015; // middle of a step
    const QString code = totp::codeAt(secret, now + offsetSeconds);
    const auto step = totp::verify(secret, code, now);
    QCOMPARE(step.has_value(), accepted);
    if (accepted)
        QCOMPARE(*step, (now + offsetSeconds) / 30);
    QVERIFY(!totp::verify(secret, QStringLiteral("12345"), now));
    QVERIFY(!totp::verify(secret, QString(), now));
}

void TestTotp::provisioningUri() {
    const QString uri = totp::provisioningUri(QStringLiteral("WhisperChat"), QStringLiteral("a b"),
                                              QByteArray("foobar"));
    QCOMPARE(uri, QStringLiteral("otpauth://totp/WhisperChat:a%20b?secret=MZXW6YTBOI&issuer="
                                 "WhisperChat&algorithm=SHA1&digits=6&period=30"));
}

QTEST_GUILESS_MAIN(TestTotp)
#include "tst_totp.moc"
