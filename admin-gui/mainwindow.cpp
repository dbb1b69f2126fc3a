// SPDX-License-Identifier: MIT
#include "mainwindow.h"

#include "accountdialog.h"
#include "auditview.h"
#include "bandialog.h"
#include "consolestate.h"
#include "mapview.h"
#include "noticedialog.h"
#include "statspanel.h"
#include "tablemodels.h"

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QDateTime>
#include <QDockWidget>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QMenuBar>
#include <QMessageBox>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableView>
#include <QTableWidget>
#include <QToolBar>
#include <QVBoxLayout>

namespace whisper::admin {

MainWindow::MainWindow(ControlClient *client, ConsoleState *state, QWidget *parent)
    : QMainWindow(parent)
    , m_client(client)
    , m_state(state)
    , m_map(new MapView(this))
    , m_stats(new StatsPanel(state, this))
    , m_tabs(new QTabWidget(this))
    , m_connection(new QLabel(this))
    , m_stale(new QLabel(this)) {
    setWindowTitle(tr("WhisperChat admin console"));
    m_confirm = [this](const QString &title, const QString &text) {
        return QMessageBox::question(this, title, text) == QMessageBox::Yes;
    };
    m_chooseBan = [](BanDialog &dialog) { return dialog.exec() == QDialog::Accepted; };
    m_chooseNotice = [](NoticeDialog &dialog) { return dialog.exec() == QDialog::Accepted; };
    m_showAccount = [](AccountDialog &dialog) { dialog.exec(); };
    m_askResolution = [this](const QString &id) -> std::optional<QString> {
        bool ok = false;
        const QString text = QInputDialog::getText(this, tr("Resolve report"),
                                                   tr("How was report %1 resolved?").arg(id),
                                                   QLineEdit::Normal, QString(), &ok);
        return ok ? std::optional<QString>(text) : std::nullopt;
    };

    m_map->setObjectName(QStringLiteral("map"));
    m_map->setLand(LandMap::load());
    m_map->setBorders(CountryBorders::load());
    m_map->setModels(state->waiting(), state->pairs());

    QLineEdit *filter = nullptr;
    QWidget *page = nullptr;
    m_waitingTable = makeTable(state->waiting(), &m_waitingProxy, &filter, &page);
    m_tabs->addTab(page, tr("Waiting"));
    m_pairTable = makeTable(state->pairs(), &m_pairProxy, &filter, &page);
    m_tabs->addTab(page, tr("Pairs"));
    m_reportTable = makeTable(state->reports(), &m_reportProxy, &filter, &page);
    // Resolved reports stay reachable: the server sends them on request.
    m_showResolved = new QCheckBox(tr("Show resolved reports"), page);
    m_showResolved->setObjectName(QStringLiteral("showResolved"));
    static_cast<QVBoxLayout *>(page->layout())->insertWidget(1, m_showResolved);
    connect(m_showResolved, &QCheckBox::toggled, this, &MainWindow::refreshReports);
    m_tabs->addTab(page, tr("Reports"));
    m_banTable = new QTableWidget(0, 6, this);
    m_banTable->setObjectName(QStringLiteral("banTable"));
    m_banTable->setHorizontalHeaderLabels(
        {tr("Ban"), tr("Account"), tr("Until"), tr("Since"), tr("By"), tr("Reason")});
    m_banTable->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_banTable->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_banTable->setSelectionMode(QAbstractItemView::SingleSelection);
    m_banTable->horizontalHeader()->setStretchLastSection(true);
    m_banTable->verticalHeader()->hide();
    m_tabs->addTab(m_banTable, tr("Bans"));
    auto *events = new QListView(this);
    events->setModel(state->events());
    events->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_tabs->addTab(events, tr("Events"));
    // Admins only: the tab is there for everyone, its filter works for admins.
    m_audit = new AuditView(client, this);
    m_tabs->addTab(m_audit, tr("Audit log"));
    m_waitingTable->setObjectName(QStringLiteral("waitingTable"));
    m_pairTable->setObjectName(QStringLiteral("pairTable"));
    m_reportTable->setObjectName(QStringLiteral("reportTable"));

    auto *splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(m_map);
    splitter->addWidget(m_tabs);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    // Above map and tables, where the eye is: what is shown is not live.
    m_stale->setObjectName(QStringLiteral("staleBanner"));
    m_stale->setWordWrap(true);
    m_stale->setMargin(6);
    m_stale->setStyleSheet(
        QStringLiteral("background: #fdebd0; color: #7e5109; border: 1px solid #e59866"));
    auto *central = new QWidget(this);
    auto *centralLayout = new QVBoxLayout(central);
    centralLayout->setContentsMargins(0, 0, 0, 0);
    centralLayout->setSpacing(0);
    centralLayout->addWidget(m_stale);
    centralLayout->addWidget(splitter, 1);
    setCentralWidget(central);

    auto *dock = new QDockWidget(tr("Statistics"), this);
    dock->setObjectName(QStringLiteral("statsDock"));
    dock->setWidget(m_stats);
    dock->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable);
    addDockWidget(Qt::RightDockWidgetArea, dock);

    // ---- actions
    auto *console = menuBar()->addMenu(tr("&Console"));
    m_logout = console->addAction(tr("Log out / switch server..."), this, &MainWindow::logOut);
    console->addSeparator();
    auto *quit = console->addAction(tr("Quit"), qApp, &QApplication::closeAllWindows);
    quit->setShortcut(QKeySequence::Quit);

    auto *view = menuBar()->addMenu(tr("&View"));
    auto *zoomIn = view->addAction(tr("Zoom in"), m_map, &MapView::zoomIn);
    zoomIn->setShortcut(QKeySequence::ZoomIn);
    auto *zoomOut = view->addAction(tr("Zoom out"), m_map, &MapView::zoomOut);
    zoomOut->setShortcut(QKeySequence::ZoomOut);
    auto *reset = view->addAction(tr("Reset map"), m_map, &MapView::resetView);

    auto *moderate = menuBar()->addMenu(tr("&Moderation"));
    m_kick = moderate->addAction(tr("Kick client..."), this, &MainWindow::kickSelected);
    m_kickPair = moderate->addAction(tr("End pair..."), this, &MainWindow::kickSelectedPair);
    m_ban = moderate->addAction(tr("Ban..."), this, &MainWindow::banSelected);
    moderate->addSeparator();
    m_refreshReports =
        moderate->addAction(tr("Refresh reports"), this, &MainWindow::refreshReports);
    m_resolve =
        moderate->addAction(tr("Resolve report..."), this, &MainWindow::resolveSelectedReport);
    m_lookup = moderate->addAction(tr("Look up account..."), this, &MainWindow::lookupAccount);
    moderate->addSeparator();
    m_refreshBans = moderate->addAction(tr("Refresh bans"), this, &MainWindow::refreshBans);
    m_unban = moderate->addAction(tr("Lift ban..."), this, &MainWindow::unbanSelected);

    auto *admin = menuBar()->addMenu(tr("&Server"));
    m_broadcast = admin->addAction(tr("Broadcast notice..."), this, &MainWindow::broadcastNotice);
    m_tick = admin->addAction(tr("Matchmaker interval..."), this, &MainWindow::changeTickInterval);
    m_setRole = admin->addAction(tr("Set role..."), this, &MainWindow::changeRole);
    m_drain = admin->addAction(tr("Drain server..."), this, &MainWindow::drainServer);
    m_showAudit = admin->addAction(tr("Audit log"), this, [this] {
        m_tabs->setCurrentWidget(m_audit);
        m_audit->refresh();
    });

    auto *help = menuBar()->addMenu(tr("&Help"));
    m_about = help->addAction(tr("About the admin console"), this, &MainWindow::showAbout);
    help->addAction(tr("About Qt"), qApp, &QApplication::aboutQt);

    auto *toolbar = addToolBar(tr("Actions"));
    toolbar->setObjectName(QStringLiteral("actions"));
    for (QAction *a : {zoomIn, zoomOut, reset})
        toolbar->addAction(a);
    toolbar->addSeparator();
    for (QAction *a : {m_kick, m_kickPair, m_ban, m_resolve, m_broadcast, m_drain})
        toolbar->addAction(a);

    statusBar()->addPermanentWidget(m_connection);

    // ---- wiring
    updateActionsOnRemoval(m_waitingProxy);
    updateActionsOnRemoval(m_pairProxy);
    updateActionsOnRemoval(m_reportProxy);
    connect(state, &ConsoleState::snapshotCompleted, this, &MainWindow::updateStaleBanner);
    connect(m_map, &MapView::clientClicked, this, &MainWindow::selectClient);
    connect(m_waitingTable->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this] {
                m_map->setSelectedClient(selectedId(m_waitingTable));
                updateActions();
            });
    connect(m_pairTable->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &MainWindow::updateActions);
    connect(m_reportTable->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &MainWindow::updateActions);
    connect(m_tabs, &QTabWidget::currentChanged, this, &MainWindow::updateActions);
    connect(m_banTable, &QTableWidget::currentCellChanged, this, &MainWindow::updateActions);
    connect(client, &ControlClient::banPreviewReceived, this,
            [this](qint64 req, const control::BanPreview &preview) {
                if (m_previewRequests.remove(req))
                    showBanDialog(preview);
            });
    connect(client, &ControlClient::bansReceived, this,
            [this](qint64, const QList<control::BanInfo> &bans) { showBans(bans); });
    connect(client, &ControlClient::stateChanged, this, &MainWindow::onStateChanged);
    // The Reports tab follows the stream as the Events tab does: a new
    // report (an event in a delta) brings the list up to date.
    connect(client, &ControlClient::deltaReceived, this, [this](const control::Delta &delta) {
        const bool reported =
            std::any_of(delta.events.cbegin(), delta.events.cend(), [](const control::Event &e) {
                return e.kind == control::EventKind::Reported;
            });
        if (reported && m_client->can(QStringLiteral("list_reports")))
            refreshReports();
    });
    connect(client, &ControlClient::loggedIn, this,
            [this](const QString &user, const QString &role) {
                showStatus(tr("Logged in as %1 (%2)").arg(user, role), 5000);
                updateActions();
                if (m_client->can(QStringLiteral("list_reports")))
                    refreshReports();
                if (m_client->can(QStringLiteral("list_bans")))
                    m_client->listBans();
            });
    connect(client, &ControlClient::authenticationFailed, this,
            [this](const QString &message) { showStatus(tr("Login refused: %1").arg(message)); });
    connect(client, &ControlClient::serverGone, this, [this](const QString &reason, int retryMs) {
        showStatus(tr("Server connection lost (%1); retrying in %2 s")
                       .arg(reason)
                       .arg(retryMs / 1000.0, 0, 'f', 1));
    });
    connect(client, &ControlClient::commandFailed, this,
            [this](qint64 req, control::ErrorCode code, const QString &message) {
                m_banChanges.remove(req);
                m_previewRequests.remove(req);
                if (code == control::ErrorCode::Forbidden)
                    showStatus(tr("Not allowed for your role: %1").arg(message), 10000);
                else
                    showStatus(tr("Command failed: %1").arg(message), 10000);
            });
    connect(client, &ControlClient::commandSucceeded, this, [this](qint64 req) {
        showStatus(tr("Done."), 3000);
        // The list changes once the server has stored the change.
        if (m_banChanges.remove(req) && m_client->can(QStringLiteral("list_bans")))
            m_client->listBans();
    });
    connect(client, &ControlClient::accountReceived, this,
            [this](qint64, const control::AccountInfo &a) {
                AccountDialog dialog(a,
                                     {m_client->can(QStringLiteral("ban_temporary")),
                                      m_client->can(QStringLiteral("ban_permanent")),
                                      m_client->can(QStringLiteral("set_role"))},
                                     this);
                connect(&dialog, &AccountDialog::banRequested, this,
                        [this](const QString &name, qint64 durationS, const QString &reason) {
                            m_banChanges.insert(m_client->banAccount(name, durationS, reason));
                        });
                connect(&dialog, &AccountDialog::roleRequested, this,
                        [this](const QString &name, const QString &role) {
                            if (m_confirm(tr("Set role"), tr("Make %1 a %2?").arg(name, role)))
                                m_client->setRole(name, role);
                        });
                m_showAccount(dialog);
            });
    onStateChanged(client->state());
    resize(1200, 800);
}

QTableView *MainWindow::makeTable(QAbstractItemModel *model, QSortFilterProxyModel **proxy,
                                  QLineEdit **filter, QWidget **page) {
    *page = new QWidget(this);
    auto *layout = new QVBoxLayout(*page);
    layout->setContentsMargins(0, 0, 0, 0);
    *filter = new QLineEdit(*page);
    (*filter)->setPlaceholderText(tr("Filter"));
    (*filter)->setClearButtonEnabled(true);
    *proxy = new QSortFilterProxyModel(this);
    auto *table = new QTableView(*page);
    // Connected before the proxy, so this runs before the selection model
    // has moved the current index off a row that is leaving: without it, the
    // current index slides to the next row and the next kick hits a bystander.
    connect(model, &QAbstractItemModel::rowsAboutToBeRemoved, table,
            [table, p = *proxy](const QModelIndex &parent, int first, int last) {
                if (parent.isValid() || !table->selectionModel())
                    return;
                const QModelIndex current = p->mapToSource(table->selectionModel()->currentIndex());
                if (current.isValid() && current.row() >= first && current.row() <= last)
                    table->selectionModel()->clear();
            });
    (*proxy)->setSourceModel(model);
    (*proxy)->setSortRole(kSortRole);
    (*proxy)->setFilterKeyColumn(-1);
    (*proxy)->setFilterCaseSensitivity(Qt::CaseInsensitive);
    table->setModel(*proxy);
    table->setSortingEnabled(true);
    table->setSelectionBehavior(QAbstractItemView::SelectRows);
    table->setSelectionMode(QAbstractItemView::SingleSelection);
    table->horizontalHeader()->setStretchLastSection(true);
    table->verticalHeader()->hide();
    connect(*filter, &QLineEdit::textChanged, *proxy, &QSortFilterProxyModel::setFilterFixedString);
    layout->addWidget(*filter);
    layout->addWidget(table);
    return table;
}

QString MainWindow::selectedId(QTableView *table) const {
    const QModelIndex current = table->selectionModel()->currentIndex();
    return current.isValid() ? current.data(kIdRole).toString() : QString();
}

QString MainWindow::statusText() const {
    return m_connection->text() + QLatin1Char('|') + statusBar()->currentMessage();
}

void MainWindow::showStatus(const QString &text, int timeoutMs) {
    statusBar()->showMessage(text, timeoutMs);
}

void MainWindow::onStateChanged(ControlClient::State state) {
    switch (state) {
    case ControlClient::State::Disconnected:
        m_connection->setText(tr("Disconnected"));
        break;
    case ControlClient::State::Connecting:
        m_connection->setText(tr("Connecting to %1...").arg(m_client->url().toString()));
        break;
    case ControlClient::State::LoggingIn:
        m_connection->setText(tr("Logging in..."));
        break;
    case ControlClient::State::Online:
        m_connection->setText(
            tr("Connected to %1 as %2").arg(m_client->url().toString(), m_client->username()));
        break;
    case ControlClient::State::WaitingToReconnect:
        m_connection->setText(tr("Reconnecting..."));
        break;
    }
    updateStaleBanner();
    updateActions();
}

void MainWindow::updateActions() {
    const bool online = m_client->state() == ControlClient::State::Online;
    auto allow = [&](QAction *action, const char *permission, bool selected) {
        const bool permitted = online && m_client->can(QLatin1String(permission));
        action->setEnabled(permitted && selected);
        action->setToolTip(permitted ? action->text().remove(QStringLiteral("..."))
                                     : tr("Your role may not do this"));
    };
    const bool client = !selectedId(m_waitingTable).isEmpty();
    const bool pair = !selectedId(m_pairTable).isEmpty();
    const bool report = !selectedId(m_reportTable).isEmpty();
    allow(m_kick, "kick_client", client || pair);
    allow(m_kickPair, "kick_client", pair);
    allow(m_ban, "ban_temporary", client || pair);
    allow(m_refreshReports, "list_reports", true);
    allow(m_resolve, "resolve_reports", report);
    allow(m_lookup, "lookup_account", true);
    allow(m_broadcast, "broadcast", true);
    allow(m_drain, "drain", true);
    allow(m_tick, "set_tick_interval", true);
    allow(m_setRole, "set_role", true);
    allow(m_refreshBans, "list_bans", true);
    allow(m_unban, "lift_ban", m_banTable->currentRow() >= 0);
    allow(m_showAudit, "view_audit", true);
    m_audit->setEnabled(online && m_client->can(QStringLiteral("view_audit")));
}

void MainWindow::selectClient(const QString &id) {
    const int row = m_state->waiting()->rowOf(id);
    if (row < 0)
        return;
    const QModelIndex index = m_waitingProxy->mapFromSource(m_state->waiting()->index(row, 0));
    if (!index.isValid())
        return;
    m_tabs->setCurrentWidget(m_waitingTable->parentWidget());
    m_waitingTable->selectionModel()->setCurrentIndex(index, QItemSelectionModel::ClearAndSelect |
                                                                 QItemSelectionModel::Rows);
    m_waitingTable->scrollTo(index);
    m_map->setSelectedClient(id);
}

void MainWindow::selectPair(const QString &id) {
    const int row = m_state->pairs()->rowOf(id);
    if (row < 0)
        return;
    const QModelIndex index = m_pairProxy->mapFromSource(m_state->pairs()->index(row, 0));
    m_tabs->setCurrentWidget(m_pairTable->parentWidget());
    m_pairTable->selectionModel()->setCurrentIndex(index, QItemSelectionModel::ClearAndSelect |
                                                              QItemSelectionModel::Rows);
}

void MainWindow::updateActionsOnRemoval(QSortFilterProxyModel *proxy) {
    // A removed selection (makeTable()) or a reset (a new snapshot) leaves
    // nothing selected: the actions must say so.
    connect(proxy, &QAbstractItemModel::rowsRemoved, this, &MainWindow::updateActions);
    connect(proxy, &QAbstractItemModel::modelReset, this, &MainWindow::updateActions);
}

void MainWindow::updateStaleBanner() {
    const bool live =
        m_client->state() == ControlClient::State::Online && m_state->snapshotComplete();
    if (live)
        m_lastLiveMs = QDateTime::currentMSecsSinceEpoch();
    if (live) {
        m_stale->hide();
        return;
    }
    m_stale->setText(
        m_lastLiveMs == 0
            ? tr("Not connected: there is nothing to show yet.")
            : tr("Not connected: the map, tables and statistics show the server as it was at "
                 "%1 and are not updating.")
                  .arg(QDateTime::fromMSecsSinceEpoch(m_lastLiveMs)
                           .toString(QStringLiteral("HH:mm:ss"))));
    m_stale->show();
}

void MainWindow::logOut() {
    if (m_client->state() == ControlClient::State::Online &&
        !m_confirm(tr("Log out"), tr("Log out of %1?").arg(m_client->url().toString())))
        return;
    m_client->disconnectFromServer();
    Q_EMIT logoutRequested();
}

void MainWindow::showAbout() {
    QMessageBox::about(
        this, tr("About the admin console"),
        tr("<p><b>WhisperChat admin console</b> %1</p>"
           "<p>Watches a WhisperChat server over its control port: the waiting room on a map, "
           "the pairs, reports and bans, and the moderation actions your role allows.</p>"
           "<p>The operator's guide is docs/OPERATIONS.md; the control protocol is "
           "docs/CONTROL-PROTOCOL.md.</p><p>MIT licence. Built with Qt %2.</p>")
            .arg(QCoreApplication::applicationVersion(), QString::fromLatin1(qVersion())));
}

void MainWindow::kickSelected() {
    // A waiting client from the waiting table, or member A of a selected pair.
    QString id = selectedId(m_waitingTable);
    if (m_tabs->currentWidget() == m_pairTable->parentWidget() || id.isEmpty())
        if (const auto *p = m_state->pairs()->find(selectedId(m_pairTable)))
            id = p->a;
    if (id.isEmpty())
        return;
    if (m_confirm(tr("Kick client"),
                  tr("Disconnect client %1? Its partner, if any, is told it was kicked.").arg(id)))
        m_client->kick(id);
}

void MainWindow::kickSelectedPair() {
    const QString id = selectedId(m_pairTable);
    if (id.isEmpty())
        return;
    if (m_confirm(tr("End pair"), tr("End pair %1? Both members return to the lobby.").arg(id)))
        m_client->kickPair(id);
}

void MainWindow::banSelected() {
    QString id = selectedId(m_waitingTable);
    if (m_tabs->currentWidget() == m_pairTable->parentWidget() || id.isEmpty())
        if (const auto *p = m_state->pairs()->find(selectedId(m_pairTable)))
            id = p->a;
    if (id.isEmpty())
        return;
    // The dialog needs to say what each choice covers: ask the server first.
    m_previewRequests.insert(m_client->previewBan(id));
}

void MainWindow::showBanDialog(const control::BanPreview &preview) {
    BanDialog dialog(preview, m_client->can(QStringLiteral("ban_permanent")), this);
    if (!m_chooseBan(dialog))
        return;
    m_banChanges.insert(
        m_client->banClient(preview.client, dialog.durationS(), dialog.reason(), dialog.scope()));
}

void MainWindow::refreshBans() {
    m_client->listBans();
}

void MainWindow::showBans(const QList<control::BanInfo> &bans) {
    m_banTable->setRowCount(0);
    m_banTable->setRowCount(int(bans.size()));
    auto time = [](qint64 ms) { return QDateTime::fromMSecsSinceEpoch(ms).toString(Qt::ISODate); };
    for (int row = 0; row < bans.size(); ++row) {
        const control::BanInfo &b = bans[row];
        const QStringList cells{b.id,
                                b.account.isEmpty() ? tr("(an IP address)") : b.account,
                                b.expiresMs == 0 ? tr("permanent") : time(b.expiresMs),
                                time(b.createdMs),
                                b.by,
                                b.reason};
        for (int col = 0; col < cells.size(); ++col)
            m_banTable->setItem(row, col, new QTableWidgetItem(cells[col]));
    }
    updateActions();
}

void MainWindow::unbanSelected() {
    const int row = m_banTable->currentRow();
    if (row < 0 || !m_banTable->item(row, 0))
        return;
    const QString id = m_banTable->item(row, 0)->text();
    const QString who = m_banTable->item(row, 1)->text();
    if (m_confirm(tr("Lift ban"), tr("Lift ban %1 (%2)?").arg(id, who)))
        m_banChanges.insert(m_client->unban(id));
}

void MainWindow::resolveSelectedReport() {
    const QString id = selectedId(m_reportTable);
    if (id.isEmpty())
        return;
    // One question: the resolution dialog's OK is the decision.
    const std::optional<QString> resolution = m_askResolution(id);
    if (!resolution)
        return;
    m_client->resolveReport(id, resolution->left(control::kMaxReasonChars));
    refreshReports();
}

void MainWindow::broadcastNotice() {
    NoticeDialog dialog(control::kMaxNoticeChars, this);
    if (!m_chooseNotice(dialog) || dialog.text().isEmpty())
        return;
    if (m_confirm(tr("Broadcast notice"), tr("Send this notice to every connected client?")))
        m_client->broadcast(dialog.text().left(control::kMaxNoticeChars));
}

void MainWindow::drainServer() {
    if (m_confirm(tr("Drain server"),
                  tr("Drain the server? New connections are refused, every client is told to move "
                     "to another server, and this one stops after the grace period.")))
        m_client->drain();
}

void MainWindow::refreshReports() {
    m_client->listReports(m_showResolved->isChecked());
}

void MainWindow::lookupAccount() {
    bool ok = false;
    const QString name = QInputDialog::getText(this, tr("Look up account"), tr("Username:"),
                                               QLineEdit::Normal, QString(), &ok);
    if (ok && !name.trimmed().isEmpty())
        m_client->lookupAccount(name.trimmed());
}

void MainWindow::changeTickInterval() {
    bool ok = false;
    const int current = m_state->latestStats() ? m_state->latestStats()->tickIntervalMs : 250;
    const int ms = QInputDialog::getInt(this, tr("Matchmaker interval"),
                                        tr("Milliseconds between matchmaking rounds:"), current, 1,
                                        60000, 10, &ok);
    if (ok && m_confirm(tr("Matchmaker interval"), tr("Run the matchmaker every %1 ms?").arg(ms)))
        m_client->setTickInterval(ms);
}

void MainWindow::changeRole() {
    bool ok = false;
    const QString name = QInputDialog::getText(this, tr("Set role"), tr("Username:"),
                                               QLineEdit::Normal, QString(), &ok);
    if (!ok || name.trimmed().isEmpty())
        return;
    const QStringList roles{QStringLiteral("user"), QStringLiteral("moderator"),
                            QStringLiteral("admin")};
    const QString role =
        QInputDialog::getItem(this, tr("Set role"), tr("New role:"), roles, 0, false, &ok);
    if (ok && m_confirm(tr("Set role"), tr("Make %1 a %2?").arg(name.trimmed(), role)))
        m_client->setRole(name.trimmed(), role);
}

} // namespace whisper::admin
