#include "serverprocess.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
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

QByteArray ServerProcess::log() {
    m_log += m_process.readAllStandardError();
    return m_log;
}

} // namespace whisper::test
