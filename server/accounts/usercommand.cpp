#include "usercommand.h"

#include "accounts.h"
#include "passwordhasher.h"
#include "permissions.h"
#include "securitystack.h"
#include "serverconfig.h"
#include "storage.h"

#include <QCommandLineParser>
#include <QDateTime>
#include <QProcessEnvironment>
#include <QTextStream>

namespace whisper {

namespace {
const char kUsage[] = "usage: whisperchat-server user add NAME [--role ROLE] --password-stdin\n"
                      "       whisperchat-server user list\n"
                      "       whisperchat-server user set-role NAME ROLE\n"
                      "       whisperchat-server user disable NAME | enable NAME\n"
                      "options: --db URL, --data-dir DIR, --config FILE (as for the server)\n"
                      "roles: user, moderator, admin\n";
} // namespace

int UserCommand::run(const QStringList &arguments, QTextStream &in, QTextStream &out,
                     QTextStream &err) {
    QCommandLineParser parser;
    parser.setOptionsAfterPositionalArgumentsMode(QCommandLineParser::ParseAsOptions);
    const QCommandLineOption role(QStringLiteral("role"), QStringLiteral("Role of a new account"),
                                  QStringLiteral("ROLE"), QStringLiteral("user"));
    const QCommandLineOption passwordStdin(QStringLiteral("password-stdin"),
                                           QStringLiteral("Read the password from stdin"));
    // Passed on to the server's configuration loader.
    const QStringList forwarded{QStringLiteral("db"), QStringLiteral("data-dir"),
                                QStringLiteral("config"), QStringLiteral("argon2-ops"),
                                QStringLiteral("argon2-mem-kib")};
    parser.addOption(role);
    parser.addOption(passwordStdin);
    for (const QString &name : forwarded)
        parser.addOption(QCommandLineOption(name, name, QStringLiteral("VALUE")));
    // arguments: program, "user", subcommand, ...
    QStringList args = arguments;
    if (args.size() >= 2)
        args.removeAt(1);
    if (!parser.parse(args)) {
        err << parser.errorText() << "\n" << kUsage;
        return 2;
    }
    const QStringList pos = parser.positionalArguments();
    if (pos.isEmpty()) {
        err << kUsage;
        return 2;
    }
    QStringList configArgs{arguments.value(0)};
    for (const QString &name : forwarded)
        if (parser.isSet(name))
            configArgs << QStringLiteral("--") + name << parser.value(name);
    const auto loaded = ConfigLoader::load(configArgs, QProcessEnvironment::systemEnvironment());
    if (!loaded.config) {
        err << loaded.error << "\n";
        return 2;
    }
    const ServerConfig &config = *loaded.config;

    Storage storage;
    try {
        storage.open(SecurityStack::storageLocation(config));
    } catch (const std::exception &e) {
        err << e.what() << "\n";
        return 1;
    }
    const QString command = pos.first();
    auto needArgs = [&](int n) {
        if (pos.size() == n)
            return true;
        err << kUsage;
        return false;
    };
    try {
        if (command == QLatin1String("list")) {
            if (!needArgs(1))
                return 2;
            out << "id\tusername\trole\t2fa\tdisabled\n";
            for (const AccountRecord &a : storage.listAccounts())
                out << a.id << "\t" << a.username << "\t" << toString(a.role) << "\t"
                    << (a.totpEnabled ? "yes" : "no") << "\t" << (a.disabled ? "yes" : "no")
                    << "\n";
            return 0;
        }
        if (command == QLatin1String("add")) {
            if (!needArgs(2))
                return 2;
            const QString name = pos.at(1);
            const auto r = roleFromString(parser.value(role));
            if (!r) {
                err << "unknown role '" << parser.value(role) << "'\n";
                return 2;
            }
            if (!parser.isSet(passwordStdin)) {
                // Never on the command line: it would show in `ps` and shell history.
                err << "give the password on stdin with --password-stdin\n";
                return 2;
            }
            const QString password = in.readLine();
            QString problem = Accounts::checkUsername(name);
            if (problem.isEmpty())
                problem = Accounts::checkPassword(name, password);
            if (!problem.isEmpty()) {
                err << problem << "\n";
                return 2;
            }
            PasswordHasher hasher(HashParams{config.argon2OpsLimit, config.argon2MemKiB}, 1);
            const auto id = storage.createAccount(name, hasher.hashNow(password), *r,
                                                  QDateTime::currentMSecsSinceEpoch());
            if (!id) {
                err << "username '" << name << "' is taken\n";
                return 1;
            }
            out << "created " << toString(*r) << " '" << name << "' (id " << *id << ")\n";
            return 0;
        }
        if (command == QLatin1String("set-role") || command == QLatin1String("disable") ||
            command == QLatin1String("enable")) {
            if (!needArgs(command == QLatin1String("set-role") ? 3 : 2))
                return 2;
            const auto account = storage.accountByName(pos.at(1));
            if (!account) {
                err << "no account '" << pos.at(1) << "'\n";
                return 1;
            }
            if (command == QLatin1String("set-role")) {
                const auto r = roleFromString(pos.at(2));
                if (!r) {
                    err << "unknown role '" << pos.at(2) << "'\n";
                    return 2;
                }
                storage.setRole(account->id, *r);
                out << "'" << account->username << "' is now " << toString(*r) << "\n";
            } else {
                const bool disable = command == QLatin1String("disable");
                storage.setDisabled(account->id, disable);
                out << "'" << account->username << "' " << (disable ? "disabled" : "enabled")
                    << "\n";
            }
            return 0;
        }
    } catch (const std::exception &e) {
        err << e.what() << "\n";
        return 1;
    }
    err << "unknown command '" << command << "'\n" << kUsage;
    return 2;
}

} // namespace whisper
