// SPDX-License-Identifier: MIT
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>

namespace whisper::loadgen {

// CPU time and resident memory of a process, read from /proc: how the load
// generator reports the server's cost (given its PID) and its own.
struct ProcessSample {
    double cpuSeconds = 0.0; // user + system
    std::int64_t rssBytes = 0;
};

std::optional<ProcessSample> sampleProcess(pid_t pid);
// Monotonic time in nanoseconds.
std::int64_t nowNs();

} // namespace whisper::loadgen
