// SPDX-License-Identifier: MIT
// Location privacy end to end: the real whisperchat-server process, real
// WebSocket clients on loopback, and the attacks that once located a waiting
// user to about 0.1 m.
//
// "Matched or not" answers "distance <= my range", and an attacker picks its
// own position and range freely, from as many fresh connections as it likes.
// The server therefore matches on positions snapped to a fixed grid of cells
// about the privacy radius (1 km by default) on a side. The strong assertion
// here: two victims at different points of one cell give the attacker
// exactly the same answers to every probe, so nothing inside a cell can be
// told apart, however many joins the attacker makes.

#include "controlprotocol.h"
#include "geo.h"
#include "privacygrid.h"
#include "serverprocess.h"
#include "testclient.h"

#include <QElapsedTimer>
#include <QProcess>
#include <QProcessEnvironment>
#include <QTemporaryDir>
#include <QTest>
#include <QWebSocket>

#include <algorithm>
#include <array>
#include <cmath>
#include <memory>

using namespace whisper::protocol;
using whisper::geo::GeoPoint;
using whisper::geo::haversineKm;
using whisper::geo::PrivacyGrid;
using whisper::test::ServerProcess;
using whisper::test::TestClient;

namespace {

constexpr double kDegToRad = M_PI / 180.0;
// The server's default privacy radius; the suite's main server runs with
// the defaults, so this is also a check of the default.
constexpr double kRadiusKm = 1.0;

// A point `fy` of the way from the cell's south edge to its north edge and
// `fx` from its west edge to its east edge.
GeoPoint insideCell(const PrivacyGrid &grid, PrivacyGrid::Cell cell, double fy, double fx) {
    const double h = grid.bandHeightDeg();
    const double w = 360.0 / grid.columnsInBand(cell.band);
    return {-90.0 + (cell.band + fy) * h, -180.0 + (cell.column + fx) * w};
}

// `km` from `from` along the initial bearing `bearingDeg` (on the sphere).
GeoPoint destination(GeoPoint from, double bearingDeg, double km) {
    const double d = km / whisper::geo::kEarthRadiusKm;
    const double lat1 = from.latDeg * kDegToRad;
    const double lon1 = from.lonDeg * kDegToRad;
    const double b = bearingDeg * kDegToRad;
    const double lat2 =
        std::asin(std::sin(lat1) * std::cos(d) + std::cos(lat1) * std::sin(d) * std::cos(b));
    const double lon2 = lon1 + std::atan2(std::sin(b) * std::sin(d) * std::cos(lat1),
                                          std::cos(d) - std::sin(lat1) * std::sin(lat2));
    return {lat2 / kDegToRad, lon2 / kDegToRad};
}

// The point whose distances to `centres` best fit `distancesKm`: Gauss-Newton
// on latitude and longitude, as an attacker would trilaterate.
GeoPoint trilaterate(const std::array<GeoPoint, 3> &centres,
                     const std::array<double, 3> &distancesKm, GeoPoint start) {
    GeoPoint x = start;
    const double step = 1e-6; // degrees, about 0.1 m
    for (int iteration = 0; iteration < 50; ++iteration) {
        double jtj[2][2] = {{0, 0}, {0, 0}};
        double jtr[2] = {0, 0};
        for (size_t i = 0; i < centres.size(); ++i) {
            const double r = haversineKm(x, centres[i]) - distancesKm[i];
            const double dLat =
                (haversineKm({x.latDeg + step, x.lonDeg}, centres[i]) - distancesKm[i] - r) / step;
            const double dLon =
                (haversineKm({x.latDeg, x.lonDeg + step}, centres[i]) - distancesKm[i] - r) / step;
            jtj[0][0] += dLat * dLat;
            jtj[0][1] += dLat * dLon;
            jtj[1][1] += dLon * dLon;
            jtr[0] += dLat * r;
            jtr[1] += dLon * r;
        }
        jtj[1][0] = jtj[0][1];
        const double det = jtj[0][0] * jtj[1][1] - jtj[0][1] * jtj[1][0];
        if (std::fabs(det) < 1e-30)
            break;
        x.latDeg -= (jtj[1][1] * jtr[0] - jtj[0][1] * jtr[1]) / det;
        x.lonDeg -= (jtj[0][0] * jtr[1] - jtj[1][0] * jtr[0]) / det;
    }
    return x;
}

QString describe(GeoPoint p) {
    return QStringLiteral("(%1, %2)").arg(p.latDeg, 0, 'f', 6).arg(p.lonDeg, 0, 'f', 6);
}

// Everything the attacker saw and concluded about one victim.
struct AttackResult {
    QList<bool> answers; // matched or not, probe by probe
    GeoPoint byRange;    // estimate of the range search
    GeoPoint byPosition; // estimate of the position search
};

} // namespace

class TestPrivacy : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    void attackerCannotTellPointsOfOneCellApart();
    void distanceBucketComesFromSnappedPositions();
    void eligibilityFollowsTheCells();
    void consoleSeesCoarsenedCellCentres();
    void perIpJoinLimitStopsAFastProbingLoop();
    void perIpJoinLimitEdge();
    void perAccountJoinLimitEdge();
    void privacyRadiusBelowTheMinimumIsRefused_data();
    void privacyRadiusBelowTheMinimumIsRefused();

private:
    std::unique_ptr<TestClient> connected(const ServerProcess &server);
    // One probe on a fresh connection: joins at `at` with `rangeKm`, learns
    // whether it was matched, leaves. A victim it was matched with re-queues
    // at its place, as a real user pressing "next" would.
    bool probe(TestClient &victim, GeoPoint victimAt, GeoPoint at, double rangeKm, bool *ok);
    AttackResult attack(GeoPoint victimAt, GeoPoint townCentre);

    std::unique_ptr<ServerProcess> m_server;
    QStringList m_secretCoordinates;
};

void TestPrivacy::initTestCase() {
    // Defaults (privacy radius 1 km) but a short tick, so the ~170 probes
    // take seconds. The test servers exempt loopback from the chat rate
    // limits; the limits have their own tests below.
    m_server = std::make_unique<ServerProcess>(
        QStringList{QStringLiteral("--tick-ms"), QStringLiteral("20")});
    QVERIFY2(m_server->start(), m_server->log().constData());
}

void TestPrivacy::cleanupTestCase() {
    QVERIFY(m_server->terminate());
    // Exact coordinates never reach the log.
    const QByteArray log = m_server->log();
    for (const QString &c : std::as_const(m_secretCoordinates))
        QVERIFY2(!log.contains(c.toUtf8()), qPrintable(c));
}

std::unique_ptr<TestClient> TestPrivacy::connected(const ServerProcess &server) {
    auto client = std::make_unique<TestClient>();
    if (!client->connectTo(server.chatUrl()))
        return nullptr;
    return client;
}

bool TestPrivacy::probe(TestClient &victim, GeoPoint victimAt, GeoPoint at, double rangeKm,
                        bool *ok) {
    *ok = false;
    auto attacker = connected(*m_server);
    if (!attacker)
        return false;
    attacker->send(Join{at.latDeg, at.lonDeg, rangeKm});
    if (!attacker->waitFor<Waiting>())
        return false;
    // Barriers instead of timeouts: two clients far away that only match
    // each other, joining after the attacker waits. Once they are matched, a
    // tick has served the attacker: the matchmaker hands out a tick's pairs
    // in one go, so any `matched` for the attacker is already sent. The
    // answer to its `leave` then comes after that `matched` on the same
    // connection.
    const GeoPoint far{-60.0, -100.0};
    auto first = TestClient::waitingAt(m_server->chatUrl(), far.latDeg, far.lonDeg, 1);
    auto second = TestClient::waitingAt(m_server->chatUrl(), far.latDeg, far.lonDeg, 1);
    if (!first || !second || !first->waitFor<Matched>() || !second->waitFor<Matched>())
        return false;
    attacker->send(Leave{});
    if (!attacker->waitFor<Left>())
        return false;
    const QList<ServerMessage> before = attacker->unread();
    const bool matched = std::any_of(before.cbegin(), before.cend(), [](const ServerMessage &m) {
        return std::holds_alternative<Matched>(m);
    });
    if (matched) {
        // The victim was the only one the attacker could meet.
        if (!victim.waitFor<Matched>() || !victim.waitFor<PartnerLeft>())
            return false;
        victim.send(Join{victimAt.latDeg, victimAt.lonDeg, 50});
        if (!victim.waitFor<Waiting>())
            return false;
    }
    *ok = true;
    return matched;
}

AttackResult TestPrivacy::attack(GeoPoint victimAt, GeoPoint townCentre) {
    AttackResult result;
    auto victim = TestClient::waitingAt(m_server->chatUrl(), victimAt.latDeg, victimAt.lonDeg, 50);
    if (!victim)
        return result;
    const PrivacyGrid grid(kRadiusKm);
    bool ok = true;
    auto ask = [&](GeoPoint at, double rangeKm) {
        bool probeOk = false;
        const bool matched = ok && probe(*victim, victimAt, at, rangeKm, &probeOk);
        ok = ok && probeOk;
        result.answers << matched;
        return matched;
    };

    // (a) Range search: from three points 4 km out, binary-search the range
    // at which the victim is met. The attacker knows the grid and stands on
    // cell centres, so its own snap costs it nothing: the strongest version.
    std::array<GeoPoint, 3> stations;
    std::array<double, 3> ranges;
    for (int i = 0; i < 3; ++i) {
        stations[i] = grid.snap(destination(townCentre, 120.0 * i + 10.0, 4.0));
        double lo = 0.0;
        double hi = 20.0;
        for (int step = 0; step < 15; ++step) { // 20 km / 2^15: 0.6 m
            const double mid = (lo + hi) / 2;
            (ask(stations[i], mid) ? hi : lo) = mid;
        }
        ranges[i] = hi;
    }
    result.byRange = trilaterate(stations, ranges, townCentre);

    // (b) Position search: a fixed range of 3 km, and the attacker walks its
    // own position along three rays towards the town centre, binary-searching
    // the point where the victim comes into range.
    constexpr double kFixedRangeKm = 3.0;
    std::array<GeoPoint, 3> edges;
    for (int i = 0; i < 3; ++i) {
        const GeoPoint start = destination(townCentre, 120.0 * i + 70.0, 9.0);
        auto along = [&](double t) {
            return GeoPoint{start.latDeg + t * (townCentre.latDeg - start.latDeg),
                            start.lonDeg + t * (townCentre.lonDeg - start.lonDeg)};
        };
        double lo = 0.0;                        // 9 km out: out of range
        double hi = 1.0;                        // the town centre: in range
        for (int step = 0; step < 13; ++step) { // 9 km / 2^13: 1.1 m
            const double mid = (lo + hi) / 2;
            (ask(along(mid), kFixedRangeKm) ? hi : lo) = mid;
        }
        edges[i] = along(hi);
    }
    result.byPosition =
        trilaterate(edges, {kFixedRangeKm, kFixedRangeKm, kFixedRangeKm}, townCentre);
    // Gone for sure before the next victim waits in the same cell.
    victim->send(Leave{});
    if (!ok || !victim->waitFor<Left>())
        result.answers.clear();
    return result;
}

void TestPrivacy::attackerCannotTellPointsOfOneCellApart() {
    // Two victims in the cell of Berlin's centre, near opposite corners:
    // about 0.9 km apart, each about 0.45 km from the cell centre.
    const PrivacyGrid grid(kRadiusKm);
    const GeoPoint town{52.52, 13.405};
    const auto cell = grid.cellOf(town);
    const GeoPoint centre = grid.centreOf(cell);
    const GeoPoint victims[] = {insideCell(grid, cell, 0.17, 0.21),
                                insideCell(grid, cell, 0.86, 0.78)};
    for (const GeoPoint &v : victims) {
        QVERIFY(grid.cellOf(v) == cell);
        QVERIFY(haversineKm(v, centre) > 0.4);
        m_secretCoordinates << QString::number(v.latDeg, 'f', 4)
                            << QString::number(v.lonDeg, 'f', 4);
    }
    const double apartKm = haversineKm(victims[0], victims[1]);
    QVERIFY(apartKm > 0.8);

    QElapsedTimer timer;
    timer.start();
    const AttackResult first = attack(victims[0], town);
    QVERIFY2(!first.answers.isEmpty(), "the first attack did not run to the end");
    const AttackResult second = attack(victims[1], town);
    QVERIFY2(!second.answers.isEmpty(), "the second attack did not run to the end");
    qInfo("%lld probes per victim in %lld ms; range search: %s and %s km off, position search: "
          "%s and %s km off",
          qlonglong(first.answers.size()), timer.elapsed(),
          qPrintable(QString::number(haversineKm(first.byRange, victims[0]), 'f', 4)),
          qPrintable(QString::number(haversineKm(second.byRange, victims[1]), 'f', 4)),
          qPrintable(QString::number(haversineKm(first.byPosition, victims[0]), 'f', 4)),
          qPrintable(QString::number(haversineKm(second.byPosition, victims[1]), 'f', 4)));

    // The strong guarantee: every answer is the same for both victims, so no
    // sequence of such probes can tell them apart.
    QCOMPARE(first.answers, second.answers);

    // What the range search learns is the victim's cell centre, and that is
    // all: it is as far from each victim as the victim is from the centre.
    QVERIFY2(haversineKm(first.byRange, centre) < 0.05, qPrintable(describe(first.byRange)));
    for (int i = 0; i < 2; ++i) {
        const AttackResult &r = i == 0 ? first : second;
        QVERIFY2(haversineKm(r.byRange, victims[i]) > 0.35,
                 qPrintable(describe(r.byRange) + QStringLiteral(" for ") + describe(victims[i])));
    }
    // The position search gives one estimate for two victims 0.8+ km apart:
    // it misses at least one of them by half of that.
    QCOMPARE(first.byPosition.latDeg, second.byPosition.latDeg);
    QCOMPARE(first.byPosition.lonDeg, second.byPosition.lonDeg);
    QVERIFY(std::max(haversineKm(first.byPosition, victims[0]),
                     haversineKm(second.byPosition, victims[1])) >= apartKm / 2);
}

void TestPrivacy::distanceBucketComesFromSnappedPositions() {
    // Two clients 8 m apart across the north-east corner of a cell in Paris:
    // their cell centres are more than 1 km apart, so they see "within 2 km"
    // where their raw positions would give "within 1 km".
    const PrivacyGrid grid(kRadiusKm);
    const auto cell = grid.cellOf({48.8566, 2.3522});
    const GeoPoint corner = insideCell(grid, cell, 1.0, 1.0);
    const GeoPoint a{corner.latDeg - 0.00003, corner.lonDeg - 0.00003};
    const GeoPoint b{corner.latDeg + 0.00003, corner.lonDeg + 0.00003};
    const double snappedKm = haversineKm(grid.snap(a), grid.snap(b));
    QCOMPARE(whisper::geo::distanceBucketKm(haversineKm(a, b)), 1);
    QVERIFY2(whisper::geo::distanceBucketKm(snappedKm) == 2,
             qPrintable(QString::number(snappedKm)));

    auto first = TestClient::waitingAt(m_server->chatUrl(), a.latDeg, a.lonDeg, 5);
    auto second = TestClient::waitingAt(m_server->chatUrl(), b.latDeg, b.lonDeg, 5);
    QVERIFY(first && second);
    const auto matchedA = first->waitFor<Matched>();
    const auto matchedB = second->waitFor<Matched>();
    QVERIFY(matchedA && matchedB);
    QCOMPARE(matchedA->distanceKm, 2.0);
    QCOMPARE(matchedB->distanceKm, 2.0);
}

void TestPrivacy::eligibilityFollowsTheCells() {
    // Eligibility is decided on cell centres: it can differ from the raw
    // positions' by up to about one cell diagonal either way.
    const PrivacyGrid grid(kRadiusKm);
    const auto cell = grid.cellOf({40.4168, -3.7038}); // Madrid
    // 1.2 km apart in one cell, ranges of 200 m: matched.
    const GeoPoint sw = insideCell(grid, cell, 0.05, 0.05);
    const GeoPoint ne = insideCell(grid, cell, 0.95, 0.95);
    QVERIFY(haversineKm(sw, ne) > 1.0);
    auto a = TestClient::waitingAt(m_server->chatUrl(), sw.latDeg, sw.lonDeg, 0.2);
    auto b = TestClient::waitingAt(m_server->chatUrl(), ne.latDeg, ne.lonDeg, 0.2);
    QVERIFY(a && b);
    QVERIFY(a->waitFor<Matched>());
    QVERIFY(b->waitFor<Matched>());

    // 8 m apart across the cell's north-east corner, ranges of 500 m: their
    // cell centres are about 1.1 km apart, so never matched.
    const GeoPoint corner = insideCell(grid, cell, 1.0, 1.0);
    auto c = TestClient::waitingAt(m_server->chatUrl(), corner.latDeg - 0.00003,
                                   corner.lonDeg - 0.00003, 0.5);
    auto d = TestClient::waitingAt(m_server->chatUrl(), corner.latDeg + 0.00003,
                                   corner.lonDeg + 0.00003, 0.5);
    QVERIFY(c && d);
    QVERIFY(c->staysWithout<Matched>(500)); // 25 ticks
    QVERIFY(d->staysWithout<Matched>(0));
}

void TestPrivacy::consoleSeesCoarsenedCellCentres() {
    // The admin console's map gets positions rounded to 0.1 degree, and
    // those come from the cell centre: a client on the other side of a 0.1
    // degree line from its cell centre shows on the centre's side.
    const PrivacyGrid grid(kRadiusKm);
    const double lineLat = 52.55;
    const double lineLon = 13.45;
    const auto cell = grid.cellOf({lineLat, lineLon});
    const GeoPoint centre = grid.centreOf(cell);
    const GeoPoint southWest = insideCell(grid, cell, 0.0, 0.0);
    const GeoPoint northEast = insideCell(grid, cell, 1.0, 1.0);
    const GeoPoint raw{centre.latDeg < lineLat ? (lineLat + northEast.latDeg) / 2
                                               : (southWest.latDeg + lineLat) / 2,
                       centre.lonDeg < lineLon ? (lineLon + northEast.lonDeg) / 2
                                               : (southWest.lonDeg + lineLon) / 2};
    using whisper::control::coarsen;
    QVERIFY(grid.cellOf(raw) == cell);
    QVERIFY(coarsen(raw.latDeg) != coarsen(centre.latDeg));
    QVERIFY(coarsen(raw.lonDeg) != coarsen(centre.lonDeg));

    // An admin made the way an operator does it, and a server on its data.
    QTemporaryDir dir;
    const QString password = QStringLiteral("correct horse battery");
    QProcess user;
    user.start(ServerProcess::binary(QStringLiteral("whisperchat-server")),
               {QStringLiteral("user"), QStringLiteral("add"), QStringLiteral("root"),
                QStringLiteral("--role"), QStringLiteral("admin"),
                QStringLiteral("--password-stdin"), QStringLiteral("--data-dir"), dir.path(),
                QStringLiteral("--argon2-ops"), QStringLiteral("1"),
                QStringLiteral("--argon2-mem-kib"), QStringLiteral("256")});
    QVERIFY(user.waitForStarted());
    user.write(password.toUtf8() + '\n');
    user.closeWriteChannel();
    QVERIFY(user.waitForFinished(30000));
    QVERIFY2(user.exitCode() == 0, user.readAllStandardError().constData());
    ServerProcess server({QStringLiteral("--data-dir"), dir.path(), QStringLiteral("--argon2-ops"),
                          QStringLiteral("1"), QStringLiteral("--argon2-mem-kib"),
                          QStringLiteral("256")});
    QVERIFY2(server.start(), server.log().constData());

    namespace control = whisper::control;
    QWebSocket console;
    QList<control::ServerMessage> inbox;
    QList<control::WaitingClient> waiting;
    connect(&console, &QWebSocket::textMessageReceived, this, [&](const QString &text) {
        const auto decoded = control::Codec::decodeServer(text.toUtf8());
        if (const auto *m = std::get_if<control::ServerMessage>(&decoded)) {
            inbox << *m;
            if (const auto *page = std::get_if<control::Snapshot>(m))
                waiting << page->waiting;
            if (const auto *delta = std::get_if<control::Delta>(m))
                waiting << delta->waitingAdded;
        }
    });
    auto received = [&](auto type) {
        using T = decltype(type);
        return QTest::qWaitFor(
            [&] {
                return std::any_of(inbox.cbegin(), inbox.cend(),
                                   [](const auto &m) { return std::holds_alternative<T>(m); });
            },
            5000);
    };
    console.open(server.controlUrl());
    QVERIFY(received(control::Hello{}));
    console.sendTextMessage(QString::fromUtf8(control::Codec::encode(
        control::ConsoleMessage{control::Login{1, QStringLiteral("root"), password, {}}})));
    QVERIFY(received(control::LoggedIn{}));
    console.sendTextMessage(
        QString::fromUtf8(control::Codec::encode(control::ConsoleMessage{control::Subscribe{2}})));
    QVERIFY(received(control::Snapshot{}));

    auto client = TestClient::waitingAt(server.chatUrl(), raw.latDeg, raw.lonDeg, 5);
    QVERIFY(client);
    QTRY_COMPARE_WITH_TIMEOUT(waiting.size(), 1, 5000);
    QCOMPARE(waiting.first().lat, coarsen(centre.latDeg));
    QCOMPARE(waiting.first().lon, coarsen(centre.lonDeg));
    console.close();
    QVERIFY(server.terminate());
}

void TestPrivacy::perIpJoinLimitStopsAFastProbingLoop() {
    // The defaults (40 joins at once, one more every 1.5 s per address), no
    // exemption for loopback, and a connection limit out of the way: fresh
    // connections do not get fresh join allowances.
    ServerProcess server({QStringLiteral("--rate-exempt"), QString(),
                          QStringLiteral("--rate-connect-burst"), QStringLiteral("1000")});
    QVERIFY2(server.start(), server.log().constData());
    QElapsedTimer timer;
    timer.start();
    int joined = 0;
    std::optional<Error> refusal;
    for (int i = 0; i < 100 && !refusal; ++i) {
        auto probe = connected(server);
        QVERIFY(probe);
        probe->send(Join{52.52, 13.405 + i * 0.001, 1});
        const auto reply = probe->next();
        QVERIFY(reply);
        if (std::holds_alternative<Waiting>(*reply)) {
            ++joined;
            probe->send(Leave{});
            QVERIFY(probe->waitFor<Left>());
        } else {
            refusal = std::get<Error>(*reply);
        }
    }
    QVERIFY2(refusal, "100 joins from fresh connections were never limited");
    QCOMPARE(toString(refusal->code), toString(ErrorCode::RateLimited));
    QCOMPARE(refusal->ref, QStringLiteral("join"));
    QVERIFY(refusal->retryAfterMs && *refusal->retryAfterMs > 0 && *refusal->retryAfterMs <= 1500);
    // The burst, plus what drained while the loop ran.
    QVERIFY2(joined >= 40 && joined <= 40 + timer.elapsed() / 1500 + 1,
             qPrintable(QStringLiteral("%1 joins in %2 ms").arg(joined).arg(timer.elapsed())));
    QVERIFY(server.terminate());
}

void TestPrivacy::perIpJoinLimitEdge() {
    ServerProcess server({QStringLiteral("--rate-exempt"), QString(),
                          QStringLiteral("--rate-join-ip-burst"), QStringLiteral("3"),
                          QStringLiteral("--rate-join-ip-leak-ms"), QStringLiteral("600000")});
    QVERIFY2(server.start(), server.log().constData());
    // Three joins from three connections: the burst, exactly.
    std::vector<std::unique_ptr<TestClient>> clients;
    for (int i = 0; i < 3; ++i) {
        clients.push_back(TestClient::waitingAt(server.chatUrl(), 10, 10 + i, 1));
        QVERIFY(clients.back());
    }
    auto fourth = connected(server);
    QVERIFY(fourth);
    fourth->send(Join{10, 20, 1});
    const auto error = fourth->waitFor<Error>();
    QVERIFY(error);
    QCOMPARE(toString(error->code), toString(ErrorCode::RateLimited));
    QCOMPARE(error->ref, QStringLiteral("join"));
    QVERIFY(error->retryAfterMs && *error->retryAfterMs > 590000 && *error->retryAfterMs <= 600000);
    QVERIFY(fourth->isConnected());
    QVERIFY(server.terminate());
}

void TestPrivacy::perAccountJoinLimitEdge() {
    // An account's joins count together across its connections; guests on
    // the same address are not affected by it.
    ServerProcess server({QStringLiteral("--rate-exempt"), QString(),
                          QStringLiteral("--argon2-ops"), QStringLiteral("1"),
                          QStringLiteral("--argon2-mem-kib"), QStringLiteral("256"),
                          QStringLiteral("--rate-join-account-burst"), QStringLiteral("3"),
                          QStringLiteral("--rate-join-account-leak-ms"), QStringLiteral("600000")});
    QVERIFY2(server.start(), server.log().constData());
    auto phone = connected(server);
    QVERIFY(phone);
    phone->send(Register{QStringLiteral("wanderer"), QStringLiteral("correct horse battery")});
    const auto auth = phone->waitFor<Authenticated>();
    QVERIFY(auth);
    auto laptop = connected(server);
    QVERIFY(laptop);
    laptop->send(Resume{auth->token});
    QVERIFY(laptop->waitFor<Authenticated>());

    // Two joins on one connection and one on the other: the burst, exactly.
    for (TestClient *c : {phone.get(), phone.get(), laptop.get()}) {
        c->send(Join{-1.29, 36.82, 1});
        QVERIFY(c->waitFor<Waiting>());
        c->send(Leave{});
        QVERIFY(c->waitFor<Left>());
    }
    laptop->send(Join{-1.29, 36.82, 1});
    const auto error = laptop->waitFor<Error>();
    QVERIFY(error);
    QCOMPARE(toString(error->code), toString(ErrorCode::RateLimited));
    QVERIFY(error->retryAfterMs && *error->retryAfterMs > 590000);
    auto guest = TestClient::waitingAt(server.chatUrl(), -1.29, 36.82, 1);
    QVERIFY(guest);
    QVERIFY(server.terminate());
}

void TestPrivacy::privacyRadiusBelowTheMinimumIsRefused_data() {
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("envValue");
    QTest::addColumn<bool>("starts");
    QTest::addRow("499 m on the command line")
        << QStringList{QStringLiteral("--privacy-radius-m"), QStringLiteral("499")} << QString()
        << false;
    QTest::addRow("100 m in the environment") << QStringList{} << QStringLiteral("100") << false;
    QTest::addRow("500 m, the minimum")
        << QStringList{QStringLiteral("--privacy-radius-m"), QStringLiteral("500")} << QString()
        << true;
}

void TestPrivacy::privacyRadiusBelowTheMinimumIsRefused() {
    QFETCH(QStringList, args);
    QFETCH(QString, envValue);
    QFETCH(bool, starts);
    ServerProcess server(args);
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    if (!envValue.isEmpty())
        env.insert(QStringLiteral("WHISPERCHAT_PRIVACY_RADIUS_M"), envValue);
    server.setEnvironment(env);
    QCOMPARE(server.start(), starts);
    if (starts) {
        QVERIFY(server.terminate());
        return;
    }
    QTRY_VERIFY_WITH_TIMEOUT(!server.isRunning(), 5000);
    QCOMPARE(server.exitCode(), 2);
    const QByteArray log = server.log();
    QVERIFY2(log.contains("must be at least 500 metres"), log.constData());
    QVERIFY2(log.contains("PRIVACY_RADIUS_M") || log.contains("privacy-radius-m"), log.constData());
}

QTEST_MAIN(TestPrivacy)
#include "tst_privacy.moc"
