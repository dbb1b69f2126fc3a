// SPDX-License-Identifier: MIT
#include "serverprocess.h"
#include "testpaths.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QRegularExpression>
#include <QTest>

#include <csignal>

namespace whisper::test {

namespace {

// How many socket I/O threads a server started with `args` and `env` must
// run, or -1 when that cannot be told from here (a config file). Later
// arguments win over earlier ones and over the environment, as in the
// server; TLS and the Qt transport stay on the main loop.
int expectedIoThreads(const QStringList &args, const QProcessEnvironment &env) {
    if (args.contains(QLatin1String("--config")) ||
        env.contains(QStringLiteral("WHISPERCHAT_CONFIG")))
        return -1;
    int threads = env.value(QStringLiteral("WHISPERCHAT_IO_THREADS"), QStringLiteral("0")).toInt();
    QString transport = env.value(QStringLiteral("WHISPERCHAT_TRANSPORT"));
    bool tls = env.contains(QStringLiteral("WHISPERCHAT_TLS_CERT"));
    for (qsizetype i = 0; i + 1 < args.size(); ++i) {
        if (args[i] == QLatin1String("--io-threads"))
            threads = args[i + 1].toInt();
        else if (args[i] == QLatin1String("--transport"))
            transport = args[i + 1];
        else if (args[i] == QLatin1String("--tls-cert"))
            tls = true;
    }
    return tls || transport == QLatin1String("qt") ? 0 : threads;
}

} // namespace

ServerProcess::ServerProcess(QStringList extraArgs)
    : m_args(std::move(extraArgs)) {}

ServerProcess::~ServerProcess() {
    if (isRunning())
        kill();
}

QString ServerProcess::binary(const QString &name) {
    return QStringLiteral(WHISPER_BIN_DIR "/") + name;
}

bool ServerProcess::start(int timeoutMs) {
    // Both endpoints on free ports and a data directory of its own, so
    // suites can run in parallel.
    QStringList args{QStringLiteral("--listen"), QStringLiteral("127.0.0.1"),
                     QStringLiteral("--port"), QStringLiteral("0"),
                     QStringLiteral("--control-port"), QStringLiteral("0"),
                     QStringLiteral("--http-port"), QStringLiteral("0"),
                     QStringLiteral("--data-dir"), m_dataDir.path(),
                     // Tests drive hundreds of clients from one loopback
                     // address; suites about rate limits override this.
                     QStringLiteral("--rate-exempt"), QStringLiteral("127.0.0.0/8,::1"),
                     // SIGTERM drains; suites stop their servers often and
                     // quickly. tst_drain sets its own grace period.
                     QStringLiteral("--drain-grace-s"), QStringLiteral("0")};
    // Later arguments win, so a test can override the defaults above.
    args += m_args;
    m_process.setProgram(binary(QStringLiteral("whisperchat-server")));
    m_process.setArguments(args);
    m_process.start();
    if (!m_process.waitForStarted(timeoutMs))
        return false;

    static const QRegularExpression chatLine(QStringLiteral(R"(ready: chat (ws[s]?://\S+))"));
    static const QRegularExpression controlLine(QStringLiteral(R"(control (ws[s]?://\S+))"));
    QDeadlineTimer deadline(timeoutMs);
    while (!deadline.hasExpired()) {
        m_stdout += m_process.readAllStandardOutput();
        const auto chat = chatLine.match(QString::fromUtf8(m_stdout));
        if (chat.hasMatch()) {
            m_chatUrl = QUrl(chat.captured(1));
            const auto control = controlLine.match(QString::fromUtf8(m_stdout));
            if (control.hasMatch())
                m_controlUrl = QUrl(control.captured(1));
            static const QRegularExpression httpLine(QStringLiteral(R"( http (http://\S+))"));
            const auto http = httpLine.match(QString::fromUtf8(m_stdout));
            if (http.hasMatch())
                m_httpUrl = QUrl(http.captured(1));
            return hasExpectedIoThreads(args);
        }
        if (m_process.state() == QProcess::NotRunning)
            return false;
        m_process.waitForReadyRead(int(qMax<qint64>(1, deadline.remainingTime())));
    }
    return false;
}

bool ServerProcess::terminate(int timeoutMs) {
    if (!isRunning())
        return true;
    ::kill(pid_t(m_process.processId()), SIGTERM);
    // The server closes every connection and waits up to shutdown-grace-ms
    // (1.5 s) for the clients' close frames. The test's own clients live on
    // this thread: blocked in waitForFinished, they could not answer, and
    // every stop with a client connected would wait out the whole grace.
    // Running the event loop lets them answer, as real clients do.
    return QTest::qWaitFor([this] { return !isRunning(); }, timeoutMs);
}

void ServerProcess::kill() {
    m_process.kill();
    m_process.waitForFinished(5000);
}

bool ServerProcess::hasExpectedIoThreads(const QStringList &args) const {
    // The suites' _iothreads variants run every server with
    // WHISPERCHAT_IO_THREADS; a server that quietly stayed on its main loop
    // would make them a second run of the plain variant. The threads are
    // made before the server says it is ready.
    QProcessEnvironment env = m_process.processEnvironment();
    if (env.isEmpty())
        env = QProcessEnvironment::systemEnvironment();
    const int expected = expectedIoThreads(args, env);
    if (expected < 0)
        return true;
    const qsizetype running = ioThreadCpuTicks().size();
    if (running == expected)
        return true;
    qWarning("ServerProcess: the server runs %d socket I/O threads, %d expected", int(running),
             expected);
    return false;
}

QMap<QString, qint64> ServerProcess::ioThreadCpuTicks() const {
    QMap<QString, qint64> ticks;
    const QString taskDir = QStringLiteral("/proc/%1/task").arg(pid());
    const auto read = [](const QString &path) {
        QFile f(path);
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
    };
    for (const QString &tid : QDir(taskDir).entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        const QString name = QString::fromUtf8(read(taskDir + '/' + tid + "/comm").trimmed());
        if (!name.startsWith(QLatin1String("whisper-io-")))
            continue;
        // proc(5): fields after the parenthesised name start at "state" (3);
        // utime and stime are fields 14 and 15.
        const QByteArray stat = read(taskDir + '/' + tid + "/stat");
        const QList<QByteArray> fields = stat.mid(stat.lastIndexOf(')') + 2).split(' ');
        if (fields.size() > 12)
            ticks.insert(name, fields[11].toLongLong() + fields[12].toLongLong());
    }
    return ticks;
}

QByteArray ServerProcess::log() {
    m_log += m_process.readAllStandardError();
    return m_log;
}

} // namespace whisper::test
