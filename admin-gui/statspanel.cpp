// SPDX-License-Identifier: MIT
#include "statspanel.h"

#include "consolestate.h"
#include "nodetable.h"
#include "tablemodels.h"

#include <QDateTime>
#include <QPainter>

#include <QPainterPath>
#include <QVBoxLayout>
#include <cmath>

namespace whisper::admin {

Sparkline::Sparkline(const QString &title, const QString &unit, QWidget *parent)
    : QWidget(parent)
    , m_title(title)
    , m_unit(unit) {
    setMinimumHeight(72);
}

void Sparkline::setSeries(QList<QPointF> points) {
    m_points = std::move(points);
    update();
}

QList<double> Sparkline::values() const {
    QList<double> out;
    out.reserve(m_points.size());
    for (const QPointF &p : m_points)
        out.append(p.y());
    return out;
}

double Sparkline::top() const {
    double max = 0.0;
    for (const QPointF &p : m_points)
        max = std::max(max, p.y());
    // A round number a little above the largest value, so the scale is
    // readable and a flat series does not sit on the top edge.
    if (max <= 0.0)
        return 1.0;
    const double magnitude = std::pow(10.0, std::floor(std::log10(max)));
    for (double step : {1.0, 2.0, 5.0, 10.0})
        if (max <= step * magnitude)
            return step * magnitude;
    return 10.0 * magnitude;
}

QStringList Sparkline::axisLabels() const {
    auto time = [](double ms) {
        return QDateTime::fromMSecsSinceEpoch(qint64(ms)).toString(QStringLiteral("HH:mm:ss"));
    };
    const QString first = m_points.isEmpty() ? QString() : time(m_points.first().x());
    const QString last = m_points.isEmpty() ? QString() : time(m_points.last().x());
    return {tr("%1 %2").arg(QString::number(top(), 'g', 4), m_unit), tr("0 %1").arg(m_unit), first,
            last};
}

int Sparkline::segmentCount() const {
    if (m_points.isEmpty())
        return 0;
    int segments = 1;
    for (int i = 1; i < m_points.size(); ++i)
        segments += m_points[i].x() - m_points[i - 1].x() > kGapMs;
    return segments;
}

void Sparkline::paintEvent(QPaintEvent *) {
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    p.fillRect(rect(), palette().base());
    const QFontMetrics fm = fontMetrics();
    const QStringList labels = axisLabels();
    const int axisWidth =
        std::max(fm.horizontalAdvance(labels[0]), fm.horizontalAdvance(labels[1]));
    const QRectF area =
        QRectF(rect()).adjusted(axisWidth + 8, fm.height() + 4, -4, -(fm.height() + 4));
    p.setPen(palette().text().color());
    const QString last =
        m_points.isEmpty() ? QStringLiteral("–")
                           : tr("%1 %2").arg(QString::number(m_points.last().y(), 'g', 4), m_unit);
    p.drawText(QRectF(rect()).adjusted(4, 0, -4, 0), Qt::AlignLeft | Qt::AlignTop, m_title);
    p.drawText(QRectF(rect()).adjusted(4, 0, -4, 0), Qt::AlignRight | Qt::AlignTop, last);
    // Axes: value scale on the left, the time span underneath.
    QPen axisPen(palette().mid().color());
    p.setPen(axisPen);
    p.drawLine(area.bottomLeft(), area.bottomRight());
    p.drawLine(area.bottomLeft(), area.topLeft());
    p.setPen(palette().text().color());
    p.drawText(QRectF(0, area.top() - fm.height() / 2.0, axisWidth + 4, fm.height()),
               Qt::AlignRight | Qt::AlignVCenter, labels[0]);
    p.drawText(QRectF(0, area.bottom() - fm.height() / 2.0, axisWidth + 4, fm.height()),
               Qt::AlignRight | Qt::AlignVCenter, labels[1]);
    const QRectF timeRow(area.left(), area.bottom() + 2, area.width(), fm.height());
    p.drawText(timeRow, Qt::AlignLeft | Qt::AlignTop, labels[2]);
    p.drawText(timeRow, Qt::AlignRight | Qt::AlignTop, labels[3]);
    if (m_points.size() < 2)
        return;
    const double t0 = m_points.first().x();
    const double span = std::max(m_points.last().x() - t0, 1.0);
    const double scale = top();
    QPainterPath path;
    for (int i = 0; i < m_points.size(); ++i) {
        const QPointF pt(area.left() + area.width() * (m_points[i].x() - t0) / span,
                         area.bottom() - area.height() * m_points[i].y() / scale);
        if (i == 0 || m_points[i].x() - m_points[i - 1].x() > kGapMs)
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
    , m_waiting(new Sparkline(tr("Waiting"), tr("clients"), this))
    , m_pairs(new Sparkline(tr("Pairs"), tr("pairs"), this))
    , m_matches(new Sparkline(tr("Matches"), tr("/min"), this))
    , m_messages(new Sparkline(tr("Messages"), tr("/s"), this))
    , m_tick(new Sparkline(tr("Matchmaker tick"), tr("ms"), this))
    , m_nodes(new NodeTable(this)) {
    auto *layout = new QVBoxLayout(this);
    m_values->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_values->setText(tr("No statistics yet"));
    layout->addWidget(m_values);
    layout->addWidget(m_nodes);
    for (Sparkline *chart : {m_waiting, m_pairs, m_matches, m_messages, m_tick})
        layout->addWidget(chart);
    layout->addStretch();
    connect(state, &ConsoleState::statsUpdated, this, &StatsPanel::refresh);
}

QString StatsPanel::text() const {
    return m_values->text();
}

void StatsPanel::refresh(const control::Stats &s) {
    // In a cluster the numbers are this node's; the node table has the rest.
    QString text;
    for (const control::NodeStats &n : s.nodes)
        if (n.self)
            text = tr("This node: %1\n").arg(n.node);
    text += tr("Connections: %1\nWaiting: %2\nPairs: %3\nMatches/min: %4\n"
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
    m_nodes->setNodes(s.nodes);

    // The whole history, across reconnects: ConsoleState keeps it.
    QList<QPointF> waiting, pairs, matches, messages, tick;
    for (const StatsSample &sample : m_state->history()) {
        const double t = double(sample.atMs);
        waiting.append({t, double(sample.stats.waiting)});
        pairs.append({t, double(sample.stats.pairs)});
        matches.append({t, sample.stats.matchesPerMinute});
        messages.append({t, sample.stats.messagesPerSecond});
        tick.append({t, double(sample.stats.lastTickMs)});
    }
    m_waiting->setSeries(waiting);
    m_pairs->setSeries(pairs);
    m_matches->setSeries(matches);
    m_messages->setSeries(messages);
    m_tick->setSeries(tick);
}

} // namespace whisper::admin
