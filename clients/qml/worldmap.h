// SPDX-License-Identifier: MIT
#pragma once

#include <QList>
#include <QPolygonF>
#include <QQuickPaintedItem>

#include <qqmlintegration.h>

namespace whisper::client {

// A small world map to pick a location by clicking: the Natural Earth land
// polygons the admin console ships (resources/map), drawn equirectangular,
// with a marker and the chosen range as a circle.
class WorldMap : public QQuickPaintedItem {
    Q_OBJECT
    QML_ELEMENT
    Q_PROPERTY(double latitude READ latitude WRITE setLatitude NOTIFY markerChanged)
    Q_PROPERTY(double longitude READ longitude WRITE setLongitude NOTIFY markerChanged)
    Q_PROPERTY(bool hasMarker READ hasMarker WRITE setHasMarker NOTIFY markerChanged)
    Q_PROPERTY(double rangeKm READ rangeKm WRITE setRangeKm NOTIFY rangeKmChanged)
    Q_PROPERTY(bool loaded READ loaded CONSTANT)
public:
    explicit WorldMap(QQuickItem *parent = nullptr);

    double latitude() const { return m_lat; }
    void setLatitude(double lat);
    double longitude() const { return m_lon; }
    void setLongitude(double lon);
    bool hasMarker() const { return m_hasMarker; }
    void setHasMarker(bool has);
    double rangeKm() const { return m_rangeKm; }
    void setRangeKm(double km);
    bool loaded() const { return !m_rings.isEmpty(); }

    void paint(QPainter *painter) override;

    // Geographic position (x = longitude, y = latitude) of a point of the item.
    Q_INVOKABLE QPointF geoAt(double x, double y) const;
    // Sets the marker to the point of the item at (x, y), as a click does.
    Q_INVOKABLE void pickAt(double x, double y);

Q_SIGNALS:
    void markerChanged();
    void rangeKmChanged();
    // The user clicked the map.
    void picked(double latitude, double longitude);

protected:
    void mousePressEvent(QMouseEvent *event) override;

private:
    QRectF mapRect() const;

    QList<QPolygonF> m_rings;
    double m_lat = 0;
    double m_lon = 0;
    double m_rangeKm = 0;
    bool m_hasMarker = false;
};

} // namespace whisper::client
