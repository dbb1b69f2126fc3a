// SPDX-License-Identifier: MIT
#pragma once

// Reproducible matchmaking workloads: clients and their arrival
// order come from a seed, so every matcher in one run sees exactly the same
// room.

#include "matchtypes.h"

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace whisper::bench {

struct City {
    geo::GeoPoint centre;
    double population = 0.0;
};

// The geography: the 200 largest cities and a coarse land mask, read from
// bench/matchbench/cities.csv and land.txt (GeoNames data, see their headers).
class Geography {
public:
    // False with a message on stderr when a file is missing or malformed.
    bool load(const std::string &dataDir);
    const std::vector<City> &cities() const { return m_cities; }
    bool isLand(geo::GeoPoint p) const;

private:
    std::vector<City> m_cities;
    std::vector<std::vector<bool>> m_land; // [row from 90N][column from 180W]
};

enum class Workload {
    // Clustered around the 200 largest cities by population, plus 10 % uniform
    // over land; ranges 60 % 1-25 km, 30 % 25-200 km, 10 % 1000 km-whole Earth.
    World,
    // Everyone within 30 km of the largest city's centre; ranges 1-10 km.
    City,
    // Uniform over land with ranges 0.1-1 km: hardly anyone is eligible for
    // anyone, so a full tick leaves almost the whole room waiting. Used to
    // build a room of a million waiting clients for the arrival benchmark.
    Sparse,
};

const char *workloadName(Workload w);

// Exclusions as a live server has them: 2 % of clients arrive having
// blocked someone (for good), 10 % with a recent partner they must not meet
// again until an exclusion ends within the next few ticks. The excluded
// person is one of the last 64 arrivals, so nearby in the city workload,
// where it matters most.
inline constexpr double kBlockShare = 0.02;
inline constexpr double kRecentPartnerShare = 0.10;
// Recent-partner exclusions end 0.5-3.5 s after `nowMs` (the ticks of a run
// are 1 s apart), so some end during the incremental ticks and the matchers
// must serve those clients again.
inline constexpr std::int64_t kRecentPartnerMinMs = 500;
inline constexpr std::int64_t kRecentPartnerMaxMs = 3500;

// Endless stream of clients of one workload; ids count up, so the stream
// order is the arrival order.
class ClientStream {
public:
    // Ids count up from firstId + 1. Recent-partner exclusions end relative
    // to nowMs.
    ClientStream(const Geography &geography, Workload workload, std::uint64_t seed,
                 ClientId firstId = 0, std::int64_t nowMs = 0);
    // The time the next clients arrive at (their recent-partner exclusions
    // end after it).
    void setNowMs(std::int64_t nowMs) { m_nowMs = nowMs; }
    MatchCandidate next();
    std::vector<MatchCandidate> take(std::size_t n);

private:
    geo::GeoPoint aroundCity();
    geo::GeoPoint onLand();
    double uniform(double lo, double hi);

    const Geography &m_geo;
    Workload m_workload;
    std::mt19937_64 m_rng;
    std::discrete_distribution<std::size_t> m_cityPick;
    ClientId m_lastId = 0;
    std::int64_t m_nowMs = 0;
    std::vector<std::uint64_t> m_recentKeys; // ring of the last arrivals' identity keys
    std::size_t m_recentAt = 0;
};

} // namespace whisper::bench
