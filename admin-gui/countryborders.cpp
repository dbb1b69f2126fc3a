// SPDX-License-Identifier: MIT
#include "countryborders.h"
#include "mapfile.h"

#include <QDataStream>
#include <QFile>

#include <cmath>

namespace whisper::admin {

namespace {
// Bounds keep a corrupt file from allocating without limit.
constexpr quint32 kMaxCountries = 1000;
constexpr quint32 kMaxLines = 100000;
constexpr quint32 kMaxPoints = 10000000;

bool validPoint(float lon, float lat) {
    return std::isfinite(lon) && std::isfinite(lat) && std::abs(lon) <= 180.0001f &&
           std::abs(lat) <= 90.0001f;
}
} // namespace

int CountryBorders::countryIndex(const QString &name) const {
    for (int i = 0; i < m_countries.size(); ++i)
        if (m_countries[i].name == name)
            return i;
    return -1;
}

void CountryBorders::addLine(int a, int b, QPolygonF points) {
    if (points.size() < 2)
        return;
    m_lines.append({a, b, points, points.boundingRect()});
}

CountryBorders CountryBorders::load(const QString &path) {
    CountryBorders map;
    MapFileReader reader;
    if (!reader.open(path, QByteArrayView("WCBORD1\0", 8),
                     QStringLiteral("not a country border file"), &map.m_error))
        return map;
    QDataStream &in = reader.stream();
    auto fail = [&map](const char *why) {
        map.m_countries.clear();
        map.m_lines.clear();
        map.m_error = QString::fromLatin1(why);
        return map;
    };
    quint32 countries = 0;
    in >> countries;
    if (countries > kMaxCountries)
        return fail("too many countries in border file");
    for (quint32 c = 0; c < countries && in.status() == QDataStream::Ok; ++c) {
        quint8 length = 0;
        in >> length;
        QByteArray name(length, Qt::Uninitialized);
        if (in.readRawData(name.data(), length) != length)
            return fail("truncated country border file");
        float west = 0, south = 0, east = 0, north = 0;
        in >> west >> south >> east >> north;
        map.m_countries.append(
            {QString::fromUtf8(name), QRectF(QPointF(west, south), QPointF(east, north))});
    }
    quint32 lines = 0;
    in >> lines;
    if (lines > kMaxLines)
        return fail("too many lines in border file");
    quint32 total = 0;
    for (quint32 l = 0; l < lines && in.status() == QDataStream::Ok; ++l) {
        quint16 a = 0, b = 0;
        quint32 n = 0;
        in >> a >> b >> n;
        total += std::min(n, kMaxPoints + 1);
        if (total > kMaxPoints)
            return fail("oversized country border file");
        if (a >= countries || b >= countries)
            return fail("border line names an unknown country");
        QPolygonF line;
        line.reserve(n);
        for (quint32 i = 0; i < n && in.status() == QDataStream::Ok; ++i) {
            float lon = 0, lat = 0;
            in >> lon >> lat;
            if (!validPoint(lon, lat))
                return fail("border point off the globe");
            // A step of more than half the world is the line crossing the
            // antimeridian: drawn as one, it would run across the whole map.
            // The converter cuts such lines already; a file that does not is
            // drawn in pieces rather than wrong.
            if (!line.isEmpty() && std::abs(lon - line.last().x()) > 180) {
                map.addLine(a, b, std::move(line));
                line = {};
            }
            line.append(QPointF(lon, lat));
        }
        map.addLine(a, b, std::move(line));
    }
    if (in.status() != QDataStream::Ok)
        return fail("truncated country border file");
    return map;
}

} // namespace whisper::admin
