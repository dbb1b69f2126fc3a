// SPDX-License-Identifier: MIT
#include "chatserver.h"
#include "clusternode.h"
#include "controlserver.h"
#include "controlservicebackend.h"
#include "epolldispatcher.h"
#include "instrumentation.h"
#include "logformat.h"
#include "moderation.h"
#include "opsserver.h"
#include "securitystack.h"
#include "serverconfig.h"
#include "servermetrics.h"
#include "signalwatcher.h"
#include "usercommand.h"

#include <QAbstractEventDispatcher>
#include <QCoreApplication>
#include <QLoggingCategory>
#include <QTextStream>

#include <cstdio>
#include <memory>

Q_LOGGING_CATEGORY(lcMain, "whisper.server.main")

namespace {

// The consoles of a cluster node see the whole cluster: the node reports
// its load at each heartbeat and keeps its pairs in Redis, its console
// reads every node's while someone watches, and bans of clients of other
// nodes ask those nodes what the ban covers.
void wireClusterConsole(whisper::ClusterNode &node, whisper::ChatServer &server,
                        whisper::ControlServer &control, whisper::ControlBackend &backend,
                        const QString &nodeId) {
    using namespace whisper;
    ControlHub &hub = control.hub();
    hub.setLocalNode(nodeId);
    node.heartbeat().setLoadSource([&server, &hub] {
        return NodeLoad{server.connectionCount(), server.waitingCount(), server.pairCount(),
                        hub.stats().messagesPerSecond};
    });
    ClusterPairs &pairs = node.pairs();
    QObject::connect(&server, &ChatServer::pairStarted, &pairs, [&pairs](const PairRecord &p) {
        pairs.started(p.id, p.a, p.b, p.sinceMs, p.distanceBucketKm);
    });
    QObject::connect(&server, &ChatServer::pairEnded, &pairs,
                     [&pairs](ClientId notified) { pairs.ended(notified); });
    QObject::connect(&server, &ChatServer::clientClosed, &pairs,
                     [&pairs](ClientId id) { pairs.closed(id); });
    ClusterDirectory &directory = node.directory();
    QObject::connect(&control, &ControlServer::watchedChanged, &directory,
                     [&directory, &hub](bool watched) {
                         directory.setActive(watched);
                         if (!watched)
                             hub.clearCluster();
                     });
    QObject::connect(&directory, &ClusterDirectory::snapshotReady, &hub,
                     [&hub](const ClusterSnapshot &snapshot) { hub.applyCluster(snapshot); });
    ClusterClientQuery &query = node.clientQuery();
    query.setResolver(
        [&server, &backend](ClientId id) -> std::optional<ClusterClientQuery::Answer> {
            const QHostAddress address = server.peerAddress(id);
            if (address.isNull())
                return std::nullopt; // not connected here (or away)
            const ControlBanScopes scopes = backend.banScopes(id);
            return ClusterClientQuery::Answer{scopes.account, address.toString(),
                                              scopes.accountConnections, scopes.addressConnections};
        });
    hub.setRemoteClientLookup(
        [&query](ClientId id, std::function<void(std::optional<RemoteClient>)> done) {
            query.ask(id, [done](std::optional<ClusterClientQuery::Answer> a) {
                if (!a) {
                    done(std::nullopt);
                    return;
                }
                done(RemoteClient{
                    ControlBanScopes{a->account, a->accountConnections, a->addressConnections},
                    QHostAddress(a->address)});
            });
        });
}

} // namespace

int main(int argc, char *argv[]) {
    // epoll instead of poll(): must be chosen before the application exists.
    whisper::installEventDispatcher();
    QCoreApplication app(argc, argv);
    // Operators get info and above unless they ask for more (QT_LOGGING_RULES).
    if (qEnvironmentVariableIsEmpty("QT_LOGGING_RULES"))
        QLoggingCategory::setFilterRules(QStringLiteral("*.debug=false"));
    if (qEnvironmentVariableIsEmpty("QT_MESSAGE_PATTERN"))
        qSetMessagePattern(
            QStringLiteral("%{time yyyy-MM-ddThh:mm:ss.zzz} %{type} %{category}: %{message}"));
    QCoreApplication::setApplicationName(QStringLiteral("whisperchat-server"));
    QCoreApplication::setApplicationVersion(QStringLiteral(WHISPER_VERSION));

    // `whisperchat-server [options] user|ban ... [options]`: account and
    // ban administration, no server. Operators put the global options
    // (--data-dir, --config, --db) on either side of the word.
    const int commandAt = whisper::ConfigLoader::firstPositional(app.arguments());
    const QString command = app.arguments().value(commandAt);
    if (commandAt > 0 && (command == QLatin1String("user") || command == QLatin1String("ban"))) {
        QStringList arguments = app.arguments();
        arguments.move(commandAt, 1);
        QTextStream in(stdin), out(stdout), err(stderr);
        return whisper::UserCommand::run(arguments, in, out, err);
    }

    const auto loaded =
        whisper::ConfigLoader::load(app.arguments(), QProcessEnvironment::systemEnvironment());
    if (!loaded.output.isEmpty())
        QTextStream(stdout) << loaded.output;
    if (!loaded.error.isEmpty())
        QTextStream(stderr) << "whisperchat-server: " << loaded.error << "\n";
    if (!loaded.config)
        return loaded.exitCode;

    const whisper::ServerConfig &config = *loaded.config;
    whisper::installLogFormat(config.logFormat == QLatin1String("json") ? whisper::LogFormat::Json
                                                                        : whisper::LogFormat::Text);
    qCInfo(lcMain).noquote() << "whisperchat-server" << WHISPER_VERSION << "starting;"
                             << whisper::ConfigLoader::summary(config);
    // Names the event loop in use: the glib one must never be it.
    qCInfo(lcMain) << "event dispatcher" << app.eventDispatcher()->metaObject()->className();

    // Metrics only when something can scrape them (the operations endpoint);
    // made first, so it outlives everything that counts into it.
    std::unique_ptr<whisper::ServerMetrics> metrics;
    if (config.httpEnabled)
        metrics = std::make_unique<whisper::ServerMetrics>(
            QStringLiteral(WHISPER_VERSION), whisper::ServerMetrics::transportOf(config));

    // Accounts and security first: the server must not accept clients
    // without its database, and the stack must outlive the server.
    QString securityError;
    const auto security = whisper::SecurityStack::create(config, &securityError);
    if (!security) {
        QTextStream(stderr) << "whisperchat-server: " << securityError << "\n";
        return 1;
    }
    // Cluster membership (--redis): the Redis link, the node heartbeat, the
    // node's part of the global waiting room, the relay to other nodes and
    // the matchmaking leader's lease. Made before the chat server, which
    // runs on its room and relay instead of its own.
    std::unique_ptr<whisper::ClusterNode> cluster;
    whisper::ClusterSeams seams;
    if (config.clustered()) {
        cluster = std::make_unique<whisper::ClusterNode>(config);
        seams = {&cluster->room(), &cluster->peers()};
    }
    whisper::ChatServer server(config, nullptr, metrics.get(), seams);
    server.setSecurity(&security->services());
    if (!server.listen()) {
        QTextStream(stderr) << "whisperchat-server: " << server.errorString() << "\n";
        return 1;
    }

    // The admin console's endpoint (loopback by default), over the same
    // account and moderation services as the chat sessions.
    whisper::ControlServiceBackend controlBackend(security->accounts(), security->moderation(),
                                                  security->database());
    whisper::ControlLimits controlLimits = whisper::ControlLimits::fromConfig(config);
    controlLimits.commands = metrics ? &metrics->controlCommands : nullptr;
    whisper::ControlServer control(config.controlListenAddress, config.controlPort, controlLimits,
                                   server, controlBackend, QStringLiteral(WHISPER_VERSION));
    // Reports come from chat sessions, not from a console: the hub hears of
    // them from the moderation service.
    QObject::connect(&security->moderation(), &whisper::Moderation::reportRecorded, &control.hub(),
                     [&control](qint64 reportId, const QString &pairId) {
                         // The console knows pairs by its own ids only.
                         control.hub().addEvent(whisper::control::EventKind::Reported,
                                                control.hub().consolePairId(pairId),
                                                QStringLiteral("report %1").arg(reportId));
                     });
    // An account's revoked logins and changed role end its consoles too (the
    // console re-checks the stored role before every command as well; this
    // makes an idle, subscribed console stop at once).
    QObject::connect(&security->accounts(), &whisper::Accounts::accountRevoked, &control,
                     [&control](qint64 accountId, whisper::Revocation reason) {
                         control.revokeAccount(accountId, whisper::toString(reason));
                     });
    QObject::connect(&security->accounts(), &whisper::Accounts::roleChanged, &control,
                     [&control](qint64 accountId) {
                         control.revokeAccount(accountId, QStringLiteral("role changed"));
                     });
    if (!control.listen()) {
        QTextStream(stderr) << "whisperchat-server: " << control.errorString() << "\n";
        return 1;
    }

    // The operations endpoint (/metrics, /healthz, /readyz), loopback by
    // default; ready from here until shutdown.
    std::unique_ptr<whisper::OpsServer> ops;
    if (metrics) {
        ops = std::make_unique<whisper::OpsServer>(metrics->registry());
        whisper::instrument(*metrics, server, control, *security, *ops);
        if (cluster) {
            whisper::instrument(*metrics, *cluster);
            whisper::watchDependencies(*ops, *cluster, security->database());
        }
        if (!ops->listen(config.httpListenAddress, config.httpPort)) {
            QTextStream(stderr) << "whisperchat-server: " << ops->errorString() << "\n";
            return 1;
        }
        ops->setReady(true);
    }

    if (cluster) {
        cluster->setUrls(server.url().toString(), control.url().toString());
        QObject::connect(cluster.get(), &whisper::ClusterNode::fatal, &app,
                         [](const QString &message) {
                             QTextStream(stderr) << "whisperchat-server: " << message << "\n";
                             QCoreApplication::exit(1);
                         });
        cluster->shareBans(security->moderation());
        cluster->shareRateLimits(security->accounts());
        wireClusterConsole(*cluster, server, control, controlBackend, config.nodeId);
        cluster->start();
    }

    whisper::SignalWatcher signals;
    // The first SIGTERM/SIGINT drains (docs/OPERATIONS.md "Signals"); a
    // second one, or one during a console's drain, stops at once.
    QObject::connect(&signals, &whisper::SignalWatcher::terminationRequested, &server,
                     [&server, &ops](int signalNumber) {
                         qCInfo(lcMain) << "signal" << signalNumber << "received";
                         if (ops)
                             ops->setReady(false); // load balancers stop sending clients
                         if (server.isDraining())
                             server.shutdownNow();
                         else
                             server.drain();
                     });
    // The console endpoint goes when the chat endpoint starts closing.
    QObject::connect(&server, &whisper::ChatServer::shutdownComplete, &control,
                     [&control] { control.close(); });
    QObject::connect(&server, &whisper::ChatServer::shutdownComplete, &app,
                     &QCoreApplication::quit);
    // A draining node hands matchmaking over at once but stays a member
    // (its clients still chat, and other nodes must not take it for dead);
    // it leaves the cluster when it stops, instead of after its TTL.
    if (cluster) {
        QObject::connect(&server, &whisper::ChatServer::drainingChanged, cluster.get(),
                         &whisper::ClusterNode::setDraining);
        QObject::connect(&server, &whisper::ChatServer::shutdownComplete, cluster.get(),
                         &whisper::ClusterNode::stop);
    }

    // Test seam for tests/integration/tst_tickrelay, honoured only with
    // WHISPERCHAT_ENABLE_TEST_SEAMS=1: once the first pair is made, the
    // matchmaker gets N synthetic waiting entries, so the next tick is long
    // while the real clients chat (a process cannot hold 200k connections).
    if (qEnvironmentVariable("WHISPERCHAT_ENABLE_TEST_SEAMS") == QLatin1String("1")) {
        const int count = qEnvironmentVariableIntValue("WHISPERCHAT_TEST_INJECT_WAITING");
        const int group = qMax(1, qEnvironmentVariableIntValue("WHISPERCHAT_TEST_INJECT_GROUP"));
        whisper::Matchmaker &matchmaker = server.matchmaker();
        if (count > 0)
            QObject::connect(
                &matchmaker, &whisper::Matchmaker::matched, &matchmaker,
                [&matchmaker, count, group] { matchmaker.injectSyntheticForTest(count, group); },
                Qt::SingleShotConnection);
    }

    // The ready line: scripts and tests wait for it to learn the real port.
    // One line for both endpoints, so a reader never sees half of it.
    // The operations endpoint, when on, is named last: " http URL".
    const QString httpPart = ops ? QStringLiteral(" http ") + ops->url().toString() : QString();
    std::printf("whisperchat-server ready: chat %s control %s%s\n",
                qPrintable(server.url().toString()), qPrintable(control.url().toString()),
                qPrintable(httpPart));
    std::fflush(stdout);

    const int rc = app.exec();
    qCInfo(lcMain) << "stopped";
    return rc;
}
