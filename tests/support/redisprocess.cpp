// SPDX-License-Identifier: MIT
#include "redisprocess.h"

#include <QDeadlineTimer>
#include <QHostAddress>
#include <QTcpServer>
#include <QThread>

namespace whisper::test {

namespace {
int freeLoopbackPort() {
    QTcpServer probe;
    if (!probe.listen(QHostAddress::LocalHost, 0))
        return 0;
    return probe.serverPort();
}
} // namespace

RedisProcess::RedisProcess() {
    m_process.setProcessChannelMode(QProcess::MergedChannels);
}

RedisProcess::~RedisProcess() {
    stop();
}

bool RedisProcess::start() {
    for (int attempt = 0; attempt < 5; ++attempt) {
        if (m_port == 0 || attempt > 0)
            m_port = freeLoopbackPort();
        m_process.start(QStringLiteral("redis-server"),
                        {QStringLiteral("--port"), QString::number(m_port),
                         QStringLiteral("--bind"), QStringLiteral("127.0.0.1"),
                         QStringLiteral("--save"), QString(), QStringLiteral("--appendonly"),
                         QStringLiteral("no"), QStringLiteral("--dir"), m_dir.path()});
        if (!m_process.waitForStarted(5000)) {
            m_error = QStringLiteral("redis-server does not start: %1 (run "
                                     "scripts/install-deps.sh)")
                          .arg(m_process.errorString());
            return false;
        }
        // Polling is fine here: the suite has nothing to wait on but the
        // external process, and each poll is bounded.
        const QDeadlineTimer deadline(5000);
        while (!deadline.hasExpired() && m_process.state() == QProcess::Running) {
            if (cli({QStringLiteral("PING")}) == QLatin1String("PONG"))
                return true;
            QThread::msleep(20);
        }
        m_process.kill();
        m_process.waitForFinished(2000);
        m_error = QStringLiteral("redis-server on port %1 did not come up: %2")
                      .arg(m_port)
                      .arg(QString::fromLocal8Bit(m_process.readAll()));
    }
    return false;
}

void RedisProcess::stop() {
    if (m_process.state() == QProcess::NotRunning)
        return;
    m_process.terminate();
    if (!m_process.waitForFinished(5000)) {
        m_process.kill();
        m_process.waitForFinished(2000);
    }
}

QString RedisProcess::url() const {
    return QStringLiteral("redis://127.0.0.1:%1").arg(m_port);
}

QString RedisProcess::cli(const QStringList &args) const {
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(QStringLiteral("redis-cli"),
            QStringList{QStringLiteral("-h"), QStringLiteral("127.0.0.1"), QStringLiteral("-p"),
                        QString::number(m_port)} +
                args);
    if (!p.waitForFinished(5000)) {
        p.kill();
        p.waitForFinished();
        return {};
    }
    return QString::fromLocal8Bit(p.readAll()).trimmed();
}

} // namespace whisper::test
