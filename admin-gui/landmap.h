// SPDX-License-Identifier: MIT
#pragma once

#include <QList>
#include <QPolygonF>
#include <QString>

namespace whisper::admin {

// Natural Earth land polygons (x = longitude, y = latitude, degrees) read
// from the ring file scripts/convert-map.py writes; shipped as the resource
// :/map/land-50m.bin.
class LandMap {
public:
    // Empty on a missing or malformed file (errorString() says why).
    static LandMap load(const QString &path = QStringLiteral(":/map/land-50m.bin"));

    const QList<QPolygonF> &rings() const { return m_rings; }
    bool isEmpty() const { return m_rings.isEmpty(); }
    QString errorString() const { return m_error; }

private:
    QList<QPolygonF> m_rings;
    QString m_error;
};

} // namespace whisper::admin
