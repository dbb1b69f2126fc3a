// SPDX-License-Identifier: MIT
#include "consolestate.h"
#include "controlclient.h"
#include "logindialog.h"
#include "mainwindow.h"
#include "translation.h"

#include <QApplication>
#include <QCommandLineParser>

#include <cstring>

using namespace whisper::admin;

namespace {

QCommandLineOption langOption() {
    return QCommandLineOption(QStringLiteral("lang"),
                              QStringLiteral("User interface language (de, es, hi, en)"),
                              QStringLiteral("LANG"));
}

void setNames() {
    QCoreApplication::setOrganizationName(QStringLiteral("WhisperChat"));
    QCoreApplication::setApplicationName(QStringLiteral("whisperchat-admin"));
    QCoreApplication::setApplicationVersion(QStringLiteral(WHISPER_VERSION));
}

void addOptions(QCommandLineParser &parser) {
    parser.setApplicationDescription(QStringLiteral("WhisperChat admin console"));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addOption(langOption());
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
    // Help and version are text: they must work where there is no display
    // (over ssh, in a package's checks), and a QApplication aborts without
    // one. A plain QCoreApplication answers them and exits.
    if (asksForText(argc, argv)) {
        QCoreApplication textOnly(argc, argv);
        setNames();
        QCommandLineParser parser;
        addOptions(parser);
        parser.process(textOnly); // exits
        return 0;
    }

    QApplication app(argc, argv);
    setNames();

    QCommandLineParser parser;
    addOptions(parser);
    parser.process(app);
    installTranslation(app, parser.value(langOption()));

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
    // Only a URL that worked is offered next time.
    login.rememberSuccessfulLogins(&client);
    // Log out / switch server: the same dialog again, or quit when cancelled.
    QObject::connect(&window, &MainWindow::logoutRequested, &login, [&] {
        login.setError({});
        if (login.exec() == QDialog::Accepted)
            client.connectToServer(login.credentials());
        else
            window.close();
    });
    if (login.exec() != QDialog::Accepted)
        return 0;
    client.connectToServer(login.credentials());
    window.show();
    return app.exec();
}
