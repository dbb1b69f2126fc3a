// SPDX-License-Identifier: MIT
// The metrics registry and its Prometheus text exposition, the server's
// bounded label mappings, and the log line formats.
#include "logformat.h"
#include "metricsregistry.h"
#include "serverconfig.h"
#include "servermetrics.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <thread>
#include <vector>

using namespace whisper;
using namespace whisper::metrics;

class TestOpsMetrics : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void counterExposition();
    void labelValuesAreEscaped();
    void helpIsEscaped();
    void histogramBucketsAreCumulativeWithInf();
    void histogramEdgeGoesIntoItsBucket();
    void valuesAreShortest();
    void familyCapsItsLabelSet();
    void countsFromManyThreads();
    void gaugeFunctionIsReadAtScrape();
    void closeCodesAreBounded();
    void limitsMapFromRequests();
    void relayIsSampled();
    void jsonLogLine();
    void journalPrefix();
    void settings();
};

void TestOpsMetrics::counterExposition() {
    Registry r;
    Counter &c = r.counter(QStringLiteral("x_events_total"), QStringLiteral("Events"));
    c.inc();
    c.inc(2);
    QCOMPARE(r.exposition(), QByteArray("# HELP x_events_total Events\n"
                                        "# TYPE x_events_total counter\n"
                                        "x_events_total 3\n"));
}

void TestOpsMetrics::labelValuesAreEscaped() {
    Registry r;
    CounterFamily &f =
        r.counterFamily(QStringLiteral("x_total"), QStringLiteral("h"), QStringLiteral("kind"));
    f.with(QStringLiteral("a\"b\\c\nd")).inc();
    QVERIFY2(r.exposition().contains("x_total{kind=\"a\\\"b\\\\c\\nd\"} 1\n"),
             r.exposition().constData());
    QCOMPARE(escapeLabelValue(QStringLiteral("plain")), QByteArray("plain"));
}

void TestOpsMetrics::helpIsEscaped() {
    // In HELP, backslash and newline are escaped; a quote is not.
    QCOMPARE(escapeHelp(QStringLiteral("a\\b\nc\"d")), QByteArray("a\\\\b\\nc\"d"));
}

void TestOpsMetrics::histogramBucketsAreCumulativeWithInf() {
    Registry r;
    // Bounds given unsorted; values exact in binary, so the sum is too.
    Histogram &h = r.histogram(QStringLiteral("x_seconds"), QStringLiteral("h"), {0.25, 1, 0.125});
    h.observe(0.0625); // <= 0.125
    h.observe(0.25);   // <= 0.25 (on the bound)
    h.observe(0.5);    // <= 1
    h.observe(8);      // +Inf only
    QCOMPARE(r.exposition(), QByteArray("# HELP x_seconds h\n"
                                        "# TYPE x_seconds histogram\n"
                                        "x_seconds_bucket{le=\"0.125\"} 1\n"
                                        "x_seconds_bucket{le=\"0.25\"} 2\n"
                                        "x_seconds_bucket{le=\"1\"} 3\n"
                                        "x_seconds_bucket{le=\"+Inf\"} 4\n"
                                        "x_seconds_sum 8.8125\n"
                                        "x_seconds_count 4\n"));
}

void TestOpsMetrics::histogramEdgeGoesIntoItsBucket() {
    // Buckets are "less than or equal": a value on a bound counts in it.
    Histogram h({1, 2});
    h.observe(1);
    h.observe(2);
    const Histogram::Snapshot s = h.snapshot();
    QCOMPARE(s.cumulative, (std::vector<std::uint64_t>{1, 2, 2}));
    QCOMPARE(s.count, 2u);
}

void TestOpsMetrics::valuesAreShortest() {
    QCOMPARE(formatValue(0.005), QByteArray("0.005"));
    QCOMPARE(formatValue(1e-05), QByteArray("1e-05"));
    QCOMPARE(formatValue(42), QByteArray("42"));
    QCOMPARE(formatValue(INFINITY), QByteArray("+Inf"));
    QCOMPARE(formatValue(-INFINITY), QByteArray("-Inf"));
    QCOMPARE(formatValue(NAN), QByteArray("NaN"));
}

void TestOpsMetrics::familyCapsItsLabelSet() {
    CounterFamily f(3);
    for (int i = 0; i < 10; ++i)
        f.with(QString::number(i)).inc();
    const auto values = f.values();
    QCOMPARE(values.size(), 4u); // three values and "other"
    std::uint64_t other = 0;
    for (const auto &[value, count] : values)
        if (value == QLatin1String("other"))
            other = count;
    QCOMPARE(other, 7u);
    // A value already known keeps its own counter.
    f.with(QStringLiteral("0")).inc();
    QCOMPARE(f.values().front().second, 2u);
}

void TestOpsMetrics::countsFromManyThreads() {
    Counter c;
    Histogram h({0.5});
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&] {
            for (int i = 0; i < 10000; ++i) {
                c.inc();
                h.observe(1);
            }
        });
    for (auto &t : threads)
        t.join();
    QCOMPARE(c.value(), 40000u);
    QCOMPARE(h.snapshot().count, 40000u);
    QCOMPARE(h.snapshot().sum, 40000.0);
}

void TestOpsMetrics::gaugeFunctionIsReadAtScrape() {
    Registry r;
    int connections = 2;
    r.gaugeFunction(
        QStringLiteral("x_connections"), QStringLiteral("h"), {QStringLiteral("transport")},
        [&connections] {
            return std::vector<GaugeSample>{{{QStringLiteral("native")}, double(connections)}};
        });
    QVERIFY(r.exposition().contains("x_connections{transport=\"native\"} 2\n"));
    connections = 5;
    QVERIFY(r.exposition().contains("x_connections{transport=\"native\"} 5\n"));
    QVERIFY(r.exposition().contains("# TYPE x_connections gauge\n"));
}

void TestOpsMetrics::closeCodesAreBounded() {
    ServerMetrics m(QStringLiteral("1.0"), QStringLiteral("native"));
    m.closed(1000);
    m.closed(1008);
    m.closed(4321); // a peer's private code
    m.closed(0);
    const QByteArray text = m.registry().exposition();
    QVERIFY(text.contains("whisperchat_closes_total{code=\"1000\"} 1\n"));
    QVERIFY(text.contains("whisperchat_closes_total{code=\"1008\"} 1\n"));
    QVERIFY(text.contains("whisperchat_closes_total{code=\"other\"} 2\n"));
    QVERIFY(!text.contains("4321"));
}

void TestOpsMetrics::limitsMapFromRequests() {
    ServerMetrics m(QStringLiteral("1.0"), QStringLiteral("native"));
    m.limited(QStringLiteral("message"));
    m.limited(QStringLiteral("typing"));
    m.limited(QStringLiteral("join"));
    m.limited(QString());
    m.limited(QStringLiteral("report"));
    m.limited(QStringLiteral("set_password"));
    const QByteArray text = m.registry().exposition();
    QVERIFY(text.contains("whisperchat_rate_limited_total{limit=\"message\"} 2\n"));
    QVERIFY(text.contains("whisperchat_rate_limited_total{limit=\"join\"} 1\n"));
    QVERIFY(text.contains("whisperchat_rate_limited_total{limit=\"malformed\"} 1\n"));
    QVERIFY(text.contains("whisperchat_rate_limited_total{limit=\"report\"} 1\n"));
    QVERIFY(text.contains("whisperchat_rate_limited_total{limit=\"account_request\"} 1\n"));
}

void TestOpsMetrics::relayIsSampled() {
    ServerMetrics m(QStringLiteral("1.0"), QStringLiteral("native"));
    int sampled = 0;
    for (unsigned i = 0; i < 10 * ServerMetrics::kRelaySampleEvery; ++i)
        sampled += ServerMetrics::relaySample(&m) != nullptr;
    QCOMPARE(sampled, 10);
    QCOMPARE(ServerMetrics::relaySample(nullptr), nullptr);
}

void TestOpsMetrics::jsonLogLine() {
    const QByteArray line =
        formatLogLine(LogFormat::Json, false, QtWarningMsg, "whisper.server.net",
                      QStringLiteral("session 42 closed with code 1008 \"quoted\""));
    QVERIFY(!line.contains('\n'));
    QJsonParseError error;
    const QJsonObject o = QJsonDocument::fromJson(line, &error).object();
    QCOMPARE(error.error, QJsonParseError::NoError);
    QCOMPARE(o.value(QStringLiteral("level")).toString(), QStringLiteral("warning"));
    QCOMPARE(o.value(QStringLiteral("category")).toString(), QStringLiteral("whisper.server.net"));
    QCOMPARE(o.value(QStringLiteral("message")).toString(),
             QStringLiteral("session 42 closed with code 1008 \"quoted\""));
    QCOMPARE(o.value(QStringLiteral("client_id")).toInteger(), 42);
    QCOMPARE(o.value(QStringLiteral("code")).toInt(), 1008);
    QVERIFY(QDateTime::fromString(o.value(QStringLiteral("time")).toString(), Qt::ISODateWithMs)
                .isValid());
}

void TestOpsMetrics::journalPrefix() {
    QVERIFY(formatLogLine(LogFormat::Text, true, QtInfoMsg, "c", QStringLiteral("m"))
                .startsWith("<6>"));
    QVERIFY(formatLogLine(LogFormat::Json, true, QtWarningMsg, "c", QStringLiteral("m"))
                .startsWith("<4>{"));
    QVERIFY(formatLogLine(LogFormat::Text, false, QtInfoMsg, "c", QStringLiteral("m"))
                .endsWith(" info c: m"));
    QCOMPARE(journalPriority(QtDebugMsg), 7);
    QCOMPARE(journalPriority(QtCriticalMsg), 3);
    QCOMPARE(journalPriority(QtFatalMsg), 2);
    // Not under systemd (or the variable names another stream): no prefix.
    qputenv("JOURNAL_STREAM", "1:2");
    QVERIFY(!stderrIsJournal());
    qunsetenv("JOURNAL_STREAM");
    QVERIFY(!stderrIsJournal());
}

void TestOpsMetrics::settings() {
    const auto load = [](QStringList args, const QProcessEnvironment &env = {}) {
        args.prepend(QStringLiteral("whisperchat-server"));
        return ConfigLoader::load(args, env);
    };
    const auto defaults = load({});
    QVERIFY(defaults.config);
    QCOMPARE(defaults.config->httpEnabled, 1);
    QCOMPARE(defaults.config->httpListenAddress, QStringLiteral("127.0.0.1"));
    QCOMPARE(defaults.config->httpPort, 9090);
    QCOMPARE(defaults.config->logFormat, QStringLiteral("text"));

    // The edges of each range, and what lies beyond them.
    QCOMPARE(load({QStringLiteral("--http-port"), QStringLiteral("0")}).config->httpPort, 0);
    QCOMPARE(load({QStringLiteral("--http-port"), QStringLiteral("65535")}).config->httpPort,
             65535);
    const auto tooHigh = load({QStringLiteral("--http-port"), QStringLiteral("65536")});
    QVERIFY(!tooHigh.config);
    QCOMPARE(tooHigh.exitCode, 2);
    QVERIFY2(tooHigh.error.contains(QLatin1String("--http-port")), qPrintable(tooHigh.error));
    QVERIFY(!load({QStringLiteral("--http-enabled"), QStringLiteral("2")}).config);
    QVERIFY(!load({QStringLiteral("--http-listen"), QStringLiteral("localhost:1")}).config);
    const auto xml = load({QStringLiteral("--log-format"), QStringLiteral("xml")});
    QVERIFY(!xml.config);
    QVERIFY2(xml.error.contains(QLatin1String("'text' or 'json'")), qPrintable(xml.error));

    // Environment and INI file, as every setting.
    QProcessEnvironment env;
    env.insert(QStringLiteral("WHISPERCHAT_LOG_FORMAT"), QStringLiteral("json"));
    env.insert(QStringLiteral("WHISPERCHAT_HTTP_ENABLED"), QStringLiteral("0"));
    const auto fromEnv = load({}, env);
    QCOMPARE(fromEnv.config->logFormat, QStringLiteral("json"));
    QCOMPARE(fromEnv.config->httpEnabled, 0);
    QTemporaryDir dir;
    QFile ini(dir.filePath(QStringLiteral("server.ini")));
    QVERIFY(ini.open(QIODevice::WriteOnly));
    ini.write("[server]\nhttp_listen=::1\nhttp_port=9100\nlog_format=json\n");
    ini.close();
    const auto fromIni = load({QStringLiteral("--config"), ini.fileName()});
    QVERIFY2(fromIni.config, qPrintable(fromIni.error));
    QCOMPARE(fromIni.config->httpListenAddress, QStringLiteral("::1"));
    QCOMPARE(fromIni.config->httpPort, 9100);
    QCOMPARE(fromIni.config->logFormat, QStringLiteral("json"));
}

QTEST_GUILESS_MAIN(TestOpsMetrics)
#include "tst_opsmetrics.moc"
