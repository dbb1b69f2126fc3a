// SPDX-License-Identifier: MIT
// The admin console end to end: a real whisperchat-server with 40 real
// clients (20 waiting, 10 pairs), the real console (login dialog, control
// client, models, map, tables, actions) logged in as a moderator, a kick from
// the console, and a screenshot under the build directory. Runs on the
// offscreen platform; no display needed.

#include "accountdialog.h"
#include "auditview.h"
#include "bandialog.h"
#include "consolestate.h"
#include "controlclient.h"
#include "instrumented.h"
#include "logindialog.h"
#include "mainwindow.h"
#include "mapview.h"
#include "noticedialog.h"
#include "serverprocess.h"
#include "statspanel.h"
#include "storage.h"
#include "testclient.h"
#include "testpaths.h"

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QLabel>
#include <QPlainTextEdit>
#include <QProcess>
#include <QPushButton>
#include <QRegularExpression>
#include <QSettings>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QSqlQuery>
#include <QTableView>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBlock>
#include <QTextLayout>

using namespace whisper;
using namespace whisper::admin;
using whisper::test::ServerProcess;
using whisper::test::TestClient;

namespace {

// How long the console may take to show what the server did: five times
// longer when both are instrumented (a sanitizer under a loaded -j2 run).
constexpr int kWaitMs = whisper::test::scaledMs(5000);
const QString kModerator = QStringLiteral("moderator1");
const QString kPassword = QStringLiteral("a long moderator passphrase");
const QString kAdmin = QStringLiteral("admin1");
const QString kSecondAdmin = QStringLiteral("admin2");
const QString kChanger = QStringLiteral("moderator2");
} // namespace

class TestAdminGui : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void consoleShowsServerAndKicks();
    void auditRowsAreWritten();
    void auditViewerFilters();
    void accountLookupOffersTheRolesActions();
    void wrongPasswordIsShown();
    void failedLoginIsNotRemembered();
    void chatPortIsNotAControlPort();
    void banDialogChoicesAndActions();
    void demotedAdminsConsoleIsDowngradedThenClosed();
    void passwordChangeInChatEndsTheConsole();
    void adminBroadcastsAndDrains();
    void serverGoneThenBack();
    void cleanupTestCase();

private:
    std::unique_ptr<TestClient> client(double lat, double lon, double rangeKm);
    // Runs `whisperchat-server user ...` against the running server's database.
    bool userCommand(const QStringList &args);

    QTemporaryDir m_dir;
    std::unique_ptr<ServerProcess> m_server;
    std::vector<std::unique_ptr<TestClient>> m_clients;
};

void TestAdminGui::initTestCase() {
    QVERIFY(m_dir.isValid());
    // The login dialog's QSettings go to the temp dir, not the user's home.
    QCoreApplication::setOrganizationName(QStringLiteral("WhisperChatTest"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_admingui"));
    QSettings::setDefaultFormat(QSettings::IniFormat);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_dir.path());
    // The accounts, made the way an operator does it.
    for (const auto &[name, role] : {std::pair{kModerator, QStringLiteral("moderator")},
                                     std::pair{kAdmin, QStringLiteral("admin")},
                                     std::pair{kSecondAdmin, QStringLiteral("admin")},
                                     std::pair{kChanger, QStringLiteral("moderator")}}) {
        QProcess user;
        user.start(ServerProcess::binary(QStringLiteral("whisperchat-server")),
                   {QStringLiteral("user"), QStringLiteral("add"), name, QStringLiteral("--role"),
                    role, QStringLiteral("--password-stdin"), QStringLiteral("--data-dir"),
                    m_dir.path(), QStringLiteral("--argon2-ops"), QStringLiteral("1"),
                    QStringLiteral("--argon2-mem-kib"), QStringLiteral("256")});
        QVERIFY(user.waitForStarted());
        user.write(kPassword.toUtf8() + '\n');
        user.closeWriteChannel();
        QVERIFY(user.waitForFinished(30000));
        QVERIFY2(user.exitCode() == 0, user.readAllStandardError().constData());
    }
    m_server = std::make_unique<ServerProcess>(
        QStringList{QStringLiteral("--data-dir"), m_dir.path(), QStringLiteral("--argon2-ops"),
                    QStringLiteral("1"), QStringLiteral("--argon2-mem-kib"), QStringLiteral("256"),
                    QStringLiteral("--tick-ms"), QStringLiteral("50"),
                    // The console's drain must stay observable until the
                    // next test stops the server (a second signal: at once).
                    QStringLiteral("--drain-grace-s"), QStringLiteral("60"),
                    QStringLiteral("--drain-deadline-s"), QStringLiteral("120")});
    QVERIFY2(m_server->start(), m_server->log().constData());
    QVERIFY(m_server->controlUrl().isValid());
}

void TestAdminGui::cleanupTestCase() {
    m_clients.clear();
    if (m_server)
        QVERIFY(m_server->terminate());
}

namespace {
QString selectedReport(const MainWindow &window) {
    const QModelIndex current = window.reportTable()->selectionModel()->currentIndex();
    return current.isValid() ? current.data(kIdRole).toString() : QString();
}
} // namespace

std::unique_ptr<TestClient> TestAdminGui::client(double lat, double lon, double rangeKm) {
    return TestClient::waitingAt(m_server->chatUrl(), lat, lon, rangeKm);
}

void TestAdminGui::consoleShowsServerAndKicks() {
    // 10 pairs: two clients a few km apart in ten cities.
    const QList<QPointF> cities{{13.40, 52.52},  {2.35, 48.86},    {-0.13, 51.51}, {-74.0, 40.71},
                                {139.69, 35.69}, {151.21, -33.87}, {-43.2, -22.9}, {77.21, 28.61},
                                {37.62, 55.76},  {18.42, -33.92}};
    for (const QPointF &c : cities) {
        auto a = client(c.y(), c.x(), 20);
        auto b = client(c.y() + 0.05, c.x() + 0.05, 20);
        QVERIFY(a && b);
        QVERIFY(a->waitFor<protocol::Matched>());
        QVERIFY(b->waitFor<protocol::Matched>());
        m_clients.push_back(std::move(a));
        m_clients.push_back(std::move(b));
    }
    // 20 waiting: spread out with 1 km ranges, so nobody matches them.
    for (int i = 0; i < 20; ++i) {
        auto w = client(-50 + 5 * i, -170 + 17 * i, 1);
        QVERIFY(w);
        m_clients.push_back(std::move(w));
    }

    ControlClient controlClient;
    ConsoleState state;
    state.attach(&controlClient);
    MainWindow window(&controlClient, &state);
    window.setConfirm([](const QString &, const QString &) { return true; });
    window.resize(1400, 900);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));

    // Log in through the real dialog.
    LoginDialog login;
    login.rememberSuccessfulLogins(&controlClient);
    login.setCredentials({m_server->controlUrl(), kModerator, kPassword, {}});
    login.accept();
    QCOMPARE(login.result(), int(QDialog::Accepted));
    controlClient.connectToServer(login.credentials());
    QTRY_COMPARE_WITH_TIMEOUT(controlClient.state(), ControlClient::State::Online, 10000);
    QCOMPARE(controlClient.role(), QStringLiteral("moderator"));
    {
        // Remembered: the URL and the username; never the password.
        QSettings settings;
        QCOMPARE(settings.value("login/url").toString(), m_server->controlUrl().toString());
        QCOMPARE(settings.value("login/username").toString(), kModerator);
        for (const QString &key : settings.allKeys())
            QVERIFY(!settings.value(key).toString().contains(kPassword));
        QFile file(settings.fileName());
        QVERIFY(file.open(QIODevice::ReadOnly));
        QVERIFY(!file.readAll().contains(kPassword.toUtf8()));
        LoginDialog again;
        QCOMPARE(again.credentials().username, kModerator);
        QVERIFY(again.credentials().password.isEmpty());
    }

    // Tables and map show 20 waiting and 10 pairs.
    QTRY_COMPARE_WITH_TIMEOUT(window.waitingTable()->model()->rowCount(), 20, 10000);
    QTRY_COMPARE_WITH_TIMEOUT(window.pairTable()->model()->rowCount(), 10, 10000);
    QVERIFY(state.snapshotComplete());
    (void)window.mapView()->grab();
    QCOMPARE(window.mapView()->lastFrameDots(), 20);
    QCOMPARE(window.mapView()->lastFrameLines(), 10);
    QVERIFY(!window.mapView()->lastFrameWasDense());
    // The console's map carries the built-in country borders, all in view.
    QCOMPARE(window.mapView()->borderLinesInView(), int(CountryBorders::load().lines().size()));
    QVERIFY(window.mapView()->borderLinesInView() > 300);
    // Stats arrive once a second.
    QTRY_VERIFY_WITH_TIMEOUT(state.latestStats().has_value(), kWaitMs);
    QCOMPARE(state.latestStats()->pairs, 10);
    QCOMPARE(state.latestStats()->waiting, 20);
    QVERIFY(window.findChild<StatsPanel *>()->text().contains(QStringLiteral("40")));

    // A moderator may kick and ban but not drain or broadcast.
    QVERIFY(!window.drainAction()->isEnabled());
    QVERIFY(!window.broadcastAction()->isEnabled());

    // Clicking a dot on the map selects that client in the table.
    const auto first = state.waiting()->records().first();
    window.mapView()->resetView();
    const QPoint dot = window.mapView()->projection().toScreen(first.lon, first.lat).toPoint();
    QTest::mouseClick(window.mapView(), Qt::LeftButton, {}, dot);
    QCOMPARE(window.waitingTable()->selectionModel()->currentIndex().data(kIdRole).toString(),
             first.id);
    QVERIFY(window.kickAction()->isEnabled());

    // End one pair from the console.
    const control::PairInfo pair = state.pairs()->records().first();
    window.selectPair(pair.id);
    QVERIFY(window.kickPairAction()->isEnabled());
    window.kickPairAction()->trigger();
    // Both members, and only they, hear "kicked"; the table loses the pair.
    auto kickedClients = [this] {
        int n = 0;
        for (const auto &c : m_clients)
            for (const auto &m : c->unread())
                if (const auto *left = std::get_if<protocol::PartnerLeft>(&m))
                    n += left->reason == protocol::LeftReason::Kicked;
        return n;
    };
    QTRY_COMPARE_WITH_TIMEOUT(kickedClients(), 2, kWaitMs);
    QTRY_COMPARE_WITH_TIMEOUT(window.pairTable()->model()->rowCount(), 9, kWaitMs);
    QVERIFY(state.pairs()->find(pair.id) == nullptr);
    // The selection went with the pair: it did not slide to the next row, so
    // a second click cannot end a pair nobody chose.
    QVERIFY(!window.pairTable()->selectionModel()->currentIndex().isValid());
    QVERIFY(!window.kickPairAction()->isEnabled());
    // The same for a waiting client kicked from the table.
    const QString victim = state.waiting()->records().last().id;
    window.selectClient(victim);
    QVERIFY(window.kickAction()->isEnabled());
    window.kickAction()->trigger();
    QTRY_COMPARE_WITH_TIMEOUT(window.waitingTable()->model()->rowCount(), 19, kWaitMs);
    QVERIFY(!window.waitingTable()->selectionModel()->currentIndex().isValid());
    QVERIFY(!window.kickAction()->isEnabled());
    QTRY_VERIFY(window.statusText().contains(QStringLiteral("Connected")));

    // A chat client reports its partner; the moderator sees it and resolves it.
    TestClient *reporter = nullptr;
    for (int i = 0; i < 20 && !reporter; ++i) {
        const auto unread = m_clients[i]->unread();
        if (std::none_of(unread.cbegin(), unread.cend(), [](const protocol::ServerMessage &m) {
                return std::holds_alternative<protocol::PartnerLeft>(m);
            }))
            reporter = m_clients[i].get();
    }
    QVERIFY(reporter);
    reporter->send(protocol::Report{QStringLiteral("spam")});
    QVERIFY(reporter->waitFor<protocol::Reported>());
    // The report arrives as a live event too, before anyone refreshes.
    QTRY_VERIFY_WITH_TIMEOUT(
        state.events()->stringList().join(QLatin1Char('\n')).contains(QLatin1String("reported")),
        kWaitMs);
    // ...and in the Reports tab without a refresh: it follows the stream.
    QTRY_COMPARE_WITH_TIMEOUT(window.reportTable()->model()->rowCount(), 1, kWaitMs);
    const control::Report report = state.reports()->records().first();
    QCOMPARE(report.reason, QStringLiteral("spam"));
    QVERIFY(!report.resolved);
    // Guests are shown as "guest …123456", not as 19-digit keys.
    static const QRegularExpression longNumber(QStringLiteral("[0-9]{10,}"));
    for (const QString &party : {report.reporter, report.reported}) {
        QVERIFY2(party.startsWith(QLatin1String("guest ")), qPrintable(party));
        QVERIFY2(!longNumber.match(party).hasMatch(), qPrintable(party));
    }
    QVERIFY(report.reporter != report.reported);
    // Resolving asks one question, not two.
    int confirmations = 0;
    window.setConfirm([&](const QString &, const QString &) { return ++confirmations > 0; });
    int asked = 0;
    window.setResolutionAsker([&](const QString &) {
        ++asked;
        return std::optional<QString>(QStringLiteral("warned"));
    });
    window.reportTable()->selectRow(0);
    QVERIFY(window.findChild<QAction *>() && !selectedReport(window).isEmpty());
    window.resolveSelectedReport();
    QCOMPARE(asked, 1);
    QCOMPARE(confirmations, 0);
    QTRY_COMPARE_WITH_TIMEOUT(window.reportTable()->model()->rowCount(), 0, kWaitMs);
    // Resolved reports stay visible behind the filter.
    window.showResolvedBox()->setChecked(true);
    QTRY_COMPARE_WITH_TIMEOUT(window.reportTable()->model()->rowCount(), 1, kWaitMs);
    QVERIFY(state.reports()->records().first().resolved);
    QCOMPARE(state.reports()->records().first().resolution, QStringLiteral("warned"));
    window.showResolvedBox()->setChecked(false);
    QTRY_COMPARE_WITH_TIMEOUT(window.reportTable()->model()->rowCount(), 0, kWaitMs);
    window.setConfirm([](const QString &, const QString &) { return true; });

    // The screenshot the README shows.
    QTRY_VERIFY_WITH_TIMEOUT(state.latestStats() && state.latestStats()->pairs == 9, kWaitMs);
    QVERIFY(window.staleBanner()->isHidden());
    const QString path = QStringLiteral(WHISPER_BUILD_DIR) + QStringLiteral("/admin-console.png");
    QVERIFY(window.grab().save(path));
    QVERIFY(QFileInfo(path).size() > 10000);
    qInfo().noquote() << "screenshot:" << path;
}

void TestAdminGui::auditRowsAreWritten() {
    // Only the rows this test's own commands leave: it does not depend on
    // what the tests before it did.
    Storage storage;
    storage.open(StorageLocation{QString(), m_dir.path()});
    QSqlQuery q(storage.database());
    QVERIFY(q.exec(QStringLiteral("SELECT COALESCE(MAX(id), 0) FROM control_audit")) && q.next());
    const qint64 before = q.value(0).toLongLong();

    ControlClient controlClient;
    QSignalSpy failed(&controlClient, &ControlClient::commandFailed);
    controlClient.connectToServer({m_server->controlUrl(), kModerator, kPassword, {}});
    QTRY_COMPARE_WITH_TIMEOUT(controlClient.state(), ControlClient::State::Online, 10000);
    auto failedReq = [&](qint64 req) {
        return std::any_of(failed.cbegin(), failed.cend(), [req](const QList<QVariant> &f) {
            return f.first().toLongLong() == req;
        });
    };
    // A moderator may not drain: refused, and the refusal is audited as such.
    const qint64 drainReq = controlClient.drain();
    QTRY_VERIFY_WITH_TIMEOUT(failedReq(drainReq), kWaitMs);
    // Then a command it may send, which fails ("no such pair"): audited as
    // failed. The rows are written in order, so once this one is there the
    // drain row must be too.
    const qint64 kickReq = controlClient.kickPair(QStringLiteral("no-such-pair"));
    QTRY_VERIFY_WITH_TIMEOUT(failedReq(kickReq), kWaitMs);

    QVERIFY(q.prepare(QStringLiteral("SELECT command, result FROM control_audit "
                                     "WHERE actor = ? AND id > ? ORDER BY id")));
    q.addBindValue(kModerator);
    q.addBindValue(before);
    QStringList commands;
    const bool kickPairAudited = QTest::qWaitFor(
        [&] {
            commands.clear();
            if (!q.exec())
                return false;
            while (q.next())
                commands << q.value(0).toString() + QLatin1Char(':') + q.value(1).toString();
            return commands.contains(QStringLiteral("kick_pair:failed"));
        },
        kWaitMs);
    QVERIFY2(kickPairAudited, qPrintable(commands.join(QLatin1Char(' '))));
    QCOMPARE(commands,
             (QStringList{QStringLiteral("login:ok"), QStringLiteral("subscribe:ok"),
                          QStringLiteral("drain:refused"), QStringLiteral("kick_pair:failed")}));
}

void TestAdminGui::auditViewerFilters() {
    // A moderator's console: the viewer is off, and the server refuses the
    // command all the same.
    {
        ControlClient moderator;
        ConsoleState state;
        state.attach(&moderator);
        MainWindow window(&moderator, &state);
        moderator.connectToServer({m_server->controlUrl(), kModerator, kPassword, {}});
        QTRY_COMPARE_WITH_TIMEOUT(moderator.state(), ControlClient::State::Online, 10000);
        QVERIFY(!window.auditView()->isEnabled());
        QVERIFY(!window.auditAction()->isEnabled());
        // Something to find later: a kick of a client that is not there.
        QSignalSpy failed(&moderator, &ControlClient::commandFailed);
        moderator.kick(QStringLiteral("cNoSuchOne"));
        const qint64 req = moderator.listAudit(control::ListAudit{});
        QTRY_VERIFY_WITH_TIMEOUT(failed.size() >= 2, kWaitMs);
        bool forbidden = false;
        for (const auto &call : failed)
            forbidden |= call.at(0).toLongLong() == req &&
                         call.at(1).value<control::ErrorCode>() == control::ErrorCode::Forbidden;
        QVERIFY(forbidden);
    }
    // The admin's viewer, filtered by actor and action.
    ControlClient admin;
    ConsoleState state;
    state.attach(&admin);
    MainWindow window(&admin, &state);
    admin.connectToServer({m_server->controlUrl(), kAdmin, kPassword, {}});
    QTRY_COMPARE_WITH_TIMEOUT(admin.state(), ControlClient::State::Online, 10000);
    QVERIFY(window.auditView()->isEnabled());
    QVERIFY(window.auditAction()->isEnabled());
    QTableWidget *table = window.auditView()->table();
    // Each answer replaces the table: wait for it, not for a row count the
    // previous answer may already have.
    QSignalSpy answers(&admin, &ControlClient::auditReceived);
    auto show = [&](const QString &actor, const QString &command, int period) {
        const auto before = answers.size();
        window.auditView()->setFilter(actor, command, period);
        window.auditView()->showButton()->click();
        return QTest::qWaitFor([&] { return answers.size() > before; }, kWaitMs);
    };
    QVERIFY(show(kModerator, QStringLiteral("kick"), 1));
    QVERIFY(table->rowCount() >= 1);
    bool sawTheFailedKick = false;
    for (int row = 0; row < table->rowCount(); ++row) {
        QCOMPARE(table->item(row, 1)->text(), kModerator);
        QCOMPARE(table->item(row, 2)->text(), QStringLiteral("kick"));
        sawTheFailedKick |= table->item(row, 3)->text() == QLatin1String("cNoSuchOne") &&
                            table->item(row, 5)->text() == QLatin1String("failed");
    }
    QVERIFY(sawTheFailedKick);
    // The moderator's refused look at the log is in it too.
    QVERIFY(show(kModerator, QStringLiteral("list_audit"), 0));
    QCOMPARE(table->rowCount(), 1);
    QCOMPARE(table->item(0, 5)->text(), QStringLiteral("refused"));
    // Nobody by that name: nothing.
    QVERIFY(show(QStringLiteral("nobody"), QString(), 3));
    QCOMPARE(table->rowCount(), 0);
}

void TestAdminGui::accountLookupOffersTheRolesActions() {
    // An account made the way a user makes one: through the chat protocol.
    TestClient dave;
    QVERIFY(dave.connectTo(m_server->chatUrl()));
    dave.send(protocol::Register{QStringLiteral("dave"), kPassword});
    QVERIFY(dave.waitFor<protocol::Authenticated>(10000));

    // A moderator sees the username and may ban, not change roles.
    {
        ControlClient moderator;
        ConsoleState state;
        MainWindow window(&moderator, &state);
        QString shown;
        bool roleVisible = true, banVisible = false;
        window.setAccountShower([&](AccountDialog &d) {
            shown = d.summary();
            roleVisible = d.roleButton()->isVisibleTo(&d);
            banVisible = d.banButton()->isVisibleTo(&d);
        });
        moderator.connectToServer({m_server->controlUrl(), kModerator, kPassword, {}});
        QTRY_COMPARE_WITH_TIMEOUT(moderator.state(), ControlClient::State::Online, 10000);
        moderator.lookupAccount(QStringLiteral("dave"));
        QTRY_VERIFY_WITH_TIMEOUT(!shown.isEmpty(), kWaitMs);
        QVERIFY2(shown.contains(QLatin1String("Username: dave")), qPrintable(shown));
        QVERIFY(shown.contains(QLatin1String("Role: user")));
        QVERIFY(banVisible);
        QVERIFY(!roleVisible);
    }
    // An admin changes the role from the same dialog.
    ControlClient admin;
    ConsoleState state;
    MainWindow window(&admin, &state);
    window.setConfirm([](const QString &, const QString &) { return true; });
    QString shown;
    window.setAccountShower([&](AccountDialog &d) {
        shown = d.summary();
        if (!d.roleButton()->isVisibleTo(&d) || d.roleButton()->isEnabled())
            return; // the current role is not a change
        d.roleBox()->setCurrentText(QStringLiteral("moderator"));
        if (d.roleButton()->isEnabled())
            d.roleButton()->click();
    });
    admin.connectToServer({m_server->controlUrl(), kAdmin, kPassword, {}});
    QTRY_COMPARE_WITH_TIMEOUT(admin.state(), ControlClient::State::Online, 10000);
    QSignalSpy done(&admin, &ControlClient::commandSucceeded);
    admin.lookupAccount(QStringLiteral("dave"));
    QTRY_VERIFY_WITH_TIMEOUT(!done.isEmpty(), kWaitMs);
    shown.clear();
    window.setAccountShower([&](AccountDialog &d) { shown = d.summary(); });
    admin.lookupAccount(QStringLiteral("dave"));
    QTRY_VERIFY_WITH_TIMEOUT(!shown.isEmpty(), kWaitMs);
    QVERIFY2(shown.contains(QLatin1String("Role: moderator")), qPrintable(shown));
}

void TestAdminGui::wrongPasswordIsShown() {
    ControlClient controlClient;
    QSignalSpy failed(&controlClient, &ControlClient::authenticationFailed);
    controlClient.connectToServer(
        {m_server->controlUrl(), kModerator, QStringLiteral("wrong"), {}});
    QTRY_COMPARE_WITH_TIMEOUT(failed.size(), 1, 10000);
    QCOMPARE(controlClient.state(), ControlClient::State::Disconnected);
    QVERIFY(!failed.first().first().toString().isEmpty());
}

void TestAdminGui::failedLoginIsNotRemembered() {
    QSettings().setValue(QStringLiteral("login/url"), QStringLiteral("ws://127.0.0.1:1"));
    ControlClient controlClient;
    LoginDialog login;
    login.rememberSuccessfulLogins(&controlClient);
    login.setCredentials({m_server->controlUrl(), QStringLiteral("typo"), QStringLiteral("x"), {}});
    login.accept();
    QCOMPARE(login.result(), int(QDialog::Accepted));
    QSignalSpy failed(&controlClient, &ControlClient::authenticationFailed);
    controlClient.connectToServer(login.credentials());
    QTRY_COMPARE_WITH_TIMEOUT(failed.size(), 1, 10000);
    // The URL of the last login that worked is still the one offered.
    QCOMPARE(QSettings().value(QStringLiteral("login/url")).toString(),
             QStringLiteral("ws://127.0.0.1:1"));
    QCOMPARE(LoginDialog().credentials().url, QUrl(QStringLiteral("ws://127.0.0.1:1")));
}

void TestAdminGui::chatPortIsNotAControlPort() {
    // The operator typed the chat port: a clear error within seconds, no
    // endless "logging in", no retry loop.
    ControlClient controlClient;
    QSignalSpy failed(&controlClient, &ControlClient::authenticationFailed);
    QSignalSpy gone(&controlClient, &ControlClient::serverGone);
    QElapsedTimer clock;
    clock.start();
    controlClient.connectToServer({m_server->chatUrl(), kModerator, kPassword, {}});
    QTRY_COMPARE_WITH_TIMEOUT(failed.size(), 1, 6000);
    QVERIFY(clock.elapsed() < 6000);
    QVERIFY2(failed.first().first().toString().contains(QLatin1String("not a WhisperChat control")),
             qPrintable(failed.first().first().toString()));
    QCOMPARE(controlClient.state(), ControlClient::State::Disconnected);
    QVERIFY(gone.isEmpty());
}

void TestAdminGui::banDialogChoicesAndActions() {
    ControlClient controlClient;
    ConsoleState state;
    state.attach(&controlClient);
    MainWindow window(&controlClient, &state);
    window.setConfirm([](const QString &, const QString &) { return true; });
    controlClient.connectToServer({m_server->controlUrl(), kModerator, kPassword, {}});
    QTRY_COMPARE_WITH_TIMEOUT(controlClient.state(), ControlClient::State::Online, 10000);
    QTRY_VERIFY_WITH_TIMEOUT(state.snapshotComplete(), kWaitMs);

    // Three more guests, far from everyone, and carol logged in twice.
    std::vector<std::unique_ptr<TestClient>> guests;
    for (int i = 0; i < 3; ++i) {
        guests.push_back(client(70 - i, -20 - 20 * i, 1));
        QVERIFY(guests.back());
    }
    std::vector<std::unique_ptr<TestClient>> carol;
    for (int i = 0; i < 2; ++i) {
        auto c = std::make_unique<TestClient>();
        QVERIFY(c->connectTo(m_server->chatUrl()));
        if (i == 0)
            c->send(protocol::Register{QStringLiteral("carol"), kPassword});
        else
            c->send(protocol::Login{QStringLiteral("carol"), kPassword, std::nullopt});
        QVERIFY(c->waitFor<protocol::Authenticated>(10000));
        carol.push_back(std::move(c));
    }
    carol[0]->send(protocol::Join{-60, 100, 1});
    QVERIFY(carol[0]->waitFor<protocol::Waiting>());
    auto idOfClientAt = [&state](double lat) {
        for (const control::WaitingClient &w : state.waiting()->records())
            if (std::abs(w.lat - lat) < 0.01)
                return w.id;
        return QString();
    };
    QTRY_VERIFY_WITH_TIMEOUT(!idOfClientAt(-60).isEmpty() && !idOfClientAt(68).isEmpty(), kWaitMs);
    // Every test client shares 127.0.0.1: that is what an address ban hits.
    auto connectedHere = [&] {
        int n = 0;
        for (const auto &c : m_clients)
            n += c->isConnected();
        for (const auto &c : guests)
            n += c->isConnected();
        for (const auto &c : carol)
            n += c->isConnected();
        return n;
    };

    // A guest: the dialog offers its connection (the default) and its
    // address, with how many connections each ends; no account.
    window.selectClient(idOfClientAt(70));
    QVERIFY(window.banAction()->isEnabled());
    bool shown = false;
    const int here = connectedHere();
    window.setBanChooser([&](BanDialog &dialog) {
        shown = true;
        [&] {
            QVERIFY(dialog.scope() == control::BanScope::Connection);
            QVERIFY(!dialog.offers(control::BanScope::Account));
            QVERIFY(dialog.offers(control::BanScope::Address));
            QCOMPARE(dialog.affectedConnections(), 1);
            QVERIFY2(dialog.choiceText(control::BanScope::Address)
                         .contains(QStringLiteral("(%1 current connection").arg(here)),
                     qPrintable(dialog.choiceText(control::BanScope::Address)));
            QVERIFY(dialog.setScope(control::BanScope::Address));
            QCOMPARE(dialog.affectedConnections(), here);
            QVERIFY(dialog.setScope(control::BanScope::Connection));
        }();
        dialog.setReason(QStringLiteral("spam"));
        return true;
    });
    window.banAction()->trigger();
    QTRY_VERIFY_WITH_TIMEOUT(shown, kWaitMs);
    QVERIFY(guests[0]->waitForDisconnected());
    QVERIFY(guests[1]->isConnected() && guests[2]->isConnected());
    QCOMPARE(connectedHere(), here - 1);

    // Kick from the console.
    window.selectClient(idOfClientAt(69));
    QVERIFY(window.kickAction()->isEnabled());
    window.kickAction()->trigger();
    QVERIFY(guests[1]->waitForDisconnected());
    QCOMPARE(guests[1]->closeCode(), int(QWebSocketProtocol::CloseCodePolicyViolated));
    QVERIFY(guests[2]->isConnected());

    // A logged-in client: its account (both connections) is the default.
    window.selectClient(idOfClientAt(-60));
    shown = false;
    window.setBanChooser([&](BanDialog &dialog) {
        shown = true;
        [&] {
            QVERIFY(dialog.scope() == control::BanScope::Account);
            QCOMPARE(dialog.affectedConnections(), 2);
            QVERIFY(
                dialog.choiceText(control::BanScope::Account).contains(QStringLiteral("carol")));
        }();
        dialog.setDurationS(86400);
        dialog.setReason(QStringLiteral("abuse"));
        return true;
    });
    window.banAction()->trigger();
    QTRY_VERIFY_WITH_TIMEOUT(shown, kWaitMs);
    QVERIFY(carol[0]->waitForDisconnected());
    QVERIFY(carol[1]->waitForDisconnected());
    QVERIFY(guests[2]->isConnected());
    // The bans tab lists it; lifting it lets carol back in.
    QTRY_COMPARE_WITH_TIMEOUT(window.banTable()->rowCount(), 1, kWaitMs);
    QCOMPARE(window.banTable()->item(0, 1)->text(), QStringLiteral("carol"));
    QCOMPARE(window.banTable()->item(0, 4)->text(), kModerator);
    window.banTable()->setCurrentCell(0, 0);
    QVERIFY(window.unbanAction()->isEnabled());
    window.unbanAction()->trigger();
    QTRY_COMPARE_WITH_TIMEOUT(window.banTable()->rowCount(), 0, kWaitMs);
    TestClient back;
    QVERIFY(back.connectTo(m_server->chatUrl()));
    back.send(protocol::Login{QStringLiteral("carol"), kPassword, std::nullopt});
    QVERIFY(back.waitFor<protocol::Authenticated>(10000));
}

bool TestAdminGui::userCommand(const QStringList &args) {
    QProcess user;
    user.start(ServerProcess::binary(QStringLiteral("whisperchat-server")),
               QStringList{QStringLiteral("user")} + args +
                   QStringList{QStringLiteral("--data-dir"), m_dir.path()});
    return user.waitForFinished(30000) && user.exitCode() == 0;
}

// A password change ends every other login of the account at once, the
// console's included: its role and state are unchanged, so the console's
// per-command and periodic role checks alone would keep it open.
void TestAdminGui::passwordChangeInChatEndsTheConsole() {
    ControlClient controlClient;
    controlClient.setReconnectBackoff(100, 400);
    controlClient.connectToServer({m_server->controlUrl(), kChanger, kPassword, {}});
    QTRY_COMPARE_WITH_TIMEOUT(controlClient.state(), ControlClient::State::Online, 10000);
    QSignalSpy gone(&controlClient, &ControlClient::serverGone);

    TestClient owner;
    QVERIFY(owner.connectTo(m_server->chatUrl()));
    owner.send(protocol::Login{kChanger, kPassword, std::nullopt});
    QVERIFY(owner.waitFor<protocol::Authenticated>(10000));
    owner.send(protocol::ChangePassword{kPassword, QStringLiteral("a brand new passphrase here")});
    QVERIFY(owner.waitFor<protocol::PasswordChanged>(10000));
    // Well inside the console's 5 s periodic re-check.
    QTRY_VERIFY_WITH_TIMEOUT(!gone.isEmpty(), 3000);
    // The old password no longer logs the console back in.
    QVERIFY(!QTest::qWaitFor([&] { return controlClient.state() == ControlClient::State::Online; },
                             1500));
    QVERIFY(owner.staysWithout<protocol::LoggedOut>(200));
}

void TestAdminGui::demotedAdminsConsoleIsDowngradedThenClosed() {
    ControlClient controlClient;
    controlClient.setReconnectBackoff(100, 400);
    ConsoleState state;
    state.attach(&controlClient);
    MainWindow window(&controlClient, &state);
    window.setConfirm([](const QString &, const QString &) { return true; });
    controlClient.connectToServer({m_server->controlUrl(), kSecondAdmin, kPassword, {}});
    QTRY_COMPARE_WITH_TIMEOUT(controlClient.state(), ControlClient::State::Online, 10000);
    QVERIFY(window.broadcastAction()->isEnabled());
    TestClient listener;
    QVERIFY(listener.connectTo(m_server->chatUrl()));

    // Demoted by the operator while the console is open: the console still
    // believes it is an admin, the server does not.
    QVERIFY(userCommand({QStringLiteral("set-role"), kSecondAdmin, QStringLiteral("moderator")}));
    QSignalSpy failed(&controlClient, &ControlClient::commandFailed);
    QSignalSpy gone(&controlClient, &ControlClient::serverGone);
    controlClient.broadcast(QStringLiteral("from a demoted admin"));
    controlClient.drain();
    QTRY_VERIFY_WITH_TIMEOUT(!failed.isEmpty() || !gone.isEmpty(), kWaitMs);
    QVERIFY(listener.staysWithout<protocol::Notice>(500));
    // It reconnects and logs in with what the role now allows.
    QTRY_COMPARE_WITH_TIMEOUT(controlClient.role(), QStringLiteral("moderator"), 10000);
    QTRY_COMPARE_WITH_TIMEOUT(controlClient.state(), ControlClient::State::Online, 10000);
    QVERIFY(!window.broadcastAction()->isEnabled());
    QVERIFY(!window.drainAction()->isEnabled());
    QTRY_VERIFY_WITH_TIMEOUT(state.latestStats().has_value(), kWaitMs);
    QVERIFY(!state.latestStats()->draining);

    // Disabled while idle: the server's re-check closes the console and
    // the login that follows is refused.
    QSignalSpy refused(&controlClient, &ControlClient::authenticationFailed);
    QVERIFY(userCommand({QStringLiteral("disable"), kSecondAdmin}));
    QTRY_VERIFY_WITH_TIMEOUT(!refused.isEmpty(), 15000);
    QCOMPARE(controlClient.state(), ControlClient::State::Disconnected);
}

void TestAdminGui::adminBroadcastsAndDrains() {
    ControlClient controlClient;
    ConsoleState state;
    state.attach(&controlClient);
    MainWindow window(&controlClient, &state);
    window.setConfirm([](const QString &, const QString &) { return true; });
    controlClient.connectToServer({m_server->controlUrl(), kAdmin, kPassword, {}});
    QTRY_COMPARE_WITH_TIMEOUT(controlClient.state(), ControlClient::State::Online, 10000);
    QCOMPARE(controlClient.role(), QStringLiteral("admin"));
    QVERIFY(window.drainAction()->isEnabled());
    QVERIFY(window.broadcastAction()->isEnabled());

    TestClient listener;
    QVERIFY(listener.connectTo(m_server->chatUrl()));
    // A person in the console client sees the notice too.
    QProcess cli;
    cli.start(ServerProcess::binary(QStringLiteral("whisperchat-cli")),
              {QStringLiteral("--url"), m_server->chatUrl().toString()});
    QByteArray cliOut;
    QTRY_VERIFY_WITH_TIMEOUT((cliOut += cli.readAllStandardOutput(), cliOut.contains("connected")),
                             10000);
    // The broadcast box wraps long text and counts it against the limit.
    const QString longNotice = QStringLiteral("maintenance soon: ") +
                               QString(control::kMaxNoticeChars - 18, QLatin1Char('x'));
    QCOMPARE(longNotice.size(), control::kMaxNoticeChars);
    bool dialogChecked = false;
    window.setNoticeChooser([&](NoticeDialog &dialog) {
        dialog.resize(400, 300);
        dialog.show();
        if (!QTest::qWaitForWindowExposed(&dialog))
            return false;
        QPlainTextEdit *editor = dialog.editor();
        editor->setPlainText(longNotice + QLatin1Char('y'));
        if (dialog.sendButton()->isEnabled()) // one over the limit
            return false;
        editor->setPlainText(longNotice);
        QCoreApplication::processEvents();
        const QTextLayout *layout = editor->document()->firstBlock().layout();
        dialogChecked = dialog.sendButton()->isEnabled() && layout && layout->lineCount() > 3 &&
                        dialog.counterText().contains(QString::number(control::kMaxNoticeChars));
        return dialogChecked;
    });
    window.broadcastAction()->trigger();
    QVERIFY(dialogChecked);
    const auto notice = listener.waitFor<protocol::Notice>();
    QVERIFY(notice);
    QCOMPARE(notice->text, longNotice); // whole, not cut
    controlClient.broadcast(QStringLiteral("maintenance soon"));
    QVERIFY(listener.waitFor<protocol::Notice>());
    QTRY_VERIFY_WITH_TIMEOUT((cliOut += cli.readAllStandardOutput(),
                              cliOut.contains("notice from the operators: maintenance soon")),
                             10000);
    cli.kill();
    cli.waitForFinished(3000);

    window.drainAction()->trigger();
    QTRY_VERIFY_WITH_TIMEOUT(state.latestStats() && state.latestStats()->draining, kWaitMs);
    TestClient late;
    QVERIFY(!late.connectTo(m_server->chatUrl(), 2000));
    QVERIFY(listener.isConnected());

    // Log out / switch server: the connection closes, whoever owns the login
    // dialog is told, and the window says its contents are no longer live.
    QSignalSpy logout(&window, &MainWindow::logoutRequested);
    window.logoutAction()->trigger();
    QCOMPARE(logout.size(), 1);
    QCOMPARE(controlClient.state(), ControlClient::State::Disconnected);
    QVERIFY(!window.staleBanner()->isHidden());
    QVERIFY(window.aboutAction()->isEnabled());
}

void TestAdminGui::serverGoneThenBack() {
    ControlClient controlClient;
    controlClient.setReconnectBackoff(100, 400);
    ConsoleState state;
    state.attach(&controlClient);
    MainWindow window(&controlClient, &state);
    QSignalSpy gone(&controlClient, &ControlClient::serverGone);
    controlClient.connectToServer({m_server->controlUrl(), kModerator, kPassword, {}});
    QTRY_COMPARE_WITH_TIMEOUT(controlClient.state(), ControlClient::State::Online, 10000);
    QTRY_VERIFY_WITH_TIMEOUT(state.snapshotComplete(), kWaitMs);

    // The server goes away: the console says so and keeps retrying, with
    // growing delays up to the limit.
    QVERIFY(window.staleBanner()->isHidden());
    QVERIFY(m_server->terminate());
    QTRY_VERIFY_WITH_TIMEOUT(gone.size() >= 3, 10000);
    QVERIFY(!state.snapshotComplete());
    // What is still on screen says plainly that it is old.
    QVERIFY(!window.staleBanner()->isHidden());
    QVERIFY2(window.staleBanner()->text().contains(QLatin1String("not updating")),
             qPrintable(window.staleBanner()->text()));
    QCOMPARE(gone.at(0).at(1).toInt(), 100);
    QCOMPARE(gone.at(1).at(1).toInt(), 200);
    QCOMPARE(gone.at(2).at(1).toInt(), 400);
    QVERIFY(window.statusText().contains(QStringLiteral("Reconnecting")) ||
            window.statusText().contains(QStringLiteral("Connecting")));

    // Back on the same port: the console logs in again and resubscribes.
    const int port = m_server->controlUrl().port();
    m_server = std::make_unique<ServerProcess>(
        QStringList{QStringLiteral("--data-dir"), m_dir.path(), QStringLiteral("--argon2-ops"),
                    QStringLiteral("1"), QStringLiteral("--argon2-mem-kib"), QStringLiteral("256"),
                    QStringLiteral("--control-port"), QString::number(port)});
    QVERIFY2(m_server->start(), m_server->log().constData());
    QTRY_COMPARE_WITH_TIMEOUT(controlClient.state(), ControlClient::State::Online, 10000);
    QTRY_VERIFY_WITH_TIMEOUT(state.snapshotComplete(), kWaitMs);
    // A fresh server: nobody waits yet, and the old rows are gone.
    QTRY_COMPARE_WITH_TIMEOUT(state.waiting()->rowCount(), 0, kWaitMs);
    QVERIFY(window.staleBanner()->isHidden());
}

QTEST_MAIN(TestAdminGui)
#include "tst_admingui.moc"
