// SPDX-License-Identifier: MIT
#include "geo.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace whisper::geo {

namespace {
constexpr double kDegToRad = std::numbers::pi / 180.0;
}

bool isValidLatitude(double latDeg) {
    return std::isfinite(latDeg) && latDeg >= -90.0 && latDeg <= 90.0;
}

bool isValidLongitude(double lonDeg) {
    return std::isfinite(lonDeg) && lonDeg >= -180.0 && lonDeg <= 180.0;
}

bool isValidRange(double rangeKm) {
    return std::isfinite(rangeKm) && rangeKm > 0.0 && rangeKm <= kMaxRangeKm;
}

double haversineKm(GeoPoint a, GeoPoint b) {
    const double lat1 = a.latDeg * kDegToRad;
    const double lat2 = b.latDeg * kDegToRad;
    const double dLat = lat2 - lat1;
    const double dLon = (b.lonDeg - a.lonDeg) * kDegToRad;
    const double sLat = std::sin(dLat / 2.0);
    const double sLon = std::sin(dLon / 2.0);
    double h = sLat * sLat + std::cos(lat1) * std::cos(lat2) * sLon * sLon;
    // Rounding can push h a hair above 1 for antipodal points.
    h = std::clamp(h, 0.0, 1.0);
    return 2.0 * kEarthRadiusKm * std::asin(std::sqrt(h));
}

int distanceBucketKm(double km) {
    const auto it = std::find_if(kDistanceBucketsKm.begin(), kDistanceBucketsKm.end(),
                                 [km](int boundary) { return km <= boundary; });
    return it == kDistanceBucketsKm.end() ? kDistanceBucketsKm.back() : *it;
}

} // namespace whisper::geo
