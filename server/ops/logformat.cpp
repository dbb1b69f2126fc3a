// SPDX-License-Identifier: MIT
#include "logformat.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>

#include <cstdio>
#include <sys/stat.h>

namespace whisper {

namespace {

// The handler is a plain function pointer: its settings live here, set once
// before any thread logs.
LogFormat g_format = LogFormat::Text;
bool g_journal = false;

const char *levelName(QtMsgType type) {
    switch (type) {
    case QtDebugMsg:
        return "debug";
    case QtInfoMsg:
        return "info";
    case QtWarningMsg:
        return "warning";
    case QtCriticalMsg:
        return "critical";
    case QtFatalMsg:
        return "fatal";
    }
    return "info";
}

// Fields lifted out of the free text, so a JSON log can be filtered on them
// without parsing messages: "session 12" / "client 12" -> client_id, "code
// 1008" / "code=1008" -> code, "node=NAME" -> node.
void addFields(QJsonObject &o, const QString &message) {
    static const QRegularExpression client(QStringLiteral(R"(\b(?:session|client)[ =](\d+)\b)"));
    static const QRegularExpression code(QStringLiteral(R"(\bcode[ =](\d{3,4})\b)"));
    static const QRegularExpression node(QStringLiteral(R"(\bnode[ =]([A-Za-z0-9_.:-]+))"));
    if (const auto m = client.match(message); m.hasMatch())
        o.insert(QStringLiteral("client_id"), m.captured(1).toLongLong());
    if (const auto m = code.match(message); m.hasMatch())
        o.insert(QStringLiteral("code"), m.captured(1).toInt());
    if (const auto m = node.match(message); m.hasMatch())
        o.insert(QStringLiteral("node"), m.captured(1));
}

void handler(QtMsgType type, const QMessageLogContext &context, const QString &message) {
    QByteArray line;
    if (g_format == LogFormat::Text) {
        line = qFormatLogMessage(type, context, message).toUtf8();
        if (g_journal)
            line.prepend('<' + QByteArray::number(journalPriority(type)) + '>');
    } else {
        line = formatLogLine(g_format, g_journal, type, context.category, message);
    }
    line += '\n';
    // One write per line: lines from several threads do not interleave.
    std::fwrite(line.constData(), 1, std::size_t(line.size()), stderr);
    std::fflush(stderr);
}

} // namespace

int journalPriority(QtMsgType type) {
    switch (type) {
    case QtDebugMsg:
        return 7; // LOG_DEBUG
    case QtInfoMsg:
        return 6; // LOG_INFO
    case QtWarningMsg:
        return 4; // LOG_WARNING
    case QtCriticalMsg:
        return 3; // LOG_ERR
    case QtFatalMsg:
        return 2; // LOG_CRIT
    }
    return 6;
}

QByteArray formatLogLine(LogFormat format, bool journal, QtMsgType type, const char *category,
                         const QString &message) {
    QByteArray line;
    if (journal)
        line = '<' + QByteArray::number(journalPriority(type)) + '>';
    if (format == LogFormat::Text) {
        line += QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs).toUtf8() + ' ' +
                levelName(type) + ' ' + (category ? category : "default") + ": " + message.toUtf8();
        return line;
    }
    QJsonObject o;
    o.insert(QStringLiteral("time"), QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs));
    o.insert(QStringLiteral("level"), QLatin1String(levelName(type)));
    o.insert(QStringLiteral("category"), QString::fromUtf8(category ? category : "default"));
    o.insert(QStringLiteral("message"), message);
    addFields(o, message);
    line += QJsonDocument(o).toJson(QJsonDocument::Compact);
    return line;
}

bool stderrIsJournal() {
    const QByteArray stream = qgetenv("JOURNAL_STREAM");
    if (stream.isEmpty())
        return false;
    struct stat st {};
    if (fstat(fileno(stderr), &st) != 0)
        return false;
    const QList<QByteArray> parts = stream.split(':');
    return parts.size() == 2 && parts[0].toULongLong() == quint64(st.st_dev) &&
           parts[1].toULongLong() == quint64(st.st_ino);
}

void installLogFormat(LogFormat format) {
    g_format = format;
    g_journal = stderrIsJournal();
    qInstallMessageHandler(handler);
}

} // namespace whisper
