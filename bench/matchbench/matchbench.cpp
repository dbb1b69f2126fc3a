// bench/matchbench: the matching engine against the book's all-pairs
// algorithm and a Redis GEOSEARCH matcher on the same reproducible
// workloads, side by side in one run (issue 4). Each measurement runs in a
// forked child so its peak memory is its own.
//
// A "full tick" starts from an empty room: n clients arrive and one tick
// serves them all. An "incremental tick" then brings a further 1 % or 10 % of
// n into the room the full tick left behind. Tick times include putting the
// tick's arrivals into the matcher's index (or Redis).

#include "matchreference.h"
#include "redismatcher.h"
#include "workload.h"

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <iostream>
#include <map>
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
    double pairs = 0;
};

// Written by the child into a pipe: plain data only.
struct CaseResult {
    int ok = 0;
    double fullMs = 0;
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
    std::uint64_t seed = 20261127;
};

double msSince(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
        .count();
}

void hashPairs(std::uint64_t &h, const std::vector<MatchResult> &pairs) {
    for (const MatchResult &r : pairs)
        for (const std::uint64_t v : {r.served, r.partner}) {
            h ^= v;
            h *= 1099511628211ull;
        }
}

// The same script for every matcher: a full tick, then incremental ticks.
template <class AddFn, class TickFn, class SizeFn>
CaseResult drive(const Geography &geography, Workload workload, std::size_t n, std::uint64_t seed,
                 AddFn add, TickFn tick, SizeFn size) {
    CaseResult r;
    ClientStream stream(geography, workload, seed);
    std::vector<MatchCandidate> initial = stream.take(n);
    auto start = std::chrono::steady_clock::now();
    for (MatchCandidate &c : initial)
        add(c);
    auto pairs = tick(kNowMs);
    r.fullMs = msSince(start);
    r.fullPairs = double(pairs.size());
    r.leftAfterFull = double(size());
    hashPairs(r.pairsHash, pairs);
    initial.clear();
    initial.shrink_to_fit();

    for (int s = 0; s < 2; ++s) {
        Incremental &inc = r.incremental[s];
        inc.arrivals = std::max(1.0, double(n) * kArrivalShares[s]);
        for (int t = 0; t < kIncrementalTicks; ++t) {
            const std::vector<MatchCandidate> batch = stream.take(std::size_t(inc.arrivals));
            inc.waitingBefore += double(size()) / kIncrementalTicks;
            start = std::chrono::steady_clock::now();
            for (const MatchCandidate &c : batch)
                add(c);
            pairs = tick(kNowMs + 1000 * (t + 1));
            const double ms = msSince(start);
            inc.meanMs += ms / kIncrementalTicks;
            inc.maxMs = std::max(inc.maxMs, ms);
            inc.pairs += double(pairs.size()) / kIncrementalTicks;
            hashPairs(r.pairsHash, pairs);
        }
    }
    r.ok = 1;
    return r;
}

CaseResult runCase(Matcher matcher, const Geography &geography, Workload workload, std::size_t n,
                   const Options &options, int redisPort) {
    const std::uint64_t seed = options.seed * 1000003u + std::uint64_t(workload) * 7 + n;
    switch (matcher) {
    case Matcher::Engine: {
        MatchEngine engine(MatchPolicy::NearestEligible);
        return drive(
            geography, workload, n, seed, [&](const MatchCandidate &c) { engine.add(c); },
            [&](std::int64_t now) { return engine.tick(now); }, [&] { return engine.size(); });
    }
    case Matcher::AllPairs: {
        test::AllPairsMatcher book(MatchPolicy::NearestEligible);
        return drive(
            geography, workload, n, seed, [&](const MatchCandidate &c) { book.add(c); },
            [&](std::int64_t now) { return book.tick(now); }, [&] { return book.size(); });
    }
    case Matcher::Redis: {
        RedisMatcher redis;
        if (!redis.connect(redisPort))
            return {};
        long long peak = 0;
        CaseResult r = drive(
            geography, workload, n, seed, [&](const MatchCandidate &c) { redis.add(c); },
            [&](std::int64_t now) {
                auto pairs = redis.tick(now);
                peak = std::max(peak, redis.usedMemory());
                return pairs;
            },
            [&] { return redis.size(); });
        r.redisBytes = peak;
        r.rejected = double(redis.rejected());
        return r;
    }
    }
    return {};
}

// Runs one case in a child process; its ru_maxrss is the case's peak memory.
CaseResult runIsolated(Matcher matcher, const Geography &geography, Workload workload,
                       std::size_t n, const Options &options, int redisPort) {
    int fds[2];
    if (::pipe(fds) != 0)
        return {};
    std::fflush(stdout);
    const pid_t pid = ::fork();
    if (pid == 0) {
        ::close(fds[0]);
        const CaseResult r = runCase(matcher, geography, workload, n, options, redisPort);
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

std::vector<std::size_t> parseSizes(const std::string &text) {
    std::vector<std::size_t> out;
    std::stringstream in(text);
    std::string part;
    while (std::getline(in, part, ','))
        out.push_back(std::stoul(part));
    return out;
}

void usage() {
    std::cerr << "usage: matchbench --data DIR [--sizes 1000,10000,...] [--workloads world,city]\n"
                 "                  [--max-all-pairs N] [--max-redis N] [--seed N]\n"
                 "                  [--redis-server PATH]\n";
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
        else if (arg == "--seed")
            options.seed = std::stoull(value());
        else if (arg == "--redis-server")
            options.redisServer = value();
        else {
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
    if (options.maxRedis > 0 && !withRedis)
        std::cerr << "matchbench: redis-server did not start; Redis columns left out\n";

    std::printf("matchbench seed %llu; times in ms; full tick = n arrivals into an empty room;\n"
                "incremental = 1 %% / 10 %% of n arriving into what the full tick left (mean of "
                "%d ticks, max in brackets)\n\n",
                static_cast<unsigned long long>(options.seed), kIncrementalTicks);
    std::printf("%-6s %8s %-10s %10s %8s %8s | %7s %8s %16s %7s | %7s %8s %16s %7s | %8s %6s\n",
                "load", "n", "matcher", "full ms", "pairs", "left", "arrive", "waiting", "inc1% ms",
                "pairs", "arrive", "waiting", "inc10% ms", "pairs", "peak MB", "same");

    // (workload, n, matcher) -> result, for the ratios.
    std::map<std::tuple<int, std::size_t, int>, CaseResult> results;
    for (const Workload workload : options.workloads) {
        for (const std::size_t n : options.sizes) {
            for (const Matcher matcher : {Matcher::Engine, Matcher::AllPairs, Matcher::Redis}) {
                if (matcher == Matcher::AllPairs && n > options.maxAllPairs)
                    continue;
                if (matcher == Matcher::Redis && (!withRedis || n > options.maxRedis))
                    continue;
                const CaseResult r =
                    runIsolated(matcher, geography, workload, n, options, redisServer.port());
                if (!r.ok) {
                    std::printf("%-6s %8zu %-10s failed\n", workloadName(workload), n,
                                matcherName(matcher));
                    continue;
                }
                results[{int(workload), n, int(matcher)}] = r;
                const auto &engine = results[{int(workload), n, int(Matcher::Engine)}];
                const char *same = matcher == Matcher::Engine        ? "-"
                                   : r.pairsHash == engine.pairsHash ? "yes"
                                                                     : "NO";
                char inc[2][32];
                for (int s = 0; s < 2; ++s)
                    std::snprintf(inc[s], sizeof inc[s], "%.2f (%.2f)", r.incremental[s].meanMs,
                                  r.incremental[s].maxMs);
                double peakMb = double(r.maxRssKb) / 1024.0;
                std::printf(
                    "%-6s %8zu %-10s %10.2f %8.0f %8.0f | %7.0f %8.0f %16s %7.0f | %7.0f %8.0f "
                    "%16s %7.0f | %8.1f %6s",
                    workloadName(workload), n, matcherName(matcher), r.fullMs, r.fullPairs,
                    r.leftAfterFull, r.incremental[0].arrivals, r.incremental[0].waitingBefore,
                    inc[0], r.incremental[0].pairs, r.incremental[1].arrivals,
                    r.incremental[1].waitingBefore, inc[1], r.incremental[1].pairs, peakMb, same);
                if (matcher == Matcher::Redis)
                    std::printf("  (+ redis-server %.1f MB%s)", double(r.redisBytes) / 1048576.0,
                                r.rejected > 0 ? ", some clients beyond Redis's latitudes" : "");
                std::printf("\n");
                std::fflush(stdout);
            }
        }
    }

    std::printf("\nratios (peer time / engine time; > 1 means the engine is faster)\n");
    std::printf("%-6s %8s %-10s %12s %12s %12s\n", "load", "n", "peer", "full tick", "inc 1%",
                "inc 10%");
    for (const auto &[key, r] : results) {
        const auto [workload, n, matcher] = key;
        if (matcher == int(Matcher::Engine))
            continue;
        const CaseResult &e = results[{workload, n, int(Matcher::Engine)}];
        std::printf("%-6s %8zu %-10s %11.0fx %11.0fx %11.0fx\n", workloadName(Workload(workload)),
                    n, matcherName(Matcher(matcher)), r.fullMs / e.fullMs,
                    r.incremental[0].meanMs / e.incremental[0].meanMs,
                    r.incremental[1].meanMs / e.incremental[1].meanMs);
    }
    return 0;
}
