// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>
#include <QString>
#include <QtGlobal>

namespace whisper {

enum class LogFormat { Text, Json };

// Installs the process's message handler, once, before the server starts:
//  - text: the message pattern main() set (time, level, category, message);
//  - json: one object per line with time, level, category, message and the
//    fields an operator filters on (client_id, code, node) lifted from the
//    message. Messages hold no chat text, coordinates or secrets (the
//    server never logs them), so neither format does.
// When stderr is the journal (JOURNAL_STREAM names it, as systemd sets it),
// every line starts with its syslog priority, `<6>` for info and so on,
// which journald reads as the entry's level (sd-daemon(3)).
void installLogFormat(LogFormat format);

// Whether JOURNAL_STREAM names the device and inode of this process's
// stderr (a child whose stderr was redirected must not claim the journal).
bool stderrIsJournal();

// One formatted line without its newline; public for the tests.
QByteArray formatLogLine(LogFormat format, bool journal, QtMsgType type, const char *category,
                         const QString &message);
// The syslog priority journald gives a Qt message type.
int journalPriority(QtMsgType type);

} // namespace whisper
