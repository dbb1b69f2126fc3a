// SPDX-License-Identifier: MIT
// Map projection round trips, hit-testing and the switch to density
// rendering; the map view drawn offscreen from real item models.

#include "landmap.h"
#include "mapprojection.h"
#include "mapview.h"
#include "tablemodels.h"

#include <QApplication>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTemporaryFile>
#include <QTest>

using namespace whisper;
using namespace whisper::admin;

class TestMapView : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void roundTrip_data();
    void roundTrip();
    void zoomKeepsAnchor_data();
    void zoomKeepsAnchor();
    void zoomIsBounded();
    void panMovesWithCursor();
    void rangeInPixels();
    void landResourceLoads();
    void landRejectsGarbage();
    void hitTesting();
    void clickSelectsClient();
    void densityAboveThreshold();
    void drawsPairsAsLines();
    void closePartnersAreTwoMarks();
    void scaleBarFollowsZoom();
    void legendExplainsSymbols();

private:
    static control::WaitingClient client(const QString &id, double lat, double lon) {
        return {id, lat, lon, 10.0, 0, false};
    }
};

void TestMapView::roundTrip_data() {
    QTest::addColumn<double>("zoom");
    QTest::addColumn<QPointF>("pan");
    QTest::addColumn<double>("lon");
    QTest::addColumn<double>("lat");
    QTest::addRow("world origin") << 1.0 << QPointF() << 0.0 << 0.0;
    QTest::addRow("world corner") << 1.0 << QPointF() << -180.0 << 90.0;
    QTest::addRow("zoomed Berlin") << 40.0 << QPointF(-300, 120) << 13.4 << 52.5;
    QTest::addRow("deep zoom Sydney") << 1500.0 << QPointF(50, -50) << 151.2 << -33.9;
    QTest::addRow("antimeridian") << 3.0 << QPointF(400, 0) << 179.9 << -16.5;
}

void TestMapView::roundTrip() {
    QFETCH(double, zoom);
    QFETCH(QPointF, pan);
    QFETCH(double, lon);
    QFETCH(double, lat);
    MapProjection p;
    p.setViewport(QSizeF(800, 500));
    p.zoomAt(QPointF(400, 250), zoom);
    p.panBy(pan);
    const QPointF back = p.toGeo(p.toScreen(lon, lat));
    QVERIFY(std::abs(back.x() - lon) < 1e-9);
    QVERIFY(std::abs(back.y() - lat) < 1e-9);
    // And screen -> geo -> screen.
    const QPointF screen(123.5, 321.25);
    const QPointF geo = p.toGeo(screen);
    const QPointF again = p.toScreen(geo.x(), geo.y());
    QVERIFY((again - screen).manhattanLength() < 1e-6);
}

void TestMapView::zoomKeepsAnchor_data() {
    QTest::addColumn<QPointF>("anchor");
    QTest::addColumn<double>("factor");
    QTest::addRow("centre in") << QPointF(400, 250) << 2.0;
    QTest::addRow("corner in") << QPointF(700, 100) << 1.25;
    QTest::addRow("near edge big") << QPointF(30, 440) << 8.0;
}

void TestMapView::zoomKeepsAnchor() {
    QFETCH(QPointF, anchor);
    QFETCH(double, factor);
    MapProjection p;
    p.setViewport(QSizeF(800, 500));
    const QPointF before = p.toGeo(anchor);
    p.zoomAt(anchor, factor);
    const QPointF after = p.toGeo(anchor);
    QVERIFY((after - before).manhattanLength() < 1e-9);
    QCOMPARE(p.zoomFactor(), factor);
}

void TestMapView::zoomIsBounded() {
    MapProjection p;
    p.setViewport(QSizeF(800, 400));
    p.zoomAt({400, 200}, 0.01);
    QCOMPARE(p.zoomFactor(), MapProjection::kMinZoomFactor);
    p.zoomAt({400, 200}, 1e9);
    QCOMPARE(p.zoomFactor(), MapProjection::kMaxZoomFactor);
    p.reset();
    QCOMPARE(p.zoomFactor(), 1.0);
    QCOMPARE(p.center(), QPointF(0, 0));
    // At zoom 1 the whole world is in view.
    const QRectF visible = p.visibleGeoRect();
    QVERIFY(visible.left() <= -180 && visible.right() >= 180);
    QVERIFY(visible.top() <= -90 && visible.bottom() >= 90);
}

void TestMapView::panMovesWithCursor() {
    MapProjection p;
    p.setViewport(QSizeF(800, 400));
    p.zoomAt({400, 200}, 4);
    const QPointF berlin = p.toScreen(13.4, 52.5);
    p.panBy(QPointF(30, -20));
    QVERIFY((p.toScreen(13.4, 52.5) - (berlin + QPointF(30, -20))).manhattanLength() < 1e-9);
    // The centre cannot leave the world.
    p.panBy(QPointF(1e7, 1e7));
    QVERIFY(p.center().x() >= -180 && p.center().y() >= -90);
}

void TestMapView::rangeInPixels() {
    MapProjection p;
    p.setViewport(QSizeF(360, 180)); // one pixel per degree
    // 111.195 km is one degree of latitude on the protocol sphere.
    const QSizeF equator = p.kmToPixels(111.19508, 0);
    QVERIFY(std::abs(equator.height() - 1.0) < 1e-4);
    QVERIFY(std::abs(equator.width() - 1.0) < 1e-4);
    // At 60 degrees a degree of longitude is half as long: twice the pixels.
    const QSizeF north = p.kmToPixels(111.19508, 60);
    QVERIFY(std::abs(north.width() - 2.0) < 1e-3);
}

void TestMapView::landResourceLoads() {
    const LandMap land = LandMap::load();
    QVERIFY2(!land.isEmpty(), qPrintable(land.errorString()));
    QVERIFY(land.rings().size() > 1000); // Natural Earth 1:50m
    // Rings crossing the antimeridian come unwrapped, with a copy shifted by
    // 360 degrees: every ring still touches the world, latitudes stay valid.
    for (const QPolygonF &ring : land.rings()) {
        const QRectF box = ring.boundingRect(); // may be flat: compare edges
        QVERIFY(box.left() <= 180 && box.right() >= -180);
        for (const QPointF &pt : ring)
            QVERIFY(std::abs(pt.y()) <= 90.0001 && std::abs(pt.x()) <= 540.0001);
    }
}

void TestMapView::landRejectsGarbage() {
    QTemporaryFile file;
    QVERIFY(file.open());
    file.write("WCLAND1\0", 8);
    const quint32 rings = 5; // promises more than the file holds
    file.write(reinterpret_cast<const char *>(&rings), 4);
    file.close();
    const LandMap land = LandMap::load(file.fileName());
    QVERIFY(land.isEmpty());
    QVERIFY(!land.errorString().isEmpty());
    QVERIFY(LandMap::load(QStringLiteral("/nonexistent/land.bin")).isEmpty());
}

void TestMapView::hitTesting() {
    WaitingModel waiting;
    waiting.reset({client("berlin", 52.5, 13.4), client("potsdam", 52.4, 13.1),
                   client("sydney", -33.9, 151.2)});
    MapView view;
    view.resize(800, 400);
    view.setModels(&waiting, nullptr);
    const auto &p = view.projection();
    QCOMPARE(view.clientAt(p.toScreen(151.2, -33.9)), QStringLiteral("sydney"));
    QCOMPARE(view.clientAt(p.toScreen(151.2, -33.9) + QPointF(4, 3)), QStringLiteral("sydney"));
    QCOMPARE(view.clientAt(p.toScreen(151.2, -33.9) + QPointF(40, 0)), QString());
    // Two clients close together: the nearer one wins.
    view.zoomIn();
    view.zoomIn();
    view.zoomIn();
    const QPointF berlin = view.projection().toScreen(13.4, 52.5);
    const QPointF potsdam = view.projection().toScreen(13.1, 52.4);
    QVERIFY((berlin - potsdam).manhattanLength() > 2);
    QCOMPARE(view.clientAt(berlin, 20), QStringLiteral("berlin"));
    QCOMPARE(view.clientAt(potsdam, 20), QStringLiteral("potsdam"));
    // A removed client is no longer hit.
    waiting.remove({QStringLiteral("sydney")});
    QCOMPARE(view.clientAt(view.projection().toScreen(151.2, -33.9)), QString());
}

void TestMapView::clickSelectsClient() {
    WaitingModel waiting;
    waiting.reset({client("a", 10, 10)});
    MapView view;
    view.resize(600, 300);
    view.setModels(&waiting, nullptr);
    QSignalSpy clicked(&view, &MapView::clientClicked);
    const QPoint at = view.projection().toScreen(10, 10).toPoint();
    QTest::mouseClick(&view, Qt::LeftButton, {}, at);
    QCOMPARE(clicked.size(), 1);
    QCOMPARE(clicked.first().first().toString(), QStringLiteral("a"));
    QCOMPARE(view.selectedClient(), QStringLiteral("a"));
    // A click on empty sea selects nothing.
    QTest::mouseClick(&view, Qt::LeftButton, {}, QPoint(5, 5));
    QCOMPARE(clicked.size(), 1);
}

void TestMapView::densityAboveThreshold() {
    WaitingModel waiting;
    QList<control::WaitingClient> many;
    QRandomGenerator rng(7);
    for (int i = 0; i < 300; ++i)
        many.append(client(QString::number(i), rng.bounded(120.0) - 60, rng.bounded(300.0) - 150));
    waiting.reset(many);
    MapView view;
    view.resize(640, 320);
    view.setModels(&waiting, nullptr);
    view.setDensityThreshold(299);
    (void)view.grab();
    QVERIFY(view.lastFrameWasDense());
    QCOMPARE(view.lastFrameDots(), 0);
    view.setDensityThreshold(300);
    (void)view.grab();
    QVERIFY(!view.lastFrameWasDense());
    QCOMPARE(view.lastFrameDots(), 300);
}

void TestMapView::drawsPairsAsLines() {
    PairModel pairs;
    control::PairInfo p{"p", "a", "b", 5, 0, 0, 48.1, 11.6, 48.2, 11.5};
    pairs.reset({p});
    MapView view;
    view.resize(640, 320);
    view.setModels(nullptr, &pairs);
    const QImage image = view.grab().toImage();
    QCOMPARE(view.lastFrameLines(), 1);
    QVERIFY(!image.isNull());
}

void TestMapView::closePartnersAreTwoMarks() {
    // Two partners 10 km apart share a pixel at world scale: they are drawn
    // as two rings side by side; zoomed in, at their own places.
    PairModel pairs;
    pairs.reset({control::PairInfo{"p", "a", "b", 10, 0, 0, 48.1, 11.6, 48.1, 11.7}});
    MapView view;
    view.resize(640, 320);
    view.setModels(nullptr, &pairs);
    const QImage world = view.grab().toImage();
    QCOMPARE(view.lastFrameClosePairs(), 1);
    QVERIFY(!world.isNull());
    // Partners far apart keep their own places.
    pairs.reset({control::PairInfo{"q", "c", "d", 500, 0, 0, 52.5, 13.4, 48.9, 2.35}});
    (void)view.grab();
    QCOMPARE(view.lastFrameLines(), 1);
    QCOMPARE(view.lastFrameClosePairs(), 0);
}

void TestMapView::scaleBarFollowsZoom() {
    MapView view;
    view.resize(800, 400);
    const auto world = view.scaleBar();
    // A round number of km, at most 120 px long.
    QVERIFY(world.km > 0 && world.pixels > 40 && world.pixels <= 120.5);
    const double lead = world.km / std::pow(10.0, std::floor(std::log10(world.km)));
    QVERIFY(qFuzzyCompare(lead, 1.0) || qFuzzyCompare(lead, 2.0) || qFuzzyCompare(lead, 5.0));
    view.zoomIn();
    view.zoomIn();
    view.zoomIn();
    const auto closer = view.scaleBar();
    QVERIFY(closer.km < world.km);
    // Its pixel length matches the projection: km over km-per-pixel.
    const double kmPerPx = 111.32 * std::cos(view.projection().center().y() * M_PI / 180.0) /
                           view.projection().pixelsPerDegree();
    QVERIFY(std::abs(closer.pixels * kmPerPx - closer.km) < 1e-6 * closer.km);
    QVERIFY(!view.grab().isNull());
}

void TestMapView::legendExplainsSymbols() {
    WaitingModel waiting([] { return 0; });
    waiting.reset({control::WaitingClient{"w", 10, 10, 5, 0, false}});
    MapView view;
    view.resize(640, 320);
    view.setModels(&waiting, nullptr);
    (void)view.grab();
    const QString legend = view.legendLines().join(QLatin1Char('\n'));
    QVERIFY(legend.contains(QLatin1String("1 waiting, 0 pairs")));
    QVERIFY(legend.contains(QLatin1String("waiting client")));
    QVERIFY(legend.contains(QLatin1String("pair")));
    QVERIFY(legend.contains(QLatin1String("11 km")));
}

QTEST_MAIN(TestMapView)
#include "tst_mapview.moc"
