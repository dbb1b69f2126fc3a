// SPDX-License-Identifier: MIT
#include "pgcluster.h"

#include <QDir>
#include <QFileInfo>
#include <QHostAddress>
#include <QProcess>
#include <QTcpServer>

#include <unistd.h>

namespace whisper::test {

namespace {
bool runningAsRoot() {
    return ::geteuid() == 0;
}

int freeLoopbackPort() {
    QTcpServer probe;
    if (!probe.listen(QHostAddress::LocalHost, 0))
        return 0;
    return probe.serverPort();
}
} // namespace

PgCluster::PgCluster()
    : m_binDir(QStringLiteral("/usr/lib/postgresql/15/bin"))
    , m_user(runningAsRoot() ? QStringLiteral("postgres") : qEnvironmentVariable("USER")) {
    if (m_user.isEmpty())
        m_user = QStringLiteral("postgres");
}

PgCluster::~PgCluster() {
    stop();
}

bool PgCluster::run(const QString &program, const QStringList &args, QString *output,
                    int timeoutMs) const {
    QProcess p;
    QString exe = program;
    QStringList argv = args;
    if (runningAsRoot()) {
        argv.prepend(program);
        argv.prepend(QStringLiteral("--"));
        argv.prepend(QStringLiteral("postgres"));
        argv.prepend(QStringLiteral("-u"));
        exe = QStringLiteral("runuser");
    }
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.setWorkingDirectory(m_dir ? m_dir->path() : QDir::tempPath());
    p.start(exe, argv);
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished();
        m_error = QStringLiteral("%1 timed out").arg(program);
        return false;
    }
    const QString out = QString::fromLocal8Bit(p.readAll());
    if (output)
        *output = out;
    if (p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0) {
        m_error = QStringLiteral("%1 failed: %2").arg(program, out);
        return false;
    }
    return true;
}

bool PgCluster::start() {
    if (!QFileInfo(m_binDir + QStringLiteral("/initdb")).isExecutable()) {
        m_error = QStringLiteral("PostgreSQL 15 is not installed (%1); run scripts/install-deps.sh")
                      .arg(m_binDir);
        return false;
    }
    m_dir =
        std::make_unique<QTemporaryDir>(QDir::tempPath() + QStringLiteral("/whisper-pg-XXXXXX"));
    if (!m_dir->isValid()) {
        m_error = QStringLiteral("cannot create a temporary directory");
        return false;
    }
    if (runningAsRoot()) {
        QProcess::execute(QStringLiteral("chown"),
                          {QStringLiteral("postgres:postgres"), m_dir->path()});
    }
    const QString data = m_dir->path() + QStringLiteral("/data");
    if (!run(m_binDir + QStringLiteral("/initdb"),
             {QStringLiteral("-D"), data, QStringLiteral("-U"), m_user, QStringLiteral("-A"),
              QStringLiteral("trust"), QStringLiteral("--no-sync"), QStringLiteral("-E"),
              QStringLiteral("UTF8")}))
        return false;
    // A port taken between probing and starting makes pg_ctl fail: retry.
    for (int attempt = 0; attempt < 5 && !m_running; ++attempt) {
        m_port = freeLoopbackPort();
        const QString options = QStringLiteral("-c listen_addresses=127.0.0.1 -c port=%1 "
                                               "-c unix_socket_directories=%2 -c fsync=off")
                                    .arg(m_port)
                                    .arg(m_dir->path());
        m_running =
            run(m_binDir + QStringLiteral("/pg_ctl"),
                {QStringLiteral("-D"), data, QStringLiteral("-o"), options, QStringLiteral("-l"),
                 m_dir->path() + QStringLiteral("/pg.log"), QStringLiteral("-w"),
                 QStringLiteral("-t"), QStringLiteral("60"), QStringLiteral("start")});
    }
    if (!m_running)
        return false;
    return run(m_binDir + QStringLiteral("/createdb"),
               {QStringLiteral("-h"), QStringLiteral("127.0.0.1"), QStringLiteral("-p"),
                QString::number(m_port), QStringLiteral("-U"), m_user, QStringLiteral("whisper")});
}

void PgCluster::stop() {
    if (!m_running)
        return;
    m_running = false;
    run(m_binDir + QStringLiteral("/pg_ctl"),
        {QStringLiteral("-D"), m_dir->path() + QStringLiteral("/data"), QStringLiteral("-m"),
         QStringLiteral("immediate"), QStringLiteral("-w"), QStringLiteral("stop")});
}

QString PgCluster::url() const {
    return QStringLiteral("postgresql://%1@127.0.0.1:%2/whisper").arg(m_user).arg(m_port);
}

QString PgCluster::psql(const QString &sql) const {
    QString out;
    run(m_binDir + QStringLiteral("/psql"),
        {QStringLiteral("-h"), QStringLiteral("127.0.0.1"), QStringLiteral("-p"),
         QString::number(m_port), QStringLiteral("-U"), m_user, QStringLiteral("-d"),
         QStringLiteral("whisper"), QStringLiteral("-tA"), QStringLiteral("-c"), sql},
        &out);
    return out.trimmed();
}

} // namespace whisper::test
