// SPDX-License-Identifier: MIT
// The programs' command lines as an operator types them: subcommands with the
// global options on either side, help that names what exists, and help and
// version that need no display. Each case runs the real binary.

#include "serverprocess.h"

#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

using whisper::test::ServerProcess;

namespace {

struct Run {
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

Run run(const QString &program, const QStringList &args, const QByteArray &stdinData = {},
        const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment()) {
    Run r;
    QProcess p;
    p.setProcessEnvironment(env);
    p.start(ServerProcess::binary(program), args);
    if (!p.waitForStarted(10000))
        return r;
    p.write(stdinData);
    p.closeWriteChannel();
    if (!p.waitForFinished(30000)) {
        p.kill();
        p.waitForFinished();
        return r;
    }
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    return r;
}

Run server(const QStringList &args, const QByteArray &stdinData = {}) {
    return run(QStringLiteral("whisperchat-server"), args, stdinData);
}

} // namespace

class TestCommandLine : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void globalOptionsEitherSideOfUser();
    void globalOptionsEitherSideOfBan();
    void userHelpExitsZero();
    void mainHelpNamesTheCommands();
    void adminHelpAndVersionWithoutDisplay_data();
    void adminHelpAndVersionWithoutDisplay();
};

void TestCommandLine::globalOptionsEitherSideOfUser() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    // The option before the word on one line, after it on the next: both
    // reach the same database.
    Run added =
        server({QStringLiteral("--data-dir"), dir.path(), QStringLiteral("user"),
                QStringLiteral("add"), QStringLiteral("alice"), QStringLiteral("--password-stdin")},
               "correct horse battery staple\n");
    QVERIFY2(added.exitCode == 0, added.err.constData());
    added = server({QStringLiteral("user"), QStringLiteral("add"), QStringLiteral("bob"),
                    QStringLiteral("--role"), QStringLiteral("moderator"),
                    QStringLiteral("--password-stdin"), QStringLiteral("--data-dir"), dir.path()},
                   "another fine long passphrase\n");
    QVERIFY2(added.exitCode == 0, added.err.constData());

    const Run before = server(
        {QStringLiteral("--data-dir"), dir.path(), QStringLiteral("user"), QStringLiteral("list")});
    const Run after = server(
        {QStringLiteral("user"), QStringLiteral("list"), QStringLiteral("--data-dir"), dir.path()});
    // The `--name=value` form too.
    const Run joined = server({QStringLiteral("--data-dir=") + dir.path(), QStringLiteral("user"),
                               QStringLiteral("list")});
    QVERIFY2(before.exitCode == 0, before.err.constData());
    QVERIFY2(after.exitCode == 0, after.err.constData());
    QVERIFY2(joined.exitCode == 0, joined.err.constData());
    QVERIFY(before.out.contains("\talice\tuser\t"));
    QVERIFY(before.out.contains("\tbob\tmoderator\t"));
    QCOMPARE(after.out, before.out);
    QCOMPARE(joined.out, before.out);

    // Any server option may stand there, not only the database ones; a bad
    // one still gets the loader's error.
    const Run withListen =
        server({QStringLiteral("--listen"), QStringLiteral("::"), QStringLiteral("--data-dir"),
                dir.path(), QStringLiteral("user"), QStringLiteral("list")});
    QCOMPARE(withListen.exitCode, 0);
    QCOMPARE(withListen.out, before.out);
    const Run badValue = server({QStringLiteral("--port"), QStringLiteral("nope"),
                                 QStringLiteral("user"), QStringLiteral("list")});
    QCOMPARE(badValue.exitCode, 2);
    QVERIFY(badValue.err.contains("port"));

    // A word that is no command is still refused, wherever it stands.
    const Run unknown = server({QStringLiteral("--data-dir"), dir.path(), QStringLiteral("users")});
    QCOMPARE(unknown.exitCode, 2);
    QVERIFY(unknown.err.contains("unexpected argument 'users'"));
}

void TestCommandLine::globalOptionsEitherSideOfBan() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const Run before = server(
        {QStringLiteral("--data-dir"), dir.path(), QStringLiteral("ban"), QStringLiteral("list")});
    const Run after = server(
        {QStringLiteral("ban"), QStringLiteral("list"), QStringLiteral("--data-dir"), dir.path()});
    QVERIFY2(before.exitCode == 0, before.err.constData());
    QVERIFY2(after.exitCode == 0, after.err.constData());
    QVERIFY(before.out.startsWith("id\ttarget\t"));
    QCOMPARE(after.out, before.out);
    // The database went where the option said, not to the default place.
    QVERIFY(!QDir(dir.path()).entryList(QDir::Files).isEmpty());
}

void TestCommandLine::userHelpExitsZero() {
    for (const QStringList &args : {QStringList{QStringLiteral("user"), QStringLiteral("--help")},
                                    QStringList{QStringLiteral("user"), QStringLiteral("-h")},
                                    QStringList{QStringLiteral("ban"), QStringLiteral("--help")}}) {
        const Run r = server(args);
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.out.contains("usage: whisperchat-server user add NAME"), r.out.constData());
        QVERIFY(r.out.contains("whisperchat-server ban list"));
        QVERIFY(r.err.isEmpty());
    }
}

void TestCommandLine::mainHelpNamesTheCommands() {
    const Run r = server({QStringLiteral("--help")});
    QCOMPARE(r.exitCode, 0);
    const QString text = QString::fromUtf8(r.out);
    // One line each, after the options.
    static const QRegularExpression user(QStringLiteral(R"(^\s+user\s+\S.*$)"),
                                         QRegularExpression::MultilineOption);
    static const QRegularExpression ban(QStringLiteral(R"(^\s+ban\s+\S.*$)"),
                                        QRegularExpression::MultilineOption);
    QVERIFY2(user.match(text).hasMatch(), qPrintable(text));
    QVERIFY2(ban.match(text).hasMatch(), qPrintable(text));
    QVERIFY(text.contains(QLatin1String("--data-dir")));
}

void TestCommandLine::adminHelpAndVersionWithoutDisplay_data() {
    QTest::addColumn<QString>("option");
    QTest::addColumn<QString>("expected");
    QTest::newRow("help") << QStringLiteral("--help") << QStringLiteral("Usage: ");
    QTest::newRow("short help") << QStringLiteral("-h") << QStringLiteral("Usage: ");
    QTest::newRow("version") << QStringLiteral("--version")
                             << QStringLiteral("whisperchat-admin " WHISPER_VERSION);
}

void TestCommandLine::adminHelpAndVersionWithoutDisplay() {
    QFETCH(QString, option);
    QFETCH(QString, expected);
    // As on a server reached over ssh without X forwarding: no display and
    // no platform plugin chosen for it.
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(QStringLiteral("QT_QPA_PLATFORM"));
    env.remove(QStringLiteral("DISPLAY"));
    env.remove(QStringLiteral("WAYLAND_DISPLAY"));
    const Run r = run(QStringLiteral("whisperchat-admin"), {option}, {}, env);
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QVERIFY2(r.out.contains(expected.toUtf8()), r.out.constData());
}

QTEST_GUILESS_MAIN(TestCommandLine)
#include "tst_commandline.moc"
