// SPDX-License-Identifier: MIT
#pragma once

#include "geo.h"

#include <cstdint>

namespace whisper::geo {

// A fixed global grid of cells about `cellKm` on a side, so the server can
// coarsen every position before matching. The grid depends on nothing but
// the cell size: the same place always snaps to the same cell centre, so
// repeated joins from one place reveal nothing more than one join does
// (random noise per join would average out over repeated joins).
//
// Layout: latitude bands of equal height (the whole number of bands closest
// to cellKm each), each band split into a whole number of cells whose width
// at the band's middle latitude is closest to cellKm. Cells are therefore
// roughly square and of roughly equal area everywhere; near the poles a band
// holds only a few wedge-shaped cells (the band touching a pole has three),
// so no cell there shrinks to a sliver. Longitude -180 and 180 fall in the
// same cell.
class PrivacyGrid {
public:
    struct Cell {
        std::int32_t band = 0;   // 0 at the south pole
        std::int32_t column = 0; // 0 at longitude -180
        friend bool operator==(const Cell &, const Cell &) = default;
    };

    explicit PrivacyGrid(double cellKm);

    double cellKm() const { return m_cellKm; }
    int bandCount() const { return m_bands; }
    double bandHeightDeg() const { return m_bandDeg; }
    int columnsInBand(int band) const;

    // The cell of a valid position (callers validate; lat in [-90, 90],
    // lon in [-180, 180]).
    Cell cellOf(GeoPoint p) const;
    GeoPoint centreOf(Cell cell) const;
    // The centre of the position's cell: what the matcher sees instead.
    GeoPoint snap(GeoPoint p) const { return centreOf(cellOf(p)); }

private:
    double m_cellKm;
    int m_bands;
    double m_bandDeg;
};

} // namespace whisper::geo
