// SPDX-License-Identifier: MIT
#pragma once

#include "countryborders.h"
#include "landmap.h"
#include "mapprojection.h"

#include <QAbstractItemModel>
#include <QPixmap>
#include <QPointer>
#include <QWidget>

namespace whisper::admin {

class PairModel;
class WaitingModel;

// The world map: land and country borders, waiting clients as dots coloured by how long they have
// waited (a density image once they are too many to draw one by one), their
// range when zoomed in, and active pairs as lines. Reads the item models only;
// knows nothing about the connection.
class MapView : public QWidget {
    Q_OBJECT
public:
    // Above this many visible clients the map switches to the density image.
    static constexpr int kDefaultDensityThreshold = 4000;
    // Ranges are drawn from this many pixels per degree on (a country fills
    // the view).
    static constexpr double kRangeCirclePixelsPerDegree = 20.0;

    explicit MapView(QWidget *parent = nullptr);

    void setModels(const WaitingModel *waiting, const PairModel *pairs);
    void setLand(LandMap land);
    void setBorders(CountryBorders borders);
    void setDensityThreshold(int visibleClients) { m_densityThreshold = visibleClients; }

    const MapProjection &projection() const { return m_projection; }
    // The waiting client drawn nearest to `pos` within `radiusPx`, or "".
    QString clientAt(QPointF pos, double radiusPx = 6.0) const;
    QString selectedClient() const { return m_selected; }
    // Whether the last frame drew the density image instead of dots.
    bool lastFrameWasDense() const { return m_lastDense; }
    // Dots drawn in the last frame (0 in density mode).
    int lastFrameDots() const { return m_lastDots; }
    // Pair lines drawn in the last frame.
    int lastFrameLines() const { return m_lastLines; }
    // Border lines drawn into the map's cached background for the current
    // view (the lines whose bounds meet the view).
    int borderLinesInView() const { return m_landCacheBorderLines; }
    // Pairs whose two members were too close on screen to tell apart and
    // were drawn side by side instead (last frame).
    int lastFrameClosePairs() const { return m_lastClosePairs; }
    // The scale bar: its length in km and in pixels, for the current view.
    struct ScaleBar {
        double km = 0;
        double pixels = 0;
    };
    ScaleBar scaleBar() const;
    // What the legend says, line by line (for tests and screen readers).
    QStringList legendLines() const;

    QSize sizeHint() const override { return {720, 400}; }

public Q_SLOTS:
    void setSelectedClient(const QString &id);
    void resetView();
    void zoomIn();
    void zoomOut();
    // Zooms by `factor` keeping the place under `anchor` (widget pixels) still.
    void zoomAt(QPointF anchor, double factor);
    // Centres on a client and zooms in far enough to tell it apart.
    void focusClient(const QString &id);

Q_SIGNALS:
    void clientClicked(const QString &id);

protected:
    void paintEvent(QPaintEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void wheelEvent(QWheelEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    bool event(QEvent *event) override;

private:
    void drawLand(QPainter &painter);
    void drawBorders(QPainter &painter, const QRectF &visible);
    void drawPairs(QPainter &painter);
    void drawWaiting(QPainter &painter);
    void drawDensity(QPainter &painter, const QList<QPointF> &points);
    void drawLegend(QPainter &painter);
    void drawScaleBar(QPainter &painter);
    void watch(const QAbstractItemModel *model);

    MapProjection m_projection;
    LandMap m_land;
    CountryBorders m_borders;
    QPixmap m_landCache;
    QPointF m_landCacheCenter;
    double m_landCacheZoom = 0;
    int m_landCacheBorderLines = 0;
    QPointer<const WaitingModel> m_waiting;
    QPointer<const PairModel> m_pairs;
    QList<QPointF> m_visiblePoints;
    QList<int> m_visibleIndexes;
    QString m_selected;
    int m_densityThreshold = kDefaultDensityThreshold;
    QPoint m_pressPos;
    QPoint m_lastDragPos;
    bool m_dragging = false;
    bool m_lastDense = false;
    int m_lastDots = 0;
    int m_lastLines = 0;
    int m_lastClosePairs = 0;
};

} // namespace whisper::admin
