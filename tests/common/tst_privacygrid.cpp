// SPDX-License-Identifier: MIT
#include "privacygrid.h"

#include <QTest>

#include <cmath>

using namespace whisper::geo;

namespace {

QString describe(GeoPoint p) {
    return QStringLiteral("(%1, %2)").arg(p.latDeg, 0, 'f', 9).arg(p.lonDeg, 0, 'f', 9);
}

// The edges of a cell in degrees, from the grid's own layout.
struct Bounds {
    double south, north, west, east;
};

Bounds boundsOf(const PrivacyGrid &grid, PrivacyGrid::Cell cell) {
    const double h = grid.bandHeightDeg();
    const double w = 360.0 / grid.columnsInBand(cell.band);
    return {-90.0 + cell.band * h, -90.0 + (cell.band + 1) * h, -180.0 + cell.column * w,
            -180.0 + (cell.column + 1) * w};
}

} // namespace

// The grid the server snaps every joining position to before matching. The
// privacy guarantee rests on three properties checked here: the snap is a
// pure function of the place (no per-join noise to average out), every point
// of a cell gives the same centre (so nothing inside a cell can be told
// apart), and the snap moves a point by no more than about half a cell
// diagonal (so matching stays close to what the raw positions would give).
class TestPrivacyGrid : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void samePlaceSameCentre_data();
    void samePlaceSameCentre();
    void everyPointOfACellGivesOneCentre_data();
    void everyPointOfACellGivesOneCentre();
    void snapMovesAtMostHalfACellDiagonal_data();
    void snapMovesAtMostHalfACellDiagonal();
    void cellsAreAboutTheRadiusEverywhere_data();
    void cellsAreAboutTheRadiusEverywhere();
    void polesAndAntimeridian_data();
    void polesAndAntimeridian();
};

void TestPrivacyGrid::samePlaceSameCentre_data() {
    QTest::addColumn<double>("cellKm");
    QTest::addColumn<double>("lat");
    QTest::addColumn<double>("lon");
    QTest::addRow("Berlin, 1 km") << 1.0 << 52.520008 << 13.404954;
    QTest::addRow("Sydney, 1 km") << 1.0 << -33.8688 << 151.2093;
    QTest::addRow("equator, 0.5 km") << 0.5 << 0.0 << 0.0;
    QTest::addRow("Svalbard, 2 km") << 2.0 << 78.2232 << 15.6267;
    QTest::addRow("near the south pole, 1 km") << 1.0 << -89.99 << -45.0;
    QTest::addRow("Fiji, 1 km") << 1.0 << -17.7134 << 179.9999;
}

void TestPrivacyGrid::samePlaceSameCentre() {
    QFETCH(double, cellKm);
    QFETCH(double, lat);
    QFETCH(double, lon);
    // A second grid of the same size stands for another join, another
    // connection or a restarted server: nothing per session enters the snap.
    const PrivacyGrid first(cellKm);
    const PrivacyGrid second(cellKm);
    const GeoPoint a = first.snap({lat, lon});
    for (int i = 0; i < 3; ++i) {
        const GeoPoint b = second.snap({lat, lon});
        QCOMPARE(b.latDeg, a.latDeg);
        QCOMPARE(b.lonDeg, a.lonDeg);
    }
    // The centre is a fixed point: snapping it again changes nothing.
    const GeoPoint again = first.snap(a);
    QCOMPARE(again.latDeg, a.latDeg);
    QCOMPARE(again.lonDeg, a.lonDeg);
}

void TestPrivacyGrid::everyPointOfACellGivesOneCentre_data() {
    QTest::addColumn<double>("cellKm");
    QTest::addColumn<double>("lat");
    QTest::addColumn<double>("lon");
    QTest::addRow("Berlin, 1 km") << 1.0 << 52.52 << 13.405;
    QTest::addRow("equator, 1 km") << 1.0 << 0.001 << 0.001;
    QTest::addRow("Nairobi, 0.5 km") << 0.5 << -1.2921 << 36.8219;
    QTest::addRow("Ushuaia, 5 km") << 5.0 << -54.8019 << -68.303;
    QTest::addRow("band touching the north pole, 1 km") << 1.0 << 89.999 << 100.0;
    QTest::addRow("west of the antimeridian, 1 km") << 1.0 << 65.6 << 179.995;
    QTest::addRow("east of the antimeridian, 1 km") << 1.0 << 65.6 << -179.995;
}

void TestPrivacyGrid::everyPointOfACellGivesOneCentre() {
    QFETCH(double, cellKm);
    QFETCH(double, lat);
    QFETCH(double, lon);
    const PrivacyGrid grid(cellKm);
    const auto cell = grid.cellOf({lat, lon});
    const GeoPoint centre = grid.centreOf(cell);
    const Bounds b = boundsOf(grid, cell);
    QVERIFY2(lat >= b.south && lat < b.north && lon >= b.west && lon < b.east,
             qPrintable(describe({lat, lon})));
    // A 9 x 9 lattice over the cell, corners just inside the edges.
    const double inset = 1e-9;
    for (int i = 0; i <= 8; ++i) {
        for (int j = 0; j <= 8; ++j) {
            const GeoPoint p{b.south + inset + (b.north - b.south - 2 * inset) * i / 8.0,
                             b.west + inset + (b.east - b.west - 2 * inset) * j / 8.0};
            const GeoPoint s = grid.snap(p);
            QVERIFY2(s.latDeg == centre.latDeg && s.lonDeg == centre.lonDeg,
                     qPrintable(describe(p) + QStringLiteral(" -> ") + describe(s)));
        }
    }
    // Just across each edge is another cell (unless the edge is a pole).
    const double across = 1e-7;
    const double midLat = (b.south + b.north) / 2;
    const double midLon = (b.west + b.east) / 2;
    const GeoPoint outside[] = {{midLat, b.west - across},
                                {midLat, b.east + across},
                                {b.south - across, midLon},
                                {b.north + across, midLon}};
    for (GeoPoint p : outside) {
        if (p.latDeg > 90.0 || p.latDeg < -90.0)
            continue;
        if (p.lonDeg > 180.0)
            p.lonDeg -= 360.0;
        if (p.lonDeg < -180.0)
            p.lonDeg += 360.0;
        QVERIFY2(!(grid.cellOf(p) == cell), qPrintable(describe(p)));
    }
}

void TestPrivacyGrid::snapMovesAtMostHalfACellDiagonal_data() {
    QTest::addColumn<double>("cellKm");
    QTest::addColumn<double>("south");
    QTest::addColumn<double>("north");
    QTest::addColumn<double>("bound"); // in cells
    // Away from the poles cells are nearly square: half a diagonal is 0.707.
    QTest::addRow("tropics, 1 km") << 1.0 << -23.5 << 23.5 << 0.72;
    QTest::addRow("mid latitudes, 1 km") << 1.0 << 30.0 << 70.0 << 0.72;
    QTest::addRow("southern mid latitudes, 0.5 km") << 0.5 << -70.0 << -30.0 << 0.72;
    QTest::addRow("high latitudes, 3 km") << 3.0 << 70.0 << 89.0 << 0.72;
    // The few bands around a pole hold wedges rather than squares.
    QTest::addRow("north polar cap, 1 km") << 1.0 << 89.9 << 90.0 << 0.9;
    QTest::addRow("south polar cap, 1 km") << 1.0 << -90.0 << -89.9 << 0.9;
    QTest::addRow("north polar cap, 10 km") << 10.0 << 89.0 << 90.0 << 0.9;
}

void TestPrivacyGrid::snapMovesAtMostHalfACellDiagonal() {
    QFETCH(double, cellKm);
    QFETCH(double, south);
    QFETCH(double, north);
    QFETCH(double, bound);
    const PrivacyGrid grid(cellKm);
    double worst = 0.0;
    // An irrational-ish stride so samples fall at every offset within cells.
    for (int i = 0; i <= 20000; ++i) {
        const double lat = south + (north - south) * i / 20000.0;
        const double lon = std::fmod(i * 137.50776405, 360.0) - 180.0;
        const GeoPoint p{lat, lon};
        const double moved = haversineKm(p, grid.snap(p)) / cellKm;
        worst = std::max(worst, moved);
        QVERIFY2(moved <= bound,
                 qPrintable(describe(p) + QStringLiteral(" moved %1 cells").arg(moved)));
    }
    // The bound is tight enough to mean something: corners do get close to it.
    QVERIFY2(worst > 0.6, qPrintable(QString::number(worst)));
}

void TestPrivacyGrid::cellsAreAboutTheRadiusEverywhere_data() {
    QTest::addColumn<double>("cellKm");
    QTest::addColumn<double>("lat");
    QTest::addRow("equator, 1 km") << 1.0 << 0.0;
    QTest::addRow("Berlin, 1 km") << 1.0 << 52.52;
    QTest::addRow("Longyearbyen, 1 km") << 1.0 << 78.22;
    QTest::addRow("89.5 degrees, 1 km") << 1.0 << 89.5;
    QTest::addRow("Oslo, 0.5 km") << 0.5 << 59.91;
    QTest::addRow("Cape Town, 20 km") << 20.0 << -33.92;
}

void TestPrivacyGrid::cellsAreAboutTheRadiusEverywhere() {
    QFETCH(double, cellKm);
    QFETCH(double, lat);
    const PrivacyGrid grid(cellKm);
    const auto cell = grid.cellOf({lat, 10.0});
    const GeoPoint centre = grid.centreOf(cell);
    const int columns = grid.columnsInBand(cell.band);
    const GeoPoint east = grid.centreOf({cell.band, (cell.column + 1) % columns});
    const GeoPoint north = grid.centreOf({cell.band + 1, 0});
    const double height = haversineKm(centre, {north.latDeg, centre.lonDeg}) / cellKm;
    const double width = haversineKm(centre, east) / cellKm;
    QVERIFY2(height > 0.99 && height < 1.01, qPrintable(QString::number(height)));
    // Whole numbers of cells per band: the width is off by at most half a
    // cell spread over the band's circumference.
    QVERIFY2(width > 0.98 && width < 1.02, qPrintable(QString::number(width)));
}

void TestPrivacyGrid::polesAndAntimeridian_data() {
    QTest::addColumn<double>("lat1");
    QTest::addColumn<double>("lon1");
    QTest::addColumn<double>("lat2");
    QTest::addColumn<double>("lon2");
    QTest::addColumn<bool>("sameCell");
    QTest::addRow("180 is -180 on the equator") << 0.0 << 180.0 << 0.0 << -180.0 << true;
    QTest::addRow("180 is -180 at 60 N") << 60.0 << 180.0 << 60.0 << -180.0 << true;
    QTest::addRow("north pole, any longitude") << 90.0 << 0.0 << 90.0 << 137.0 << true;
    QTest::addRow("south pole, any longitude") << -90.0 << -180.0 << -90.0 << 180.0 << true;
    QTest::addRow("south pole, any other longitude") << -90.0 << 45.0 << -90.0 << -120.0 << true;
    QTest::addRow("either side of the antimeridian")
        << 10.0 << 179.9999 << 10.0 << -179.9999 << false;
    // 20015 bands of 1 km: the equator runs through the middle of one.
    QTest::addRow("11 m either side of the equator") << 0.0001 << 5.0 << -0.0001 << 5.0 << true;
}

void TestPrivacyGrid::polesAndAntimeridian() {
    QFETCH(double, lat1);
    QFETCH(double, lon1);
    QFETCH(double, lat2);
    QFETCH(double, lon2);
    QFETCH(bool, sameCell);
    const PrivacyGrid grid(1.0);
    for (const GeoPoint p : {GeoPoint{lat1, lon1}, GeoPoint{lat2, lon2}}) {
        const GeoPoint s = grid.snap(p);
        // Centres are valid positions, on the same side of the antimeridian
        // and within the moving bound of the point.
        QVERIFY2(isValidLatitude(s.latDeg) && isValidLongitude(s.lonDeg), qPrintable(describe(s)));
        QVERIFY2(haversineKm(p, s) <= 0.9, qPrintable(describe(p) + describe(s)));
    }
    QCOMPARE(grid.cellOf({lat1, lon1}) == grid.cellOf({lat2, lon2}), sameCell);
}

QTEST_APPLESS_MAIN(TestPrivacyGrid)
#include "tst_privacygrid.moc"
