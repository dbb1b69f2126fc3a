// SPDX-License-Identifier: MIT
#include "clusterrig.h"
#include "testpaths.h"

#include <QFile>
#include <QHostAddress>
#include <QProcess>
#include <QRegularExpression>
#include <QTcpSocket>
#include <QTest>

namespace whisper::test {

namespace {
const QString kScripts = QStringLiteral(WHISPER_SOURCE_DIR "/scripts/");
} // namespace

ClusterRig::~ClusterRig() {
    down();
}

bool ClusterRig::up(const QStringList &nodeArgs, int nodes) {
    if (!m_state.isValid()) {
        m_error = QStringLiteral("no temporary directory");
        return false;
    }
    QProcess up;
    up.start(QStringLiteral("bash"),
             QStringList{kScripts + QStringLiteral("cluster-up.sh"), QStringLiteral("--nodes"),
                         QString::number(nodes), QStringLiteral("--state-dir"), m_state.path(),
                         QStringLiteral("--build-dir"), QStringLiteral(WHISPER_BUILD_DIR),
                         QStringLiteral("--")} +
                 nodeArgs);
    if (!up.waitForFinished(120000)) {
        m_error = QStringLiteral("cluster-up.sh did not finish in 120 s");
        return false;
    }
    m_up = true;
    m_upOutput = QString::fromUtf8(up.readAllStandardOutput());
    if (up.exitCode() != 0) {
        m_error = QString::fromUtf8(up.readAllStandardError());
        return false;
    }
    static const QRegularExpression ready(
        QStringLiteral("^cluster ready: chat (ws://127\\.0\\.0\\.1:\\d+) control "
                       "(ws://127\\.0\\.0\\.1:\\d+)\\n$"));
    const auto match = ready.match(m_upOutput);
    if (!match.hasMatch()) {
        m_error = QStringLiteral("unexpected ready line: ") + m_upOutput;
        return false;
    }
    m_chat = QUrl(match.captured(1));
    m_control = QUrl(match.captured(2));
    QFile list(m_state.filePath(QStringLiteral("nodes")));
    if (list.open(QIODevice::ReadOnly))
        for (const QByteArray &line : list.readAll().split('\n')) {
            const QList<QByteArray> f = line.split(' ');
            if (f.size() != 3)
                continue;
            m_nodes.insert(QString::fromLatin1(f[0]), QUrl(QString::fromLatin1(f[1])));
            m_controls.insert(QString::fromLatin1(f[0]), QUrl(QString::fromLatin1(f[2])));
        }
    QFile env(m_state.filePath(QStringLiteral("cluster.env")));
    if (env.open(QIODevice::ReadOnly))
        for (const QByteArray &line : env.readAll().split('\n')) {
            if (line.startsWith("REDIS_URL="))
                m_redisUrl = QString::fromUtf8(line.mid(10));
            else if (line.startsWith("DB_URL="))
                m_dbUrl = QString::fromUtf8(line.mid(7));
        }
    if (m_nodes.size() != nodes || m_redisUrl.isEmpty() || m_dbUrl.isEmpty()) {
        m_error = QStringLiteral("cluster-up.sh left no node list or environment");
        return false;
    }
    return true;
}

bool ClusterRig::down() {
    if (!m_up)
        return true;
    m_up = false;
    return QProcess::execute(QStringLiteral("bash"),
                             {kScripts + QStringLiteral("cluster-down.sh"),
                              QStringLiteral("--state-dir"), m_state.path()}) == 0;
}

qint64 ClusterRig::pidOf(const QString &name) const {
    QFile f(m_state.filePath(QStringLiteral("pids/%1.pid").arg(name)));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    return f.readLine().trimmed().toLongLong();
}

QByteArray ClusterRig::httpGet(const QString &name, const QByteArray &path) const {
    QFile out(m_state.filePath(QStringLiteral("logs/%1.out").arg(name)));
    if (!out.open(QIODevice::ReadOnly))
        return {};
    const QByteArray ready = out.readLine();
    const qsizetype at = ready.indexOf(" http ");
    if (at < 0)
        return {};
    const QUrl http(QString::fromLatin1(ready.mid(at + 6).trimmed()));
    QTcpSocket socket;
    socket.connectToHost(QHostAddress(http.host()), quint16(http.port()));
    if (!socket.waitForConnected(5000))
        return {};
    socket.write("GET " + path + " HTTP/1.0\r\nHost: x\r\n\r\n");
    QByteArray answer;
    // The whole answer, by its Content-Length (the server may keep the
    // connection open).
    const bool complete = QTest::qWaitFor(
        [&] {
            answer += socket.readAll();
            const qsizetype head = answer.indexOf("\r\n\r\n");
            const qsizetype length = answer.toLower().indexOf("content-length:");
            if (head < 0 || length < 0)
                return false;
            const qsizetype eol = answer.indexOf("\r\n", length);
            return answer.size() >=
                   head + 4 + answer.mid(length + 15, eol - length - 15).trimmed().toInt();
        },
        5000);
    return complete ? answer : QByteArray();
}

} // namespace whisper::test
