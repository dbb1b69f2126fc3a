// SPDX-License-Identifier: MIT
// whisperchat-client: the Qt Quick chat client.

#include "translation.h"

#include <QCommandLineParser>
#include <QGuiApplication>
#include <QQmlApplicationEngine>
#include <QQmlContext>
#include <QtQml/qqmlextensionplugin.h>

Q_IMPORT_QML_PLUGIN(WhisperChat_ClientPlugin)

int main(int argc, char *argv[]) {
    QGuiApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("whisperchat-client"));
    QCoreApplication::setOrganizationName(QStringLiteral("WhisperChat"));
    QCoreApplication::setApplicationVersion(QStringLiteral(WHISPER_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Talk to someone nearby, anonymously (WhisperChat Qt Quick client)."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption url(QStringLiteral("url"),
                                 QStringLiteral("Server to connect to (remembered)."),
                                 QStringLiteral("ws-url"));
    const QCommandLineOption language(QStringLiteral("lang"),
                                      QStringLiteral("Language (de, es, hi; default: system)."),
                                      QStringLiteral("language"));
    parser.addOption(url);
    parser.addOption(language);
    parser.process(app);

    whisper::client::installClientTranslation(app, parser.value(language));
    if (QLocale(parser.value(language)).textDirection() == Qt::RightToLeft)
        QGuiApplication::setLayoutDirection(Qt::RightToLeft);

    QQmlApplicationEngine engine;
    engine.addImportPath(QStringLiteral("qrc:/qt/qml"));
    engine.setInitialProperties({{QStringLiteral("initialUrl"), parser.value(url)}});
    engine.load(QUrl(QStringLiteral("qrc:/qt/qml/WhisperChat/Client/Main.qml")));
    if (engine.rootObjects().isEmpty())
        return 1;
    return app.exec();
}
