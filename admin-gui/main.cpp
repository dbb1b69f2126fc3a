// SPDX-License-Identifier: MIT
#include "consolestate.h"
#include "controlclient.h"
#include "logindialog.h"
#include "mainwindow.h"
#include "translation.h"

#include <QApplication>
#include <QCommandLineParser>

using namespace whisper::admin;

int main(int argc, char *argv[]) {
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("WhisperChat"));
    QApplication::setApplicationName(QStringLiteral("whisperchat-admin"));
    QApplication::setApplicationVersion(QStringLiteral(WHISPER_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("WhisperChat admin console"));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption langOption(QStringLiteral("lang"),
                                        QStringLiteral("User interface language (de, es, hi, en)"),
                                        QStringLiteral("LANG"));
    parser.addOption(langOption);
    parser.process(app);
    installTranslation(app, parser.value(langOption));

    ControlClient client;
    ConsoleState state;
    state.attach(&client);
    MainWindow window(&client, &state);
    LoginDialog login;

    // Wrong credentials bring the login dialog back with the server's reason.
    QObject::connect(&client, &ControlClient::authenticationFailed, &login,
                     [&](const QString &message) {
                         login.setError(message);
                         if (login.exec() == QDialog::Accepted)
                             client.connectToServer(login.credentials());
                     });
    if (login.exec() != QDialog::Accepted)
        return 0;
    client.connectToServer(login.credentials());
    window.show();
    return app.exec();
}
