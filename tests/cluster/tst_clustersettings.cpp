// SPDX-License-Identifier: MIT
// The cluster settings through ServerConfig: redis, node-id, node-ttl-ms and
// trusted-proxies from the command line, the environment and the INI file,
// their edges, and the refusal of a cluster node without PostgreSQL.
#include "serverconfig.h"

#include <QProcessEnvironment>
#include <QTemporaryDir>
#include <QTest>

using namespace whisper;

namespace {
const QString kPg = QStringLiteral("postgresql://u@127.0.0.1:5432/whisper");
}

class TestClusterSettings : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void singleNodeByDefault();
    void commandLine_data();
    void commandLine();
    void environmentAndIni();
};

void TestClusterSettings::singleNodeByDefault() {
    const auto r = ConfigLoader::load({QStringLiteral("whisperchat-server")}, {});
    QVERIFY(r.config);
    QVERIFY(!r.config->clustered());
    QCOMPARE(r.config->nodeId, QString());
    QCOMPARE(r.config->nodeTtlMs, 6000);
    QCOMPARE(r.config->leaderLeaseMs, 3000);
    QCOMPARE(r.config->trustedProxies, QString());
}

void TestClusterSettings::commandLine_data() {
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("error"); // empty: accepted
    const QStringList cluster{QStringLiteral("--redis"), QStringLiteral("redis://127.0.0.1:6379"),
                              QStringLiteral("--db"), kPg};
    QTest::newRow("cluster") << cluster << QString();
    QTest::newRow("postgres scheme")
        << QStringList{QStringLiteral("--redis"), QStringLiteral("redis://h"),
                       QStringLiteral("--db"), QStringLiteral("postgres://u@h:1/db")}
        << QString();
    QTest::newRow("no db") << QStringList{QStringLiteral("--redis"), QStringLiteral("redis://h")}
                           << "needs the shared PostgreSQL store";
    QTest::newRow("sqlite db") << QStringList{QStringLiteral("--redis"),
                                              QStringLiteral("redis://h"), QStringLiteral("--db"),
                                              QStringLiteral("sqlite:///tmp/x.db")}
                               << "needs the shared PostgreSQL store";
    QTest::newRow("ttl 1000") << cluster + QStringList{QStringLiteral("--node-ttl-ms"),
                                                       QStringLiteral("1000")}
                              << QString();
    QTest::newRow("ttl 60000") << cluster + QStringList{QStringLiteral("--node-ttl-ms"),
                                                        QStringLiteral("60000")}
                               << QString();
    QTest::newRow("ttl 60001") << cluster + QStringList{QStringLiteral("--node-ttl-ms"),
                                                        QStringLiteral("60001")}
                               << "from 1000 to 60000";
    QTest::newRow("lease 500") << cluster + QStringList{QStringLiteral("--leader-lease-ms"),
                                                        QStringLiteral("500")}
                               << QString();
    QTest::newRow("lease 499") << cluster + QStringList{QStringLiteral("--leader-lease-ms"),
                                                        QStringLiteral("499")}
                               << "from 500 to 60000";
    QTest::newRow("lease 60001") << cluster + QStringList{QStringLiteral("--leader-lease-ms"),
                                                          QStringLiteral("60001")}
                                 << "from 500 to 60000";
    QTest::newRow("node id 32") << cluster +
                                       QStringList{QStringLiteral("--node-id"), QString(32, u'n')}
                                << QString();
    QTest::newRow("node id 33") << cluster +
                                       QStringList{QStringLiteral("--node-id"), QString(33, u'n')}
                                << "must be 1 to 32";
    QTest::newRow("proxies") << QStringList{QStringLiteral("--trusted-proxies"),
                                            QStringLiteral("10.0.0.0/8, ::1,127.0.0.1")}
                             << QString();
    QTest::newRow("proxy nonsense") << QStringList{QStringLiteral("--trusted-proxies"),
                                                   QStringLiteral("10.0.0.0/8,proxy.local")}
                                    << "'proxy.local' is not an address or subnet";
}

void TestClusterSettings::commandLine() {
    QFETCH(QStringList, args);
    QFETCH(QString, error);
    const auto r = ConfigLoader::load(QStringList{QStringLiteral("whisperchat-server")} + args, {});
    if (error.isEmpty()) {
        QVERIFY2(r.config, qPrintable(r.error));
        if (r.config->clustered())
            QVERIFY(!r.config->nodeId.isEmpty()); // the host name when not given
    } else {
        QVERIFY(!r.config);
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.error.contains(error), qPrintable(r.error));
    }
}

void TestClusterSettings::environmentAndIni() {
    QTemporaryDir dir;
    const QString ini = dir.filePath(QStringLiteral("cluster.ini"));
    QFile f(ini);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("[server]\nredis=redis://10.1.2.3:7000\nnode_ttl_ms=3000\n"
            "trusted_proxies=10.0.0.0/8\n");
    f.close();
    QProcessEnvironment env;
    env.insert(QStringLiteral("WHISPERCHAT_CONFIG"), ini);
    env.insert(QStringLiteral("WHISPERCHAT_DB"), kPg);
    env.insert(QStringLiteral("WHISPERCHAT_NODE_ID"), QStringLiteral("edge-7"));
    const auto r = ConfigLoader::load({QStringLiteral("whisperchat-server")}, env);
    QVERIFY2(r.config, qPrintable(r.error));
    QVERIFY(r.config->clustered());
    QCOMPARE(r.config->redisUrl, QStringLiteral("redis://10.1.2.3:7000"));
    QCOMPARE(r.config->nodeId, QStringLiteral("edge-7"));
    QCOMPARE(r.config->nodeTtlMs, 3000);
    QCOMPARE(r.config->trustedProxies, QStringLiteral("10.0.0.0/8"));
}

QTEST_GUILESS_MAIN(TestClusterSettings)
#include "tst_clustersettings.moc"
