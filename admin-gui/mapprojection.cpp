// SPDX-License-Identifier: MIT
#include "mapprojection.h"

#include "geo.h"

#include <QtMath>

#include <algorithm>

namespace whisper::admin {

namespace {
constexpr double kKmPerDegree = 2 * M_PI * geo::kEarthRadiusKm / 360.0;
}

void MapProjection::setViewport(QSizeF size) {
    m_viewport = size.isEmpty() ? QSizeF(1, 1) : size;
    m_baseScale = std::min(m_viewport.width() / 360.0, m_viewport.height() / 180.0);
    clampCenter();
}

void MapProjection::reset() {
    m_zoom = 1.0;
    m_center = {0, 0};
}

void MapProjection::zoomAt(QPointF anchor, double factor) {
    const QPointF before = toGeo(anchor);
    m_zoom = std::clamp(m_zoom * factor, kMinZoomFactor, kMaxZoomFactor);
    const QPointF after = toGeo(anchor);
    m_center += before - after;
    clampCenter();
}

void MapProjection::panBy(QPointF pixels) {
    const double s = pixelsPerDegree();
    m_center += QPointF(-pixels.x() / s, pixels.y() / s);
    clampCenter();
}

QPointF MapProjection::toScreen(double lonDeg, double latDeg) const {
    const double s = pixelsPerDegree();
    return {m_viewport.width() / 2 + (lonDeg - m_center.x()) * s,
            m_viewport.height() / 2 - (latDeg - m_center.y()) * s};
}

QPointF MapProjection::toGeo(QPointF screen) const {
    const double s = pixelsPerDegree();
    return {m_center.x() + (screen.x() - m_viewport.width() / 2) / s,
            m_center.y() - (screen.y() - m_viewport.height() / 2) / s};
}

QRectF MapProjection::visibleGeoRect() const {
    const QPointF topLeft = toGeo({0, 0});
    const QPointF bottomRight = toGeo({m_viewport.width(), m_viewport.height()});
    return QRectF(QPointF(topLeft.x(), bottomRight.y()), QPointF(bottomRight.x(), topLeft.y()));
}

QSizeF MapProjection::kmToPixels(double km, double latDeg) const {
    const double latSpan = km / kKmPerDegree;
    const double cosLat = std::max(std::cos(qDegreesToRadians(latDeg)), 0.01);
    const double s = pixelsPerDegree();
    return {std::min(latSpan / cosLat, 360.0) * s, std::min(latSpan, 180.0) * s};
}

void MapProjection::clampCenter() {
    // Keep the map's centre on the world, so panning cannot lose it.
    m_center.setX(std::clamp(m_center.x(), -180.0, 180.0));
    m_center.setY(std::clamp(m_center.y(), -90.0, 90.0));
}

} // namespace whisper::admin
