// SPDX-License-Identifier: MIT
#include "worldmap.h"

#include "landmap.h"

#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>

#include <cmath>

namespace whisper::client {

namespace {
constexpr double kKmPerDegree = 111.195; // on the protocol sphere
}

WorldMap::WorldMap(QQuickItem *parent)
    : QQuickPaintedItem(parent) {
    setAcceptedMouseButtons(Qt::LeftButton);
    setAntialiasing(true);
    // Small rings vanish at this size anyway; dropping them keeps painting cheap.
    const admin::LandMap land = admin::LandMap::load();
    for (const QPolygonF &ring : land.rings()) {
        const QRectF box = ring.boundingRect();
        if (box.width() * box.height() >= 0.5)
            m_rings.append(ring);
    }
}

void WorldMap::setLatitude(double lat) {
    if (lat == m_lat)
        return;
    m_lat = lat;
    Q_EMIT markerChanged();
    update();
}

void WorldMap::setLongitude(double lon) {
    if (lon == m_lon)
        return;
    m_lon = lon;
    Q_EMIT markerChanged();
    update();
}

void WorldMap::setHasMarker(bool has) {
    if (has == m_hasMarker)
        return;
    m_hasMarker = has;
    Q_EMIT markerChanged();
    update();
}

void WorldMap::setRangeKm(double km) {
    if (km == m_rangeKm)
        return;
    m_rangeKm = km;
    Q_EMIT rangeKmChanged();
    update();
}

// The largest 2:1 rectangle that fits, centred: the whole world, undistorted.
QRectF WorldMap::mapRect() const {
    const double w = std::min(width(), height() * 2);
    return QRectF((width() - w) / 2, (height() - w / 2) / 2, w, w / 2);
}

QPointF WorldMap::geoAt(double x, double y) const {
    const QRectF r = mapRect();
    if (r.isEmpty())
        return {};
    const double lon = std::clamp((x - r.left()) / r.width() * 360.0 - 180.0, -180.0, 180.0);
    const double lat = std::clamp(90.0 - (y - r.top()) / r.height() * 180.0, -90.0, 90.0);
    return {lon, lat};
}

void WorldMap::pickAt(double x, double y) {
    const QPointF geo = geoAt(x, y);
    // Rounded to 0.01°: a map click is no more precise than that anyway.
    const double lat = std::round(geo.y() * 100) / 100;
    const double lon = std::round(geo.x() * 100) / 100;
    setLatitude(lat);
    setLongitude(lon);
    setHasMarker(true);
    Q_EMIT picked(lat, lon);
}

void WorldMap::mousePressEvent(QMouseEvent *event) {
    pickAt(event->position().x(), event->position().y());
    event->accept();
}

void WorldMap::paint(QPainter *painter) {
    const QRectF r = mapRect();
    painter->fillRect(r, QColor(0xd6, 0xe6, 0xf2));
    painter->save();
    painter->translate(r.left() + r.width() / 2, r.top() + r.height() / 2);
    painter->scale(r.width() / 360.0, -r.height() / 180.0);
    painter->setPen(Qt::NoPen);
    painter->setBrush(QColor(0xb5, 0xc9, 0x9a));
    for (const QPolygonF &ring : m_rings)
        painter->drawPolygon(ring);
    painter->restore();
    if (!m_hasMarker)
        return;
    const QPointF at(r.left() + (m_lon + 180.0) / 360.0 * r.width(),
                     r.top() + (90.0 - m_lat) / 180.0 * r.height());
    if (m_rangeKm > 0) {
        const double ry = m_rangeKm / kKmPerDegree * r.height() / 180.0;
        const double cosLat = std::max(0.05, std::cos(m_lat * M_PI / 180.0));
        const double rx = m_rangeKm / (kKmPerDegree * cosLat) * r.width() / 360.0;
        painter->setPen(QPen(QColor(0x1f, 0x6f, 0xb5), 1.5));
        painter->setBrush(QColor(0x1f, 0x6f, 0xb5, 40));
        painter->drawEllipse(at, std::max(rx, 3.0), std::max(ry, 3.0));
    }
    painter->setPen(QPen(Qt::white, 1.5));
    painter->setBrush(QColor(0xc0, 0x39, 0x2b));
    painter->drawEllipse(at, 4.5, 4.5);
}

} // namespace whisper::client
