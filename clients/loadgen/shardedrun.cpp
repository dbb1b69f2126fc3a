// SPDX-License-Identifier: MIT
#include "shardedrun.h"

#include <sched.h>

#include <algorithm>
#include <barrier>
#include <memory>
#include <thread>

namespace whisper::loadgen {

namespace {

double quantileMs(const std::vector<float> &sorted, double q) {
    return double(sorted[std::min(sorted.size() - 1, std::size_t(q * double(sorted.size())))]) /
           1000.0;
}

std::vector<float> mergeSorted(const std::vector<const std::vector<float> *> &parts) {
    std::vector<float> all;
    for (const auto *p : parts)
        all.insert(all.end(), p->begin(), p->end());
    std::sort(all.begin(), all.end());
    return all;
}

} // namespace

int allowedCpus() {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) != 0)
        return 1;
    return std::max(1, CPU_COUNT(&set));
}

void markLoadgenBound(LoadReport &report, int threads) {
    report.loadgenThreads = threads;
    report.loadgenCores = std::min(threads, allowedCpus());
    report.loadgenBound = report.loadgenCpuPercent > 90.0 * report.loadgenCores;
}

LoadReport runSharded(const LoadOptions &options, int threads) {
    const int pairs = (std::max(0, options.clients) + 1) / 2;
    threads = std::clamp(threads, 1, std::max(1, pairs));
    if (threads == 1) {
        LoadGenerator generator(options);
        LoadReport r = generator.run();
        markLoadgenBound(r, 1);
        return r;
    }

    // Whole pairs per shard, the remainder spread over the first shards.
    std::vector<LoadOptions> shardOptions;
    int first = 0;
    for (int k = 0; k < threads; ++k) {
        const int shardPairs = pairs / threads + (k < pairs % threads ? 1 : 0);
        LoadOptions o = options;
        o.firstClient = first;
        o.clients = std::min(2 * shardPairs, options.clients - first);
        o.rate = options.rate * double(o.clients) / double(options.clients);
        o.handshakeWindow = std::max(1, options.handshakeWindow / threads);
        if (!o.latencyLogPath.empty())
            o.latencyLogPath.append(1, '.').append(std::to_string(k));
        first += o.clients;
        shardOptions.push_back(std::move(o));
    }
    std::barrier sync(threads);
    std::vector<std::unique_ptr<LoadGenerator>> generators;
    for (LoadOptions &o : shardOptions) {
        o.beforeChat = [&sync] { sync.arrive_and_wait(); };
        generators.push_back(std::make_unique<LoadGenerator>(o));
    }
    std::vector<LoadReport> reports(static_cast<std::size_t>(threads));
    {
        std::vector<std::jthread> workers;
        for (int k = 0; k < threads; ++k)
            workers.emplace_back(
                [&, k] { reports[std::size_t(k)] = generators[std::size_t(k)]->run(); });
    }

    // Merge. CPU figures are the processes' (server and this whole process)
    // over shard 0's measured window, which the barrier aligns with the
    // others'; per message they count every shard's deliveries.
    LoadReport r;
    const LoadReport &r0 = reports[0];
    r.measuredSeconds = r0.measuredSeconds;
    r.serverCpuPercent = r0.serverCpuPercent;
    r.watched = r0.watched;
    r.loadgenCpuPercent = r0.loadgenCpuPercent;
    r.serverRssBefore = r0.serverRssBefore;
    r.accounted = true;
    for (const LoadReport &s : reports) {
        r.clients += s.clients;
        r.connected += s.connected;
        r.connectSeconds = std::max(r.connectSeconds, s.connectSeconds);
        r.matched += s.matched;
        r.matchSecondsMax = std::max(r.matchSecondsMax, s.matchSecondsMax);
        r.crossNodePairs += s.crossNodePairs;
        r.sent += s.sent;
        r.delivered += s.delivered;
        r.received += s.received;
        r.measuredDelivered += s.measuredDelivered;
        r.deliveredPerSecond += s.deliveredPerSecond;
        r.pairsLeft += s.pairsLeft;
        r.errors += s.errors;
        for (const auto &kind : s.errorKinds)
            if (std::find(r.errorKinds.begin(), r.errorKinds.end(), kind) == r.errorKinds.end())
                r.errorKinds.push_back(kind);
        r.accounted = r.accounted && s.accounted;
        r.pairsVerified += s.pairsVerified;
        r.misrouted += s.misrouted;
        r.duplicated += s.duplicated;
        r.outOfOrder += s.outOfOrder;
        r.ackMismatches += s.ackMismatches;
        r.serverRssConnected = std::max(r.serverRssConnected, s.serverRssConnected);
    }
    r.handshakesPerSecond = r.connectSeconds > 0 ? r.connected / r.connectSeconds : 0;
    if (r.connected > 0 && r.serverRssBefore >= 0 && r.serverRssConnected >= 0)
        r.serverRssPerConnection = double(r.serverRssConnected - r.serverRssBefore) / r.connected;
    if (r.measuredDelivered > 0 && r0.measuredDelivered > 0) {
        const double scale = double(r0.measuredDelivered) / double(r.measuredDelivered);
        if (r0.serverCpuUsPerMessage >= 0)
            r.serverCpuUsPerMessage = r0.serverCpuUsPerMessage * scale;
        if (r0.loadgenCpuUsPerMessage >= 0)
            r.loadgenCpuUsPerMessage = r0.loadgenCpuUsPerMessage * scale;
        for (auto &w : r.watched)
            if (w.cpuUsPerMessage >= 0)
                w.cpuUsPerMessage *= scale;
    }
    std::vector<const std::vector<float> *> lat, lag;
    for (const auto &g : generators) {
        lat.push_back(&g->latencySamples());
        lag.push_back(&g->sendLagSamples());
    }
    const auto latency = mergeSorted(lat);
    r.latency.samples = latency.size();
    if (!latency.empty()) {
        r.latency.p50Ms = quantileMs(latency, 0.5);
        r.latency.p99Ms = quantileMs(latency, 0.99);
        r.latency.p999Ms = quantileMs(latency, 0.999);
        r.latency.maxMs = double(latency.back()) / 1000.0;
    }
    std::vector<const std::vector<float> *> waits;
    for (const auto &g : generators)
        waits.push_back(&g->matchWaitSamples());
    const auto matchWaits = mergeSorted(waits);
    if (!matchWaits.empty()) {
        r.matchSecondsP50 = quantileMs(matchWaits, 0.5) / 1000.0;
        r.matchSecondsP99 = quantileMs(matchWaits, 0.99) / 1000.0;
    }
    const auto sendLag = mergeSorted(lag);
    if (!sendLag.empty()) {
        r.sendLag.p50Ms = quantileMs(sendLag, 0.5);
        r.sendLag.p99Ms = quantileMs(sendLag, 0.99);
        r.sendLag.maxMs = double(sendLag.back()) / 1000.0;
    }
    markLoadgenBound(r, threads);
    return r;
}

} // namespace whisper::loadgen
