// SPDX-License-Identifier: MIT
#include "procstats.h"

#include <QDir>
#include <QFile>

namespace whisper {

qint64 residentKiB(qint64 pid) {
    QFile status(QStringLiteral("/proc/%1/status").arg(pid));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : status.readAll().split('\n'))
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').value(0).toLongLong();
    return -1;
}

int openDescriptors(qint64 pid) {
    // QDir leaves out links whose target is not a path (sockets, pipes,
    // anon inodes) unless asked for QDir::System: this counts files and
    // devices, as the suites' baselines were taken.
    return int(QDir(QStringLiteral("/proc/%1/fd").arg(pid)).entryList(QDir::NoDotAndDotDot).size());
}

} // namespace whisper
