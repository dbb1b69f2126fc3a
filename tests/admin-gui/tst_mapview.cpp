// SPDX-License-Identifier: MIT
// Map projection round trips, hit-testing and the switch to density
// rendering; the map view drawn offscreen from real item models.

#include "countryborders.h"
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
    void bordersResourceLoads();
    void bordersRejectGarbage();
    void bordersAreDrawnOnLand();
    void bordersFollowPanAndZoom();
    void antimeridianLineIsCut();
    void hitTesting();
    void clickSelectsClient();
    void densityAboveThreshold();
    void drawsPairsAsLines();
    void closePartnersAreTwoMarks();
    void scaleBarFollowsZoom();
    void legendExplainsSymbols();

private:
    // Whether the pixels under the interior points of the France-Spain border
    // stand out from the plain land around them, in the view as it is.
    static double franceSpainBorderShown(MapView &view, const CountryBorders &borders);
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

void TestMapView::bordersResourceLoads() {
    const CountryBorders borders = CountryBorders::load();
    QVERIFY2(!borders.isEmpty(), qPrintable(borders.errorString()));
    // Natural Earth 1:50m admin-0: about 240 countries and territories, a few
    // hundred shared lines.
    QVERIFY(borders.countries().size() > 200 && borders.countries().size() < 300);
    QVERIFY(borders.lines().size() > 300);
    for (const auto &c : borders.countries()) {
        QVERIFY(!c.name.isEmpty());
        QVERIFY2(c.bounds.left() >= -180 && c.bounds.right() <= 180 && c.bounds.top() >= -90 &&
                     c.bounds.bottom() <= 90 && c.bounds.left() <= c.bounds.right() &&
                     c.bounds.top() <= c.bounds.bottom(),
                 qPrintable(c.name));
    }
    // Known places fall inside their countries' boxes.
    const struct {
        const char *name;
        QPointF lonLat;
    } places[] = {{"France", {2.35, 48.86}},     {"Spain", {-3.7, 40.4}},
                  {"Germany", {13.4, 52.5}},     {"Brazil", {-47.9, -15.8}},
                  {"Australia", {151.2, -33.9}}, {"India", {77.2, 28.6}}};
    for (const auto &place : places) {
        const int i = borders.countryIndex(QLatin1String(place.name));
        QVERIFY2(i >= 0, place.name);
        QVERIFY2(borders.countries()[i].bounds.contains(place.lonLat), place.name);
    }
    // Germany's box is a country's size, not the world's.
    const QRectF germany =
        borders.countries()[borders.countryIndex(QStringLiteral("Germany"))].bounds;
    QVERIFY(germany.width() > 5 && germany.width() < 20 && germany.height() < 10);
    // Every line is shared by two different countries, lies on the globe and
    // never steps across the antimeridian.
    int franceSpain = 0;
    const int france = borders.countryIndex(QStringLiteral("France"));
    const int spain = borders.countryIndex(QStringLiteral("Spain"));
    for (const auto &line : borders.lines()) {
        QVERIFY(line.countryA != line.countryB);
        QVERIFY(line.points.size() >= 2);
        for (qsizetype i = 0; i < line.points.size(); ++i) {
            QVERIFY(std::abs(line.points[i].x()) <= 180.0001);
            QVERIFY(std::abs(line.points[i].y()) <= 90.0001);
            if (i > 0)
                QVERIFY(std::abs(line.points[i].x() - line.points[i - 1].x()) < 180);
        }
        if (QSet<int>{line.countryA, line.countryB} == QSet<int>{france, spain}) {
            ++franceSpain;
            // The Pyrenees.
            QVERIFY(line.bounds.top() > 42 && line.bounds.bottom() < 43.6);
            QVERIFY(line.bounds.left() > -2 && line.bounds.right() < 3.4);
        }
    }
    QVERIFY(franceSpain >= 1); // Andorra splits it in two
}

void TestMapView::bordersRejectGarbage() {
    auto write = [](QTemporaryFile &file, const QByteArray &bytes) {
        QVERIFY(file.open());
        file.write(bytes);
        file.close();
    };
    auto u32 = [](quint32 v) { return QByteArray(reinterpret_cast<const char *>(&v), 4); };
    {
        QTemporaryFile file; // promises more countries than it holds
        write(file, QByteArray("WCBORD1\0", 8) + u32(5));
        const CountryBorders b = CountryBorders::load(file.fileName());
        QVERIFY(b.isEmpty() && b.countries().isEmpty() && !b.errorString().isEmpty());
    }
    {
        QTemporaryFile file; // a land file is not a border file
        write(file, QByteArray("WCLAND1\0", 8) + u32(0));
        QVERIFY(CountryBorders::load(file.fileName()).isEmpty());
    }
    {
        QTemporaryFile file; // a line naming country 7 of 0
        QByteArray bytes = QByteArray("WCBORD1\0", 8) + u32(0) + u32(1);
        const quint16 ab[2] = {7, 0};
        bytes += QByteArray(reinterpret_cast<const char *>(ab), 4) + u32(0);
        write(file, bytes);
        const CountryBorders b = CountryBorders::load(file.fileName());
        QVERIFY(b.isEmpty());
        QVERIFY(b.errorString().contains(QLatin1String("unknown country")));
    }
    QVERIFY(CountryBorders::load(QStringLiteral("/nonexistent/borders.bin")).isEmpty());
}

namespace {
int colourDistance(QRgb a, QRgb b) {
    return std::abs(qRed(a) - qRed(b)) + std::abs(qGreen(a) - qGreen(b)) +
           std::abs(qBlue(a) - qBlue(b));
}
// The pixel that holds a point.
QRgb pixelAt(const QImage &image, QPointF at) {
    return image.pixel(int(std::floor(at.x())), int(std::floor(at.y())));
}
} // namespace

double TestMapView::franceSpainBorderShown(MapView &view, const CountryBorders &borders) {
    const QImage image = view.grab().toImage();
    const auto &p = view.projection();
    // Toulouse is plain French land, well away from any border.
    const QRgb land = pixelAt(image, p.toScreen(1.44, 43.9));
    const int france = borders.countryIndex(QStringLiteral("France"));
    const int spain = borders.countryIndex(QStringLiteral("Spain"));
    int checked = 0, shown = 0;
    for (const auto &line : borders.lines()) {
        if (QSet<int>{line.countryA, line.countryB} != QSet<int>{france, spain})
            continue;
        // Interior points only: the ends meet a coast or Andorra.
        for (qsizetype i = 2; i + 2 < line.points.size(); ++i) {
            const QPointF at = p.toScreen(line.points[i].x(), line.points[i].y());
            if (!QRectF(image.rect()).contains(at))
                continue;
            ++checked;
            if (colourDistance(pixelAt(image, at), land) > 40)
                ++shown;
        }
    }
    return checked < 10 ? 0.0 : double(shown) / checked;
}

void TestMapView::bordersAreDrawnOnLand() {
    const CountryBorders borders = CountryBorders::load();
    MapView view;
    view.resize(800, 400);
    view.setLand(LandMap::load());
    view.setBorders(borders);
    // A real (offscreen) window, so the map's background cache lives across
    // frames as it does for the operator.
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    // The whole world: the mid-Atlantic and the mid-Pacific are open sea,
    // untouched by any border line.
    const QImage world = view.grab().toImage();
    const auto &p = view.projection();
    const QRgb sea = pixelAt(world, p.toScreen(-40, 30));
    QCOMPARE(pixelAt(world, p.toScreen(-140, 10)), sea);
    QVERIFY(colourDistance(pixelAt(world, p.toScreen(20, 0)), sea) > 20); // Congo is land
    // Zoomed on the Pyrenees, the border is a visible line through the land.
    view.zoomAt(view.projection().toScreen(1.0, 42.7), 20);
    QVERIFY(view.projection().pixelsPerDegree() > 40);
    const double shown = franceSpainBorderShown(view, borders);
    QVERIFY2(shown > 0.8, qPrintable(QString::number(shown)));
    const QImage pyrenees = view.grab().toImage();
    QCOMPARE(pixelAt(pyrenees, view.projection().toScreen(-3, 44)), sea); // Bay of Biscay
    // Only the lines near the view are drawn; at world scale, all.
    QVERIFY(view.borderLinesInView() > 3);
    QVERIFY(view.borderLinesInView() < int(borders.lines().size()) / 4);
    view.resetView();
    (void)view.grab();
    QCOMPARE(view.borderLinesInView(), int(borders.lines().size()));
}

void TestMapView::bordersFollowPanAndZoom() {
    const CountryBorders borders = CountryBorders::load();
    MapView view;
    view.resize(640, 360);
    view.setLand(LandMap::load());
    view.setBorders(borders);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.zoomAt(view.projection().toScreen(1.0, 42.7), 15);
    QVERIFY(franceSpainBorderShown(view, borders) > 0.8);
    // Dragged with the mouse: the cached background is re-made where the
    // border now is.
    QTest::mousePress(&view, Qt::LeftButton, {}, QPoint(320, 180));
    QTest::mouseMove(&view, QPoint(300, 170));
    QTest::mouseMove(&view, QPoint(250, 140));
    QTest::mouseRelease(&view, Qt::LeftButton, {}, QPoint(250, 140));
    QVERIFY(std::abs(view.projection().center().x() - 1.0) > 0.5);
    QVERIFY(franceSpainBorderShown(view, borders) > 0.8);
    // Zoomed further in with the wheel, over the Pyrenees.
    const QPointF over = view.projection().toScreen(1.0, 42.7);
    QWheelEvent wheel(over, view.mapToGlobal(over), {}, {0, 240}, Qt::NoButton, {},
                      Qt::NoScrollPhase, false);
    QApplication::sendEvent(&view, &wheel);
    QVERIFY(view.projection().zoomFactor() > 15 * 1.5);
    QVERIFY(franceSpainBorderShown(view, borders) > 0.8);
    // And after a resize.
    view.resize(500, 500);
    QVERIFY(franceSpainBorderShown(view, borders) > 0.8);
}

void TestMapView::antimeridianLineIsCut() {
    // A border file whose one line steps from 179.5 E to 179.5 W: drawn as
    // one line it would cross the whole map along 66 N.
    QTemporaryFile file;
    QVERIFY(file.open());
    QByteArray bytes("WCBORD1\0", 8);
    auto u32 = [](quint32 v) { return QByteArray(reinterpret_cast<const char *>(&v), 4); };
    auto f32 = [](float v) { return QByteArray(reinterpret_cast<const char *>(&v), 4); };
    bytes += u32(2);
    for (const char *name : {"East", "West"})
        bytes +=
            char(std::strlen(name)) + QByteArray(name) + f32(-180) + f32(60) + f32(180) + f32(70);
    bytes += u32(1);
    const quint16 ab[2] = {0, 1};
    bytes += QByteArray(reinterpret_cast<const char *>(ab), 4) + u32(4);
    for (float v : {170.f, 65.f, 179.5f, 66.f, -179.5f, 66.f, -170.f, 65.f})
        bytes += f32(v);
    file.write(bytes);
    file.close();
    const CountryBorders borders = CountryBorders::load(file.fileName());
    QVERIFY2(!borders.isEmpty(), qPrintable(borders.errorString()));
    QCOMPARE(borders.lines().size(), 2);
    MapView view;
    view.resize(720, 360);
    view.setBorders(borders);
    const QImage image = view.grab().toImage();
    const auto &p = view.projection();
    const QRgb sea = pixelAt(image, p.toScreen(0, 0));
    // Both ends are drawn near the map's edges...
    QVERIFY(colourDistance(pixelAt(image, p.toScreen(174.75, 65.5)), sea) > 40);
    QVERIFY(colourDistance(pixelAt(image, p.toScreen(-174.75, 65.5)), sea) > 40);
    // ...and nothing in between.
    for (double lon = -170; lon <= 170; lon += 1)
        QCOMPARE(pixelAt(image, p.toScreen(lon, 66)), sea);
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
