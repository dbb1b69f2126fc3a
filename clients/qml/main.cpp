// SPDX-License-Identifier: MIT
// whisperchat-client: the Qt Quick chat client.

#include "translation.h"

#include <QCommandLineParser>
#include <QGuiApplication>
#include <QQmlApplicationEngine>
#include <QtQml/qqmlextensionplugin.h>

#include <cstring>

Q_IMPORT_QML_PLUGIN(WhisperChat_ClientPlugin)

namespace {

const QCommandLineOption kUrl(QStringLiteral("url"),
                              QStringLiteral("Server to connect to (remembered once you join)."),
                              QStringLiteral("ws-url"));
const QCommandLineOption kLang(QStringLiteral("lang"),
                               QStringLiteral("Language: de, es, hi, en (default: the system's)."),
                               QStringLiteral("language"));

void setNames() {
    QCoreApplication::setOrganizationName(QStringLiteral("WhisperChat"));
    QCoreApplication::setApplicationName(QStringLiteral("whisperchat-client"));
    QCoreApplication::setApplicationVersion(QStringLiteral(WHISPER_VERSION));
}

void addOptions(QCommandLineParser &parser) {
    parser.setApplicationDescription(
        QStringLiteral("Talk to someone nearby, anonymously (WhisperChat Qt Quick client)."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addOption(kUrl);
    parser.addOption(kLang);
}

bool asksForText(int argc, char *argv[]) {
    static const char *const words[] = {"-h", "--help", "-?", "--help-all", "-v", "--version"};
    for (int i = 1; i < argc; ++i)
        for (const char *word : words)
            if (std::strcmp(argv[i], word) == 0)
                return true;
    return false;
}

} // namespace

int main(int argc, char *argv[]) {
    // Help and version must work without a display (over ssh, in a
    // package's checks); a QGuiApplication aborts without one.
    if (asksForText(argc, argv)) {
        QCoreApplication textOnly(argc, argv);
        setNames();
        QCommandLineParser parser;
        addOptions(parser);
        parser.process(textOnly); // exits
        return 0;
    }

    QGuiApplication app(argc, argv);
    setNames();
    QCommandLineParser parser;
    addOptions(parser);
    parser.process(app);

    const QString language = parser.value(kLang);
    whisper::client::installClientTranslation(app, language);
    if (!language.isEmpty() && QLocale(language).textDirection() == Qt::RightToLeft)
        QGuiApplication::setLayoutDirection(Qt::RightToLeft);

    QQmlApplicationEngine engine;
    engine.addImportPath(QStringLiteral("qrc:/qt/qml"));
    engine.setInitialProperties({{QStringLiteral("initialUrl"), parser.value(kUrl)}});
    engine.load(QUrl(QStringLiteral("qrc:/qt/qml/WhisperChat/Client/qml/Main.qml")));
    if (engine.rootObjects().isEmpty())
        return 1;
    return app.exec();
}
