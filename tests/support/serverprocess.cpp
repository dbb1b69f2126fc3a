#include "serverprocess.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QRegularExpression>

#include <csignal>

namespace whisper::test {

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
                     QStringLiteral("--data-dir"), m_dataDir.path(),
                     // Tests drive hundreds of clients from one loopback
                     // address; suites about rate limits override this.
                     QStringLiteral("--rate-exempt"), QStringLiteral("127.0.0.0/8,::1")};
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
            return true;
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
    m_process.waitForFinished(timeoutMs);
    return !isRunning();
}

void ServerProcess::kill() {
    m_process.kill();
    m_process.waitForFinished(5000);
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
