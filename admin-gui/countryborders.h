// SPDX-License-Identifier: MIT
#pragma once

#include <QList>
#include <QPolygonF>
#include <QRectF>
#include <QString>

namespace whisper::admin {

// Natural Earth land borders between countries (x = longitude, y = latitude,
// degrees) read from the border file scripts/convert-borders.py writes;
// shipped as the resource :/map/borders-50m.bin. Coastlines are not in it:
// they are the outline of LandMap's rings.
class CountryBorders {
public:
    struct Country {
        QString name;
        QRectF bounds; // x = west, y = south, may be flat for a tiny island
    };
    // One open polyline shared by two countries (indexes into countries()).
    struct Line {
        int countryA = 0;
        int countryB = 0;
        QPolygonF points;
        QRectF bounds;
    };

    // Empty on a missing or malformed file (errorString() says why).
    static CountryBorders load(const QString &path = QStringLiteral(":/map/borders-50m.bin"));

    const QList<Country> &countries() const { return m_countries; }
    const QList<Line> &lines() const { return m_lines; }
    // Index of the country called `name`, or -1.
    int countryIndex(const QString &name) const;
    bool isEmpty() const { return m_lines.isEmpty(); }
    QString errorString() const { return m_error; }

private:
    void addLine(int a, int b, QPolygonF points);

    QList<Country> m_countries;
    QList<Line> m_lines;
    QString m_error;
};

} // namespace whisper::admin
