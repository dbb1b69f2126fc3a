// SPDX-License-Identifier: MIT
#pragma once

// Unit vectors of geographic points, several at a time, for the matching
// engine's index. A tick turns every arrival into one; these polynomials
// are several times faster than glibc's scalar float sincosf and more
// accurate (docs/MATCHING.md, "Unit vectors"): the index pads every float
// bound by a fixed margin (kChordPad in kdtree.h), and its error budget is
// written against the bound stated here.

#include <bit>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <numbers>

namespace whisper::geo {

// As many doubles as the target's vector registers hold (the build chooses
// the target, see docs/OPERATIONS.md): wider vectors would be split into
// pairs of narrower instructions, and passed differently.
#if defined(__AVX__)
inline constexpr std::size_t kUnitLanes = 4;
#else
inline constexpr std::size_t kUnitLanes = 2;
#endif
using DoubleV = double __attribute__((vector_size(kUnitLanes * sizeof(double))));
using Int64V = std::int64_t __attribute__((vector_size(kUnitLanes * sizeof(double))));

// Sine and cosine of kUnitLanes angles in degrees (any finite angle below 2^50
// degrees; geographic ones are within +-180), each within 2e-11 of the true
// value. The angle is reduced to r in [-45, 45] degrees plus a whole number
// q of quarter turns in degrees, where the subtraction is exact for angles
// within +-180 (Sterbenz), so no multiple of pi is ever rounded; the
// series of sin r to r^11 and of cos r to r^12 are then off by under 7e-12
// and 4e-13 at pi/4, and the rounding of a dozen operations adds ~1e-15.
inline void sinCosDegrees(DoubleV deg, DoubleV &sine, DoubleV &cosine) {
    // Adding 1.5 * 2^52 rounds to an integer (to nearest, even on ties),
    // which the mantissa's low bits then hold in two's complement.
    constexpr double kShift = 0x1.8p52;
    const DoubleV shifted = deg * (1.0 / 90.0) + kShift;
    const DoubleV quarters = shifted - kShift;
    const Int64V q = std::bit_cast<Int64V>(shifted);
    const DoubleV r = (deg - quarters * 90.0) * (std::numbers::pi / 180.0);
    const DoubleV r2 = r * r;
    // Taylor coefficients of sin r / r and cos r in powers of r^2.
    constexpr double kSin[] = {1.0,         -1.0 / 6,     1.0 / 120,
                               -1.0 / 5040, 1.0 / 362880, -1.0 / 39916800};
    constexpr double kCos[] = {1.0,         -1.0 / 2,       1.0 / 24,       -1.0 / 720,
                               1.0 / 40320, -1.0 / 3628800, 1.0 / 479001600};
    DoubleV s = DoubleV{} + kSin[std::size(kSin) - 1];
    for (std::size_t i = std::size(kSin) - 1; i-- > 0;)
        s = s * r2 + kSin[i];
    s *= r;
    DoubleV c = DoubleV{} + kCos[std::size(kCos) - 1];
    for (std::size_t i = std::size(kCos) - 1; i-- > 0;)
        c = c * r2 + kCos[i];
    // sin(r + q 90) and cos(r + q 90) for q mod 4 = 0, 1, 2, 3:
    // (s, c), (c, -s), (-s, -c), (-c, s). By bit masks and sign bits rather
    // than comparisons and selects, which two-lane targets lack for 64-bit
    // lanes (they took as long as the polynomials).
    const Int64V odd = -(q & 1);
    const auto sBits = std::bit_cast<Int64V>(s);
    const auto cBits = std::bit_cast<Int64V>(c);
    const Int64V sineBits = (cBits & odd) | (sBits & ~odd);
    const Int64V cosineBits = (sBits & odd) | (cBits & ~odd);
    sine = std::bit_cast<DoubleV>(sineBits ^ ((q & 2) << 62));
    cosine = std::bit_cast<DoubleV>(cosineBits ^ (((q + 1) & 2) << 62));
}

// The unit vectors (x, y, z) of kUnitLanes points. Rounded to float, each
// component is within 3e-8 of the exact one (the rounding, 2^-25, and
// twice the sines' bound).
inline void unitVectors(DoubleV latDeg, DoubleV lonDeg, DoubleV &x, DoubleV &y, DoubleV &z) {
    DoubleV sinLat;
    DoubleV cosLat;
    DoubleV sinLon;
    DoubleV cosLon;
    sinCosDegrees(latDeg, sinLat, cosLat);
    sinCosDegrees(lonDeg, sinLon, cosLon);
    x = cosLat * cosLon;
    y = cosLat * sinLon;
    z = sinLat;
}

} // namespace whisper::geo
