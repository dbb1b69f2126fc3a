#pragma once

// Unit vectors of geographic points, four at a time, for the matching
// engine's index. A tick turns every arrival into one; glibc's scalar float
// sincosf did that in about 12 ns a point (a sixteenth of a 20k tick), while
// these four-lane polynomials take a fraction of it and are more accurate:
// the index pads every float bound by a fixed margin (kChordPad in
// matchengine.cpp), and its error budget is written against the bound
// stated here.

#include <bit>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <numbers>

namespace whisper::geo {

using Double4 = double __attribute__((vector_size(32)));
using Int64x4 = std::int64_t __attribute__((vector_size(32)));

// Sine and cosine of four angles in degrees (any finite angle below 2^50
// degrees; geographic ones are within +-180), each within 2e-11 of the true
// value. The angle is reduced to r in [-45, 45] degrees plus a whole number
// q of quarter turns in degrees, where the subtraction is exact for angles
// within +-180 (Sterbenz), so no multiple of pi is ever rounded; the
// series of sin r to r^11 and of cos r to r^12 are then off by under 7e-12
// and 4e-13 at pi/4, and the rounding of a dozen operations adds ~1e-15.
inline void sinCosDegrees(Double4 deg, Double4 &sine, Double4 &cosine) {
    // Adding 1.5 * 2^52 rounds to an integer (to nearest, even on ties),
    // which the mantissa's low bits then hold in two's complement.
    constexpr double kShift = 0x1.8p52;
    const Double4 shifted = deg * (1.0 / 90.0) + kShift;
    const Double4 quarters = shifted - kShift;
    const Int64x4 q = std::bit_cast<Int64x4>(shifted);
    const Double4 r = (deg - quarters * 90.0) * (std::numbers::pi / 180.0);
    const Double4 r2 = r * r;
    // Taylor coefficients of sin r / r and cos r in powers of r^2.
    constexpr double kSin[] = {1.0,         -1.0 / 6,     1.0 / 120,
                               -1.0 / 5040, 1.0 / 362880, -1.0 / 39916800};
    constexpr double kCos[] = {1.0,         -1.0 / 2,       1.0 / 24,       -1.0 / 720,
                               1.0 / 40320, -1.0 / 3628800, 1.0 / 479001600};
    Double4 s = Double4{} + kSin[std::size(kSin) - 1];
    for (std::size_t i = std::size(kSin) - 1; i-- > 0;)
        s = s * r2 + kSin[i];
    s *= r;
    Double4 c = Double4{} + kCos[std::size(kCos) - 1];
    for (std::size_t i = std::size(kCos) - 1; i-- > 0;)
        c = c * r2 + kCos[i];
    // sin(r + q 90) and cos(r + q 90) for q mod 4 = 0, 1, 2, 3:
    // (s, c), (c, -s), (-s, -c), (-c, s).
    const Int64x4 odd = (q & 1) != 0;
    const Int64x4 sineNegative = (q & 2) != 0;
    const Int64x4 cosineNegative = ((q + 1) & 2) != 0;
    const Double4 sv = odd ? c : s;
    const Double4 cv = odd ? s : c;
    sine = sineNegative ? -sv : sv;
    cosine = cosineNegative ? -cv : cv;
}

// The unit vectors (x, y, z) of four points. Rounded to float, each
// component is within 3e-8 of the exact one (the rounding, 2^-25, and
// twice the sines' bound).
inline void unitVectors(Double4 latDeg, Double4 lonDeg, Double4 &x, Double4 &y, Double4 &z) {
    Double4 sinLat;
    Double4 cosLat;
    Double4 sinLon;
    Double4 cosLon;
    sinCosDegrees(latDeg, sinLat, cosLat);
    sinCosDegrees(lonDeg, sinLon, cosLon);
    x = cosLat * cosLon;
    y = cosLat * sinLon;
    z = sinLat;
}

} // namespace whisper::geo
