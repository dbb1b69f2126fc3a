// SPDX-License-Identifier: MIT
// MatchEngine: the matching rules one by one, then randomized equivalence with
// the all-pairs reference algorithm (matchreference.h) over many seeds and
// geographies, including the antimeridian, the poles and whole-Earth ranges.

#include "matchengine.h"
#include "matchreference.h"
#include "unitvectors.h"

#include <QTest>

#include <cmath>
#include <numbers>
#include <random>
#include <unordered_map>
#include <unordered_set>

using namespace whisper;
using whisper::test::AllPairsMatcher;
using whisper::test::referenceEligible;

Q_DECLARE_METATYPE(whisper::MatchPolicy)
Q_DECLARE_METATYPE(whisper::geo::GeoPoint)

namespace {

constexpr double kRadToDeg = 180.0 / std::numbers::pi;

MatchCandidate client(ClientId id, double lat, double lon, double rangeKm,
                      std::vector<Exclusion> excludes = {}) {
    MatchCandidate c;
    c.id = id;
    c.pos = {lat, lon};
    c.rangeKm = rangeKm;
    c.identityKey = 1000 + id;
    c.excludes = std::move(excludes);
    return c;
}

// Latitude `km` north of `lat` along a meridian.
double northOf(double lat, double km) {
    return lat + km / geo::kEarthRadiusKm * kRadToDeg;
}

QString describe(const MatchResults &pairs) {
    QStringList parts;
    for (const MatchResult &r : pairs)
        parts << QStringLiteral("%1-%2(%3)")
                     .arg(r.served)
                     .arg(r.partner)
                     .arg(r.distanceKm, 0, 'g', 17);
    return parts.join(QLatin1Char(' '));
}

bool samePairs(const MatchResults &a, const MatchResults &b) {
    if (a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (a[i].served != b[i].served || a[i].partner != b[i].partner ||
            a[i].distanceKm != b[i].distanceKm || a[i].servedOrder != b[i].servedOrder ||
            a[i].partnerOrder != b[i].partnerOrder)
            return false;
    return true;
}

// Random rooms in several geographies. Deterministic per seed.
class Scenario {
public:
    enum Kind { World, Antimeridian, Polar, WholeEarth, Crowded, Exclusions, City };

    Scenario(Kind kind, std::uint64_t seed)
        : m_kind(kind)
        , m_rng(seed) {}

    MatchCandidate next(std::int64_t nowMs) {
        MatchCandidate c;
        c.id = ++m_lastId;
        c.identityKey = c.id;
        switch (m_kind) {
        case World:
            c.pos = uniformSphere();
            c.rangeKm = logUniform(0.1, geo::kMaxRangeKm);
            break;
        case Antimeridian:
            c.pos = {uniform(-0.3, 0.3), wrap(180.0 + uniform(-0.4, 0.4))};
            c.rangeKm = logUniform(0.1, 200.0);
            break;
        case Polar: {
            const double lat = uniform(89.6, 90.0);
            c.pos = {coin(0.5) ? lat : -lat, uniform(-180.0, 180.0)};
            c.rangeKm = logUniform(0.1, 100.0);
            if (coin(0.05))
                c.rangeKm = geo::kMaxRangeKm; // finds the other pole
            break;
        }
        case WholeEarth:
            c.pos = uniformSphere();
            c.rangeKm = coin(0.5) ? geo::kMaxRangeKm : logUniform(1000.0, geo::kMaxRangeKm);
            break;
        case Crowded: {
            // A handful of points shared by many: distance ties everywhere.
            static constexpr geo::GeoPoint spots[] = {
                {48.8566, 2.3522}, {48.8570, 2.3530}, {48.86, 2.35}, {-33.86, 151.2}};
            c.pos = spots[std::uniform_int_distribution<int>(0, 3)(m_rng)];
            c.rangeKm = coin(0.1) ? geo::kMaxRangeKm : uniform(0.01, 2.0);
            if (coin(0.2))
                c.identityKey = 1 + std::uniform_int_distribution<int>(0, 5)(m_rng);
            break;
        }
        case Exclusions:
        case City:
            c.pos = {48.8566 + uniform(-0.2, 0.2), 2.3522 + uniform(-0.3, 0.3)};
            c.rangeKm = uniform(1.0, 20.0);
            if (m_kind == Exclusions) {
                // Blocks (forever) and recent partners (for a while), of
                // clients that exist, will exist or are gone.
                const int n = std::uniform_int_distribution<int>(0, 6)(m_rng);
                for (int i = 0; i < n; ++i) {
                    Exclusion x;
                    x.key = std::uniform_int_distribution<std::uint64_t>(1, m_lastId + 20)(m_rng);
                    if (coin(0.7))
                        x.untilMs = nowMs + std::uniform_int_distribution<int>(-100, 3000)(m_rng);
                    c.excludes.push_back(x);
                }
            }
            break;
        }
        return c;
    }

    double uniform(double lo, double hi) {
        return std::uniform_real_distribution<double>(lo, hi)(m_rng);
    }
    bool coin(double p) { return std::bernoulli_distribution(p)(m_rng); }
    std::mt19937_64 &rng() { return m_rng; }

private:
    geo::GeoPoint uniformSphere() {
        return {std::asin(uniform(-1.0, 1.0)) * kRadToDeg, uniform(-180.0, 180.0)};
    }
    double logUniform(double lo, double hi) {
        return std::exp(uniform(std::log(lo), std::log(hi)));
    }
    static double wrap(double lon) { return lon > 180.0 ? lon - 360.0 : lon; }

    Kind m_kind;
    std::mt19937_64 m_rng;
    ClientId m_lastId = 0;
};

} // namespace

class TestMatchEngine : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void mutualRange_data();
    void mutualRange();
    void distanceEqualToARange_data();
    void distanceEqualToARange();
    void servesInArrivalOrder();
    void nearestEligible();
    void nearestTieGoesToLongestWaiting();
    void longestWaitingPolicy();
    void neighboursAcrossSeams_data();
    void neighboursAcrossSeams();
    void wholeEarthRange();
    void noSelfMatch();
    void noDoubleMatch();
    void recentPartnerExclusionExpires();
    void blockedPairNeverMatched();
    void leftoversAreNotServedAgain();
    void removeAndRestore();
    void randomizedAgainstAllPairs_data();
    void randomizedAgainstAllPairs();
    void bigBatchAgainstAllPairs_data();
    void bigBatchAgainstAllPairs();
    void incrementalEqualsFullTick_data();
    void incrementalEqualsFullTick();
    void longRunWithChurn();
    void extremeRanges_data();
    void extremeRanges();
    void removalsEmptyWholeSubtrees();
    void roomBeyondTheFirstBlock();
    void reachBoundsFallAfterRemovals();
    void restoreAcrossMergedTrees();
    void exclusionsExpireInsideTheIndex();
    void unitVectorsWithinTheirBound();
    void blockCacheKeepsWholeHugePages();
    void resultsOutliveTheEngine();
};

void TestMatchEngine::mutualRange_data() {
    QTest::addColumn<double>("rangeA");
    QTest::addColumn<double>("rangeB");
    QTest::addColumn<bool>("matched");
    // A and B are 5 km apart.
    QTest::addRow("10 and 3: B cannot reach") << 10.0 << 3.0 << false;
    QTest::addRow("10 and 6") << 10.0 << 6.0 << true;
    QTest::addRow("3 and 10: A cannot reach") << 3.0 << 10.0 << false;
    QTest::addRow("6 and 10") << 6.0 << 10.0 << true;
    QTest::addRow("just short") << 4.999 << 100.0 << false;
    QTest::addRow("just enough") << 5.001 << 5.001 << true;
    QTest::addRow("smallest range") << 0.1 << 100.0 << false;
    QTest::addRow("whole Earth both") << geo::kMaxRangeKm << geo::kMaxRangeKm << true;
}

void TestMatchEngine::mutualRange() {
    QFETCH(double, rangeA);
    QFETCH(double, rangeB);
    QFETCH(bool, matched);
    MatchEngine engine;
    QVERIFY(engine.add(client(1, 52.0, 13.0, rangeA)));
    QVERIFY(engine.add(client(2, northOf(52.0, 5.0), 13.0, rangeB)));
    const auto pairs = engine.tick(0);
    QCOMPARE(pairs.size(), matched ? 1u : 0u);
    if (matched) {
        QCOMPARE(pairs[0].served, ClientId(1));
        QCOMPARE(pairs[0].partner, ClientId(2));
        QVERIFY(std::abs(pairs[0].distanceKm - 5.0) < 1e-6);
        QCOMPARE(engine.size(), 0u);
    } else {
        QCOMPARE(engine.size(), 2u);
    }
}

void TestMatchEngine::distanceEqualToARange_data() {
    QTest::addColumn<geo::GeoPoint>("a");
    QTest::addColumn<geo::GeoPoint>("b");
    QTest::addColumn<double>("rangeA");
    QTest::addColumn<double>("rangeB");
    QTest::addColumn<bool>("matched");
    // The rule is "distance <= both ranges": a range exactly equal to the
    // distance reaches, one representable step below it does not, on each
    // side. Rows from the distance the protocol defines (haversine on the
    // 6371.0088 km sphere), so they hold to the last bit.
    const struct {
        const char *name;
        geo::GeoPoint a, b;
    } places[] = {
        {"5 km along a meridian", {52.0, 13.0}, {northOf(52.0, 5.0), 13.0}},
        {"along the equator", {0.0, 10.0}, {0.0, 10.3}},
        {"across the antimeridian", {-33.0, 179.95}, {-33.01, -179.97}},
        {"diagonal", {48.8566, 2.3522}, {51.5074, -0.1278}},
    };
    for (const auto &p : places) {
        const double d = geo::haversineKm(p.a, p.b);
        const double below = std::nextafter(d, 0.0);
        const double far = d + 100.0;
        QTest::addRow("%s: A's range = distance", p.name) << p.a << p.b << d << far << true;
        QTest::addRow("%s: B's range = distance", p.name) << p.a << p.b << far << d << true;
        QTest::addRow("%s: both = distance", p.name) << p.a << p.b << d << d << true;
        QTest::addRow("%s: A's range just below", p.name) << p.a << p.b << below << far << false;
        QTest::addRow("%s: B's range just below", p.name) << p.a << p.b << far << below << false;
    }
}

void TestMatchEngine::distanceEqualToARange() {
    QFETCH(geo::GeoPoint, a);
    QFETCH(geo::GeoPoint, b);
    QFETCH(double, rangeA);
    QFETCH(double, rangeB);
    QFETCH(bool, matched);
    const MatchCandidate ca = client(1, a.latDeg, a.lonDeg, rangeA);
    const MatchCandidate cb = client(2, b.latDeg, b.lonDeg, rangeB);
    QCOMPARE(isEligible(ca, cb, 0), matched);
    QCOMPARE(isEligible(cb, ca, 0), matched);
    QCOMPARE(referenceEligible(ca, cb, 0), matched);
    // Both orders of arrival: each side is once the served one.
    for (const bool aFirst : {true, false}) {
        MatchEngine engine;
        QVERIFY(engine.add(aFirst ? ca : cb));
        QVERIFY(engine.add(aFirst ? cb : ca));
        const auto pairs = engine.tick(0);
        QCOMPARE(pairs.size(), matched ? 1u : 0u);
        if (matched)
            QCOMPARE(pairs[0].distanceKm, geo::haversineKm(a, b));
    }
}

void TestMatchEngine::servesInArrivalOrder() {
    // 1 and 3 are eligible, 2 and 3 are eligible, 1 and 2 are not: 1 came
    // first, so it gets 3 even though 3 is nearer to 2.
    MatchEngine engine;
    engine.add(client(1, 0.0, 0.0, 10.0));
    engine.add(client(2, northOf(0.0, 12.0), 0.0, 10.0));
    engine.add(client(3, northOf(0.0, 8.0), 0.0, 10.0));
    const auto pairs = engine.tick(0);
    QCOMPARE(pairs.size(), 1u);
    QCOMPARE(pairs[0].served, ClientId(1));
    QCOMPARE(pairs[0].partner, ClientId(3));
    QVERIFY(engine.contains(2));
}

void TestMatchEngine::nearestEligible() {
    MatchEngine engine(MatchPolicy::NearestEligible);
    engine.add(client(1, 0.0, 0.0, 50.0));
    engine.add(client(2, northOf(0.0, 1.0), 0.0, 0.5));            // nearest, cannot reach 1
    engine.add(client(3, northOf(0.0, -3.0), 0.0, 50.0));          // nearest eligible
    engine.add(client(4, northOf(0.0, 2.0), 0.0, 50.0, {{1001}})); // blocks 1
    engine.add(client(5, northOf(0.0, 4.0), 0.0, 50.0));
    const auto pairs = engine.tick(0);
    // 1 gets 3; then 2 finds nobody within 0.5 km; 4 is served next and gets 5.
    QCOMPARE(describe(pairs).section(QLatin1Char('('), 0, 0), QStringLiteral("1-3"));
    QCOMPARE(pairs.size(), 2u);
    QCOMPARE(pairs[1].served, ClientId(4));
    QCOMPARE(pairs[1].partner, ClientId(5));
}

void TestMatchEngine::nearestTieGoesToLongestWaiting() {
    MatchEngine engine(MatchPolicy::NearestEligible);
    // 2 and 3 sit on the same spot (a tie for 4); 2 arrived first. 1 is the
    // earliest but is far from everyone.
    engine.add(client(1, 10.0, 10.0, 1.0));
    engine.add(client(2, 0.0, northOf(0.0, 2.0), 5.0));
    engine.add(client(3, 0.0, northOf(0.0, 2.0), 5.0));
    engine.add(client(4, 0.0, 0.0, 5.0));
    auto pairs = engine.tick(0);
    QCOMPARE(pairs.size(), 1u);
    // 2 is served before 4 and takes 3 (at 0 km); re-run with 2 and 3 apart
    // on both sides of 4 at equal distance, so 4 is the one choosing.
    QCOMPARE(pairs[0].served, ClientId(2));
    QCOMPARE(pairs[0].partner, ClientId(3));

    MatchEngine tie(MatchPolicy::NearestEligible);
    tie.add(client(4, 0.0, 0.0, 5.0));
    tie.add(client(7, 0.0, -0.02, 3.0)); // 2.2 km from 4, 4.4 km from 6
    tie.add(client(6, 0.0, 0.02, 3.0));  // same distance from 4 as 7, later
    pairs = tie.tick(0);
    QCOMPARE(pairs.size(), 1u);
    QCOMPARE(pairs[0].served, ClientId(4));
    QCOMPARE(pairs[0].partner, ClientId(7));
}

void TestMatchEngine::longestWaitingPolicy() {
    MatchEngine engine(MatchPolicy::LongestWaiting);
    engine.add(client(1, 0.0, 0.0, 0.1)); // waits; nobody in reach
    QCOMPARE(engine.tick(0).size(), 0u);
    engine.add(client(2, northOf(0.0, 9.0), 0.0, 10.0)); // far but waited longer
    engine.add(client(3, northOf(0.0, 20.0), 0.0, 1.0)); // out of reach of 4
    QCOMPARE(engine.tick(0).size(), 0u);
    engine.add(client(4, northOf(0.0, 1.0), 0.0, 10.0));
    engine.add(client(5, northOf(0.0, 1.1), 0.0, 10.0)); // nearest to 4
    const auto pairs = engine.tick(0);
    QCOMPARE(pairs.size(), 1u);
    QCOMPARE(pairs[0].served, ClientId(4));
    QCOMPARE(pairs[0].partner, ClientId(2));
    QVERIFY(engine.contains(5));

    engine.setPolicy(MatchPolicy::NearestEligible);
    QCOMPARE(engine.policy(), MatchPolicy::NearestEligible);
}

void TestMatchEngine::neighboursAcrossSeams_data() {
    QTest::addColumn<double>("latA");
    QTest::addColumn<double>("lonA");
    QTest::addColumn<double>("latB");
    QTest::addColumn<double>("lonB");
    QTest::addColumn<double>("rangeKm");
    QTest::addColumn<bool>("matched");
    // 0.02 degrees of longitude at the equator is 2.2 km.
    QTest::addRow("antimeridian") << 0.0 << 179.99 << 0.0 << -179.99 << 3.0 << true;
    QTest::addRow("antimeridian +-180") << 10.0 << 180.0 << 10.0 << -180.0 << 0.1 << true;
    QTest::addRow("antimeridian too far") << 0.0 << 179.0 << 0.0 << -179.0 << 200.0 << false;
    QTest::addRow("north pole across") << 89.99 << 0.0 << 89.99 << 180.0 << 3.0 << true;
    QTest::addRow("north pole itself") << 90.0 << 0.0 << 89.99 << 77.0 << 1.2 << true;
    QTest::addRow("north pole any longitude") << 90.0 << -120.0 << 90.0 << 45.0 << 0.1 << true;
    QTest::addRow("south pole across") << -89.995 << -90.0 << -89.995 << 90.0 << 1.2 << true;
    QTest::addRow("poles apart") << 90.0 << 0.0 << -90.0 << 0.0 << 20000.0 << false;
    QTest::addRow("nearly pole to pole") << 90.0 << 0.0 << -89.9 << 0.0 << geo::kMaxRangeKm << true;
    QTest::addRow("nearly antipodes") << 0.0 << 0.0 << 0.0 << 179.9 << geo::kMaxRangeKm << true;
    QTest::addRow("antimeridian whole Earth") << 0.0 << -180.0 << 0.0 << 0.1 << 20004.0 << true;
}

void TestMatchEngine::neighboursAcrossSeams() {
    QFETCH(double, latA);
    QFETCH(double, lonA);
    QFETCH(double, latB);
    QFETCH(double, lonB);
    QFETCH(double, rangeKm);
    QFETCH(bool, matched);
    MatchEngine engine;
    const MatchCandidate a = client(1, latA, lonA, rangeKm);
    const MatchCandidate b = client(2, latB, lonB, rangeKm);
    QCOMPARE(isEligible(a, b, 0), matched);
    QCOMPARE(referenceEligible(a, b, 0), matched);
    engine.add(a);
    engine.add(b);
    QCOMPARE(engine.tick(0).size(), matched ? 1u : 0u);
}

void TestMatchEngine::wholeEarthRange() {
    // A whole-Earth client among short-range ones far away and one long-range
    // one on the other side of the planet: it gets the only one that reaches.
    MatchEngine engine;
    for (ClientId id = 1; id <= 200; ++id)
        engine.add(client(id, -40.0 + id * 0.1, 100.0, 1.0 + id % 3));
    QCOMPARE(engine.tick(0).size(), 0u); // nobody within anyone's range
    engine.add(client(500, 40.0, -80.0, 19000.0));
    engine.add(client(501, 50.0, 0.0, geo::kMaxRangeKm));
    const auto pairs = engine.tick(0);
    QCOMPARE(pairs.size(), 1u);
    QCOMPARE(pairs[0].served, ClientId(500));
    QCOMPARE(pairs[0].partner, ClientId(501));
    QCOMPARE(engine.size(), 200u);
}

void TestMatchEngine::noSelfMatch() {
    MatchEngine engine;
    engine.add(client(1, 0.0, 0.0, geo::kMaxRangeKm));
    QVERIFY(!engine.add(client(1, 0.0, 0.0, geo::kMaxRangeKm))); // same id twice
    QCOMPARE(engine.tick(0).size(), 0u);
    // Two connections of one person (same identity key) never meet.
    MatchCandidate twin = client(2, 0.0, 0.0, geo::kMaxRangeKm);
    twin.identityKey = 1001;
    engine.add(twin);
    QCOMPARE(engine.tick(0).size(), 0u);
    QCOMPARE(engine.size(), 2u);
}

void TestMatchEngine::noDoubleMatch() {
    MatchEngine engine;
    for (ClientId id = 1; id <= 7; ++id)
        engine.add(client(id, 0.0, id * 0.001, 10.0));
    const auto pairs = engine.tick(0);
    QCOMPARE(pairs.size(), 3u);
    std::unordered_set<ClientId> seen;
    for (const MatchResult &r : pairs) {
        QVERIFY(seen.insert(r.served).second);
        QVERIFY(seen.insert(r.partner).second);
        QVERIFY(!engine.contains(r.served));
        QVERIFY(!engine.contains(r.partner));
    }
    QCOMPARE(engine.size(), 1u);
    QCOMPARE(engine.tick(0).size(), 0u);
}

void TestMatchEngine::recentPartnerExclusionExpires() {
    MatchEngine engine;
    // 1 just left 2 (recent partner until t=1000) and the other way round.
    engine.add(client(1, 0.0, 0.0, 10.0, {{1002, 1000}}));
    engine.add(client(2, 0.0, 0.01, 10.0, {{1001, 1000}}));
    QCOMPARE(engine.tick(500).size(), 0u);
    QCOMPARE(engine.pendingCount(), 0u);
    QCOMPARE(engine.tick(999).size(), 0u);
    const auto pairs = engine.tick(1000); // expired: both served again
    QCOMPARE(pairs.size(), 1u);
    QCOMPARE(pairs[0].served, ClientId(1));

    // Only one side remembers: still excluded until it expires.
    MatchEngine oneSided;
    oneSided.add(client(1, 0.0, 0.0, 10.0));
    oneSided.add(client(2, 0.0, 0.01, 10.0, {{1001, 2000}}));
    QCOMPARE(oneSided.tick(0).size(), 0u);
    QCOMPARE(oneSided.tick(2500).size(), 1u);
}

void TestMatchEngine::blockedPairNeverMatched() {
    MatchEngine engine;
    engine.add(client(1, 0.0, 0.0, 10.0, {{1002}})); // blocks 2 forever
    engine.add(client(2, 0.0, 0.01, 10.0));
    QCOMPARE(engine.tick(0).size(), 0u);
    QCOMPARE(engine.tick(std::numeric_limits<std::int64_t>::max() - 1).size(), 0u);
    engine.add(client(3, 0.0, 0.02, 10.0));
    const auto pairs = engine.tick(10);
    QCOMPARE(pairs.size(), 1u);
    QCOMPARE(pairs[0].served, ClientId(3));
    QCOMPARE(pairs[0].partner, ClientId(2)); // nearer to 3 than 1 is
}

void TestMatchEngine::leftoversAreNotServedAgain() {
    MatchEngine engine;
    engine.add(client(1, 0.0, 0.0, 1.0));
    engine.add(client(2, 5.0, 0.0, 1.0));
    QCOMPARE(engine.pendingCount(), 2u);
    QCOMPARE(engine.tick(0).size(), 0u);
    QCOMPARE(engine.pendingCount(), 0u);
    engine.add(client(3, 0.0, 0.005, 1.0));
    QCOMPARE(engine.pendingCount(), 1u);
    const auto pairs = engine.tick(0);
    QCOMPARE(pairs.size(), 1u);
    QCOMPARE(pairs[0].served, ClientId(3));
    QCOMPARE(pairs[0].partner, ClientId(1));
}

void TestMatchEngine::removeAndRestore() {
    MatchEngine engine;
    engine.add(client(1, 0.0, 0.0, 10.0));
    engine.add(client(2, 0.0, 0.01, 10.0));
    QVERIFY(engine.remove(2));
    QVERIFY(!engine.remove(2));
    QVERIFY(!engine.contains(2));
    QCOMPARE(engine.tick(0).size(), 0u);
    QVERIFY(engine.add(client(2, 0.0, 0.01, 10.0))); // back, as a new arrival
    auto pairs = engine.tick(0);
    QCOMPARE(pairs.size(), 1u);
    QCOMPARE(pairs[0].served, ClientId(2));
    QCOMPARE(pairs[0].servedOrder, 2u);
    QCOMPARE(pairs[0].partnerOrder, 0u);

    // Put back with its old place (e.g. its partner left during the tick):
    // it is served before a later arrival although it was re-added after it.
    engine.add(client(3, 0.0, 0.02, 10.0));
    QVERIFY(engine.restore(client(1, 0.0, 0.0, 10.0), 0));
    QVERIFY(!engine.restore(client(1, 0.0, 0.0, 10.0), 0));
    pairs = engine.tick(0);
    QCOMPARE(pairs.size(), 1u);
    QCOMPARE(pairs[0].served, ClientId(1));
    QCOMPARE(pairs[0].servedOrder, 0u);
    QCOMPARE(pairs[0].partner, ClientId(3));
    QCOMPARE(pairs[0].partnerOrder, 3u);
}

void TestMatchEngine::randomizedAgainstAllPairs_data() {
    QTest::addColumn<int>("kind");
    QTest::addColumn<MatchPolicy>("policy");
    QTest::addColumn<int>("seeds");
    QTest::addColumn<int>("perTick");
    const std::pair<const char *, Scenario::Kind> kinds[] = {
        {"world", Scenario::World},     {"antimeridian", Scenario::Antimeridian},
        {"polar", Scenario::Polar},     {"whole-earth", Scenario::WholeEarth},
        {"crowded", Scenario::Crowded}, {"exclusions", Scenario::Exclusions},
        {"city", Scenario::City}};
    for (const auto &[name, kind] : kinds) {
        QTest::addRow("%s nearest", name) << int(kind) << MatchPolicy::NearestEligible << 40 << 60;
        QTest::addRow("%s longest-waiting", name)
            << int(kind) << MatchPolicy::LongestWaiting << 25 << 60;
    }
}

// Same arrivals, departures and clock into the engine and the all-pairs
// reference: every tick must give exactly the same pairs in the same order;
// every pair must be eligible and no two leftovers mutually eligible.
void TestMatchEngine::randomizedAgainstAllPairs() {
    QFETCH(int, kind);
    QFETCH(MatchPolicy, policy);
    QFETCH(int, seeds);
    QFETCH(int, perTick);
    for (int seed = 1; seed <= seeds; ++seed) {
        Scenario scenario(Scenario::Kind(kind), std::uint64_t(seed) * 7919u + kind);
        MatchEngine engine(policy);
        AllPairsMatcher reference(policy);
        std::int64_t now = 1000;
        std::vector<ClientId> live;
        for (int t = 0; t < 8; ++t) {
            const int arrivals = std::uniform_int_distribution<int>(0, perTick)(scenario.rng());
            for (int i = 0; i < arrivals; ++i) {
                const MatchCandidate c = scenario.next(now);
                QVERIFY(engine.add(c));
                reference.add(c);
                live.push_back(c.id);
            }
            // Departures between ticks.
            for (int i = 0; i < arrivals / 10 && !live.empty(); ++i) {
                const auto at =
                    std::uniform_int_distribution<std::size_t>(0, live.size() - 1)(scenario.rng());
                QCOMPARE(engine.remove(live[at]), reference.remove(live[at]));
                live.erase(live.begin() + long(at));
            }
            now += std::uniform_int_distribution<int>(0, 800)(scenario.rng());
            const auto expected = reference.tick(now);
            const auto got = engine.tick(now);
            if (!samePairs(got, expected))
                QFAIL(qPrintable(QStringLiteral("seed %1 tick %2:\n engine    %3\n reference %4")
                                     .arg(seed)
                                     .arg(t)
                                     .arg(describe(got), describe(expected))));
            QCOMPARE(engine.size(), reference.size());
            QCOMPARE(engine.pendingCount(), 0u);
            std::erase_if(live, [&](ClientId id) { return !reference.contains(id); });

            // Every pair eligible (checked by the rule itself, not the engine).
            // No eligible pair among the leftovers.
            const auto waiting = reference.waiting();
            for (std::size_t i = 0; i < waiting.size(); ++i)
                for (std::size_t j = i + 1; j < waiting.size(); ++j)
                    if (referenceEligible(waiting[i], waiting[j], now))
                        QFAIL(qPrintable(QStringLiteral("seed %1: %2 and %3 left waiting")
                                             .arg(seed)
                                             .arg(waiting[i].id)
                                             .arg(waiting[j].id)));
        }
    }
}

void TestMatchEngine::bigBatchAgainstAllPairs_data() {
    QTest::addColumn<int>("kind");
    QTest::addRow("crowded") << int(Scenario::Crowded);
    QTest::addRow("city") << int(Scenario::City);
}

// One batch big enough that the index's median splits take their
// large-range path (several rounds of two-pivot selection, over more than
// 4096 points), with the exact coordinate ties of the crowded rooms, checked
// against the all-pairs reference.
void TestMatchEngine::bigBatchAgainstAllPairs() {
    QFETCH(int, kind);
    constexpr int kClients = 5000;
    Scenario scenario(Scenario::Kind(kind), 4242u + std::uint64_t(kind));
    MatchEngine engine;
    AllPairsMatcher reference;
    for (int i = 0; i < kClients; ++i) {
        const MatchCandidate c = scenario.next(0);
        QVERIFY(engine.add(c));
        reference.add(c);
    }
    const auto expected = reference.tick(1);
    const auto got = engine.tick(1);
    QVERIFY2(samePairs(got, expected), "engine and reference differ");
    QVERIFY(got.size() > kClients / 4);
    QCOMPARE(engine.size(), reference.size());
}

void TestMatchEngine::incrementalEqualsFullTick_data() {
    QTest::addColumn<int>("kind");
    QTest::addColumn<MatchPolicy>("policy");
    QTest::addRow("world nearest") << int(Scenario::World) << MatchPolicy::NearestEligible;
    QTest::addRow("city nearest") << int(Scenario::City) << MatchPolicy::NearestEligible;
    QTest::addRow("polar nearest") << int(Scenario::Polar) << MatchPolicy::NearestEligible;
    QTest::addRow("crowded longest-waiting")
        << int(Scenario::Crowded) << MatchPolicy::LongestWaiting;
    QTest::addRow("exclusions nearest")
        << int(Scenario::Exclusions) << MatchPolicy::NearestEligible;
}

// The claim behind incremental ticks (docs/MATCHING.md): a
// tick that serves only the pending clients yields exactly the pairs of a
// full tick that serves every waiting client, pending ones first.
void TestMatchEngine::incrementalEqualsFullTick() {
    QFETCH(int, kind);
    QFETCH(MatchPolicy, policy);
    for (int seed = 1; seed <= 30; ++seed) {
        Scenario scenario(Scenario::Kind(kind), 104729u * std::uint64_t(seed));
        MatchEngine engine(policy);
        AllPairsMatcher full(policy);
        std::int64_t now = 0;
        for (int t = 0; t < 6; ++t) {
            for (int i = 0; i < 50; ++i) {
                const MatchCandidate c = scenario.next(now);
                engine.add(c);
                full.add(c);
            }
            now += 400;
            const auto expected = full.tick(now, /*serveEveryone=*/true);
            const auto got = engine.tick(now);
            if (!samePairs(got, expected))
                QFAIL(qPrintable(QStringLiteral("seed %1 tick %2:\n incremental %3\n full %4")
                                     .arg(seed)
                                     .arg(t)
                                     .arg(describe(got), describe(expected))));
        }
    }
}

// Thousands of ticks' worth of churn: exercises merging of index levels and
// compaction of dead slots, still checked against the reference.
void TestMatchEngine::longRunWithChurn() {
    Scenario scenario(Scenario::City, 42);
    MatchEngine engine;
    AllPairsMatcher reference;
    std::vector<ClientId> live;
    std::int64_t now = 0;
    std::size_t pairs = 0;
    for (int t = 0; t < 40; ++t) {
        for (int i = 0; i < 400; ++i) {
            MatchCandidate c = scenario.next(now);
            c.rangeKm = scenario.uniform(0.05, 0.6); // sparse: most keep waiting
            engine.add(c);
            reference.add(c);
            live.push_back(c.id);
        }
        for (int i = 0; i < 300 && !live.empty(); ++i) {
            const auto at =
                std::uniform_int_distribution<std::size_t>(0, live.size() - 1)(scenario.rng());
            engine.remove(live[at]);
            reference.remove(live[at]);
            live[at] = live.back();
            live.pop_back();
        }
        now += 250;
        const auto expected = reference.tick(now);
        const auto got = engine.tick(now);
        QVERIFY2(samePairs(got, expected), qPrintable(QStringLiteral("tick %1").arg(t)));
        pairs += got.size();
        std::erase_if(live, [&](ClientId id) { return !reference.contains(id); });
        QCOMPARE(engine.size(), reference.size());
    }
    QVERIFY(pairs > 100);
}

void TestMatchEngine::extremeRanges_data() {
    QTest::addColumn<double>("km");      // distance between the two clients
    QTest::addColumn<double>("rangeKm"); // both ranges
    QTest::addColumn<bool>("matched");
    QTest::addRow("0.1 km, just inside") << 0.0999 << 0.1 << true;
    QTest::addRow("0.1 km, just outside") << 0.1001 << 0.1 << false;
    QTest::addRow("whole Earth, 20015.0 km") << 20015.0 << geo::kMaxRangeKm << true;
    QTest::addRow("whole Earth, 20015.11 km") << 20015.11 << geo::kMaxRangeKm << false;
}

// The smallest and largest ranges at their edges, among a crowd that keeps
// the index several levels deep (so the pair is found through the tree, not
// in one leaf), checked against the all-pairs reference.
void TestMatchEngine::extremeRanges() {
    QFETCH(double, km);
    QFETCH(double, rangeKm);
    QFETCH(bool, matched);
    MatchEngine engine;
    AllPairsMatcher reference;
    const auto both = [&](const MatchCandidate &c) {
        QVERIFY(engine.add(c));
        reference.add(c);
    };
    // 500 clients that reach nobody, spread over the southern hemisphere.
    for (ClientId id = 100; id < 600; ++id)
        both(client(id, -10.0 - double(id % 70), double(id % 300) - 150.0, 0.1));
    QCOMPARE(engine.tick(0).size(), 0u);
    // A at 10N 20E, B `km` away along the meridian (over the pole for the
    // whole-Earth rows).
    const double latB = northOf(10.0, km);
    const double lonB = latB > 90.0 ? -160.0 : 20.0;
    both(client(1, 10.0, 20.0, rangeKm));
    both(client(2, latB > 90.0 ? 180.0 - latB : latB, lonB, rangeKm));
    const auto expected = reference.tick(1);
    const auto got = engine.tick(1);
    QVERIFY2(samePairs(got, expected), qPrintable(describe(got) + " / " + describe(expected)));
    QCOMPARE(got.size(), matched ? 1u : 0u);
}

// Removals that kill every point of many leaves and whole subtrees: the
// index must skip them (and still find the one eligible client far away)
// and never hand out a removed client.
void TestMatchEngine::removalsEmptyWholeSubtrees() {
    MatchEngine engine;
    AllPairsMatcher reference;
    // 4000 clients 1 km apart on a parallel, reaching 0.5 km: nobody matches.
    for (ClientId id = 1; id <= 4000; ++id) {
        const MatchCandidate c = client(id, 45.0, double(id) * 0.0127, 0.5);
        engine.add(c);
        reference.add(c);
    }
    QCOMPARE(engine.tick(0).size(), 0u);
    QCOMPARE(reference.tick(0).size(), 0u);
    // Remove all but every 1000th: long runs of leaves die completely.
    for (ClientId id = 1; id <= 4000; ++id)
        if (id % 1000 != 0) {
            QVERIFY(engine.remove(id));
            reference.remove(id);
        }
    QCOMPARE(engine.size(), 4u);
    // A long-range arrival in the middle of the dead stretch: the nearest
    // live client is 2000 1-km steps away... but out of that client's reach,
    // so nobody; then one that reaches.
    engine.add(client(9001, 45.0, 1500 * 0.0127, 5000.0));
    reference.add(client(9001, 45.0, 1500 * 0.0127, 5000.0));
    QVERIFY(samePairs(engine.tick(1), reference.tick(1)));
    QCOMPARE(engine.size(), 5u);
    engine.add(client(9002, 45.0, 1700 * 0.0127, 2000.0));
    reference.add(client(9002, 45.0, 1700 * 0.0127, 2000.0));
    const auto expected = reference.tick(2);
    const auto got = engine.tick(2);
    QVERIFY2(samePairs(got, expected), qPrintable(describe(got) + " / " + describe(expected)));
    QCOMPARE(got.size(), 1u);
    QCOMPARE(got[0].served, ClientId(9002));
    QCOMPARE(got[0].partner, ClientId(9001));
}

// An engine's first huge page holds its first 28,672 entries and its first
// id map; a bigger room grows past both, compaction moves the entries out of
// it and a later room takes it again. Every client must stay findable
// through all of that, and the engine must free each block exactly once.
void TestMatchEngine::roomBeyondTheFirstBlock() {
    // Clients 1 km apart on a grid, reaching 0.5 km: nobody matches.
    const auto gridClient = [](ClientId id) {
        return client(id, 40.0 + double(id / 400) * 0.009, double(id % 400) * 0.0118, 0.5);
    };
    {
        MatchEngine engine;
        for (ClientId id = 1; id <= 70000; ++id)
            QVERIFY(engine.add(gridClient(id)));
        QCOMPARE(engine.tick(0).size(), 0u);
        QCOMPARE(engine.size(), 70000u);
        QVERIFY(engine.contains(1) && engine.contains(28672) && engine.contains(28673) &&
                engine.contains(70000));
        QVERIFY(!engine.add(gridClient(30000))); // already waiting
        // Most leave: the next tick compacts the entries out of the first
        // block.
        for (ClientId id = 1; id <= 60000; ++id)
            QVERIFY(engine.remove(id));
        QCOMPARE(engine.tick(1).size(), 0u);
        QCOMPARE(engine.size(), 10000u);
        for (ClientId id = 100001; id <= 130000; ++id)
            QVERIFY(engine.add(gridClient(id)));
        QCOMPARE(engine.tick(2).size(), 0u);
        QCOMPARE(engine.size(), 40000u);
        for (const ClientId id : {ClientId(60000), ClientId(100000), ClientId(130001)})
            QVERIFY(!engine.contains(id));
        for (const ClientId id :
             {ClientId(60001), ClientId(70000), ClientId(100001), ClientId(130000)})
            QVERIFY(engine.contains(id));
        // And it still matches: a newcomer 0.2 km from client 65000.
        MatchCandidate near = gridClient(65000);
        near.id = near.identityKey = 200000;
        near.pos.lonDeg += 0.0025;
        QVERIFY(engine.add(near));
        const MatchResults pairs = engine.tick(3);
        QCOMPARE(pairs.size(), 1u);
        QCOMPARE(pairs[0].served, ClientId(200000));
        QCOMPARE(pairs[0].partner, ClientId(65000));
    } // the engine frees its blocks here: a double free would abort
}

// Nodes carry the largest reach below them; when the long-range clients of
// a region leave, the bound must not let a search pair a short-range client
// it cannot reach, and must still let it find the long-range ones left.
void TestMatchEngine::reachBoundsFallAfterRemovals() {
    for (int seed = 1; seed <= 10; ++seed) {
        Scenario scenario(Scenario::City, 7000u + std::uint64_t(seed));
        MatchEngine engine;
        AllPairsMatcher reference;
        std::vector<ClientId> longRange;
        std::int64_t now = 0;
        for (int i = 0; i < 1500; ++i) {
            MatchCandidate c = scenario.next(now);
            const bool reachesFar = scenario.coin(0.1);
            c.rangeKm = reachesFar ? scenario.uniform(50.0, geo::kMaxRangeKm) : 0.05;
            if (reachesFar)
                longRange.push_back(c.id);
            engine.add(c);
            reference.add(c);
        }
        for (int t = 0; t < 4; ++t) {
            now += 100;
            const auto expected = reference.tick(now);
            const auto got = engine.tick(now);
            QVERIFY2(samePairs(got, expected),
                     qPrintable(QStringLiteral("seed %1 tick %2").arg(seed).arg(t)));
            // Most of the long-range clients leave; a few arrive.
            for (std::size_t i = 0; i < longRange.size(); ++i)
                if (scenario.coin(0.7))
                    QCOMPARE(engine.remove(longRange[i]), reference.remove(longRange[i]));
            for (int i = 0; i < 20; ++i) {
                MatchCandidate c = scenario.next(now);
                c.rangeKm = scenario.coin(0.5) ? 0.05 : scenario.uniform(1.0, 30.0);
                engine.add(c);
                reference.add(c);
            }
        }
    }
}

// Clients put back with their old arrival order land in a new small tree
// while their neighbours sit in a big one; ticks that merge trees must keep
// serving them first and pairing only eligible clients.
void TestMatchEngine::restoreAcrossMergedTrees() {
    Scenario scenario(Scenario::City, 99);
    MatchEngine engine;
    std::unordered_map<ClientId, MatchCandidate> waiting;
    std::int64_t now = 0;
    std::size_t restored = 0;
    for (int t = 0; t < 30; ++t) {
        for (int i = 0; i < 150; ++i) {
            MatchCandidate c = scenario.next(now);
            c.rangeKm = scenario.uniform(0.05, 1.5);
            waiting.emplace(c.id, c);
            engine.add(c);
        }
        now += 100;
        const auto pairs = engine.tick(now);
        std::uint64_t lastServed = 0;
        for (const MatchResult &r : pairs) {
            QVERIFY(r.servedOrder >= lastServed); // served in arrival order
            lastServed = r.servedOrder;
            QVERIFY(referenceEligible(waiting.at(r.served), waiting.at(r.partner), now));
            QVERIFY(!engine.contains(r.served) && !engine.contains(r.partner));
            // Every third pair is dropped (as if announcing it failed): both
            // go back with their places.
            if (r.servedOrder % 3 == 0) {
                QVERIFY(engine.restore(waiting.at(r.served), r.servedOrder));
                QVERIFY(engine.restore(waiting.at(r.partner), r.partnerOrder));
                ++restored;
            } else {
                waiting.erase(r.served);
                waiting.erase(r.partner);
            }
        }
        QCOMPARE(engine.size(), waiting.size());
        if (engine.pendingCount() == 0) {
            // Nobody left to serve: no two waiting clients may be eligible.
            std::vector<MatchCandidate> left;
            for (const auto &[id, c] : waiting)
                left.push_back(c);
            for (std::size_t i = 0; i < left.size(); ++i)
                for (std::size_t j = i + 1; j < left.size(); ++j)
                    QVERIFY(!referenceEligible(left[i], left[j], now));
        }
    }
    QVERIFY(restored > 20);
}

// Finite exclusions running out while both clients sit deep in a big tree
// (served again, found through the index), against the reference.
void TestMatchEngine::exclusionsExpireInsideTheIndex() {
    MatchEngine engine;
    AllPairsMatcher reference;
    Scenario scenario(Scenario::Exclusions, 5);
    std::int64_t now = 0;
    for (int t = 0; t < 12; ++t) {
        for (int i = 0; i < (t == 0 ? 2000 : 40); ++i) {
            MatchCandidate c = scenario.next(now);
            c.rangeKm = scenario.uniform(0.2, 3.0);
            engine.add(c);
            reference.add(c);
        }
        now += 500;
        const auto expected = reference.tick(now);
        const auto got = engine.tick(now);
        QVERIFY2(samePairs(got, expected), qPrintable(QStringLiteral("tick %1").arg(t)));
        QCOMPARE(engine.size(), reference.size());
    }
}

// The index's error budget (kChordPad in matchengine.cpp) relies on the
// bounds stated in unitvectors.h: sines and cosines within 2e-11, float
// components within 3e-8. Every thousandth of a degree over a full turn
// and beyond, and the reduction's seams (multiples of 45 degrees) up close.
void TestMatchEngine::unitVectorsWithinTheirBound() {
    std::vector<double> angles;
    for (int i = -540000; i <= 540000; ++i)
        angles.push_back(i / 1000.0);
    for (int k = -12; k <= 12; ++k)
        for (const double nudge : {0.0, 1e-12, 1e-9, 1e-6})
            for (const double sign : {-1.0, 1.0})
                angles.push_back(k * 45.0 + sign * nudge);
    angles.push_back(std::nextafter(180.0, 0.0));
    angles.push_back(-std::nextafter(180.0, 0.0));
    angles.push_back(1e-300);
    std::mt19937_64 rng(7);
    std::uniform_real_distribution<double> any(-180.0, 180.0);
    for (int i = 0; i < 100000; ++i)
        angles.push_back(any(rng));
    while (angles.size() % geo::kUnitLanes != 0)
        angles.push_back(0.0);

    double worstTrig = 0.0;
    double worstComponent = 0.0;
    for (std::size_t i = 0; i < angles.size(); i += geo::kUnitLanes) {
        geo::DoubleV deg;
        geo::DoubleV other;
        for (std::size_t l = 0; l < geo::kUnitLanes; ++l) {
            deg[l] = angles[i + l];
            // A latitude to go with it: the angle folded into [-90, 90].
            other[l] = std::remainder(angles[i + (l + 1) % geo::kUnitLanes], 180.0) / 2.0;
        }
        geo::DoubleV sine;
        geo::DoubleV cosine;
        geo::sinCosDegrees(deg, sine, cosine);
        geo::DoubleV x;
        geo::DoubleV y;
        geo::DoubleV z;
        geo::unitVectors(other, deg, x, y, z);
        for (std::size_t l = 0; l < geo::kUnitLanes; ++l) {
            const long double rad = (long double)deg[l] * std::numbers::pi_v<long double> / 180;
            const long double lat = (long double)other[l] * std::numbers::pi_v<long double> / 180;
            worstTrig = std::max({worstTrig, double(std::fabs(sine[l] - std::sin(rad))),
                                  double(std::fabs(cosine[l] - std::cos(rad)))});
            const long double exact[3] = {std::cos(lat) * std::cos(rad),
                                          std::cos(lat) * std::sin(rad), std::sin(lat)};
            const double got[3] = {x[l], y[l], z[l]};
            for (int k = 0; k < 3; ++k)
                worstComponent =
                    std::max(worstComponent, double(std::fabs(float(got[k]) - exact[k])));
        }
    }
    QVERIFY2(worstTrig <= 2e-11, qPrintable(QString::number(worstTrig)));
    QVERIFY2(worstComponent <= 3e-8, qPrintable(QString::number(worstComponent)));
    // Exact where the reduction lands on a whole quarter turn.
    geo::DoubleV sine;
    geo::DoubleV cosine;
    const double quarters[4][3] = {
        {0.0, 0.0, 1.0}, {90.0, 1.0, 0.0}, {-180.0, 0.0, -1.0}, {270.0, -1.0, 0.0}};
    for (const auto &[deg, expectedSine, expectedCosine] : quarters) {
        geo::sinCosDegrees(geo::DoubleV{} + deg, sine, cosine);
        QCOMPARE(sine[0], expectedSine);
        QCOMPARE(cosine[0], expectedCosine);
    }
}

// Trees and results of up to one huge page come from the engine's cache and
// go back to it; anything else goes to and from the system.
void TestMatchEngine::blockCacheKeepsWholeHugePages() {
    LargeBlockCache cache(2, 3);
    QCOMPARE(cache.cached(), std::size_t(2));
    void *a = cache.allocate(std::size_t(1) << 20, 64);
    void *b = cache.allocate(kHugePageBytes, 64);
    QCOMPARE(cache.cached(), std::size_t(0));
    QVERIFY(a != b);
    QCOMPARE(reinterpret_cast<std::uintptr_t>(a) % kHugePageBytes, std::uintptr_t(0));
    // Taken from the system once the cache is empty, given to it on return.
    void *c = cache.allocate(kLargeBlockFrom, 64);
    QCOMPARE(cache.cached(), std::size_t(0));
    // Neither a small block nor one of two pages is kept.
    void *small = cache.allocate(1024, 64);
    void *big = cache.allocate(kHugePageBytes + 1, 64);
    cache.deallocate(small, 1024, 64);
    cache.deallocate(big, kHugePageBytes + 1, 64);
    QCOMPARE(cache.cached(), std::size_t(0));
    // At most `capacity` are kept; the last one given back is the next out.
    cache.deallocate(a, std::size_t(1) << 20, 64);
    cache.deallocate(b, kHugePageBytes, 64);
    cache.deallocate(c, kLargeBlockFrom, 64);
    QCOMPARE(cache.cached(), std::size_t(3));
    void *d = cache.allocate(kHugePageBytes, 64);
    QCOMPARE(d, c);
    cache.deallocate(d, kHugePageBytes, 64);
    void *e = cache.allocate(kHugePageBytes * 2, 64);
    cache.deallocate(e, kHugePageBytes * 2, 64);
    QCOMPARE(cache.cached(), std::size_t(3));
}

// A tick's results hold a block of the engine's cache, and the cache stays
// with them when the engine goes first (AddressSanitizer would see a use
// after free here).
void TestMatchEngine::resultsOutliveTheEngine() {
    MatchResults kept;
    MatchResults copy;
    {
        MatchEngine engine;
        std::mt19937_64 rng(3);
        std::uniform_real_distribution<double> offset(-0.1, 0.1);
        for (ClientId id = 1; id <= 4000; ++id)
            QVERIFY(engine.add(client(id, 48.0 + offset(rng), 11.0 + offset(rng), 50.0)));
        kept = engine.tick(1);
        QCOMPARE(kept.size(), std::size_t(2000));
        // A copy is a block of its own from the same cache, which it keeps
        // alive as well.
        copy = kept;
        QVERIFY(copy.data() != kept.data());
        QVERIFY(kept.get_allocator().cache());
        QCOMPARE(copy.get_allocator().cache(), kept.get_allocator().cache());
    }
    std::unordered_set<ClientId> seen;
    for (const MatchResult &r : kept) {
        QVERIFY(seen.insert(r.served).second);
        QVERIFY(seen.insert(r.partner).second);
        QVERIFY(r.distanceKm <= 50.0);
    }
    QCOMPARE(seen.size(), std::size_t(4000));
    QCOMPARE(copy.size(), kept.size());
    for (std::size_t i = 0; i < kept.size(); ++i) {
        QCOMPARE(copy[i].served, kept[i].served);
        QCOMPARE(copy[i].partner, kept[i].partner);
        QCOMPARE(copy[i].distanceKm, kept[i].distanceKm);
    }
}

QTEST_APPLESS_MAIN(TestMatchEngine)
#include "tst_matchengine.moc"
