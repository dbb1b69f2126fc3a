// SPDX-License-Identifier: MIT
#include "workload.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iostream>
#include <limits>
#include <numbers>
#include <sstream>

namespace whisper::bench {

namespace {
constexpr double kDegToRad = std::numbers::pi / 180.0;
constexpr double kRadToDeg = 180.0 / std::numbers::pi;

// The point `km` away from `from` in direction `bearing` (radians), on the
// protocol sphere.
geo::GeoPoint destination(geo::GeoPoint from, double km, double bearing) {
    const double delta = km / geo::kEarthRadiusKm;
    const double lat1 = from.latDeg * kDegToRad;
    const double lon1 = from.lonDeg * kDegToRad;
    const double lat2 = std::asin(std::sin(lat1) * std::cos(delta) +
                                  std::cos(lat1) * std::sin(delta) * std::cos(bearing));
    const double lon2 = lon1 + std::atan2(std::sin(bearing) * std::sin(delta) * std::cos(lat1),
                                          std::cos(delta) - std::sin(lat1) * std::sin(lat2));
    double lon = std::remainder(lon2 * kRadToDeg, 360.0);
    return {lat2 * kRadToDeg, lon};
}
} // namespace

bool Geography::load(const std::string &dataDir) {
    std::ifstream cities(dataDir + "/cities.csv");
    std::string line;
    while (std::getline(cities, line)) {
        if (line.empty() || line[0] == '#')
            continue;
        std::istringstream in(line);
        City c;
        char comma = 0;
        in >> c.centre.latDeg >> comma >> c.centre.lonDeg >> comma >> c.population;
        if (!in || !geo::isValidLatitude(c.centre.latDeg) ||
            !geo::isValidLongitude(c.centre.lonDeg)) {
            std::cerr << "matchbench: bad line in cities.csv: " << line << "\n";
            return false;
        }
        m_cities.push_back(c);
    }
    std::ifstream land(dataDir + "/land.txt");
    while (std::getline(land, line)) {
        if (line.empty() || line[0] == '#')
            continue;
        std::vector<bool> row;
        for (const char h : line) {
            const int v = std::stoi(std::string(1, h), nullptr, 16);
            for (int bit = 3; bit >= 0; --bit)
                row.push_back((v >> bit) & 1);
        }
        if (row.size() != 360) {
            std::cerr << "matchbench: bad row in land.txt\n";
            return false;
        }
        m_land.push_back(std::move(row));
    }
    if (m_cities.size() != 200 || m_land.size() != 180) {
        std::cerr << "matchbench: expected 200 cities and 180 land rows in " << dataDir << "\n";
        return false;
    }
    return true;
}

bool Geography::isLand(geo::GeoPoint p) const {
    const int row = std::clamp(int(std::floor(90.0 - p.latDeg)), 0, 179);
    const int col = std::clamp(int(std::floor(p.lonDeg + 180.0)), 0, 359);
    return m_land[std::size_t(row)][std::size_t(col)];
}

const char *workloadName(Workload w) {
    switch (w) {
    case Workload::World:
        return "world";
    case Workload::City:
        return "city";
    case Workload::Sparse:
        return "sparse";
    }
    return "?";
}

ClientStream::ClientStream(const Geography &geography, Workload workload, std::uint64_t seed,
                           ClientId firstId, std::int64_t nowMs)
    : m_geo(geography)
    , m_workload(workload)
    , m_rng(seed)
    , m_lastId(firstId)
    , m_nowMs(nowMs) {
    std::vector<double> weights;
    for (const City &c : m_geo.cities())
        weights.push_back(c.population);
    m_cityPick = std::discrete_distribution<std::size_t>(weights.begin(), weights.end());
}

double ClientStream::uniform(double lo, double hi) {
    return std::uniform_real_distribution<double>(lo, hi)(m_rng);
}

geo::GeoPoint ClientStream::aroundCity() {
    const City &city = m_geo.cities()[m_cityPick(m_rng)];
    // A metropolitan area grows with the square root of its population: a
    // Gaussian spread of 2 km plus 6 km per sqrt(million).
    const double sigma = 2.0 + 6.0 * std::sqrt(city.population / 1e6);
    const double r = sigma * std::sqrt(-2.0 * std::log(1.0 - uniform(0.0, 1.0)));
    return destination(city.centre, r, uniform(0.0, 2.0 * std::numbers::pi));
}

geo::GeoPoint ClientStream::onLand() {
    for (;;) {
        const geo::GeoPoint p{std::asin(uniform(-1.0, 1.0)) * kRadToDeg, uniform(-180.0, 180.0)};
        if (m_geo.isLand(p))
            return p;
    }
}

MatchCandidate ClientStream::next() {
    MatchCandidate c;
    c.id = ++m_lastId;
    c.identityKey = c.id;
    if (m_workload == Workload::World) {
        c.pos = uniform(0.0, 1.0) < 0.1 ? onLand() : aroundCity();
        const double u = uniform(0.0, 1.0);
        c.rangeKm = u < 0.6   ? uniform(1.0, 25.0)
                    : u < 0.9 ? uniform(25.0, 200.0)
                              : uniform(1000.0, geo::kMaxRangeKm);
    } else if (m_workload == Workload::Sparse) {
        c.pos = onLand();
        c.rangeKm = uniform(0.1, 1.0);
    } else {
        const City &largest = m_geo.cities().front();
        // Uniform over the disc: the radius goes with the square root.
        const double r = 30.0 * std::sqrt(uniform(0.0, 1.0));
        c.pos = destination(largest.centre, r, uniform(0.0, 2.0 * std::numbers::pi));
        c.rangeKm = uniform(1.0, 10.0);
    }
    if (m_workload != Workload::Sparse && !m_recentKeys.empty()) {
        const auto someoneRecent = [this] {
            return m_recentKeys[std::size_t(m_rng() % m_recentKeys.size())];
        };
        const double u = uniform(0.0, 1.0);
        if (u < kBlockShare)
            c.excludes.push_back({someoneRecent(), std::numeric_limits<std::int64_t>::max()});
        else if (u < kBlockShare + kRecentPartnerShare)
            c.excludes.push_back(
                {someoneRecent(), m_nowMs + std::int64_t(uniform(double(kRecentPartnerMinMs),
                                                                 double(kRecentPartnerMaxMs)))});
    }
    constexpr std::size_t kRecent = 64;
    if (m_recentKeys.size() < kRecent)
        m_recentKeys.push_back(c.identityKey);
    else
        m_recentKeys[m_recentAt++ % kRecent] = c.identityKey;
    return c;
}

std::vector<MatchCandidate> ClientStream::take(std::size_t n) {
    std::vector<MatchCandidate> out;
    out.reserve(n);
    for (std::size_t i = 0; i < n; ++i)
        out.push_back(next());
    return out;
}

} // namespace whisper::bench
