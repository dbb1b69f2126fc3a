// SPDX-License-Identifier: MIT
#include "privacygrid.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace whisper::geo {

namespace {
constexpr double kDegToRad = std::numbers::pi / 180.0;
constexpr double kKmPerDegree = kEarthRadiusKm * kDegToRad;

// A band index from a coordinate offset, kept inside [0, count) whatever
// rounding does at the edges.
int clampedIndex(double offset, double step, int count) {
    const int i = int(std::floor(offset / step));
    return std::clamp(i, 0, count - 1);
}
} // namespace

PrivacyGrid::PrivacyGrid(double cellKm)
    : m_cellKm(cellKm)
    , m_bands(std::max(1, int(std::lround(180.0 * kKmPerDegree / cellKm))))
    , m_bandDeg(180.0 / m_bands) {}

int PrivacyGrid::columnsInBand(int band) const {
    const double midLatDeg = -90.0 + (band + 0.5) * m_bandDeg;
    const double circumferenceKm = 360.0 * kKmPerDegree * std::cos(midLatDeg * kDegToRad);
    return std::max(1, int(std::lround(circumferenceKm / m_cellKm)));
}

PrivacyGrid::Cell PrivacyGrid::cellOf(GeoPoint p) const {
    Cell c;
    c.band = clampedIndex(p.latDeg + 90.0, m_bandDeg, m_bands);
    const int columns = columnsInBand(c.band);
    // Every longitude names the pole itself; one of them stands for all, so
    // the pole always lands in the same cell.
    const double lonDeg = std::fabs(p.latDeg) >= 90.0 ? 0.0 : p.lonDeg;
    // Longitude 180 is longitude -180: the modulo puts it in column 0.
    const int column = int(std::floor((lonDeg + 180.0) / (360.0 / columns)));
    c.column = ((column % columns) + columns) % columns;
    return c;
}

GeoPoint PrivacyGrid::centreOf(Cell cell) const {
    const int columns = columnsInBand(cell.band);
    return GeoPoint{-90.0 + (cell.band + 0.5) * m_bandDeg,
                    -180.0 + (cell.column + 0.5) * (360.0 / columns)};
}

} // namespace whisper::geo
