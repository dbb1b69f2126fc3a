// SPDX-License-Identifier: MIT
#pragma once

#include "controlprotocol.h"

#include <QLabel>
#include <QWidget>

#include <deque>

namespace whisper::admin {

class ConsoleState;

// A small line chart of one series, drawn with QPainter (cheap enough to
// repaint every second, no extra dependency).
class Sparkline : public QWidget {
    Q_OBJECT
public:
    explicit Sparkline(const QString &title, QWidget *parent = nullptr);
    void setValues(QList<double> values);
    const QList<double> &values() const { return m_values; }
    QSize sizeHint() const override { return {220, 60}; }

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    QString m_title;
    QList<double> m_values;
};

// Live numbers and charts from the stats in the control stream.
class StatsPanel : public QWidget {
    Q_OBJECT
public:
    explicit StatsPanel(ConsoleState *state, QWidget *parent = nullptr);
    QString text() const; // every value label, for tests and screen readers

private:
    void refresh(const control::Stats &stats);

    ConsoleState *m_state;
    QLabel *m_values;
    Sparkline *m_waiting;
    Sparkline *m_pairs;
    Sparkline *m_matches;
    Sparkline *m_messages;
    Sparkline *m_tick;
};

} // namespace whisper::admin
