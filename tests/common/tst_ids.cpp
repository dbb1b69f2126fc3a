// SPDX-License-Identifier: MIT
// The identifiers handed to clients: opaque ids (session, pair, console
// client ids) and the friendly partner handles. What clients and the console
// rely on: the documented shape, URL-safe text, the requested entropy, and
// no two alike in practice.

#include "ids.h"

#include <QRegularExpression>
#include <QSet>
#include <QTest>

using namespace whisper;

namespace {
// The words randomHandle() draws from, so the test notices a changed list.
const QStringList kAdjectives{
    QStringLiteral("quiet"),  QStringLiteral("brave"), QStringLiteral("sunny"),
    QStringLiteral("gentle"), QStringLiteral("lucky"), QStringLiteral("curious"),
    QStringLiteral("witty"),  QStringLiteral("calm"),  QStringLiteral("bright"),
    QStringLiteral("kind"),   QStringLiteral("swift"), QStringLiteral("merry"),
    QStringLiteral("bold"),   QStringLiteral("shy"),   QStringLiteral("clever"),
    QStringLiteral("lively")};
const QStringList kAnimals{
    QStringLiteral("otter"),  QStringLiteral("fox"),    QStringLiteral("heron"),
    QStringLiteral("lynx"),   QStringLiteral("panda"),  QStringLiteral("robin"),
    QStringLiteral("koala"),  QStringLiteral("badger"), QStringLiteral("falcon"),
    QStringLiteral("gecko"),  QStringLiteral("walrus"), QStringLiteral("bison"),
    QStringLiteral("puffin"), QStringLiteral("marten"), QStringLiteral("ibis"),
    QStringLiteral("yak")};
} // namespace

class TestIds : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void opaqueIdLength_data();
    void opaqueIdLength();
    void opaqueIdsAreUnique();
    void opaqueIdsUseEveryByteValue();
    void handleShape();
    void handlesVary();
};

void TestIds::opaqueIdLength_data() {
    QTest::addColumn<int>("bytes");
    QTest::addColumn<int>("chars");
    // base64url without padding: 4 characters per 3 bytes, rounded up.
    QTest::addRow("default, 12 bytes") << 12 << 16;
    QTest::addRow("console ids, 6 bytes") << 6 << 8;
    QTest::addRow("1 byte") << 1 << 2;
    QTest::addRow("2 bytes") << 2 << 3;
    QTest::addRow("32 bytes") << 32 << 43;
}

void TestIds::opaqueIdLength() {
    QFETCH(int, bytes);
    QFETCH(int, chars);
    static const QRegularExpression urlSafe(QStringLiteral("^[A-Za-z0-9_-]+$"));
    for (int i = 0; i < 50; ++i) {
        const QString id = bytes == 12 ? randomOpaqueId() : randomOpaqueId(bytes);
        QCOMPARE(id.size(), chars);
        QVERIFY2(urlSafe.match(id).hasMatch(), qPrintable(id));
        const auto raw = QByteArray::fromBase64Encoding(
            id.toLatin1(), QByteArray::Base64UrlEncoding | QByteArray::AbortOnBase64DecodingErrors);
        QVERIFY(raw);
        QCOMPARE(raw.decoded.size(), bytes);
    }
}

void TestIds::opaqueIdsAreUnique() {
    // 96 random bits: a repeat among 20,000 would mean the generator is not
    // random (or the id is shorter than it says).
    QSet<QString> seen;
    for (int i = 0; i < 20000; ++i)
        seen.insert(randomOpaqueId());
    QCOMPARE(seen.size(), 20000);
}

void TestIds::opaqueIdsUseEveryByteValue() {
    // Every byte is drawn from all 256 values: in 4,000 ids of 12 bytes
    // (48,000 draws) each value turns up, and the top bit is set in about
    // half of them (a generator bounded to 128, or a 7-bit mask, fails).
    QSet<int> values;
    int highBits = 0;
    int total = 0;
    for (int i = 0; i < 4000; ++i) {
        const QByteArray raw =
            QByteArray::fromBase64(randomOpaqueId().toLatin1(), QByteArray::Base64UrlEncoding);
        for (const char c : raw) {
            values.insert(uchar(c));
            highBits += (uchar(c) & 0x80) ? 1 : 0;
            ++total;
        }
    }
    QCOMPARE(values.size(), 256);
    QVERIFY2(highBits > total * 0.45 && highBits < total * 0.55,
             qPrintable(QStringLiteral("%1 of %2").arg(highBits).arg(total)));
}

void TestIds::handleShape() {
    static const QRegularExpression shape(QStringLiteral("^([a-z]+)-([a-z]+)-([0-9]+)$"));
    for (int i = 0; i < 500; ++i) {
        const QString handle = randomHandle();
        const auto m = shape.match(handle);
        QVERIFY2(m.hasMatch(), qPrintable(handle));
        QVERIFY2(kAdjectives.contains(m.captured(1)), qPrintable(handle));
        QVERIFY2(kAnimals.contains(m.captured(2)), qPrintable(handle));
        const int number = m.captured(3).toInt();
        QVERIFY2(number >= 10 && number <= 99, qPrintable(handle));
    }
}

void TestIds::handlesVary() {
    // Both partners get a handle each: they should rarely be the same, and
    // over many draws every word and both ends of the number range appear.
    QSet<QString> adjectives, animals, handles;
    QSet<int> numbers;
    for (int i = 0; i < 5000; ++i) {
        const QStringList parts = randomHandle().split(QLatin1Char('-'));
        QCOMPARE(parts.size(), 3);
        handles.insert(parts.join(QLatin1Char('-')));
        adjectives.insert(parts[0]);
        animals.insert(parts[1]);
        numbers.insert(parts[2].toInt());
    }
    QCOMPARE(adjectives.size(), kAdjectives.size());
    QCOMPARE(animals.size(), kAnimals.size());
    QCOMPARE(numbers.size(), 90);
    // 23,040 possible handles: 5,000 draws give about 4,500 distinct ones.
    QVERIFY2(handles.size() > 4300, qPrintable(QString::number(handles.size())));
}

QTEST_GUILESS_MAIN(TestIds)
#include "tst_ids.moc"
