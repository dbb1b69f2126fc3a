// SPDX-License-Identifier: MIT
// ServerConfig's INI file: every key must name a setting of [server]; a
// misspelt or misplaced key stops start-up with the key and a suggestion
// rather than running with the default it meant to change.

#include "serverconfig.h"

#include <QProcessEnvironment>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace whisper;

class TestServerConfig : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void knownKeysAreRead();
    void unknownKeysAreErrors_data();
    void unknownKeysAreErrors();
    void summaryNamesTheRealDataDirectory();

private:
    ConfigLoadResult loadIni(const QByteArray &text);
    QTemporaryDir m_dir;
};

ConfigLoadResult TestServerConfig::loadIni(const QByteArray &text) {
    const QString path = m_dir.filePath(QStringLiteral("server.ini"));
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        qFatal("cannot write %s", qPrintable(path));
    file.write(text);
    file.close();
    return ConfigLoader::load(
        {QStringLiteral("whisperchat-server"), QStringLiteral("--config"), path},
        QProcessEnvironment());
}

void TestServerConfig::knownKeysAreRead() {
    const ConfigLoadResult r = loadIni("[server]\nmax_connections=50\ntick_ms=100\n");
    QVERIFY2(r.config, qPrintable(r.error));
    QCOMPARE(r.config->maxConnections, 50);
    QCOMPARE(r.config->tickMs, 100);
}

void TestServerConfig::unknownKeysAreErrors_data() {
    QTest::addColumn<QByteArray>("ini");
    QTest::addColumn<QString>("names");
    QTest::addColumn<QString>("suggests");
    QTest::addRow("misspelt") << QByteArray("[server]\nmax_conections=50\n")
                              << "unknown setting 'max_conections'"
                              << "did you mean 'max_connections'?";
    QTest::addRow("dashes instead of underscores")
        << QByteArray("[server]\ntick-ms=100\n") << "unknown setting 'tick-ms'"
        << "did you mean 'tick_ms'?";
    QTest::addRow("outside any section")
        << QByteArray("max_connections=50\n") << "'max_connections' is outside the [server] section"
        << "did you mean 'max_connections'?";
    QTest::addRow("another section")
        << QByteArray("[serve]\nport=1\n") << "'port' is in section [serve]"
        << "did you mean 'port'?";
    QTest::addRow("nothing close") << QByteArray("[server]\nfavourite_colour=blue\n")
                                   << "unknown setting 'favourite_colour'" << QString();
}

void TestServerConfig::unknownKeysAreErrors() {
    QFETCH(QByteArray, ini);
    QFETCH(QString, names);
    QFETCH(QString, suggests);
    const ConfigLoadResult r = loadIni(ini);
    QVERIFY(!r.config);
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.error.contains(names), qPrintable(r.error));
    if (suggests.isEmpty())
        QVERIFY2(!r.error.contains(QLatin1String("did you mean")), qPrintable(r.error));
    else
        QVERIFY2(r.error.contains(suggests), qPrintable(r.error));
}

// With no data-dir given, the start-up summary used to print "data-dir="
// while the data went to the platform's directory.
void TestServerConfig::summaryNamesTheRealDataDirectory() {
    const ConfigLoadResult r =
        ConfigLoader::load({QStringLiteral("whisperchat-server")}, QProcessEnvironment());
    QVERIFY(r.config);
    const QString platform = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    QVERIFY(!platform.isEmpty());
    QVERIFY2(ConfigLoader::summary(*r.config).contains(QLatin1String("data-dir=") + platform),
             qPrintable(ConfigLoader::summary(*r.config)));
    ServerConfig given = *r.config;
    given.dataDir = m_dir.path();
    QVERIFY(ConfigLoader::summary(given).contains(QLatin1String("data-dir=") + m_dir.path()));
}

QTEST_GUILESS_MAIN(TestServerConfig)
#include "tst_serverconfig.moc"
