// SPDX-License-Identifier: MIT
#pragma once

#include <QPointF>
#include <QRectF>
#include <QSizeF>

namespace whisper::admin {

// Equirectangular (plate carree) projection of the world into a widget:
// longitude maps to x, latitude to -y, with a zoom (pixels per degree) and the
// geographic point shown at the centre. Pure value type, so projection and
// hit-testing are testable without a window.
class MapProjection {
public:
    static constexpr double kMinZoomFactor = 1.0; // whole world fits
    static constexpr double kMaxZoomFactor = 2000.0;

    void setViewport(QSizeF size);
    QSizeF viewport() const { return m_viewport; }

    // Back to the whole world, centred on (0, 0).
    void reset();
    // Zooms by `factor` keeping the geographic point under `anchor` in place.
    void zoomAt(QPointF anchor, double factor);
    // Moves the map with the mouse: `pixels` is how far the cursor moved.
    void panBy(QPointF pixels);

    QPointF toScreen(double lonDeg, double latDeg) const;
    // x = longitude, y = latitude; may lie outside the valid ranges when the
    // point is off the map.
    QPointF toGeo(QPointF screen) const;

    double pixelsPerDegree() const { return m_baseScale * m_zoom; }
    double zoomFactor() const { return m_zoom; }
    QPointF center() const { return m_center; }
    // The geographic rectangle (x = lon, y = lat, top = south) in view.
    QRectF visibleGeoRect() const;
    // A radius in km around `latDeg` as screen pixels horizontally and
    // vertically (the projection stretches east-west with latitude).
    QSizeF kmToPixels(double km, double latDeg) const;

private:
    void clampCenter();

    QSizeF m_viewport{360, 180};
    double m_baseScale = 1.0; // pixels per degree at zoom 1
    double m_zoom = 1.0;
    QPointF m_center{0, 0}; // lon, lat
};

} // namespace whisper::admin
