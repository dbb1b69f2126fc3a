// SPDX-License-Identifier: MIT
// kill -9 in the middle of heavy account, report and ban writes. After it
// the database passes its integrity check and holds every write the server
// acknowledged before it died: each `authenticated` after `register`, each
// `reported`, each `ok` for a ban on the control socket. Then the server
// starts again on the same data. On SQLite (the default) and on
// PostgreSQL (a private cluster), where "integrity" is a sanity query.

#include "pgcluster.h"
#include "serverprocess.h"
#include "storage.h"
#include "testclient.h"

#include <QDateTime>
#include <QDeadlineTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>
#include <QWebSocket>

#include <csignal>
#include <memory>
#include <vector>

using namespace whisper;
using namespace whisper::protocol;
using whisper::test::ServerProcess;
using whisper::test::TestClient;

namespace {

const QString kPassword = QStringLiteral("correct horse battery");

QStringList serverArgs(const QString &dataDir, const QString &db) {
    // Cheap hashing and no rate limits in the way: the point is many writes.
    QStringList args{QStringLiteral("--data-dir"), dataDir};
    if (!db.isEmpty()) // else the default SQLite file in the data directory
        args << QStringLiteral("--db") << db;
    return args + QStringList{QStringLiteral("--argon2-ops"),
                              QStringLiteral("1"),
                              QStringLiteral("--argon2-mem-kib"),
                              QStringLiteral("256"),
                              QStringLiteral("--tick-ms"),
                              QStringLiteral("50"),
                              QStringLiteral("--recent-partner-exclusion-s"),
                              QStringLiteral("0"),
                              QStringLiteral("--rate-register-burst"),
                              QStringLiteral("100000"),
                              QStringLiteral("--rate-report-burst"),
                              QStringLiteral("100000"),
                              QStringLiteral("--rate-account-requests-burst"),
                              QStringLiteral("100000")};
}

bool addAdmin(const QString &dataDir, const QString &db) {
    QStringList args{QStringLiteral("user"),       QStringLiteral("add"),
                     QStringLiteral("boss"),       QStringLiteral("--role"),
                     QStringLiteral("admin"),      QStringLiteral("--password-stdin"),
                     QStringLiteral("--data-dir"), dataDir};
    if (!db.isEmpty())
        args << QStringLiteral("--db") << db;
    QProcess p;
    p.start(ServerProcess::binary(QStringLiteral("whisperchat-server")), args);
    if (!p.waitForStarted(10000))
        return false;
    p.write(kPassword.toUtf8() + "\n");
    p.closeWriteChannel();
    return p.waitForFinished(30000) && p.exitCode() == 0;
}

// The control socket, spoken directly: requests by `req`, answers counted.
class ControlClient : public QObject {
public:
    bool login(const QUrl &url) {
        m_socket.open(url);
        if (!QTest::qWaitFor([this] { return m_socket.state() == QAbstractSocket::ConnectedState; },
                             5000))
            return false;
        connect(&m_socket, &QWebSocket::textMessageReceived, this, [this](const QString &text) {
            const QJsonObject o = QJsonDocument::fromJson(text.toUtf8()).object();
            m_answers.insert(o.value(QLatin1String("req")).toInt(),
                             o.value(QLatin1String("type")).toString());
        });
        const int req = send({{"type", "login"}, {"username", "boss"}, {"password", kPassword}});
        return QTest::qWaitFor([&] { return m_answers.contains(req); }, 10000) &&
               m_answers.value(req) == QLatin1String("logged_in");
    }
    int send(QJsonObject request) {
        request.insert(QLatin1String("req"), ++m_req);
        m_socket.sendTextMessage(
            QString::fromUtf8(QJsonDocument(request).toJson(QJsonDocument::Compact)));
        return m_req;
    }
    // The answer's type for `req`, once there.
    QString answer(int req) const { return m_answers.value(req); }

private:
    QWebSocket m_socket;
    QHash<int, QString> m_answers;
    int m_req = 0;
};

} // namespace

class TestCrashSafety : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void killDuringAccountReportAndBanWrites_data();
    void killDuringAccountReportAndBanWrites();
    void cleanupTestCase();

private:
    whisper::test::PgCluster m_pg;
    bool m_pgStarted = false;
};

void TestCrashSafety::killDuringAccountReportAndBanWrites_data() {
    QTest::addColumn<bool>("postgres");
    QTest::addRow("sqlite") << false;
    QTest::addRow("postgresql") << true;
}

void TestCrashSafety::cleanupTestCase() {
    if (m_pgStarted)
        m_pg.stop();
}

void TestCrashSafety::killDuringAccountReportAndBanWrites() {
    QFETCH(bool, postgres);
    if (postgres && !m_pgStarted) {
        QVERIFY2(m_pg.start(), qPrintable(m_pg.errorString()));
        m_pgStarted = true;
    }
    const QString url = postgres ? m_pg.url() : QString();
    QTemporaryDir dir;
    QVERIFY(addAdmin(dir.path(), url));
    auto server = std::make_unique<ServerProcess>(serverArgs(dir.path(), url));
    QVERIFY(server->start());
    ControlClient control;
    QVERIFY(control.login(server->controlUrl()));

    // Reporters: four pairs far from each other. Each pair is reported
    // once (repeats on one pair are acknowledged but not stored again), so
    // a pair that was reported leaves and is matched anew.
    struct ReportPair {
        std::unique_ptr<TestClient> reporter, other;
        double lat = 0;
        enum { Matching, Reporting, Leaving } phase = Matching;
        int matched = 0;
        QString reason;
    };
    std::vector<ReportPair> pairs(4);
    for (std::size_t i = 0; i < pairs.size(); ++i) {
        pairs[i].lat = -40.0 + 20.0 * double(i);
        pairs[i].reporter = std::make_unique<TestClient>();
        pairs[i].other = std::make_unique<TestClient>();
        QVERIFY(pairs[i].reporter->connectTo(server->chatUrl()));
        QVERIFY(pairs[i].other->connectTo(server->chatUrl()));
        pairs[i].reporter->send(Join{pairs[i].lat, 10, 50});
        pairs[i].other->send(Join{pairs[i].lat, 10.01, 50});
    }

    // Registrations: eight in flight, one account per connection. Bans:
    // each confirmed account is banned from the control socket, four in
    // flight. Reports: one in flight per reporter. The kill comes once
    // enough of each were acknowledged, with more of each in flight.
    std::vector<std::unique_ptr<TestClient>> registrants(8);
    QStringList registered; // acknowledged with `authenticated`
    QStringList banQueue;   // registered, not yet asked to be banned
    QHash<int, QString> bansInFlight;
    QStringList banned;  // acknowledged with `ok`
    QStringList reports; // acknowledged with `reported`
    int sent = 0;
    int reportSeq = 0;
    auto startRegistration = [&](std::unique_ptr<TestClient> &slot) {
        slot = std::make_unique<TestClient>();
        if (slot->connectTo(server->chatUrl()))
            slot->send(Register{QStringLiteral("crash%1").arg(sent++), kPassword});
    };
    // One step of a reporting pair: matched, report; reported, leave; both
    // out of the pair, join again.
    auto stepReport = [&](ReportPair &p) {
        switch (p.phase) {
        case ReportPair::Matching:
            p.matched += bool(p.reporter->waitFor<Matched>(1));
            p.matched += bool(p.other->waitFor<Matched>(1));
            if (p.matched == 2) {
                p.reason = QStringLiteral("crash report %1").arg(reportSeq++);
                p.reporter->send(Report{p.reason});
                p.phase = ReportPair::Reporting;
            }
            break;
        case ReportPair::Reporting:
            if (p.reporter->waitFor<Reported>(1)) {
                reports << p.reason;
                p.reporter->send(Leave{});
                p.phase = ReportPair::Leaving;
                p.matched = 0;
            }
            break;
        case ReportPair::Leaving:
            p.matched += bool(p.reporter->waitFor<Left>(1));
            p.matched += bool(p.other->waitFor<PartnerLeft>(1));
            if (p.matched == 2) {
                p.matched = 0;
                p.reporter->send(Join{p.lat, 10, 50});
                p.other->send(Join{p.lat, 10.01, 50});
                p.phase = ReportPair::Matching;
            }
            break;
        }
    };
    for (auto &slot : registrants)
        startRegistration(slot);
    QDeadlineTimer deadline(90000);
    while ((registered.size() < 60 || banned.size() < 30 || reports.size() < 30) &&
           !deadline.hasExpired()) {
        for (auto &slot : registrants) {
            if (const auto ok = slot->waitFor<Authenticated>(2)) {
                registered << ok->username;
                banQueue << ok->username;
                startRegistration(slot);
            }
        }
        for (ReportPair &p : pairs)
            stepReport(p);
        for (auto it = bansInFlight.begin(); it != bansInFlight.end();) {
            const QString answer = control.answer(it.key());
            if (answer.isEmpty()) {
                ++it;
                continue;
            }
            QCOMPARE(answer, QStringLiteral("ok"));
            banned << it.value();
            it = bansInFlight.erase(it);
        }
        while (bansInFlight.size() < 4 && !banQueue.isEmpty()) {
            const QString name = banQueue.takeFirst();
            bansInFlight.insert(control.send({{"type", "ban"},
                                              {"account", name},
                                              {"duration_s", 86400},
                                              {"reason", "crash test"}}),
                                name);
        }
    }
    QVERIFY2(registered.size() >= 60 && banned.size() >= 30 && reports.size() >= 30,
             qPrintable(QStringLiteral("%1 accounts, %2 bans, %3 reports acknowledged")
                            .arg(registered.size())
                            .arg(banned.size())
                            .arg(reports.size())));
    // The acknowledgements above were read before the kill: anything
    // acknowledged later does not count.
    QCOMPARE(::kill(pid_t(server->pid()), SIGKILL), 0);
    QVERIFY(server->process().waitForFinished(5000));
    qInfo("killed with %d accounts, %d bans and %d reports acknowledged", int(registered.size()),
          int(banned.size()), int(reports.size()));
    registrants.clear();
    pairs.clear();

    {
        Storage storage;
        storage.open(StorageLocation{url, dir.path()});
        QCOMPARE(storage.integrityCheck(), QStringLiteral("ok"));
        if (postgres) {
            // PostgreSQL recovers by itself; a sanity query over what was
            // written, through the server's own database user.
            const QString counts =
                m_pg.psql(QStringLiteral("SELECT (SELECT count(*) FROM accounts) >= %1 AND (SELECT "
                                         "count(*) FROM bans) >= %2 "
                                         "AND (SELECT count(*) FROM reports) >= %3")
                              .arg(registered.size())
                              .arg(banned.size())
                              .arg(reports.size()));
            QVERIFY2(counts.trimmed() == QLatin1String("t"), qPrintable(counts));
        }
        QSet<qint64> bannedIds;
        for (const BanRecord &ban : storage.listActiveBans(QDateTime::currentMSecsSinceEpoch()))
            if (ban.accountId)
                bannedIds.insert(*ban.accountId);
        for (const QString &name : std::as_const(registered))
            QVERIFY2(storage.accountByName(name), qPrintable(name + QStringLiteral(" lost")));
        for (const QString &name : std::as_const(banned)) {
            const auto account = storage.accountByName(name);
            QVERIFY(account);
            QVERIFY2(bannedIds.contains(account->id),
                     qPrintable(name + QStringLiteral(" unbanned")));
        }
        QSet<QString> stored;
        for (const ReportRecord &r : storage.listReports(false, 100000))
            stored.insert(r.reason);
        for (const QString &reason : std::as_const(reports))
            QVERIFY2(stored.contains(reason), qPrintable(reason + QStringLiteral(" lost")));
        storage.close();
    }

    // The server starts again on what it left, and a banned account stays
    // banned.
    server = std::make_unique<ServerProcess>(serverArgs(dir.path(), url));
    QVERIFY(server->start());
    TestClient again;
    QVERIFY(again.connectTo(server->chatUrl()));
    again.send(Login{banned.first(), kPassword, std::nullopt});
    const auto refused = again.waitFor<Error>(10000);
    QVERIFY(refused);
    QCOMPARE(toString(refused->code), toString(ErrorCode::Forbidden));
    QVERIFY(server->terminate());
}

QTEST_GUILESS_MAIN(TestCrashSafety)
#include "tst_crashsafety.moc"
