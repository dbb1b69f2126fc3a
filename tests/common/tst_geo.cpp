// SPDX-License-Identifier: MIT
#include "geo.h"
#include "testpaths.h"

#include <GeographicLib/Geodesic.hpp>

#include <QFile>
#include <QRegularExpression>
#include <QTest>

#include <algorithm>
#include <cmath>

using namespace whisper::geo;

// Reference distances come from GeographicLib's geodesics on the WGS84
// ellipsoid; the protocol's sphere stays within 0.5 % of them everywhere.
class TestGeo : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void haversineMatchesGeodesic_data();
    void haversineMatchesGeodesic();
    void haversineExactOnTheSphere();
    void haversineIsSymmetricAndZeroOnSelf();
    void validation_data();
    void validation();
    void buckets_data();
    void buckets();
};

void TestGeo::haversineMatchesGeodesic_data() {
    QTest::addColumn<double>("lat1");
    QTest::addColumn<double>("lon1");
    QTest::addColumn<double>("lat2");
    QTest::addColumn<double>("lon2");
    QTest::addRow("London-Paris") << 51.5074 << -0.1278 << 48.8566 << 2.3522;
    QTest::addRow("New York-Los Angeles") << 40.7128 << -74.0060 << 34.0522 << -118.2437;
    QTest::addRow("Sydney-Auckland") << -33.8688 << 151.2093 << -36.8485 << 174.7633;
    QTest::addRow("antipodal on the equator") << 0.0 << 0.0 << 0.0 << 180.0;
    QTest::addRow("antipodal off the equator") << 40.0 << -3.7 << -40.0 << 176.3;
    QTest::addRow("across the antimeridian (Fiji)") << -17.7 << 179.9 << -17.8 << -179.9;
    QTest::addRow("across the antimeridian (Bering)") << 65.6 << -168.1 << 66.0 << 169.5;
    QTest::addRow("near the north pole") << 89.9 << 0.0 << 89.9 << 180.0;
    QTest::addRow("near the south pole") << -89.5 << 45.0 << -89.7 << -135.0;
    QTest::addRow("pole to equator") << 90.0 << 0.0 << 0.0 << 0.0;
    QTest::addRow("short hop in Berlin") << 52.5200 << 13.4050 << 52.5300 << 13.4400;
}

void TestGeo::haversineMatchesGeodesic() {
    QFETCH(double, lat1);
    QFETCH(double, lon1);
    QFETCH(double, lat2);
    QFETCH(double, lon2);
    double referenceM = 0.0;
    GeographicLib::Geodesic::WGS84().Inverse(lat1, lon1, lat2, lon2, referenceM);
    const double referenceKm = referenceM / 1000.0;
    const double km = haversineKm({lat1, lon1}, {lat2, lon2});
    QVERIFY2(
        std::fabs(km - referenceKm) <= 0.005 * referenceKm,
        qPrintable(QStringLiteral("haversine %1 km, geodesic %2 km").arg(km).arg(referenceKm)));
}

void TestGeo::haversineExactOnTheSphere() {
    // One degree of a great circle, and half the circumference.
    const double degree = kEarthRadiusKm * M_PI / 180.0;
    QVERIFY(std::fabs(haversineKm({0, 0}, {0, 1}) - degree) < 1e-9);
    QVERIFY(std::fabs(haversineKm({0, 0}, {1, 0}) - degree) < 1e-9);
    QVERIFY(std::fabs(haversineKm({90, 0}, {-90, 0}) - kEarthRadiusKm * M_PI) < 1e-6);
    QVERIFY(std::fabs(haversineKm({0, 0}, {0, 180}) - kEarthRadiusKm * M_PI) < 1e-6);
    // The largest range stops just short of the exact antipode.
    QVERIFY(haversineKm({0, 0}, {0, 180}) > kMaxRangeKm);
    QVERIFY(haversineKm({0, 0}, {0, -179.999}) <= kMaxRangeKm);
    // Longitude -180 and 180 are the same meridian.
    QVERIFY(haversineKm({10, 180}, {10, -180}) < 1e-9);
}

void TestGeo::haversineIsSymmetricAndZeroOnSelf() {
    const GeoPoint a{48.1, 11.6};
    const GeoPoint b{-22.9, -43.2};
    QCOMPARE(haversineKm(a, b), haversineKm(b, a));
    QCOMPARE(haversineKm(a, a), 0.0);
}

void TestGeo::validation_data() {
    QTest::addColumn<double>("lat");
    QTest::addColumn<double>("lon");
    QTest::addColumn<double>("range");
    QTest::addColumn<bool>("latOk");
    QTest::addColumn<bool>("lonOk");
    QTest::addColumn<bool>("rangeOk");
    const double inf = std::numeric_limits<double>::infinity();
    const double nan = std::numeric_limits<double>::quiet_NaN();
    QTest::addRow("edges") << 90.0 << 180.0 << kMaxRangeKm << true << true << true;
    QTest::addRow("negative edges") << -90.0 << -180.0 << 0.001 << true << true << true;
    QTest::addRow("just outside") << 90.0001 << -180.5 << 20015.2 << false << false << false;
    QTest::addRow("zero range") << 0.0 << 0.0 << 0.0 << true << true << false;
    QTest::addRow("negative range") << 0.0 << 0.0 << -1.0 << true << true << false;
    QTest::addRow("infinite") << inf << -inf << inf << false << false << false;
    QTest::addRow("nan") << nan << nan << nan << false << false << false;
}

void TestGeo::validation() {
    QFETCH(double, lat);
    QFETCH(double, lon);
    QFETCH(double, range);
    QTEST(isValidLatitude(lat), "latOk");
    QTEST(isValidLongitude(lon), "lonOk");
    QTEST(isValidRange(range), "rangeOk");
}

namespace {

// What docs/PROTOCOL.md ("Privacy") promises about distance_km: the bucket
// boundaries and the worked examples (true distance -> reported bucket).
// Read from the document at test time, so the expected values come from the
// contract and not from the implementation's own table.
struct DocumentedBuckets {
    QList<int> boundaries;
    QList<std::pair<double, int>> examples;
};

DocumentedBuckets documentedBuckets() {
    DocumentedBuckets doc;
    QFile file(QStringLiteral(WHISPER_SOURCE_DIR "/docs/PROTOCOL.md"));
    if (!file.open(QIODevice::ReadOnly))
        return doc;
    // Paragraphs are wrapped: one line of words is easier to match.
    const QString text = QString::fromUtf8(file.readAll()).simplified();
    const QRegularExpression list(QStringLiteral(R"(from the buckets ([0-9, ]+))"));
    const QRegularExpressionMatch m = list.match(text);
    if (m.hasMatch())
        for (const QString &n : m.captured(1).split(QLatin1Char(','), Qt::SkipEmptyParts))
            doc.boundaries << n.trimmed().toInt();
    const QRegularExpression example(QStringLiteral(R"(([0-9]+(?:\.[0-9]+)?) km gives ([0-9]+))"));
    for (auto it = example.globalMatch(text); it.hasNext();) {
        const QRegularExpressionMatch e = it.next();
        doc.examples.append({e.captured(1).toDouble(), e.captured(2).toInt()});
    }
    return doc;
}

} // namespace

void TestGeo::buckets_data() {
    QTest::addColumn<double>("km");
    QTest::addColumn<int>("bucket");
    const DocumentedBuckets doc = documentedBuckets();
    // The parse itself must find the contract, or the rows below say nothing.
    QVERIFY2(doc.boundaries.size() >= 10, "docs/PROTOCOL.md: bucket list not found");
    QVERIFY(std::is_sorted(doc.boundaries.begin(), doc.boundaries.end()));
    QVERIFY2(doc.examples.size() >= 3, "docs/PROTOCOL.md: bucket examples not found");
    for (const auto &[km, bucket] : doc.examples)
        QTest::addRow("%g km (protocol example)", km) << km << bucket;
    QTest::addRow("zero") << 0.0 << doc.boundaries.first();
    int previous = 0;
    for (const int boundary : doc.boundaries) {
        QTest::addRow("exactly %d", boundary) << double(boundary) << boundary;
        QTest::addRow("just above %d", previous) << previous + 1e-9 << boundary;
        previous = boundary;
    }
    // Only near-antipodal points are farther than the last boundary.
    QTest::addRow("beyond the last boundary") << kMaxRangeKm << doc.boundaries.last();
}

void TestGeo::buckets() {
    QFETCH(double, km);
    QTEST(distanceBucketKm(km), "bucket");
}

QTEST_APPLESS_MAIN(TestGeo)
#include "tst_geo.moc"
