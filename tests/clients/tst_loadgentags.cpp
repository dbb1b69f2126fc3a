// SPDX-License-Identifier: MIT
// The load generator's message tags: what lets the receiving client tell who
// sent a message and whether it is the next one. The relay test's per-pair
// checks are only as good as this round trip.
#include "loadgenerator.h"

#include <QTest>

#include <string>

using namespace whisper::loadgen;

class TestLoadgenTags : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void roundTrip_data();
    void roundTrip();
    void refused_data();
    void refused();
};

void TestLoadgenTags::roundTrip_data() {
    QTest::addColumn<int>("sender");
    QTest::addColumn<quint64>("seq");
    QTest::addColumn<int>("chars");
    QTest::addColumn<QString>("text");
    QTest::addRow("padded") << 7 << quint64(0) << 8 << "s7.0xxxx";
    QTest::addRow("exactly the tag") << 12 << quint64(345) << 7 << "s12.345";
    QTest::addRow("longer than asked") << 49999 << quint64(1234567) << 4 << "s49999.1234567";
    QTest::addRow("no padding asked") << 0 << quint64(9) << 0 << "s0.9";
    QTest::addRow("largest sequence")
        << 1 << quint64(18446744073709551615ull) << 0 << "s1.18446744073709551615";
}

void TestLoadgenTags::roundTrip() {
    QFETCH(int, sender);
    QFETCH(quint64, seq);
    QFETCH(int, chars);
    QFETCH(QString, text);
    std::string out = "{";
    appendTaggedText(out, sender, seq, chars);
    QCOMPARE(QString::fromStdString(out.substr(1)), text);
    int parsedSender = -1;
    std::uint64_t parsedSeq = 0;
    QVERIFY(parseTaggedText(std::string_view(out).substr(1), parsedSender, parsedSeq));
    QCOMPARE(parsedSender, sender);
    QCOMPARE(quint64(parsedSeq), seq);
}

void TestLoadgenTags::refused_data() {
    QTest::addColumn<QString>("text");
    QTest::addRow("empty") << "";
    QTest::addRow("untagged") << "xxxxxxxx";
    QTest::addRow("no sequence") << "s12.";
    QTest::addRow("no dot") << "s12";
    QTest::addRow("no sender") << "s.5";
    QTest::addRow("negative sender") << "s-1.5";
    QTest::addRow("other padding") << "s1.5yyy";
    QTest::addRow("sequence overflows") << "s1.18446744073709551616";
}

void TestLoadgenTags::refused() {
    QFETCH(QString, text);
    const std::string s = text.toStdString();
    int sender = -1;
    std::uint64_t seq = 0;
    QVERIFY(!parseTaggedText(s, sender, seq));
}

QTEST_APPLESS_MAIN(TestLoadgenTags)
#include "tst_loadgentags.moc"
