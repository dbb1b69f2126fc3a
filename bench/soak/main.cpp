// SPDX-License-Identifier: MIT
// whisperchat-soak: a long run of churning clients against a real server,
// judged on memory, descriptors and message accounting (docs/TESTING.md).

#include "epolldispatcher.h"
#include "soakdriver.h"

#include <QCommandLineParser>
#include <QCoreApplication>

#include <sys/resource.h>

using whisper::soak::SoakDriver;
using whisper::soak::SoakOptions;

int main(int argc, char *argv[]) {
    whisper::installEventDispatcher();
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Runs whisperchat-server with clients that join, chat, leave, drop and resume; "
        "fails on RSS or descriptor growth after the warm-up or on any lost or duplicated "
        "message. Arguments after -- go to the server."));
    parser.addHelpOption();
    const auto envOr = [](const char *name, const char *fallback) {
        const QByteArray v = qgetenv(name);
        return QString::fromLatin1(v.isEmpty() ? QByteArray(fallback) : v);
    };
    QCommandLineOption server(QStringLiteral("server"), QStringLiteral("whisperchat-server binary"),
                              QStringLiteral("PATH"));
    QCommandLineOption clients(QStringLiteral("clients"), QStringLiteral("Clients (SOAK_CLIENTS)"),
                               QStringLiteral("N"), envOr("SOAK_CLIENTS", "2000"));
    QCommandLineOption seconds(QStringLiteral("seconds"),
                               QStringLiteral("Churn time in seconds (SOAK_SECONDS)"),
                               QStringLiteral("S"), envOr("SOAK_SECONDS", "600"));
    QCommandLineOption warmup(QStringLiteral("warmup"),
                              QStringLiteral("Warm-up seconds, not judged (default: a tenth, "
                                             "at most 60)"),
                              QStringLiteral("S"));
    QCommandLineOption sample(QStringLiteral("sample"), QStringLiteral("Seconds between samples"),
                              QStringLiteral("S"));
    QCommandLineOption interval(QStringLiteral("message-interval"),
                                QStringLiteral("Mean seconds between a client's messages"),
                                QStringLiteral("S"), QStringLiteral("2"));
    QCommandLineOption limit(QStringLiteral("growth-limit"),
                             QStringLiteral("Allowed growth after the warm-up (fraction)"),
                             QStringLiteral("F"), QStringLiteral("0.05"));
    parser.addOptions({server, clients, seconds, warmup, sample, interval, limit});
    parser.process(app);

    SoakOptions o;
    o.serverBinary = parser.value(server);
    if (o.serverBinary.isEmpty())
        o.serverBinary =
            QCoreApplication::applicationDirPath() + QStringLiteral("/whisperchat-server");
    o.clients = qMax(2, parser.value(clients).toInt());
    o.seconds = qMax(5, parser.value(seconds).toInt());
    o.warmupSeconds =
        parser.isSet(warmup) ? parser.value(warmup).toInt() : qMin(60, o.seconds / 10 + 5);
    o.sampleSeconds = parser.isSet(sample) ? qMax(1, parser.value(sample).toInt())
                                           : qBound(1, o.seconds / 30, 20);
    o.messageIntervalS = qMax(0.01, parser.value(interval).toDouble());
    o.growthLimit = parser.value(limit).toDouble();
    o.serverArgs = parser.positionalArguments();

    // One descriptor per client here, and as many in the server.
    rlimit fds{};
    if (::getrlimit(RLIMIT_NOFILE, &fds) == 0 && fds.rlim_cur < fds.rlim_max) {
        fds.rlim_cur = fds.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &fds);
    }
    SoakDriver driver(o);
    QObject::connect(&driver, &SoakDriver::finished, &app,
                     [](int code) { QCoreApplication::exit(code); });
    driver.start();
    return app.exec();
}
