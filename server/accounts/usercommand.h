// SPDX-License-Identifier: MIT
#pragma once

#include <QStringList>

class QTextStream;

namespace whisper {

// `whisperchat-server user ...`: account administration without a running
// server or client, e.g. to bootstrap the first admin:
//
//   echo "$PASSWORD" | whisperchat-server user add alice --role admin --password-stdin
//   whisperchat-server user list
//   whisperchat-server user set-role alice moderator
//   whisperchat-server user disable alice      (and `enable`)
//   whisperchat-server user reset-2fa alice    (lost authenticator and codes)
//   whisperchat-server ban list
//   whisperchat-server ban remove 12
//
// The database comes from the same settings as the server (--db, --data-dir,
// --config, WHISPERCHAT_* environment), so both see the same accounts.
class UserCommand {
public:
    // `arguments` as QCoreApplication::arguments() (program, "user" or
    // "ban", ...).
    // Returns the process exit code.
    static int run(const QStringList &arguments, QTextStream &in, QTextStream &out,
                   QTextStream &err);
};

} // namespace whisper
