// SPDX-License-Identifier: MIT
// The console's item models under QAbstractItemModelTester while the control
// stream changes them, plus sorting/filtering through QSortFilterProxyModel.

#include "consolestate.h"
#include "tablemodels.h"

#include <QAbstractItemModelTester>
#include <QRandomGenerator>
#include <QSortFilterProxyModel>
#include <QTest>

using namespace whisper;
using namespace whisper::admin;

class TestTableModels : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void waitingModelUnderTester();
    void pairModelUnderTester();
    void reportModelUnderTester();
    void randomStreamMatchesMirror();
    void removalThenAdditionInOneDelta();
    void sortsByRawValue();
    void filters();
    void formatsDurations_data();
    void formatsDurations();
    void eventsAreCapped();

private:
    static control::WaitingClient w(const QString &id, double lat = 0, qint64 since = 0) {
        return {id, lat, 0, 5, since, false};
    }
};

void TestTableModels::waitingModelUnderTester() {
    WaitingModel model([] { return 100000; });
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.reset({w("a"), w("b"), w("c")});
    QCOMPARE(model.rowCount(), 3);
    model.upsert({w("d"), w("a", 10)});
    QCOMPARE(model.rowCount(), 4);
    QCOMPARE(model.find("a")->lat, 10.0);
    model.remove({"b", "unknown"});
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(model.rowOf("b"), -1);
    QCOMPARE(model.index(model.rowOf("d"), WaitingModel::Id).data().toString(),
             QStringLiteral("d"));
    model.clear();
    QCOMPARE(model.rowCount(), 0);
}

void TestTableModels::pairModelUnderTester() {
    PairModel model([] { return 0; });
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.upsert({control::PairInfo{"p1", "a", "b", 5, 0, 0}, {"p2", "c", "d", 10, 0, 0}});
    model.setMessageCounts({{"p2", 7}, {"gone", 1}});
    QCOMPARE(model.find("p2")->messages, 7);
    QCOMPARE(model.pairOf("c"), QStringLiteral("p2"));
    QCOMPARE(model.pairOf("x"), QString());
    model.remove({"p1"});
    QCOMPARE(model.rowCount(), 1);
}

void TestTableModels::reportModelUnderTester() {
    ReportModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.reset({control::Report{"1", "a", "b", "rude", 0, false, {}},
                 control::Report{"2", "c", "d", "spam", 0, true, "banned"}});
    QCOMPARE(model.rowCount(), 2);
    QVERIFY(model.index(1, ReportModel::Status).data().toString().contains("banned"));
}

void TestTableModels::randomStreamMatchesMirror() {
    // Random deltas, small and large (the large ones take the reset path),
    // applied through ConsoleState; the model always equals a plain mirror.
    ConsoleState state([] { return 0; });
    QAbstractItemModelTester tester(state.waiting(),
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
    QHash<QString, double> mirror;
    QRandomGenerator rng(42);
    int next = 0;
    for (int round = 0; round < 60; ++round) {
        control::Delta d;
        const int changes = rng.bounded(round % 10 == 0 ? 300 : 10);
        for (int i = 0; i < changes; ++i) {
            if (!mirror.isEmpty() && rng.bounded(2) == 0) {
                const QString id = mirror.keys().at(rng.bounded(int(mirror.size())));
                if (d.waitingAdded.end() != std::find_if(d.waitingAdded.begin(),
                                                         d.waitingAdded.end(),
                                                         [&](const auto &x) { return x.id == id; }))
                    continue;
                d.waitingRemoved.append(id);
                mirror.remove(id);
            } else {
                const QString id = QString::number(next++);
                const double lat = rng.bounded(180.0) - 90;
                d.waitingAdded.append(w(id, lat));
                mirror.insert(id, lat);
            }
        }
        state.applyDelta(d);
        QCOMPARE(state.waiting()->rowCount(), int(mirror.size()));
    }
    for (auto it = mirror.cbegin(); it != mirror.cend(); ++it) {
        const auto *rec = state.waiting()->find(it.key());
        QVERIFY(rec);
        QCOMPARE(rec->lat, it.value());
    }
}

void TestTableModels::removalThenAdditionInOneDelta() {
    ConsoleState state([] { return 0; });
    control::Snapshot s;
    s.waiting = {w("a", 1)};
    state.applySnapshot(s);
    QVERIFY(state.snapshotComplete());
    control::Delta d;
    d.waitingRemoved = {"a"};
    d.waitingAdded = {w("a", 2)}; // left and came back within one batch
    state.applyDelta(d);
    QCOMPARE(state.waiting()->rowCount(), 1);
    QCOMPARE(state.waiting()->find("a")->lat, 2.0);
    // A new snapshot starts over.
    control::Snapshot again;
    again.waiting = {w("b")};
    again.last = false;
    state.applySnapshot(again);
    QVERIFY(!state.snapshotComplete());
    QCOMPARE(state.waiting()->rowOf("a"), -1);
}

void TestTableModels::sortsByRawValue() {
    WaitingModel model([] { return 10 * 60 * 1000; });
    // Waited 9 min 58 s, 5 s and 2 min: text order would be wrong.
    model.reset({w("long", 0, 2000), w("short", 0, 595000), w("mid", 0, 480000)});
    QSortFilterProxyModel proxy;
    proxy.setSourceModel(&model);
    proxy.setSortRole(kSortRole);
    proxy.sort(WaitingModel::Waiting, Qt::DescendingOrder);
    QCOMPARE(proxy.index(0, 0).data().toString(), QStringLiteral("long"));
    QCOMPARE(proxy.index(1, 0).data().toString(), QStringLiteral("mid"));
    QCOMPARE(proxy.index(2, 0).data().toString(), QStringLiteral("short"));
}

void TestTableModels::filters() {
    WaitingModel model([] { return 0; });
    model.reset({w("alpha"), w("beta"), w("alphabet")});
    QSortFilterProxyModel proxy;
    proxy.setSourceModel(&model);
    proxy.setFilterKeyColumn(-1);
    proxy.setFilterCaseSensitivity(Qt::CaseInsensitive);
    proxy.setFilterFixedString(QStringLiteral("ALPHA"));
    QCOMPARE(proxy.rowCount(), 2);
    model.upsert({w("alpha2")});
    QCOMPARE(proxy.rowCount(), 3);
}

void TestTableModels::formatsDurations_data() {
    QTest::addColumn<qint64>("ms");
    QTest::addColumn<QString>("text");
    QTest::addRow("negative") << qint64(-5) << "0 s";
    QTest::addRow("seconds") << qint64(59999) << "59 s";
    QTest::addRow("minute") << qint64(60000) << "1 min";
    QTest::addRow("hours") << qint64(2 * 3600 * 1000 + 5) << "2 h";
}

void TestTableModels::formatsDurations() {
    QFETCH(qint64, ms);
    QFETCH(QString, text);
    QCOMPARE(formatDuration(ms), text);
}

void TestTableModels::eventsAreCapped() {
    ConsoleState state([] { return 0; });
    control::Delta d;
    for (int i = 0; i < ConsoleState::kMaxEvents + 10; ++i)
        d.events.append(control::Event{control::EventKind::Matched, 0, QString::number(i), {}});
    state.applyDelta(d);
    QCOMPARE(state.events()->rowCount(), ConsoleState::kMaxEvents);
    // Newest first.
    QVERIFY(state.events()->index(0).data().toString().contains(
        QString::number(ConsoleState::kMaxEvents + 9)));
}

QTEST_MAIN(TestTableModels)
#include "tst_tablemodels.moc"
