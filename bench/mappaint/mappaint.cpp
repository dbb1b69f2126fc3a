// SPDX-License-Identifier: MIT
// Map paint benchmark: how long one frame of the admin console's world map
// takes with 100k waiting clients (and 10k pairs), drawn by the real MapView
// into an offscreen image. Compares, in the same run, the view as shipped
// (density image above its threshold) with the peer "every client as its own
// dot" (threshold off), for the whole world and a zoomed-in region, and
// prints the ratios. Target: under 16 ms per frame. Also prints what a frame
// costs while the map is dragged (the cached background is re-made).

#include "mapview.h"
#include "tablemodels.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QImage>
#include <QMouseEvent>
#include <QPainter>
#include <QRandomGenerator>

#include <algorithm>
#include <cstdio>
#include <vector>

using namespace whisper;
using namespace whisper::admin;

namespace {

struct Result {
    double medianMs = 0;
    double p95Ms = 0;
    bool dense = false;
};

// Population clustered around cities, like real users, plus a uniform share.
QList<control::WaitingClient> population(int n, qint64 now) {
    QRandomGenerator rng(2026);
    const QList<QPointF> cities{{13.4, 52.5},  {2.35, 48.9},   {-74.0, 40.7},  {139.7, 35.7},
                                {77.2, 28.6},  {-46.6, -23.5}, {151.2, -33.9}, {31.2, 30.0},
                                {-99.1, 19.4}, {116.4, 39.9}};
    QList<control::WaitingClient> out;
    out.reserve(n);
    for (int i = 0; i < n; ++i) {
        double lat, lon;
        if (i % 5 == 0) {
            lat = rng.bounded(140.0) - 60;
            lon = rng.bounded(360.0) - 180;
        } else {
            const QPointF c = cities[i % cities.size()];
            lat = std::clamp(c.y() + rng.bounded(6.0) - 3, -90.0, 90.0);
            lon = std::clamp(c.x() + rng.bounded(6.0) - 3, -180.0, 180.0);
        }
        out.append({QStringLiteral("c%1").arg(i), control::coarsen(lat), control::coarsen(lon),
                    double(1 + rng.bounded(200)), now - rng.bounded(600000), i % 3 == 0});
    }
    return out;
}

Result measure(MapView &view, int frames) {
    QImage image(view.size(), QImage::Format_ARGB32_Premultiplied);
    std::vector<double> ms;
    for (int i = 0; i < frames + 2; ++i) {
        // A client moved: the frame a live update costs, land from cache.
        view.update();
        QElapsedTimer t;
        t.start();
        view.render(&image);
        if (i >= 2) // the first frames build the land cache
            ms.push_back(t.nsecsElapsed() / 1e6);
    }
    std::sort(ms.begin(), ms.end());
    return {ms[ms.size() / 2], ms[std::min(ms.size() - 1, ms.size() * 95 / 100)],
            view.lastFrameWasDense()};
}

// A drag: every frame the view has moved, so the cached background (land,
// coastlines, country borders) is re-made as well.
Result measurePanning(MapView &view, int frames) {
    QImage image(view.size(), QImage::Format_ARGB32_Premultiplied);
    view.render(&image);
    std::vector<double> ms;
    for (int i = 0; i < frames; ++i) {
        const QPoint from = view.rect().center();
        const QPoint to = from + QPoint(i % 2 ? 6 : -6, 0);
        QMouseEvent press(QEvent::MouseButtonPress, from, view.mapToGlobal(from), Qt::LeftButton,
                          Qt::LeftButton, {});
        QMouseEvent move(QEvent::MouseMove, to, view.mapToGlobal(to), Qt::NoButton, Qt::LeftButton,
                         {});
        QMouseEvent release(QEvent::MouseButtonRelease, to, view.mapToGlobal(to), Qt::LeftButton,
                            {}, {});
        QApplication::sendEvent(&view, &press);
        QApplication::sendEvent(&view, &move);
        QApplication::sendEvent(&view, &release);
        QElapsedTimer t;
        t.start();
        view.render(&image);
        ms.push_back(t.nsecsElapsed() / 1e6);
    }
    std::sort(ms.begin(), ms.end());
    return {ms[ms.size() / 2], ms[std::min(ms.size() - 1, ms.size() * 95 / 100)],
            view.lastFrameWasDense()};
}

} // namespace

int main(int argc, char *argv[]) {
    QApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addHelpOption();
    const QCommandLineOption clientsOption("clients", "Waiting clients", "N", "100000");
    const QCommandLineOption framesOption("frames", "Frames per case", "N", "30");
    parser.addOptions({clientsOption, framesOption});
    parser.process(app);
    const int clients = parser.value(clientsOption).toInt();
    const int frames = std::max(3, parser.value(framesOption).toInt());

    const qint64 now = 1'800'000'000'000;
    WaitingModel waiting([now] { return now; });
    PairModel pairs([now] { return now; });
    waiting.reset(population(clients, now));
    QList<control::PairInfo> pairList;
    for (int i = 0; i < clients / 10; ++i) {
        // Partners are near each other (within their ranges).
        const auto &a = waiting.records()[i];
        const double bLat = std::clamp(a.lat + (i % 7 - 3) * 0.1, -90.0, 90.0);
        const double bLon = std::clamp(a.lon + (i % 5 - 2) * 0.1, -180.0, 180.0);
        pairList.append({QStringLiteral("p%1").arg(i), a.id, QStringLiteral("q%1").arg(i), 10, now,
                         0, a.lat, a.lon, bLat, bLon});
    }
    pairs.reset(pairList);

    MapView view;
    view.resize(1280, 720);
    view.setLand(LandMap::load());
    view.setBorders(CountryBorders::load());
    view.setModels(&waiting, &pairs);

    std::printf("mappaint: %d waiting clients, %d pairs, 1280x720, %d frames per case\n", clients,
                int(pairList.size()), frames);
    std::printf("%-12s %-28s %10s %10s %s\n", "view", "renderer", "median ms", "p95 ms", "mode");
    bool ok = true;
    for (const bool zoomed : {false, true}) {
        view.resetView();
        if (zoomed) // Europe fills the view
            for (int i = 0; i < 4; ++i)
                view.zoomIn();
        const char *name = zoomed ? "zoomed x5" : "world";
        view.setDensityThreshold(MapView::kDefaultDensityThreshold);
        const Result shipped = measure(view, frames);
        view.setDensityThreshold(INT_MAX);
        const Result dots = measure(view, std::max(3, frames / 3));
        std::printf("%-12s %-28s %10.2f %10.2f %s\n", name, "MapView (density)", shipped.medianMs,
                    shipped.p95Ms, shipped.dense ? "density" : "dots");
        std::printf("%-12s %-28s %10.2f %10.2f %s\n", name, "peer: one dot per client",
                    dots.medianMs, dots.p95Ms, "dots");
        view.setDensityThreshold(MapView::kDefaultDensityThreshold);
        const Result panning = measurePanning(view, frames);
        std::printf("%-12s %-28s %10.2f %10.2f %s\n", name, "MapView while dragging",
                    panning.medianMs, panning.p95Ms, panning.dense ? "density" : "dots");
        std::printf("%-12s ratio peer/MapView: %.1fx; target < 16 ms: %s\n", name,
                    dots.medianMs / shipped.medianMs, shipped.medianMs < 16 ? "met" : "MISSED");
        ok = ok && shipped.medianMs < 16;
    }
    return ok ? 0 : 1;
}
