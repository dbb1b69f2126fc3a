// SPDX-License-Identifier: MIT
// bench/matchbench: the matching engine against the all-pairs reference
// algorithm and a Redis GEOSEARCH matcher on the same reproducible
// workloads, side by side in one run. Each measurement runs in a
// forked child so its peak memory is its own.
//
// A "full tick" starts from an empty room: n clients arrive and one tick
// serves them all. An "incremental tick" then brings a further 1 % or 10 % of
// n into the room the full tick left behind. Tick times include putting the
// tick's arrivals into the matcher's index (or Redis), and the full tick's
// time includes making the matcher (for the engine: its first huge pages;
// for Redis: connecting and emptying the database), as each peer's set-up
// is part of what it costs. The workloads carry blocks and recent-partner
// exclusions (workload.h), some ending during the incremental ticks.
//
// Exits 1 when a peer's pairs differ from the engine's (or a case failed):
// a speed-up over a matcher that answers differently means nothing.

#include "matchreference.h"
#include "redismatcher.h"
#include "workload.h"

#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <functional>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

using namespace whisper;
using namespace whisper::bench;

namespace {

constexpr std::int64_t kNowMs = 1'700'000'000'000;
constexpr int kIncrementalTicks = 3;
constexpr double kArrivalShares[] = {0.01, 0.10};

enum class Matcher { Engine, AllPairs, Redis };

const char *matcherName(Matcher m) {
    switch (m) {
    case Matcher::Engine:
        return "engine";
    case Matcher::AllPairs:
        return "all-pairs";
    case Matcher::Redis:
        return "redis";
    }
    return "?";
}

struct Incremental {
    double arrivals = 0;
    double waitingBefore = 0;
    double meanMs = 0;
    double maxMs = 0;
    double meanCpuMs = 0;
    double pairs = 0;
};

// Written by the child into a pipe: plain data only.
struct CaseResult {
    int ok = 0;
    double fullMs = 0;
    double fullCpuMs = 0;
    double fullPairs = 0;
    double leftAfterFull = 0;
    std::uint64_t pairsHash = 1469598103934665603ull;
    Incremental incremental[2];
    long long redisBytes = -1;
    double rejected = 0;
    long maxRssKb = 0; // filled in by the parent
};

struct Options {
    std::string dataDir;
    std::string redisServer = "redis-server";
    std::vector<std::size_t> sizes = {1000, 10000, 20000, 100000, 1000000};
    std::vector<Workload> workloads = {Workload::World, Workload::City};
    std::size_t maxAllPairs = 20000;
    std::size_t maxRedis = 100000;
    // Big-room cases (runRoomCase); 0 leaves them out.
    std::vector<std::size_t> roomSizes = {1000000};
    std::uint64_t seed = 20261127;
    // Runs per case; the one with the median full-tick CPU time is reported.
    int repeat = 5;
    pid_t redisPid = -1;
};

// Wall time, and CPU time of this process plus redis-server (when it is the
// peer): on a shared machine CPU time is the steadier measure of work.
pid_t g_redisPid = -1;

double cpuMsOf(pid_t pid) {
    char path[64];
    std::snprintf(path, sizeof path, "/proc/%d/stat", int(pid));
    FILE *f = std::fopen(path, "r");
    if (!f)
        return 0.0;
    char buf[1024];
    const std::size_t n = std::fread(buf, 1, sizeof buf - 1, f);
    std::fclose(f);
    buf[n] = 0;
    const char *p = std::strrchr(buf, ')');
    unsigned long long utime = 0, stime = 0;
    if (!p || std::sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &utime,
                          &stime) != 2)
        return 0.0;
    return double(utime + stime) * 1000.0 / double(::sysconf(_SC_CLK_TCK));
}

class Stopwatch {
public:
    Stopwatch() { restart(); }
    void restart() {
        m_wall = std::chrono::steady_clock::now();
        m_cpu = cpuNow();
    }
    double wallMs() const {
        return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - m_wall)
            .count();
    }
    double cpuMs() const { return cpuNow() - m_cpu; }

private:
    static double cpuNow() {
        timespec ts{};
        ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
        double ms = double(ts.tv_sec) * 1e3 + double(ts.tv_nsec) / 1e6;
        if (g_redisPid > 0)
            ms += cpuMsOf(g_redisPid);
        return ms;
    }
    std::chrono::steady_clock::time_point m_wall;
    double m_cpu = 0.0;
};

void hashPairs(std::uint64_t &h, const MatchResults &pairs) {
    for (const MatchResult &r : pairs)
        for (const std::uint64_t v : {r.served, r.partner}) {
            h ^= v;
            h *= 1099511628211ull;
        }
}

// The same script for every matcher: a full tick over n clients from `room`,
// then incremental ticks of arrivals from `arrivals` (usually the same stream).
template <class SetupFn, class AddFn, class TickFn, class SizeFn>
CaseResult drive(ClientStream &room, ClientStream &arrivals, std::size_t n, SetupFn setup,
                 AddFn add, TickFn tick, SizeFn size) {
    CaseResult r;
    std::vector<MatchCandidate> initial = room.take(n);
    Stopwatch watch;
    if (!setup())
        return r;
    for (MatchCandidate &c : initial)
        add(c);
    auto pairs = tick(kNowMs);
    r.fullMs = watch.wallMs();
    r.fullCpuMs = watch.cpuMs();
    r.fullPairs = double(pairs.size());
    r.leftAfterFull = double(size());
    hashPairs(r.pairsHash, pairs);
    initial.clear();
    initial.shrink_to_fit();

    // Ticks 1 s apart, the clock only moving forward (exclusions end as time
    // passes; a clock going back would wake clients twice in a reference
    // and once in the engine).
    std::int64_t now = kNowMs;
    for (int s = 0; s < 2; ++s) {
        Incremental &inc = r.incremental[s];
        inc.arrivals = std::max(1.0, double(n) * kArrivalShares[s]);
        for (int t = 0; t < kIncrementalTicks; ++t) {
            now += 1000;
            arrivals.setNowMs(now);
            const std::vector<MatchCandidate> batch = arrivals.take(std::size_t(inc.arrivals));
            inc.waitingBefore += double(size()) / kIncrementalTicks;
            watch.restart();
            for (const MatchCandidate &c : batch)
                add(c);
            pairs = tick(now);
            const double ms = watch.wallMs();
            inc.meanCpuMs += watch.cpuMs() / kIncrementalTicks;
            inc.meanMs += ms / kIncrementalTicks;
            inc.maxMs = std::max(inc.maxMs, ms);
            inc.pairs += double(pairs.size()) / kIncrementalTicks;
            hashPairs(r.pairsHash, pairs);
        }
    }
    r.ok = 1;
    return r;
}

std::uint64_t caseSeed(const Options &options, Workload workload, std::size_t n) {
    return options.seed * 1000003u + std::uint64_t(workload) * 7 + n;
}

CaseResult runCase(Matcher matcher, const Geography &geography, Workload workload, std::size_t n,
                   const Options &options, int redisPort) {
    ClientStream stream(geography, workload, caseSeed(options, workload, n), 0, kNowMs);
    // Each matcher is made inside the timed set-up, with the first tick.
    switch (matcher) {
    case Matcher::Engine: {
        std::optional<MatchEngine> engine;
        return drive(
            stream, stream, n,
            [&] {
                engine.emplace(MatchPolicy::NearestEligible);
                return true;
            },
            [&](const MatchCandidate &c) { engine->add(c); },
            [&](std::int64_t now) { return engine->tick(now); }, [&] { return engine->size(); });
    }
    case Matcher::AllPairs: {
        std::optional<test::AllPairsMatcher> book;
        return drive(
            stream, stream, n,
            [&] {
                book.emplace(MatchPolicy::NearestEligible);
                return true;
            },
            [&](const MatchCandidate &c) { book->add(c); },
            [&](std::int64_t now) { return book->tick(now); }, [&] { return book->size(); });
    }
    case Matcher::Redis: {
        g_redisPid = options.redisPid;
        std::optional<RedisMatcher> redis;
        CaseResult r = drive(
            stream, stream, n,
            [&] {
                redis.emplace();
                return redis->connect(redisPort);
            },
            [&](const MatchCandidate &c) { redis->add(c); },
            [&](std::int64_t now) { return redis->tick(now); }, [&] { return redis->size(); });
        if (redis) {
            r.redisBytes = redis->peakUsedMemory();
            r.rejected = double(redis->rejected());
        }
        return r;
    }
    }
    return {};
}

// The engine in a big room: n clients of the sparse workload (ranges
// 0.1-1 km, so the full tick leaves nearly all of them waiting), then
// arrivals of `workload` as in every other case (1 % and 10 % of n). This is
// how "10,000 arrivals into 1,000,000 waiting" is measured: the ordinary
// workloads cannot leave a million clients waiting.
CaseResult runRoomCase(const Geography &geography, Workload workload, std::size_t n,
                       const Options &options) {
    ClientStream room(geography, Workload::Sparse, caseSeed(options, Workload::Sparse, n));
    // Arrival ids start above the room's.
    ClientStream arrivals(geography, workload, caseSeed(options, workload, n), ClientId(1) << 40,
                          kNowMs);
    std::optional<MatchEngine> engine;
    return drive(
        room, arrivals, n,
        [&] {
            engine.emplace(MatchPolicy::NearestEligible);
            return true;
        },
        [&](const MatchCandidate &c) { engine->add(c); },
        [&](std::int64_t now) { return engine->tick(now); }, [&] { return engine->size(); });
}

// Touches and frees `bytes` in huge pages, so that the next child's fresh
// memory is memory the host backs. This VM reports free memory to its host
// (virtio-balloon free page reporting, blocks of 8 MiB), which discards it;
// the first touch of a discarded 2 MiB page then costs about 3 ms instead
// of 0.1 ms. Without this, whether a run paid that depended on how long
// ago the previous run freed its memory: a fresh engine after a 4 s
// all-pairs run paid it for every huge page, and after another engine run
// did not. A server keeps its memory; nothing in it sees this.
void warmHostMemory(std::size_t bytes) {
    constexpr std::size_t kHuge = std::size_t(2) << 20;
    void *p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return;
#ifdef MADV_HUGEPAGE
    ::madvise(p, bytes, MADV_HUGEPAGE);
#endif
    for (std::size_t at = 0; at < bytes; at += kHuge / 2)
        static_cast<volatile char *>(p)[at] = 1;
    ::munmap(p, bytes);
}

// How much to warm before a case of n clients: at least 128 MiB, and more
// than its child will touch (a 1M case peaks at about 235 MB; with 128 MiB
// warmed its full tick took 0.43 to 0.91 s, depending on the host's state).
std::size_t warmBytesFor(std::size_t n) {
    return std::max(std::size_t(128) << 20, n * 384);
}

// Runs one case in a child process; its ru_maxrss is the case's peak memory.
template <class CaseFn>
CaseResult runIsolated(std::size_t warmBytes, CaseFn runCaseFn) {
    warmHostMemory(warmBytes);
    int fds[2];
    if (::pipe(fds) != 0)
        return {};
    std::fflush(stdout);
    const pid_t pid = ::fork();
    if (pid == 0) {
        ::close(fds[0]);
        const CaseResult r = runCaseFn();
        const ssize_t written = ::write(fds[1], &r, sizeof r);
        ::_exit(written == ssize_t(sizeof r) ? 0 : 1);
    }
    ::close(fds[1]);
    CaseResult r;
    std::size_t got = 0;
    while (got < sizeof r) {
        const ssize_t k = ::read(fds[0], reinterpret_cast<char *>(&r) + got, sizeof r - got);
        if (k <= 0)
            break;
        got += std::size_t(k);
    }
    ::close(fds[0]);
    rusage usage{};
    int status = 0;
    ::wait4(pid, &status, 0, &usage);
    if (got != sizeof r || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return {};
    r.maxRssKb = usage.ru_maxrss;
    return r;
}

// The run with the median full-tick CPU time (a failed run if any failed).
// On a shared virtual machine one run in a few can take half as long again
// (another tenant, or the host backing memory the guest has not touched for
// a while); the median of a few keeps such a run from standing for the case,
// whichever matcher it hits.
CaseResult medianRun(std::vector<CaseResult> runs) {
    for (const CaseResult &r : runs)
        if (!r.ok)
            return r;
    std::sort(runs.begin(), runs.end(),
              [](const CaseResult &a, const CaseResult &b) { return a.fullCpuMs < b.fullCpuMs; });
    return runs[(runs.size() - 1) / 2];
}

// Runs one case `repeat` times, each in a child of its own, and returns the
// median run.
template <class CaseFn>
CaseResult runRepeated(int repeat, std::size_t warmBytes, CaseFn runCaseFn) {
    std::vector<CaseResult> runs;
    for (int i = 0; i < repeat; ++i) {
        runs.push_back(runIsolated(warmBytes, runCaseFn));
        if (!runs.back().ok)
            break;
    }
    return medianRun(std::move(runs));
}

std::vector<std::size_t> parseSizes(const std::string &text) {
    std::vector<std::size_t> out;
    std::stringstream in(text);
    std::string part;
    while (std::getline(in, part, ','))
        out.push_back(std::stoul(part));
    return out;
}

void printRow(const char *load, std::size_t n, const char *matcher, const CaseResult &r,
              const char *same) {
    char full[40];
    std::snprintf(full, sizeof full, "%.1f/%.1f", r.fullMs, r.fullCpuMs);
    char inc[2][40];
    for (int s = 0; s < 2; ++s)
        std::snprintf(inc[s], sizeof inc[s], "%.2f/%.2f", r.incremental[s].meanMs,
                      r.incremental[s].meanCpuMs);
    std::printf("%-5s %7zu %-9s %17s %7.0f %6.0f | %6.0f %6.0f %15s %6.0f | %6.0f %6.0f %15s %6.0f "
                "| %7.1f %4s",
                load, n, matcher, full, r.fullPairs, r.leftAfterFull, r.incremental[0].arrivals,
                r.incremental[0].waitingBefore, inc[0], r.incremental[0].pairs,
                r.incremental[1].arrivals, r.incremental[1].waitingBefore, inc[1],
                r.incremental[1].pairs, double(r.maxRssKb) / 1024.0, same);
}

void usage() {
    std::cerr << "usage: matchbench --data DIR [--sizes 1000,10000,...] [--workloads world,city]\n"
                 "                  [--max-all-pairs N] [--max-redis N] [--seed N]\n"
                 "                  [--redis-server PATH] [--room-sizes 1000000|0] [--repeat N]\n";
}

} // namespace

int main(int argc, char **argv) {
    Options options;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        const auto value = [&]() -> std::string {
            if (i + 1 >= argc) {
                usage();
                std::exit(2);
            }
            return argv[++i];
        };
        if (arg == "--data")
            options.dataDir = value();
        else if (arg == "--sizes")
            options.sizes = parseSizes(value());
        else if (arg == "--workloads") {
            options.workloads.clear();
            const std::string w = value();
            if (w.find("world") != std::string::npos)
                options.workloads.push_back(Workload::World);
            if (w.find("city") != std::string::npos)
                options.workloads.push_back(Workload::City);
        } else if (arg == "--max-all-pairs")
            options.maxAllPairs = std::stoul(value());
        else if (arg == "--max-redis")
            options.maxRedis = std::stoul(value());
        else if (arg == "--room-sizes") {
            options.roomSizes = parseSizes(value());
            std::erase(options.roomSizes, std::size_t(0));
        } else if (arg == "--seed")
            options.seed = std::stoull(value());
        else if (arg == "--redis-server")
            options.redisServer = value();
        else if (arg == "--repeat") {
            options.repeat = std::stoi(value());
            if (options.repeat < 1) {
                usage();
                return 2;
            }
        } else {
            usage();
            return 2;
        }
    }
    if (options.dataDir.empty()) {
        usage();
        return 2;
    }
    Geography geography;
    if (!geography.load(options.dataDir))
        return 1;

    RedisServer redisServer;
    const bool withRedis = options.maxRedis > 0 && redisServer.start(options.redisServer);
    options.redisPid = withRedis ? redisServer.pid() : -1;
    if (options.maxRedis > 0 && !withRedis)
        std::cerr << "matchbench: redis-server did not start; Redis columns left out\n";

    double load[3] = {0, 0, 0};
    ::getloadavg(load, 3);
    std::printf("matchbench seed %llu, load average %.2f at start. Times in ms, wall/cpu (cpu "
                "includes redis-server's).\n"
                "full = making the matcher, n arrivals into an empty room, one tick; inc = 1 %% / "
                "10 %% of n arriving "
                "into what the full tick\nleft (mean of %d ticks); wait = waiting before the tick; "
                "same = the engine's pairs, in the same order.\nEach row: the median of %d runs "
                "by full-tick cpu time, each in a fresh child process; the matchers of a\n"
                "size take turns, run by run. In world and city, 2 %% of clients arrive having "
                "blocked a recent\narrival and 10 %% with a recent partner excluded for 0.5-3.5 s "
                "(ticks are 1 s apart).\n\n",
                static_cast<unsigned long long>(options.seed), load[0], kIncrementalTicks,
                options.repeat);
    std::printf("%-5s %7s %-9s %17s %7s %6s | %6s %6s %15s %6s | %6s %6s %15s %6s | %7s %4s\n",
                "load", "n", "matcher", "full wall/cpu", "pairs", "left", "arrive", "wait",
                "inc1% wall/cpu", "pairs", "arrive", "wait", "inc10% wall/cpu", "pairs", "peakMB",
                "same");

    // (workload, n, matcher) -> result, for the ratios.
    std::map<std::tuple<int, std::size_t, int>, CaseResult> results;
    int failures = 0; // cases that failed, and peers whose pairs differ from the engine's
    for (const Workload workload : options.workloads) {
        for (const std::size_t n : options.sizes) {
            std::vector<Matcher> matchers = {Matcher::Engine};
            if (n <= options.maxAllPairs)
                matchers.push_back(Matcher::AllPairs);
            if (withRedis && n <= options.maxRedis)
                matchers.push_back(Matcher::Redis);
            // The matchers take turns, run by run: the VM's speed drifts by
            // up to a third over minutes, and runs of one matcher after all
            // of the other's would put the drift into the ratio.
            std::map<Matcher, std::vector<CaseResult>> runs;
            for (int i = 0; i < options.repeat; ++i)
                for (const Matcher matcher : matchers)
                    runs[matcher].push_back(runIsolated(warmBytesFor(n), [&] {
                        return runCase(matcher, geography, workload, n, options,
                                       redisServer.port());
                    }));
            for (const Matcher matcher : matchers) {
                const CaseResult r = medianRun(runs[matcher]);
                if (!r.ok) {
                    std::printf("%-5s %7zu %-9s failed\n", workloadName(workload), n,
                                matcherName(matcher));
                    ++failures;
                    continue;
                }
                results[{int(workload), n, int(matcher)}] = r;
                const auto &engine = results[{int(workload), n, int(Matcher::Engine)}];
                const bool differs = matcher != Matcher::Engine && r.pairsHash != engine.pairsHash;
                const char *same = matcher == Matcher::Engine ? "-" : differs ? "NO" : "yes";
                if (differs) {
                    std::fprintf(stderr,
                                 "matchbench: %s %zu: %s's pairs differ from the engine's\n",
                                 workloadName(workload), n, matcherName(matcher));
                    ++failures;
                }
                printRow(workloadName(workload), n, matcherName(matcher), r, same);
                if (matcher == Matcher::Redis)
                    std::printf("  + redis-server %.1f MB%s", double(r.redisBytes) / 1048576.0,
                                r.rejected > 0 ? ", some clients beyond Redis's latitudes" : "");
                std::printf("\n");
                std::fflush(stdout);
            }
        }
    }

    // Arrivals into a big room: the room is n sparse clients (full = building
    // it, one tick), the arrivals come from the row's workload.
    for (const std::size_t n : options.roomSizes) {
        for (const Workload workload : options.workloads) {
            const CaseResult r = runRepeated(options.repeat, warmBytesFor(n), [&] {
                return runRoomCase(geography, workload, n, options);
            });
            char load[16];
            std::snprintf(load, sizeof load, "%s*", workloadName(workload));
            if (!r.ok) {
                std::printf("%-5s %7zu engine    failed\n", load, n);
                ++failures;
                continue;
            }
            printRow(load, n, "engine", r, "-");
            std::printf("\n");
            std::fflush(stdout);
        }
    }
    if (!options.roomSizes.empty())
        std::printf("* = big room: n sparse clients (ranges 0.1-1 km, uniform over land) wait; "
                    "full = building it,\n  inc = arrivals of the named workload into it.\n");

    std::printf("\nratios: peer time / engine time, wall and cpu (> 1: the engine is faster)\n");
    std::printf("%-5s %7s %-9s %17s %17s %17s\n", "load", "n", "peer", "full wall/cpu",
                "inc1% wall/cpu", "inc10% wall/cpu");
    for (const auto &[key, r] : results) {
        const auto [workload, n, matcher] = key;
        if (matcher == int(Matcher::Engine))
            continue;
        const CaseResult &e = results[{workload, n, int(Matcher::Engine)}];
        const auto ratio = [](double peerWall, double peerCpu, double wall, double cpu) {
            char text[48];
            std::snprintf(text, sizeof text, "%.0fx/%.0fx", peerWall / wall,
                          cpu > 0 ? peerCpu / cpu : 0.0);
            return std::string(text);
        };
        std::printf("%-5s %7zu %-9s %17s %17s %17s\n", workloadName(Workload(workload)), n,
                    matcherName(Matcher(matcher)),
                    ratio(r.fullMs, r.fullCpuMs, e.fullMs, e.fullCpuMs).c_str(),
                    ratio(r.incremental[0].meanMs, r.incremental[0].meanCpuMs,
                          e.incremental[0].meanMs, e.incremental[0].meanCpuMs)
                        .c_str(),
                    ratio(r.incremental[1].meanMs, r.incremental[1].meanCpuMs,
                          e.incremental[1].meanMs, e.incremental[1].meanCpuMs)
                        .c_str());
    }
    if (failures > 0) {
        std::fprintf(stderr, "matchbench: FAILED: %d case(s) failed or disagreed with the engine\n",
                     failures);
        return 1;
    }
    return 0;
}
