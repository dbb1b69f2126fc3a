// SPDX-License-Identifier: MIT
#pragma once

#include <QtGlobal>

namespace whisper {

// What a process holds, read from /proc (Linux): the tests and the soak ask
// it of the server they started, to see memory and descriptors come back.
// residentKiB: VmRSS, -1 when the process is gone.
qint64 residentKiB(qint64 pid);
// openDescriptors: entries of /proc/PID/fd that name files or devices; 0
// when the process is gone.
int openDescriptors(qint64 pid);

} // namespace whisper
