// SPDX-License-Identifier: MIT
#include "mapview.h"

#include "tablemodels.h"

#include <QHelpEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>
#include <QToolTip>
#include <QWheelEvent>

#include <array>
#include <cmath>

namespace whisper::admin {

namespace {
const QColor kOcean(0x1d, 0x2b, 0x3a);
const QColor kLand(0x3b, 0x4d, 0x3f);
const QColor kCoast(0x5c, 0x72, 0x60);
// Lighter than the coast, so a border reads as a line inside the land; thin
// and grey, so the coloured markers drawn on top still stand out.
const QColor kBorder(0xa3, 0xb5, 0xa6);
const QColor kPair(0x6f, 0xb7, 0xff, 200);

// Fresh arrivals are green, longer waits yellow, five minutes or more red.
constexpr double kFullColourWaitMs = 5 * 60 * 1000.0;
constexpr int kDotSpriteSize = 9;
constexpr int kDotColours = 24;

QColor waitColour(double t) {
    const double hue = 120.0 * (1.0 - t); // green -> red
    return QColor::fromHsvF(hue / 360.0, 0.85, 1.0);
}

constexpr int kDensityCellPx = 3;

// Outlines of tens of thousands of points: a cosmetic pen is drawn by the
// raster engine directly, where a widened one goes through the stroker.
QPen cosmeticPen(const QColor &colour, qreal width) {
    QPen pen(colour, width);
    pen.setCosmetic(true);
    return pen;
}

const QList<QPixmap> &dotSprites() {
    static const QList<QPixmap> sprites = [] {
        QList<QPixmap> out;
        for (int i = 0; i < kDotColours; ++i) {
            QPixmap dot(kDotSpriteSize, kDotSpriteSize);
            dot.fill(Qt::transparent);
            QPainter p(&dot);
            p.setRenderHint(QPainter::Antialiasing);
            p.setPen(QPen(QColor(0, 0, 0, 160), 1));
            p.setBrush(waitColour(double(i) / (kDotColours - 1)));
            p.drawEllipse(QRectF(0.5, 0.5, kDotSpriteSize - 1, kDotSpriteSize - 1));
            out.append(dot);
        }
        return out;
    }();
    return sprites;
}
const QPixmap &pairSprite() {
    static const QPixmap sprite = [] {
        QPixmap ring(kDotSpriteSize, kDotSpriteSize);
        ring.fill(Qt::transparent);
        QPainter p(&ring);
        p.setRenderHint(QPainter::Antialiasing);
        p.setPen(QPen(kPair, 1.5));
        p.drawEllipse(QRectF(1.5, 1.5, kDotSpriteSize - 3, kDotSpriteSize - 3));
        return ring;
    }();
    return sprite;
}
} // namespace

MapView::MapView(QWidget *parent)
    : QWidget(parent) {
    setMouseTracking(true);
    setMinimumSize(320, 180);
    setAttribute(Qt::WA_OpaquePaintEvent);
    setFocusPolicy(Qt::StrongFocus);
    m_projection.setViewport(size());
}

void MapView::setModels(const WaitingModel *waiting, const PairModel *pairs) {
    m_waiting = waiting;
    m_pairs = pairs;
    watch(waiting);
    watch(pairs);
    update();
}

void MapView::watch(const QAbstractItemModel *model) {
    if (!model)
        return;
    // Repaints are coalesced by Qt: a burst of model changes costs one frame.
    auto repaint = [this] { update(); };
    connect(model, &QAbstractItemModel::rowsInserted, this, repaint);
    connect(model, &QAbstractItemModel::rowsRemoved, this, repaint);
    connect(model, &QAbstractItemModel::modelReset, this, repaint);
    connect(model, &QAbstractItemModel::dataChanged, this, repaint);
}

void MapView::setLand(LandMap land) {
    m_land = std::move(land);
    m_landCache = {};
    update();
}

void MapView::setBorders(CountryBorders borders) {
    m_borders = std::move(borders);
    m_landCache = {};
    update();
}

void MapView::setSelectedClient(const QString &id) {
    if (m_selected == id)
        return;
    m_selected = id;
    update();
}

void MapView::resetView() {
    m_projection.reset();
    update();
}

void MapView::zoomIn() {
    zoomAt(rect().center(), 1.5);
}

void MapView::zoomOut() {
    zoomAt(rect().center(), 1 / 1.5);
}

void MapView::zoomAt(QPointF anchor, double factor) {
    m_projection.zoomAt(anchor, factor);
    update();
}

void MapView::focusClient(const QString &id) {
    if (!m_waiting)
        return;
    const auto *w = m_waiting->find(id);
    if (!w)
        return;
    const double wanted = kRangeCirclePixelsPerDegree / m_projection.pixelsPerDegree();
    if (wanted > 1)
        m_projection.zoomAt(rect().center(), wanted);
    const QPointF at = m_projection.toScreen(w->lon, w->lat);
    m_projection.panBy(QPointF(rect().center()) - at);
    setSelectedClient(id);
    update();
}

QString MapView::clientAt(QPointF pos, double radiusPx) const {
    if (!m_waiting)
        return {};
    QString best;
    double bestDist = radiusPx * radiusPx;
    for (const auto &w : m_waiting->records()) {
        const QPointF d = m_projection.toScreen(w.lon, w.lat) - pos;
        const double dist = d.x() * d.x() + d.y() * d.y();
        if (dist <= bestDist) {
            bestDist = dist;
            best = w.id;
        }
    }
    return best;
}

void MapView::resizeEvent(QResizeEvent *) {
    m_projection.setViewport(size());
    m_landCache = {};
}

void MapView::paintEvent(QPaintEvent *) {
    QPainter painter(this);
    painter.fillRect(rect(), kOcean);
    drawLand(painter);
    drawPairs(painter);
    drawWaiting(painter);
    drawLegend(painter);
    drawScaleBar(painter);
}

void MapView::drawLand(QPainter &painter) {
    // Land and borders change only with the view, so they are drawn once per
    // view into a cached pixmap; client updates then cost a blit.
    const qreal dpr = devicePixelRatioF();
    if (m_landCache.isNull() || m_landCacheCenter != m_projection.center() ||
        m_landCacheZoom != m_projection.zoomFactor() || m_landCache.size() != size() * dpr) {
        m_landCache = QPixmap(size() * dpr);
        m_landCache.setDevicePixelRatio(dpr);
        m_landCache.fill(Qt::transparent);
        QPainter p(&m_landCache);
        const QRectF visible = m_projection.visibleGeoRect();
        QPainterPath path;
        for (const QPolygonF &ring : m_land.rings()) {
            if (!ring.boundingRect().intersects(visible))
                continue;
            QPolygonF screen;
            screen.reserve(ring.size());
            for (const QPointF &pt : ring)
                screen.append(m_projection.toScreen(pt.x(), pt.y()));
            path.addPolygon(screen);
            path.closeSubpath();
        }
        // The fill without antialiasing, its edge then covered by the
        // antialiased coastline: an antialiased fill of 70k edges costs some
        // fifty times as much (a drag re-makes this on every mouse move).
        p.setPen(Qt::NoPen);
        p.setBrush(kLand);
        p.drawPath(path);
        p.setRenderHint(QPainter::Antialiasing);
        p.setPen(cosmeticPen(kCoast, 0.8));
        p.setBrush(Qt::NoBrush);
        p.drawPath(path);
        drawBorders(p, visible);
        m_landCacheCenter = m_projection.center();
        m_landCacheZoom = m_projection.zoomFactor();
    }
    painter.drawPixmap(0, 0, m_landCache);
}

void MapView::drawBorders(QPainter &painter, const QRectF &visible) {
    // Inclusive overlap: a border along a parallel has a bounding box of no
    // height, which QRectF::intersects would never count.
    auto meets = [&visible](const QRectF &b) {
        return b.left() <= visible.right() && b.right() >= visible.left() &&
               b.top() <= visible.bottom() && b.bottom() >= visible.top();
    };
    QPainterPath path;
    int drawn = 0;
    for (const CountryBorders::Line &line : m_borders.lines()) {
        if (!meets(line.bounds))
            continue;
        path.moveTo(m_projection.toScreen(line.points.first().x(), line.points.first().y()));
        for (qsizetype i = 1; i < line.points.size(); ++i)
            path.lineTo(m_projection.toScreen(line.points[i].x(), line.points[i].y()));
        ++drawn;
    }
    painter.setBrush(Qt::NoBrush);
    painter.setPen(cosmeticPen(kBorder, 0.9));
    painter.drawPath(path);
    m_landCacheBorderLines = drawn;
}

void MapView::drawPairs(QPainter &painter) {
    m_lastLines = 0;
    if (!m_pairs)
        return;
    QList<QLineF> lines;
    lines.reserve(m_pairs->records().size());
    const QRectF bounds = QRectF(rect()).adjusted(-2, -2, 2, 2);
    for (const auto &p : m_pairs->records()) {
        const QLineF line(m_projection.toScreen(p.lonA, p.latA),
                          m_projection.toScreen(p.lonB, p.latB));
        if (bounds.contains(line.p1()) || bounds.contains(line.p2()))
            lines.append(line);
    }
    // A thin cosmetic pen: the raster engine draws such lines directly; wide
    // or antialiased long lines go through its threaded stroker, which costs
    // far more per line.
    painter.setRenderHint(QPainter::Antialiasing, false);
    painter.setPen(QPen(kPair, 0));
    painter.drawLines(lines);
    // Members of a pair as small rings, so a pair of nearby people shows up.
    // Partners a few km apart land on the same pixels at world scale: such a
    // pair is drawn as two rings side by side, joined, so it reads as two
    // people rather than one.
    m_lastClosePairs = 0;
    if (lines.size() < 5000) {
        const QPixmap &ring = pairSprite();
        const QPointF half(kDotSpriteSize / 2.0, kDotSpriteSize / 2.0);
        const QPointF apart(kDotSpriteSize / 2.0, 0);
        for (const QLineF &l : std::as_const(lines)) {
            if (l.length() < kDotSpriteSize) {
                const QPointF mid = l.center();
                painter.drawLine(mid - apart, mid + apart);
                painter.drawPixmap(mid - apart - half, ring);
                painter.drawPixmap(mid + apart - half, ring);
                ++m_lastClosePairs;
                continue;
            }
            painter.drawPixmap(l.p1() - half, ring);
            painter.drawPixmap(l.p2() - half, ring);
        }
    }
    m_lastLines = int(lines.size());
}

void MapView::drawWaiting(QPainter &painter) {
    m_lastDots = 0;
    m_lastDense = false;
    if (!m_waiting)
        return;
    const auto &all = m_waiting->records();
    const QRectF bounds = QRectF(rect()).adjusted(-4, -4, 4, 4);
    // Buffers kept across frames: no allocation per frame.
    QList<QPointF> &points = m_visiblePoints;
    QList<int> &indexes = m_visibleIndexes;
    points.clear();
    indexes.clear();
    points.reserve(all.size());
    indexes.reserve(all.size());
    // The projection inlined: this loop runs over every waiting client.
    const QPointF origin = m_projection.toScreen(0, 0);
    const double scale = m_projection.pixelsPerDegree();
    for (int i = 0; i < all.size(); ++i) {
        const QPointF pt(origin.x() + all[i].lon * scale, origin.y() - all[i].lat * scale);
        if (bounds.contains(pt)) {
            points.append(pt);
            indexes.append(i);
        }
    }
    if (points.size() > m_densityThreshold) {
        drawDensity(painter, points);
        m_lastDense = true;
    } else {
        const qint64 now = m_waiting->now();
        const bool ranges = m_projection.pixelsPerDegree() >= kRangeCirclePixelsPerDegree;
        if (ranges) {
            painter.setRenderHint(QPainter::Antialiasing, true);
            painter.setBrush(QColor(255, 255, 255, 18));
            painter.setPen(QPen(QColor(255, 255, 255, 90), 1, Qt::DashLine));
            for (int k = 0; k < points.size(); ++k) {
                const auto &w = all[indexes[k]];
                const QSizeF r = m_projection.kmToPixels(w.rangeKm, w.lat);
                painter.drawEllipse(points[k], r.width(), r.height());
            }
        }
        // Dots are blits of pre-drawn sprites, one per waiting-time colour:
        // a few microseconds each instead of an antialiased ellipse.
        const QList<QPixmap> &sprites = dotSprites();
        const QPointF half(kDotSpriteSize / 2.0, kDotSpriteSize / 2.0);
        for (int k = 0; k < points.size(); ++k) {
            const qint64 waited = now - all[indexes[k]].sinceMs;
            const int bucket = int(std::clamp(double(waited) / kFullColourWaitMs, 0.0, 1.0) *
                                   (sprites.size() - 1));
            painter.drawPixmap(points[k] - half, sprites[bucket]);
        }
        m_lastDots = int(points.size());
    }
    if (!m_selected.isEmpty())
        if (const auto *w = m_waiting->find(m_selected)) {
            painter.setRenderHint(QPainter::Antialiasing, true);
            painter.setBrush(Qt::NoBrush);
            painter.setPen(QPen(Qt::white, 2));
            painter.drawEllipse(m_projection.toScreen(w->lon, w->lat), 8, 8);
        }
}

void MapView::drawDensity(QPainter &painter, const QList<QPointF> &points) {
    // Bins the clients into cells of a few pixels and colours each cell by a
    // log scale of its count: O(clients + pixels), however many clients.
    const int cols = width() / kDensityCellPx + 1;
    const int rows = height() / kDensityCellPx + 1;
    QList<int> counts(qsizetype(cols) * rows, 0);
    int maxCount = 1;
    for (const QPointF &pt : points) {
        const int cx = std::clamp(int(pt.x()) / kDensityCellPx, 0, cols - 1);
        const int cy = std::clamp(int(pt.y()) / kDensityCellPx, 0, rows - 1);
        maxCount = std::max(maxCount, ++counts[cy * cols + cx]);
    }
    QImage image(cols, rows, QImage::Format_ARGB32_Premultiplied);
    image.fill(Qt::transparent);
    // Colours from a small table: log scale of the count, yellow -> red.
    static const std::array<QRgb, 64> palette = [] {
        std::array<QRgb, 64> p{};
        for (size_t i = 0; i < p.size(); ++i) {
            const double t = double(i) / (p.size() - 1);
            const QColor c = QColor::fromHsvF((60.0 - 60.0 * t) / 360.0, 0.9, 1.0);
            p[i] = qPremultiply(qRgba(c.red(), c.green(), c.blue(), 110 + int(145 * t)));
        }
        return p;
    }();
    const double logMax = std::log1p(double(maxCount));
    for (int y = 0; y < rows; ++y) {
        auto *line = reinterpret_cast<QRgb *>(image.scanLine(y));
        for (int x = 0; x < cols; ++x) {
            const int c = counts[y * cols + x];
            if (c != 0)
                line[x] = palette[size_t(std::log1p(double(c)) / logMax * (palette.size() - 1))];
        }
    }
    painter.setRenderHint(QPainter::SmoothPixmapTransform, false);
    painter.drawImage(QRect(0, 0, cols * kDensityCellPx, rows * kDensityCellPx), image);
}

QStringList MapView::legendLines() const {
    const int waiting = m_waiting ? int(m_waiting->records().size()) : 0;
    const int pairs = m_pairs ? int(m_pairs->records().size()) : 0;
    QStringList lines{tr("%1 waiting, %2 pairs").arg(waiting).arg(pairs) +
                      (m_lastDense ? tr(" (density view)") : QString())};
    if (m_lastDense)
        lines << tr("colour: clients per cell, yellow few, red many");
    else
        lines << tr("dot: a waiting client, green just arrived, red waiting %1 min")
                     .arg(kFullColourWaitMs / 60000);
    lines << tr("rings joined by a line: a chatting pair");
    lines << tr("pale line: a border between countries");
    lines << tr("positions are rounded to about 11 km");
    return lines;
}

void MapView::drawLegend(QPainter &painter) {
    const QStringList lines = legendLines();
    painter.setRenderHint(QPainter::Antialiasing, true);
    const QFontMetrics fm = painter.fontMetrics();
    int width = 0;
    for (const QString &line : lines)
        width = std::max(width, fm.horizontalAdvance(line));
    const int swatch = kDotSpriteSize + 6;
    const QRect box(8, height() - 8 - (fm.height() * int(lines.size()) + 8), width + swatch + 16,
                    fm.height() * int(lines.size()) + 8);
    painter.setPen(Qt::NoPen);
    painter.setBrush(QColor(0, 0, 0, 150));
    painter.drawRoundedRect(box, 4, 4);
    // A sample of each symbol in front of its line.
    const QPointF half(kDotSpriteSize / 2.0, kDotSpriteSize / 2.0);
    auto rowCentre = [&](int row) {
        return QPointF(box.left() + 6 + swatch / 2.0, box.top() + 4 + fm.height() * (row + 0.5));
    };
    if (!m_lastDense) {
        const QList<QPixmap> &sprites = dotSprites();
        painter.drawPixmap(rowCentre(1) - half - QPointF(3, 0), sprites.first());
        painter.drawPixmap(rowCentre(1) - half + QPointF(3, 0), sprites.last());
    }
    painter.setPen(QPen(kPair, 1));
    painter.drawLine(rowCentre(2) - QPointF(4, 0), rowCentre(2) + QPointF(4, 0));
    painter.drawPixmap(rowCentre(2) - half - QPointF(4, 0), pairSprite());
    painter.drawPixmap(rowCentre(2) - half + QPointF(4, 0), pairSprite());
    painter.setPen(QPen(kBorder, 1));
    painter.drawLine(rowCentre(3) - QPointF(6, 0), rowCentre(3) + QPointF(6, 0));
    painter.setPen(Qt::white);
    for (int row = 0; row < lines.size(); ++row)
        painter.drawText(QRect(box.left() + 6 + swatch, box.top() + 4 + fm.height() * row,
                               width + 4, fm.height()),
                         Qt::AlignLeft | Qt::AlignVCenter, lines[row]);
}

MapView::ScaleBar MapView::scaleBar() const {
    // Equirectangular: one degree of longitude at the view's centre latitude.
    const double lat = std::clamp(m_projection.center().y(), -80.0, 80.0);
    const double kmPerPixel =
        111.32 * std::cos(lat * M_PI / 180.0) / std::max(m_projection.pixelsPerDegree(), 1e-9);
    // The longest round length (1, 2, 5 x 10^n km) that fits in 120 px.
    const double target = 120.0 * kmPerPixel;
    const double magnitude = std::pow(10.0, std::floor(std::log10(target)));
    double km = magnitude;
    for (double step : {2.0, 5.0, 10.0})
        if (step * magnitude <= target)
            km = step * magnitude;
    return {km, km / kmPerPixel};
}

void MapView::drawScaleBar(QPainter &painter) {
    const ScaleBar bar = scaleBar();
    const QString label =
        bar.km >= 1 ? tr("%1 km").arg(bar.km, 0, 'f', 0) : tr("%1 km").arg(bar.km, 0, 'g', 2);
    const QFontMetrics fm = painter.fontMetrics();
    const double right = width() - 12;
    const double y = height() - 12;
    const QRectF box(right - bar.pixels - 8, y - fm.height() - 8, bar.pixels + 16,
                     fm.height() + 14);
    painter.setRenderHint(QPainter::Antialiasing, true);
    painter.setPen(Qt::NoPen);
    painter.setBrush(QColor(0, 0, 0, 150));
    painter.drawRoundedRect(box, 4, 4);
    painter.setPen(QPen(Qt::white, 2));
    painter.drawLine(QPointF(right - bar.pixels, y), QPointF(right, y));
    painter.drawLine(QPointF(right - bar.pixels, y - 4), QPointF(right - bar.pixels, y));
    painter.drawLine(QPointF(right, y - 4), QPointF(right, y));
    painter.drawText(QRectF(right - bar.pixels, y - fm.height() - 4, bar.pixels, fm.height()),
                     Qt::AlignCenter, label);
}

void MapView::wheelEvent(QWheelEvent *event) {
    const double steps = event->angleDelta().y() / 120.0;
    if (steps == 0)
        return;
    zoomAt(event->position(), std::pow(1.25, steps));
    event->accept();
}

void MapView::mousePressEvent(QMouseEvent *event) {
    if (event->button() != Qt::LeftButton)
        return;
    m_pressPos = m_lastDragPos = event->position().toPoint();
    m_dragging = false;
}

void MapView::mouseMoveEvent(QMouseEvent *event) {
    if (!(event->buttons() & Qt::LeftButton))
        return;
    const QPoint pos = event->position().toPoint();
    if (!m_dragging && (pos - m_pressPos).manhattanLength() < 4)
        return;
    m_dragging = true;
    m_projection.panBy(pos - m_lastDragPos);
    m_lastDragPos = pos;
    update();
}

void MapView::mouseReleaseEvent(QMouseEvent *event) {
    if (event->button() != Qt::LeftButton)
        return;
    if (!m_dragging) {
        const QString id = clientAt(event->position());
        if (!id.isEmpty()) {
            setSelectedClient(id);
            Q_EMIT clientClicked(id);
        }
    }
    m_dragging = false;
}

bool MapView::event(QEvent *event) {
    if (event->type() == QEvent::ToolTip && m_waiting) {
        auto *help = static_cast<QHelpEvent *>(event);
        const QString id = clientAt(help->pos());
        if (const auto *w = id.isEmpty() ? nullptr : m_waiting->find(id)) {
            QToolTip::showText(help->globalPos(),
                               tr("Client %1\nWaiting %2, range %3 km, %4")
                                   .arg(w->id, formatDuration(m_waiting->now() - w->sinceMs))
                                   .arg(w->rangeKm, 0, 'f', 1)
                                   .arg(w->account ? tr("account") : tr("guest")),
                               this);
        } else {
            QToolTip::hideText();
            event->ignore();
        }
        return true;
    }
    return QWidget::event(event);
}

} // namespace whisper::admin
