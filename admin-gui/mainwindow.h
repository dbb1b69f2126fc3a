// SPDX-License-Identifier: MIT
#pragma once

#include "controlclient.h"

#include <QMainWindow>
#include <QSet>

#include <functional>

class QAbstractItemModel;
class QCheckBox;
class QAction;
class QLabel;
class QLineEdit;
class QListView;
class QSortFilterProxyModel;
class QTableView;
class QTableWidget;
class QTabWidget;

namespace whisper::admin {

class AccountDialog;
class AuditView;
class BanDialog;
class NoticeDialog;
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
    // Runs the ban dialog; true: ban as it now says. Tests replace it.
    using BanChooser = std::function<bool(BanDialog &dialog)>;

    MainWindow(ControlClient *client, ConsoleState *state, QWidget *parent = nullptr);

    void setConfirm(Confirm confirm) { m_confirm = std::move(confirm); }
    void setBanChooser(BanChooser chooser) { m_chooseBan = std::move(chooser); }

    MapView *mapView() const { return m_map; }
    QTableView *waitingTable() const { return m_waitingTable; }
    QTableView *pairTable() const { return m_pairTable; }
    QTableView *reportTable() const { return m_reportTable; }
    QTableWidget *banTable() const { return m_banTable; }
    QString statusText() const;
    QAction *kickAction() const { return m_kick; }
    QAction *kickPairAction() const { return m_kickPair; }
    QAction *banAction() const { return m_ban; }
    QAction *unbanAction() const { return m_unban; }
    QAction *refreshBansAction() const { return m_refreshBans; }
    QAction *drainAction() const { return m_drain; }
    QAction *broadcastAction() const { return m_broadcast; }
    QAction *logoutAction() const { return m_logout; }
    QAction *aboutAction() const { return m_about; }
    // The banner that says the map and numbers are not live (hidden online).
    QLabel *staleBanner() const { return m_stale; }
    // Runs the broadcast dialog; true: send its text. Tests replace it.
    using NoticeChooser = std::function<bool(NoticeDialog &dialog)>;
    void setNoticeChooser(NoticeChooser chooser) { m_chooseNotice = std::move(chooser); }
    // Asks how a report was resolved; nullopt: cancelled. Tests replace it.
    using ResolutionAsker = std::function<std::optional<QString>(const QString &reportId)>;
    void setResolutionAsker(ResolutionAsker asker) { m_askResolution = std::move(asker); }
    QCheckBox *showResolvedBox() const { return m_showResolved; }
    AuditView *auditView() const { return m_audit; }
    // Shows a looked-up account with its actions; tests replace it.
    using AccountShower = std::function<void(AccountDialog &dialog)>;
    void setAccountShower(AccountShower shower) { m_showAccount = std::move(shower); }
    QAction *auditAction() const { return m_showAudit; }

Q_SIGNALS:
    // The operator wants to log out, or to log in to another server: the
    // connection is closed; whoever owns the login dialog shows it again.
    void logoutRequested();

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
    void refreshBans();
    void unbanSelected();
    void lookupAccount();
    void changeTickInterval();
    void changeRole();
    void logOut();
    void showAbout();

private:
    QTableView *makeTable(QAbstractItemModel *model, QSortFilterProxyModel **proxy,
                          QLineEdit **filter, QWidget **page);
    QString selectedId(QTableView *table) const;
    void updateActions();
    void onStateChanged(ControlClient::State state);
    void showStatus(const QString &text, int timeoutMs = 0);
    void showBanDialog(const control::BanPreview &preview);
    void showBans(const QList<control::BanInfo> &bans);
    void updateStaleBanner();
    void updateActionsOnRemoval(QSortFilterProxyModel *proxy);

    ControlClient *m_client;
    ConsoleState *m_state;
    Confirm m_confirm;
    BanChooser m_chooseBan;
    NoticeChooser m_chooseNotice;
    ResolutionAsker m_askResolution;
    AccountShower m_showAccount;
    QCheckBox *m_showResolved = nullptr;
    AuditView *m_audit = nullptr;
    QAction *m_showAudit = nullptr;
    qint64 m_lastLiveMs = 0;        // when the state was last live (0: never)
    QSet<qint64> m_previewRequests; // ban previews this window asked for
    QSet<qint64> m_banChanges;      // bans and unbans in flight: list again when done
    MapView *m_map;
    StatsPanel *m_stats;
    QTabWidget *m_tabs;
    QTableView *m_waitingTable;
    QTableView *m_pairTable;
    QTableView *m_reportTable;
    QTableWidget *m_banTable;
    QSortFilterProxyModel *m_waitingProxy = nullptr;
    QSortFilterProxyModel *m_pairProxy = nullptr;
    QSortFilterProxyModel *m_reportProxy = nullptr;
    QLabel *m_connection;
    QLabel *m_stale;
    QAction *m_kick;
    QAction *m_kickPair;
    QAction *m_ban;
    QAction *m_unban;
    QAction *m_refreshBans;
    QAction *m_resolve;
    QAction *m_refreshReports;
    QAction *m_lookup;
    QAction *m_broadcast;
    QAction *m_drain;
    QAction *m_tick;
    QAction *m_setRole;
    QAction *m_logout;
    QAction *m_about;
};

} // namespace whisper::admin
