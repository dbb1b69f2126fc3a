// SPDX-License-Identifier: MIT
#pragma once

#include "controlprotocol.h"

#include <QLabel>
#include <QWidget>

#include <deque>

namespace whisper::admin {

class ConsoleState;
class NodeTable;

// A small time chart of one series, drawn with QPainter (cheap enough to
// repaint every second, no extra dependency). The x axis is wall-clock time,
// so a disconnection shows as a gap rather than being squeezed out; the
// y axis starts at zero and is labelled with the series' unit.
class Sparkline : public QWidget {
    Q_OBJECT
public:
    // A gap between samples longer than this breaks the line.
    static constexpr qint64 kGapMs = 5000;

    Sparkline(const QString &title, const QString &unit, QWidget *parent = nullptr);
    // x: milliseconds since the epoch, ascending; y: the value.
    void setSeries(QList<QPointF> points);
    QList<double> values() const;
    // What the axes say: y top, y bottom, x start, x end (for tests and
    // screen readers).
    QStringList axisLabels() const;
    // Separate stretches of line (one more per gap).
    int segmentCount() const;
    QSize sizeHint() const override { return {240, 84}; }

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    double top() const;

    QString m_title;
    QString m_unit;
    QList<QPointF> m_points;
};

// Live numbers and charts from the stats in the control stream.
class StatsPanel : public QWidget {
    Q_OBJECT
public:
    explicit StatsPanel(ConsoleState *state, QWidget *parent = nullptr);
    QString text() const; // every value label, for tests and screen readers
    QList<Sparkline *> charts() const {
        return {m_waiting, m_pairs, m_matches, m_messages, m_tick};
    }
    // The cluster's nodes; hidden on a single node.
    NodeTable *nodeTable() const { return m_nodes; }

private:
    void refresh(const control::Stats &stats);

    ConsoleState *m_state;
    QLabel *m_values;
    Sparkline *m_waiting;
    Sparkline *m_pairs;
    Sparkline *m_matches;
    Sparkline *m_messages;
    Sparkline *m_tick;
    NodeTable *m_nodes;
};

} // namespace whisper::admin
