// SPDX-License-Identifier: MIT
#pragma once

#include <array>

namespace whisper::geo {

// Mean Earth radius (IUGG R1) used by the protocol's matching rule.
inline constexpr double kEarthRadiusKm = 6371.0088;
// The protocol's largest range: half the circumference of that sphere
// (20015.114 km) rounded down to 0.1 km, so it reaches every point except
// those within about 14 m of the exact antipode.
inline constexpr double kMaxRangeKm = 20015.1;

struct GeoPoint {
    double latDeg = 0.0;
    double lonDeg = 0.0;
};

bool isValidLatitude(double latDeg);
bool isValidLongitude(double lonDeg);
// Ranges are in (0, kMaxRangeKm]; non-finite values are invalid.
bool isValidRange(double rangeKm);

// Great-circle distance on the protocol sphere. The haversine form stays
// accurate for tiny distances, where the spherical law of cosines does not.
double haversineKm(GeoPoint a, GeoPoint b);

// Boundaries that partners see instead of the true distance, so repeated
// joins cannot trilaterate anyone.
inline constexpr std::array<int, 14> kDistanceBucketsKm = {
    1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000};

// The smallest bucket boundary that is at least `km`. Distances beyond the
// last boundary (only near-antipodal points, up to 20015.1 km) report the
// last boundary.
int distanceBucketKm(double km);

} // namespace whisper::geo
