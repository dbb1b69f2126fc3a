// SPDX-License-Identifier: MIT
#include "chatclient.h"
#include "epolldispatcher.h"
#include "geo.h"
#include "stdinreader.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QTextStream>

namespace {

int fail(const QString &message) {
    QTextStream(stderr) << "whisperchat-cli: " << message << "\n";
    return 2;
}

} // namespace

int main(int argc, char *argv[]) {
    whisper::installEventDispatcher();
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("whisperchat-cli"));
    QCoreApplication::setApplicationVersion(QStringLiteral(WHISPER_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("WhisperChat console client. Type to chat; these commands work while it "
                       "runs:\n") +
        whisper::ChatClient::commandHelp() +
        QStringLiteral("\nEnd of input (Ctrl-D) leaves and exits. On a terminal the partner "
                       "sees when you\nstart typing a line."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption url(QStringLiteral("url"), QStringLiteral("Server URL"),
                                 QStringLiteral("URL"), QStringLiteral("ws://127.0.0.1:8080/"));
    const QCommandLineOption lat(QStringLiteral("lat"), QStringLiteral("Latitude, -90..90"),
                                 QStringLiteral("DEG"));
    const QCommandLineOption lon(QStringLiteral("lon"), QStringLiteral("Longitude, -180..180"),
                                 QStringLiteral("DEG"));
    const QCommandLineOption range(QStringLiteral("range"),
                                   QStringLiteral("How far to reach, km (0 < km <= 20015.1)"),
                                   QStringLiteral("KM"));
    const QCommandLineOption json(QStringLiteral("json"),
                                  QStringLiteral("Print raw protocol frames, one per line"));
    const QCommandLineOption linger(
        QStringLiteral("linger-ms"),
        QStringLiteral("After end of input, wait this long before leaving"), QStringLiteral("MS"),
        QStringLiteral("500"));
    const QCommandLineOption reconnectFor(
        QStringLiteral("reconnect-for-s"),
        QStringLiteral("After a lost connection, keep trying to reconnect and resume the chat "
                       "for this long (0: never)"),
        QStringLiteral("S"), QStringLiteral("60"));
    parser.addOptions({url, lat, lon, range, json, linger, reconnectFor});
    parser.process(app);

    whisper::ChatClient::Options options;
    options.url = QUrl(parser.value(url));
    if (!options.url.isValid() || (options.url.scheme() != QLatin1String("ws") &&
                                   options.url.scheme() != QLatin1String("wss")))
        return fail(QStringLiteral("--url must be a ws:// or wss:// URL"));
    options.json = parser.isSet(json);
    bool ok = false;
    options.lingerMs = parser.value(linger).toInt(&ok);
    if (!ok || options.lingerMs < 0)
        return fail(QStringLiteral("--linger-ms must be a non-negative integer"));
    const int reconnectS = parser.value(reconnectFor).toInt(&ok);
    if (!ok || reconnectS < 0 || reconnectS > 86400)
        return fail(QStringLiteral("--reconnect-for-s must be an integer from 0 to 86400"));
    options.reconnectForMs = reconnectS * 1000;

    const bool anyPosition = parser.isSet(lat) || parser.isSet(lon) || parser.isSet(range);
    if (anyPosition) {
        if (!parser.isSet(lat) || !parser.isSet(lon) || !parser.isSet(range))
            return fail(QStringLiteral("--lat, --lon and --range go together"));
        whisper::protocol::Join join;
        bool okLat = false, okLon = false, okRange = false;
        join.lat = parser.value(lat).toDouble(&okLat);
        join.lon = parser.value(lon).toDouble(&okLon);
        join.rangeKm = parser.value(range).toDouble(&okRange);
        if (!okLat || !whisper::geo::isValidLatitude(join.lat))
            return fail(QStringLiteral("--lat must be a number from -90 to 90"));
        if (!okLon || !whisper::geo::isValidLongitude(join.lon))
            return fail(QStringLiteral("--lon must be a number from -180 to 180"));
        if (!okRange || !whisper::geo::isValidRange(join.rangeKm))
            return fail(QStringLiteral("--range must be > 0 and <= 20015.1 km"));
        options.join = join;
    }

    whisper::ChatClient client(options);
    whisper::StdinReader input;
    QObject::connect(&input, &whisper::StdinReader::line, &client, &whisper::ChatClient::userLine);
    QObject::connect(&input, &whisper::StdinReader::finished, &client,
                     &whisper::ChatClient::inputFinished);
    // Commands are not chat: typing them is not shown to the partner.
    QObject::connect(&input, &whisper::StdinReader::composing, &client, [&](bool active) {
        client.userComposing(active && !input.pending().startsWith('/'));
    });
    QObject::connect(&client, &whisper::ChatClient::secretInput, &input,
                     [&input](bool secret) { input.setEcho(!secret); });
    QObject::connect(&client, &whisper::ChatClient::done, &app, &QCoreApplication::exit);
    client.start();
    return app.exec();
}
