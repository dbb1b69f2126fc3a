// SPDX-License-Identifier: MIT
#include "landmap.h"
#include "mapfile.h"

#include <QDataStream>
#include <QFile>

namespace whisper::admin {

LandMap LandMap::load(const QString &path) {
    LandMap map;
    MapFileReader reader;
    if (!reader.open(path, QByteArrayView("WCLAND1\0", 8), QStringLiteral("not a land ring file"),
                     &map.m_error))
        return map;
    QDataStream &in = reader.stream();
    quint32 rings = 0;
    in >> rings;
    // Bounds keep a corrupt file from allocating without limit.
    constexpr quint32 kMaxRings = 100000, kMaxPoints = 10000000;
    quint32 total = 0;
    for (quint32 r = 0; r < rings && r < kMaxRings && in.status() == QDataStream::Ok; ++r) {
        quint32 n = 0;
        in >> n;
        total += n;
        if (total > kMaxPoints)
            break;
        QPolygonF ring;
        ring.reserve(n);
        for (quint32 i = 0; i < n && in.status() == QDataStream::Ok; ++i) {
            float lon = 0, lat = 0;
            in >> lon >> lat;
            ring.append(QPointF(lon, lat));
        }
        map.m_rings.append(ring);
    }
    if (in.status() != QDataStream::Ok || total > kMaxPoints || map.m_rings.size() != int(rings)) {
        map.m_rings.clear();
        map.m_error = QStringLiteral("truncated or oversized land ring file");
    }
    return map;
}

} // namespace whisper::admin
