// SPDX-License-Identifier: MIT
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
#include <QSqlError>
#include <QSqlQuery>
#include <QTextStream>

namespace whisper {

namespace {
const char kUsage[] = "usage: whisperchat-server user add NAME [--role ROLE] --password-stdin\n"
                      "       whisperchat-server user list\n"
                      "       whisperchat-server user set-role NAME ROLE\n"
                      "       whisperchat-server user disable NAME | enable NAME\n"
                      "       whisperchat-server user reset-2fa NAME\n"
                      "       whisperchat-server ban list\n"
                      "       whisperchat-server ban remove ID\n"
                      "options: --db URL, --data-dir DIR, --config FILE and every other\n"
                      "         server option (see whisperchat-server --help), before or\n"
                      "         after the command word; --role ROLE and --password-stdin\n"
                      "         for `user add`; -h, --help for this text\n"
                      "roles: user, moderator, admin\n";

// Changes made here are audited like console commands, with the local
// operator as actor: they act on the same accounts and bans.
void audit(Storage &storage, const QString &command, const QString &target,
           const QString &detail = {}) {
    QSqlQuery q(storage.database());
    q.prepare(QStringLiteral("INSERT INTO control_audit (at_ms, actor_account_id, actor, command, "
                             "target, detail, result, source) VALUES (?, NULL, ?, ?, ?, ?, 'ok', "
                             "'command line')"));
    q.addBindValue(QDateTime::currentMSecsSinceEpoch());
    q.addBindValue(QStringLiteral("whisperchat-server"));
    q.addBindValue(command);
    q.addBindValue(target);
    q.addBindValue(detail.isNull() ? QStringLiteral("") : detail);
    if (!q.exec())
        throw StorageError(QString(QStringLiteral("audit row not written: ") + q.lastError().text())
                               .toStdString());
}

QString timeText(qint64 ms) {
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODate);
}

int banCommand(Storage &storage, const QStringList &pos, QTextStream &out, QTextStream &err) {
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const QString command = pos.value(0);
    if (command == QLatin1String("list") && pos.size() == 1) {
        out << "id\ttarget\texpires\tcreated\tby\treason\n";
        for (const BanRecord &b : storage.listActiveBans(now)) {
            QString target = b.ip;
            if (b.accountId) {
                const auto a = storage.accountById(*b.accountId);
                target =
                    QStringLiteral("account ") + (a ? a->username : QString::number(*b.accountId));
            } else {
                target = QStringLiteral("address ") + b.ip;
            }
            QString by = QStringLiteral("-");
            if (b.createdBy)
                if (const auto a = storage.accountById(*b.createdBy))
                    by = a->username;
            out << b.id << "\t" << target << "\t"
                << (b.expiresMs ? timeText(*b.expiresMs) : QStringLiteral("permanent")) << "\t"
                << timeText(b.createdMs) << "\t" << by << "\t"
                << QString(b.reason).replace(u'\n', u' ').replace(u'\t', u' ') << "\n";
        }
        return 0;
    }
    if (command == QLatin1String("remove") && pos.size() == 2) {
        bool ok = false;
        const qint64 id = pos.at(1).toLongLong(&ok);
        if (!ok || !storage.liftBan(id, now)) {
            err << "no ban '" << pos.at(1) << "' in force\n";
            return 1;
        }
        audit(storage, QStringLiteral("unban"), pos.at(1));
        // A running server re-reads the bans within its refresh interval.
        out << "ban " << id << " lifted\n";
        return 0;
    }
    err << kUsage;
    return 2;
}
} // namespace

int UserCommand::run(const QStringList &arguments, QTextStream &in, QTextStream &out,
                     QTextStream &err) {
    QCommandLineParser parser;
    parser.setOptionsAfterPositionalArgumentsMode(QCommandLineParser::ParseAsOptions);
    const QCommandLineOption role(QStringLiteral("role"), QStringLiteral("Role of a new account"),
                                  QStringLiteral("ROLE"), QStringLiteral("user"));
    const QCommandLineOption passwordStdin(QStringLiteral("password-stdin"),
                                           QStringLiteral("Read the password from stdin"));
    const QCommandLineOption help(QStringList{QStringLiteral("h"), QStringLiteral("help")},
                                  QStringLiteral("Show this help"));
    // Every server option is passed on to the configuration loader, so a
    // line that starts the server also works in front of `user`.
    const QStringList forwarded = ConfigLoader::settingOptionNames();
    parser.addOption(role);
    parser.addOption(passwordStdin);
    parser.addOption(help);
    ConfigLoader::addSettingOptions(parser);
    // arguments: program, "user" or "ban", subcommand, ...
    const bool bans = arguments.value(1) == QLatin1String("ban");
    QStringList args = arguments;
    if (args.size() >= 2)
        args.removeAt(1);
    if (!parser.parse(args)) {
        err << parser.errorText() << "\n" << kUsage;
        return 2;
    }
    if (parser.isSet(help)) {
        out << kUsage;
        return 0;
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
    if (bans) {
        try {
            return banCommand(storage, pos, out, err);
        } catch (const std::exception &e) {
            err << e.what() << "\n";
            return 1;
        }
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
                audit(storage, QStringLiteral("set_role"), account->username, toString(*r));
                out << "'" << account->username << "' is now " << toString(*r) << "\n";
            } else {
                const bool disable = command == QLatin1String("disable");
                storage.setDisabled(account->id, disable);
                audit(storage, command, account->username);
                out << "'" << account->username << "' " << (disable ? "disabled" : "enabled")
                    << "\n";
            }
            return 0;
        }
        if (command == QLatin1String("reset-2fa")) {
            // The way back for someone who lost both the authenticator and
            // the recovery codes: the account keeps its name, password and
            // role and logs in with the password alone until 2FA is set up
            // again.
            if (!needArgs(2))
                return 2;
            const auto account = storage.accountByName(pos.at(1));
            if (!account) {
                err << "no account '" << pos.at(1) << "'\n";
                return 1;
            }
            storage.disableTotp(account->id);
            audit(storage, QStringLiteral("reset_2fa"), account->username,
                  account->totpEnabled ? QStringLiteral("was enabled")
                                       : QStringLiteral("was not enabled"));
            out << "two-factor authentication of '" << account->username
                << "' reset; recovery codes deleted\n";
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
