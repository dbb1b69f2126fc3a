// SPDX-License-Identifier: MIT
// Where the load generator's clients join: each pair must be in reach of
// itself only, or members that join in different matchmaker ticks can be
// paired across pairs and strand their partners (tst_relayload shows the
// end-to-end effect with I/O threads and a short tick).

#include "geo.h"
#include "loadgenerator.h"

#include <QTest>

#include <algorithm>
#include <limits>
#include <vector>

using namespace whisper;
using namespace whisper::loadgen;

namespace {

struct Joiner {
    geo::GeoPoint pos;
    int pair;
};

std::vector<Joiner> joiners(const std::vector<PairSpot> &spots) {
    std::vector<Joiner> out;
    for (int k = 0; k < int(spots.size()); ++k) {
        const PairSpot &s = spots[std::size_t(k)];
        out.push_back({{s.lat, s.lon}, k});
        out.push_back({{s.lat + s.partnerDLat, s.lon + s.partnerDLon}, k});
    }
    return out;
}

} // namespace

class TestLoadgenPlacement : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void partnersAreInReach();
    void everyoneElseIsOutOfReach();
    void deterministicAndPrefixStable();
    void partnerUrlTakesTheSecondMembers();
};

void TestLoadgenPlacement::partnersAreInReach() {
    const std::vector<PairSpot> spots = placePairs(10000);
    QCOMPARE(spots.size(), std::size_t(10000));
    for (const PairSpot &s : spots) {
        const double km =
            geo::haversineKm({s.lat, s.lon}, {s.lat + s.partnerDLat, s.lon + s.partnerDLon});
        QVERIFY2(km <= kPairReachKm, qPrintable(QString::number(km)));
        QVERIFY(geo::isValidLatitude(s.lat) && geo::isValidLongitude(s.lon));
    }
    QVERIFY(geo::isValidRange(kPairReachKm));
}

// 20,000 clients (what one process can open here): every two of different
// pairs are over 3 km apart, three times the range. Compared within a band
// of latitude (sorted sweep) rather than all 2e8 pairs.
void TestLoadgenPlacement::everyoneElseIsOutOfReach() {
    std::vector<Joiner> all = joiners(placePairs(10000));
    std::sort(all.begin(), all.end(),
              [](const Joiner &a, const Joiner &b) { return a.pos.latDeg < b.pos.latDeg; });
    constexpr double kBandDeg = 0.04; // 4.4 km: every pair closer than that is compared
    double nearestKm = std::numeric_limits<double>::infinity();
    std::size_t compared = 0;
    for (std::size_t i = 0; i < all.size(); ++i) {
        for (std::size_t j = i + 1;
             j < all.size() && all[j].pos.latDeg - all[i].pos.latDeg <= kBandDeg; ++j) {
            if (all[i].pair == all[j].pair)
                continue;
            ++compared;
            nearestKm = std::min(nearestKm, geo::haversineKm(all[i].pos, all[j].pos));
        }
    }
    QVERIFY(compared > 0);
    QVERIFY2(nearestKm > 3.0 * kPairReachKm, qPrintable(QString::number(nearestKm)));
}

void TestLoadgenPlacement::deterministicAndPrefixStable() {
    const std::vector<PairSpot> a = placePairs(2000);
    const std::vector<PairSpot> b = placePairs(2000);
    const std::vector<PairSpot> prefix = placePairs(500);
    const auto same = [](const PairSpot &x, const PairSpot &y) {
        return x.lat == y.lat && x.lon == y.lon && x.partnerDLat == y.partnerDLat &&
               x.partnerDLon == y.partnerDLon;
    };
    QVERIFY(std::equal(a.begin(), a.end(), b.begin(), b.end(), same));
    QVERIFY(std::equal(prefix.begin(), prefix.end(), a.begin(), same));
    QVERIFY(placePairs(0).empty());
}

// With a partner URL (two cluster nodes) every pair must span both servers,
// or the cross-node benchmark would measure same-node pairs; without one,
// everyone goes to the one server.
void TestLoadgenPlacement::partnerUrlTakesTheSecondMembers() {
    LoadOptions o;
    o.host = "127.0.0.1";
    o.port = 4001;
    o.path = "/";
    for (int i = 0; i < 6; ++i)
        QCOMPARE(endpointOf(o, i).port, 4001);
    o.partnerPort = 4002;
    for (int pair = 0; pair < 3; ++pair) {
        QCOMPARE(endpointOf(o, 2 * pair).port, 4001);
        const Endpoint second = endpointOf(o, 2 * pair + 1);
        QCOMPARE(second.port, 4002);
        QCOMPARE(second.host, std::string("127.0.0.1")); // defaults to the first's host
        QCOMPARE(second.path, std::string("/"));
    }
    o.partnerHost = "127.0.0.9";
    o.partnerPath = "/chat";
    QCOMPARE(endpointOf(o, 3).host, std::string("127.0.0.9"));
    QCOMPARE(endpointOf(o, 3).path, std::string("/chat"));
    QCOMPARE(endpointOf(o, 2).host, std::string("127.0.0.1"));
}

QTEST_GUILESS_MAIN(TestLoadgenPlacement)
#include "tst_loadgenplacement.moc"
