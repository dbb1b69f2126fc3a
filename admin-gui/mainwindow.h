#pragma once

#include "controlclient.h"

#include <QMainWindow>

#include <functional>

class QAbstractItemModel;
class QAction;
class QLabel;
class QLineEdit;
class QListView;
class QSortFilterProxyModel;
class QTableView;
class QTabWidget;

namespace whisper::admin {

class ConsoleState;
class MapView;
class StatsPanel;

// The console's main window: map, tables, stats and moderation actions.
// Talks to the server only through ControlClient.
class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    // Asks the operator to confirm an action; tests replace it.
    using Confirm = std::function<bool(const QString &title, const QString &text)>;

    MainWindow(ControlClient *client, ConsoleState *state, QWidget *parent = nullptr);

    void setConfirm(Confirm confirm) { m_confirm = std::move(confirm); }

    MapView *mapView() const { return m_map; }
    QTableView *waitingTable() const { return m_waitingTable; }
    QTableView *pairTable() const { return m_pairTable; }
    QTableView *reportTable() const { return m_reportTable; }
    QString statusText() const;
    QAction *kickAction() const { return m_kick; }
    QAction *kickPairAction() const { return m_kickPair; }
    QAction *banAction() const { return m_ban; }
    QAction *drainAction() const { return m_drain; }
    QAction *broadcastAction() const { return m_broadcast; }

public Q_SLOTS:
    // Selects a waiting client in the table (and the map).
    void selectClient(const QString &id);
    void selectPair(const QString &id);
    void kickSelected();
    void kickSelectedPair();
    void banSelected();
    void resolveSelectedReport();
    void broadcastNotice();
    void drainServer();
    void refreshReports();
    void lookupAccount();
    void changeTickInterval();
    void changeRole();

private:
    QTableView *makeTable(QAbstractItemModel *model, QSortFilterProxyModel **proxy,
                          QLineEdit **filter, QWidget **page);
    QString selectedId(QTableView *table) const;
    void updateActions();
    void onStateChanged(ControlClient::State state);
    void showStatus(const QString &text, int timeoutMs = 0);

    ControlClient *m_client;
    ConsoleState *m_state;
    Confirm m_confirm;
    MapView *m_map;
    StatsPanel *m_stats;
    QTabWidget *m_tabs;
    QTableView *m_waitingTable;
    QTableView *m_pairTable;
    QTableView *m_reportTable;
    QSortFilterProxyModel *m_waitingProxy = nullptr;
    QSortFilterProxyModel *m_pairProxy = nullptr;
    QSortFilterProxyModel *m_reportProxy = nullptr;
    QLabel *m_connection;
    QAction *m_kick;
    QAction *m_kickPair;
    QAction *m_ban;
    QAction *m_resolve;
    QAction *m_refreshReports;
    QAction *m_lookup;
    QAction *m_broadcast;
    QAction *m_drain;
    QAction *m_tick;
    QAction *m_setRole;
};

} // namespace whisper::admin
