// SPDX-License-Identifier: MIT
#include "statspanel.h"

#include "consolestate.h"
#include "tablemodels.h"

#include <QPainter>
#include <QPainterPath>
#include <QVBoxLayout>

namespace whisper::admin {

Sparkline::Sparkline(const QString &title, QWidget *parent)
    : QWidget(parent)
    , m_title(title) {
    setMinimumHeight(48);
}

void Sparkline::setValues(QList<double> values) {
    m_values = std::move(values);
    update();
}

void Sparkline::paintEvent(QPaintEvent *) {
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    const QRectF area = QRectF(rect()).adjusted(2, 16, -2, -2);
    p.fillRect(rect(), palette().base());
    p.setPen(palette().text().color());
    const double last = m_values.isEmpty() ? 0.0 : m_values.last();
    p.drawText(QRectF(rect()).adjusted(4, 0, -4, 0), Qt::AlignLeft | Qt::AlignTop, m_title);
    p.drawText(QRectF(rect()).adjusted(4, 0, -4, 0), Qt::AlignRight | Qt::AlignTop,
               QString::number(last, 'g', 4));
    if (m_values.size() < 2)
        return;
    const auto [lo, hi] = std::minmax_element(m_values.cbegin(), m_values.cend());
    const double min = std::min(0.0, *lo);
    const double span = std::max(*hi - min, 1e-9);
    QPainterPath path;
    for (int i = 0; i < m_values.size(); ++i) {
        const QPointF pt(area.left() + area.width() * i / (m_values.size() - 1),
                         area.bottom() - area.height() * (m_values[i] - min) / span);
        if (i == 0)
            path.moveTo(pt);
        else
            path.lineTo(pt);
    }
    p.setPen(QPen(palette().highlight().color(), 1.5));
    p.drawPath(path);
}

StatsPanel::StatsPanel(ConsoleState *state, QWidget *parent)
    : QWidget(parent)
    , m_state(state)
    , m_values(new QLabel(this))
    , m_waiting(new Sparkline(tr("Waiting"), this))
    , m_pairs(new Sparkline(tr("Pairs"), this))
    , m_matches(new Sparkline(tr("Matches per minute"), this))
    , m_messages(new Sparkline(tr("Messages per second"), this))
    , m_tick(new Sparkline(tr("Last tick (ms)"), this)) {
    auto *layout = new QVBoxLayout(this);
    m_values->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_values->setText(tr("No statistics yet"));
    layout->addWidget(m_values);
    for (Sparkline *chart : {m_waiting, m_pairs, m_matches, m_messages, m_tick})
        layout->addWidget(chart);
    layout->addStretch();
    connect(state, &ConsoleState::statsUpdated, this, &StatsPanel::refresh);
}

QString StatsPanel::text() const {
    return m_values->text();
}

void StatsPanel::refresh(const control::Stats &s) {
    QString text = tr("Connections: %1\nWaiting: %2\nPairs: %3\nMatches/min: %4\n"
                      "Messages/s: %5\nLast tick: %6 ms (every %7 ms)\nUptime: %8\nVersion: %9")
                       .arg(s.connections)
                       .arg(s.waiting)
                       .arg(s.pairs)
                       .arg(s.matchesPerMinute, 0, 'f', 1)
                       .arg(s.messagesPerSecond, 0, 'f', 1)
                       .arg(s.lastTickMs)
                       .arg(s.tickIntervalMs)
                       .arg(formatDuration(s.uptimeS * 1000), s.version);
    if (s.relayP50Ms && s.relayP99Ms)
        text += tr("\nRelay latency: p50 %1 ms, p99 %2 ms")
                    .arg(*s.relayP50Ms, 0, 'f', 2)
                    .arg(*s.relayP99Ms, 0, 'f', 2);
    if (s.draining)
        text += tr("\nDRAINING: new connections are refused");
    m_values->setText(text);

    QList<double> waiting, pairs, matches, messages, tick;
    for (const StatsSample &sample : m_state->history()) {
        waiting.append(sample.stats.waiting);
        pairs.append(sample.stats.pairs);
        matches.append(sample.stats.matchesPerMinute);
        messages.append(sample.stats.messagesPerSecond);
        tick.append(double(sample.stats.lastTickMs));
    }
    m_waiting->setValues(waiting);
    m_pairs->setValues(pairs);
    m_matches->setValues(matches);
    m_messages->setValues(messages);
    m_tick->setValues(tick);
}

} // namespace whisper::admin
