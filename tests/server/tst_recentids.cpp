// SPDX-License-Identifier: MIT
// The window of message ids a session keeps for dedup, against a plain list
// that does the same thing the obvious way.

#include "recentids.h"

#include <QRandomGenerator>
#include <QTest>

namespace whisper {

class TestRecentIds : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void findsWhatItRemembers();
    void oldestFallOutBeyondTheWindow();
    void deliveredOnlyEverTurnsOn();
    void agreesWithAList_data();
    void agreesWithAList();
    void assignKeepsTheNewest();
    void clearFreesAndForgets();
    void copiesOutLiveOnWhenSlotsAreReused();
};

void TestRecentIds::findsWhatItRemembers() {
    RecentIds ids(4);
    QCOMPARE(ids.find(u"a"), -1);
    ids.remember(u"a", false);
    ids.remember(u"b", true);
    QVERIFY(ids.find(u"a") >= 0);
    QVERIFY(!ids.delivered(ids.find(u"a")));
    QVERIFY(ids.delivered(ids.find(u"b")));
    QCOMPARE(ids.find(u"c"), -1);
    QCOMPARE(ids.find(u""), -1);
    ids.remember(u"", false); // an empty id is an id like any other
    QVERIFY(ids.find(u"") >= 0);
    QCOMPARE(ids.size(), 3);
}

void TestRecentIds::oldestFallOutBeyondTheWindow() {
    RecentIds ids(3);
    for (const char16_t *id : {u"1", u"2", u"3", u"4", u"5"})
        ids.remember(id, false);
    QCOMPARE(ids.ids(), (QList<QString>{"3", "4", "5"}));
    QCOMPARE(ids.find(u"1"), -1);
    QCOMPARE(ids.find(u"2"), -1);
    // Remembering one already there does not make it newer.
    ids.remember(u"3", true);
    ids.remember(u"6", false);
    QCOMPARE(ids.ids(), (QList<QString>{"4", "5", "6"}));
    QCOMPARE(ids.deliveredFlags(), (QList<bool>{false, false, false}));
}

void TestRecentIds::deliveredOnlyEverTurnsOn() {
    RecentIds ids(8);
    ids.remember(u"m", false);
    ids.remember(u"m", true);
    ids.remember(u"m", false);
    QVERIFY(ids.delivered(ids.find(u"m")));
    QCOMPARE(ids.size(), 1);
}

void TestRecentIds::agreesWithAList_data() {
    QTest::addColumn<int>("window");
    QTest::addColumn<int>("alphabet"); // distinct ids drawn from
    QTest::addRow("window 1") << 1 << 4;
    QTest::addRow("small, many repeats") << 5 << 8;
    QTest::addRow("default window, few repeats") << 256 << 2000;
    QTest::addRow("default window, many repeats") << 256 << 300;
    QTest::addRow("window 17") << 17 << 40;
}

void TestRecentIds::agreesWithAList() {
    QFETCH(int, window);
    QFETCH(int, alphabet);
    QRandomGenerator random(quint32(window * 7919 + alphabet));
    RecentIds ids(window);
    QList<QString> listIds;
    QList<bool> listDelivered;
    for (int step = 0; step < 20000; ++step) {
        // Ids of varied length, so slots are reused by longer and shorter ones.
        const QString id = QString::number(random.bounded(alphabet)) +
                           QString(int(random.bounded(4)), QLatin1Char('x'));
        const bool delivered = random.bounded(2) == 0;
        const qsizetype at = listIds.indexOf(id);
        const qsizetype found = ids.find(id);
        QCOMPARE(found >= 0, at >= 0);
        if (at >= 0) {
            QCOMPARE(ids.delivered(found), listDelivered.at(at));
            listDelivered[at] = listDelivered.at(at) || delivered;
        } else {
            listIds.append(id);
            listDelivered.append(delivered);
            if (listIds.size() > window) {
                listIds.removeFirst();
                listDelivered.removeFirst();
            }
        }
        ids.remember(id, delivered);
        if (step % 997 == 0) {
            QCOMPARE(ids.ids(), listIds);
            QCOMPARE(ids.deliveredFlags(), listDelivered);
        }
    }
    QCOMPARE(ids.ids(), listIds);
    QCOMPARE(ids.deliveredFlags(), listDelivered);
    for (const QString &id : listIds)
        QVERIFY(ids.find(id) >= 0);
}

void TestRecentIds::assignKeepsTheNewest() {
    RecentIds ids(2);
    ids.remember(u"old", true);
    ids.assign({"a", "b", "c"}, {true, false, true});
    QCOMPARE(ids.ids(), (QList<QString>{"b", "c"}));
    QCOMPARE(ids.deliveredFlags(), (QList<bool>{false, true}));
    QCOMPARE(ids.find(u"old"), -1);
    QCOMPARE(ids.find(u"a"), -1);
}

void TestRecentIds::clearFreesAndForgets() {
    RecentIds ids(4);
    ids.remember(u"a", true);
    ids.clear();
    QCOMPARE(ids.size(), 0);
    QCOMPARE(ids.find(u"a"), -1);
    QVERIFY(ids.ids().isEmpty());
    ids.remember(u"a", false);
    QVERIFY(!ids.delivered(ids.find(u"a")));
}

void TestRecentIds::copiesOutLiveOnWhenSlotsAreReused() {
    RecentIds ids(2);
    ids.remember(u"first", false);
    ids.remember(u"second", false);
    const QList<QString> before = ids.ids(); // shares the slots' strings
    ids.remember(u"third", false);           // written over "first"'s slot
    ids.remember(u"4th", false);
    QCOMPARE(before, (QList<QString>{"first", "second"}));
    QCOMPARE(ids.ids(), (QList<QString>{"third", "4th"}));
}

} // namespace whisper

QTEST_GUILESS_MAIN(whisper::TestRecentIds)
#include "tst_recentids.moc"
