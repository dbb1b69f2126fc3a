// SPDX-License-Identifier: MIT
#include "processstats.h"

#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>

namespace whisper::loadgen {

std::optional<ProcessSample> sampleProcess(pid_t pid) {
    char path[64];
    std::snprintf(path, sizeof path, "/proc/%d/stat", int(pid));
    FILE *f = std::fopen(path, "r");
    if (!f)
        return std::nullopt;
    char buf[1024];
    const std::size_t n = std::fread(buf, 1, sizeof buf - 1, f);
    std::fclose(f);
    buf[n] = '\0';
    // The command name may contain spaces and parentheses; fields resume after
    // the last ')': state is field 3, utime 14, stime 15.
    const char *p = std::strrchr(buf, ')');
    if (!p)
        return std::nullopt;
    unsigned long long utime = 0, stime = 0;
    if (std::sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &utime,
                    &stime) != 2)
        return std::nullopt;
    ProcessSample s;
    s.cpuSeconds = double(utime + stime) / double(sysconf(_SC_CLK_TCK));

    std::snprintf(path, sizeof path, "/proc/%d/status", int(pid));
    f = std::fopen(path, "r");
    if (!f)
        return std::nullopt;
    char line[256];
    while (std::fgets(line, sizeof line, f)) {
        long long kb = 0;
        if (std::sscanf(line, "VmRSS: %lld kB", &kb) == 1) {
            s.rssBytes = kb * 1024;
            break;
        }
    }
    std::fclose(f);
    return s;
}

std::int64_t nowNs() {
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return std::int64_t(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

} // namespace whisper::loadgen
