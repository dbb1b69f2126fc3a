// SPDX-License-Identifier: MIT
// The statistics charts: time on the x axis (a disconnection is a gap, not
// squeezed out), a labelled value scale with units, and the history kept
// across a reconnect.

#include "consolestate.h"
#include "statspanel.h"

#include <QDateTime>
#include <QTest>

using namespace whisper;
using namespace whisper::admin;

class TestStatsPanel : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void chartsHaveTimeAndUnitAxes();
    void historySurvivesAReconnect();
    void paintsWithoutSamples();
};

namespace {
control::Delta statsDelta(int waiting, double messagesPerSecond) {
    control::Delta d;
    control::Stats s;
    s.waiting = waiting;
    s.pairs = waiting / 2;
    s.messagesPerSecond = messagesPerSecond;
    s.lastTickMs = 3;
    d.stats = s;
    return d;
}
} // namespace

void TestStatsPanel::chartsHaveTimeAndUnitAxes() {
    const qint64 start = QDateTime(QDate(2026, 12, 7), QTime(10, 0, 0)).toMSecsSinceEpoch();
    qint64 now = start;
    ConsoleState state([&now] { return now; });
    StatsPanel panel(&state);
    for (int i = 0; i < 10; ++i) {
        state.applyDelta(statsDelta(30 + i, 12.5));
        now += 1000;
    }
    Sparkline *waiting = panel.charts().at(0);
    QCOMPARE(waiting->values().size(), 10);
    const QStringList labels = waiting->axisLabels();
    // Scale: a round top above the largest value (39), with the unit.
    QCOMPARE(labels.at(0), QStringLiteral("50 clients"));
    QCOMPARE(labels.at(1), QStringLiteral("0 clients"));
    QCOMPARE(labels.at(2), QStringLiteral("10:00:00"));
    QCOMPARE(labels.at(3), QStringLiteral("10:00:09"));
    QVERIFY(panel.charts().at(3)->axisLabels().at(0).endsWith(QLatin1String("/s")));
    QCOMPARE(waiting->segmentCount(), 1);
    // It draws (offscreen) with its axes.
    panel.resize(260, 500);
    QVERIFY(!panel.grab().isNull());
}

void TestStatsPanel::historySurvivesAReconnect() {
    qint64 now = 1'000'000'000'000;
    ConsoleState state([&now] { return now; });
    StatsPanel panel(&state);
    for (int i = 0; i < 5; ++i, now += 1000)
        state.applyDelta(statsDelta(10, 1));
    // Thirty seconds without samples (the connection was down), then a new
    // subscription: its first snapshot page starts the tables over, but the
    // charts keep what they had and show the gap as a gap.
    now += 30000;
    control::Snapshot first;
    first.page = 0;
    first.last = true;
    state.applySnapshot(first);
    for (int i = 0; i < 5; ++i, now += 1000)
        state.applyDelta(statsDelta(20, 2));
    Sparkline *waiting = panel.charts().at(0);
    QCOMPARE(waiting->values().size(), 10);
    QCOMPARE(waiting->values().first(), 10.0);
    QCOMPARE(waiting->values().last(), 20.0);
    QCOMPARE(waiting->segmentCount(), 2);
}

void TestStatsPanel::paintsWithoutSamples() {
    ConsoleState state;
    StatsPanel panel(&state);
    panel.resize(260, 500);
    QVERIFY(!panel.grab().isNull());
    QCOMPARE(panel.charts().at(0)->segmentCount(), 0);
}

QTEST_MAIN(TestStatsPanel)
#include "tst_statspanel.moc"
