#include "redismatcher.h"

#include <hiredis/hiredis.h>

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstring>
#include <iostream>
#include <limits>
#include <thread>

extern char **environ;

namespace whisper::bench {

namespace {

// Redis measures on its own sphere; searches are widened by the ratio and a
// margin, and the exact rule (our sphere) decides.
constexpr double kRedisEarthRadiusKm = 6372.797560856;
constexpr double kToRedis = kRedisEarthRadiusKm / geo::kEarthRadiusKm;
constexpr double kMarginKm = 0.01;
constexpr std::array<double, 2> kClassUpperKm = {25.0, 200.0};
constexpr int kClasses = int(kClassUpperKm.size()) + 1;
constexpr int kCount = 32;          // candidates per GEOSEARCH before a complete re-query
constexpr std::size_t kBatch = 128; // served clients per pipelined round trip
constexpr std::size_t kAddChunk = 512;

int rangeClassOf(double km) {
    return int(std::upper_bound(kClassUpperKm.begin(), kClassUpperKm.end(), km) -
               kClassUpperKm.begin());
}

std::string key(int rangeClass) {
    // Built by appending: GCC 12 warns (-Wrestrict, falsely) on "w" + string.
    std::string k(1, 'w');
    k += std::to_string(rangeClass);
    return k;
}

int freePort() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    int port = 0;
    if (::bind(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) == 0 &&
        ::getsockname(fd, reinterpret_cast<sockaddr *>(&addr), &len) == 0)
        port = ntohs(addr.sin_port);
    ::close(fd);
    return port;
}

} // namespace

RedisServer::~RedisServer() {
    if (m_pid > 0) {
        ::kill(m_pid, SIGTERM);
        ::waitpid(m_pid, nullptr, 0);
    }
}

bool RedisServer::start(const std::string &binary) {
    for (int attempt = 0; attempt < 5; ++attempt) {
        m_port = freePort();
        const std::string port = std::to_string(m_port);
        std::vector<std::string> args = {binary,      "--port",           port, "--bind",
                                         "127.0.0.1", "--save",           "",   "--appendonly",
                                         "no",        "--daemonize",      "no", "--loglevel",
                                         "warning",   "--protected-mode", "yes"};
        std::vector<char *> argv;
        for (std::string &a : args)
            argv.push_back(a.data());
        argv.push_back(nullptr);
        // Its start-up banner and warnings are not part of the bench's table.
        posix_spawn_file_actions_t quiet;
        posix_spawn_file_actions_init(&quiet);
        posix_spawn_file_actions_addopen(&quiet, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
        const int spawned =
            ::posix_spawnp(&m_pid, binary.c_str(), &quiet, nullptr, argv.data(), environ);
        posix_spawn_file_actions_destroy(&quiet);
        if (spawned != 0) {
            std::cerr << "matchbench: cannot start " << binary << "\n";
            return false;
        }
        for (int i = 0; i < 100; ++i) { // up to 5 s for the port to answer
            if (redisContext *c = redisConnect("127.0.0.1", m_port); c && !c->err) {
                redisFree(c);
                return true;
            } else if (c) {
                redisFree(c);
            }
            if (::waitpid(m_pid, nullptr, WNOHANG) == m_pid)
                break; // exited: port taken meanwhile; try another
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        ::kill(m_pid, SIGTERM);
        ::waitpid(m_pid, nullptr, 0);
        m_pid = -1;
    }
    return false;
}

RedisMatcher::~RedisMatcher() {
    if (m_ctx)
        redisFree(m_ctx);
}

bool RedisMatcher::connect(int port) {
    m_ctx = redisConnect("127.0.0.1", port);
    if (!m_ctx || m_ctx->err)
        return false;
    auto *reply = static_cast<redisReply *>(redisCommand(m_ctx, "FLUSHALL"));
    const bool ok = reply && reply->type != REDIS_REPLY_ERROR;
    freeReplyObject(reply);
    m_classMaxKm.assign(kClasses, 0.0);
    return ok;
}

void RedisMatcher::add(const MatchCandidate &candidate) {
    Entry e{candidate, m_nextSeq++, rangeClassOf(candidate.rangeKm)};
    m_pending.push_back(candidate.id);
    m_unindexed.push_back(candidate.id);
    m_entries.emplace(candidate.id, std::move(e));
}

void RedisMatcher::indexArrivals() {
    std::array<std::vector<const Entry *>, kClasses> byClass;
    for (const ClientId id : m_unindexed)
        if (const auto it = m_entries.find(id); it != m_entries.end())
            byClass[std::size_t(it->second.rangeClass)].push_back(&it->second);
    m_unindexed.clear();
    std::size_t commands = 0;
    for (int c = 0; c < kClasses; ++c) {
        const auto &entries = byClass[std::size_t(c)];
        for (std::size_t at = 0; at < entries.size(); at += kAddChunk) {
            std::vector<std::string> args = {"GEOADD", key(c)};
            for (std::size_t i = at; i < std::min(entries.size(), at + kAddChunk); ++i) {
                const MatchCandidate &m = entries[i]->candidate;
                m_classMaxKm[std::size_t(c)] = std::max(m_classMaxKm[std::size_t(c)], m.rangeKm);
                if (std::abs(m.pos.latDeg) > 85.05112878) {
                    ++m_rejected;
                    continue;
                }
                args.push_back(std::to_string(m.pos.lonDeg));
                args.push_back(std::to_string(m.pos.latDeg));
                args.push_back(std::to_string(m.id));
            }
            std::vector<const char *> argv;
            std::vector<size_t> lens;
            for (const std::string &a : args) {
                argv.push_back(a.data());
                lens.push_back(a.size());
            }
            redisAppendCommandArgv(m_ctx, int(argv.size()), argv.data(), lens.data());
            ++commands;
        }
    }
    for (std::size_t i = 0; i < commands; ++i) {
        void *reply = nullptr;
        redisGetReply(m_ctx, &reply);
        freeReplyObject(reply);
    }
}

void RedisMatcher::appendSearch(const Entry &served, int rangeClass, bool complete) {
    const double km =
        std::min(served.candidate.rangeKm, m_classMaxKm[std::size_t(rangeClass)]) * kToRedis +
        kMarginKm;
    const std::string lon = std::to_string(served.candidate.pos.lonDeg);
    const std::string lat = std::to_string(served.candidate.pos.latDeg);
    const std::string radius = std::to_string(km);
    const std::string k = key(rangeClass);
    if (complete)
        redisAppendCommand(m_ctx, "GEOSEARCH %s FROMLONLAT %s %s BYRADIUS %s km ASC WITHDIST",
                           k.c_str(), lon.c_str(), lat.c_str(), radius.c_str());
    else
        redisAppendCommand(m_ctx,
                           "GEOSEARCH %s FROMLONLAT %s %s BYRADIUS %s km ASC COUNT %d WITHDIST",
                           k.c_str(), lon.c_str(), lat.c_str(), radius.c_str(), kCount);
}

bool RedisMatcher::readSearch(std::vector<Candidate> &out, double *lastKm) {
    void *raw = nullptr;
    if (redisGetReply(m_ctx, &raw) != REDIS_OK || !raw) {
        std::cerr << "matchbench: redis connection failed\n";
        std::exit(3);
    }
    auto *reply = static_cast<redisReply *>(raw);
    bool cut = false;
    if (reply->type == REDIS_REPLY_ARRAY) {
        for (std::size_t i = 0; i < reply->elements; ++i) {
            const redisReply *item = reply->element[i];
            const ClientId id = std::strtoull(item->element[0]->str, nullptr, 10);
            const double km = std::strtod(item->element[1]->str, nullptr) / kToRedis;
            out.push_back({id, km});
            *lastKm = km;
        }
        cut = reply->elements == std::size_t(kCount);
    }
    freeReplyObject(reply);
    return cut;
}

MatchResults RedisMatcher::tick(std::int64_t nowMs) {
    indexArrivals();
    // Sampled once, on the first (full) tick, when the sets are largest: an
    // extra round trip in every small tick would skew its time.
    if (m_peakUsedMemory == 0)
        m_peakUsedMemory = usedMemory();
    std::vector<ClientId> served;
    served.swap(m_pending);
    std::unordered_set<ClientId> taken;
    std::vector<ClientId> toRemove;
    MatchResults results;

    for (std::size_t at = 0; at < served.size(); at += kBatch) {
        const std::size_t end = std::min(served.size(), at + kBatch);
        // Matched members of the previous batch leave the sets first.
        int removals = 0;
        for (const ClientId id : toRemove) {
            const std::string member = std::to_string(id);
            const std::string k = key(m_entries.at(id).rangeClass);
            redisAppendCommand(m_ctx, "ZREM %s %s", k.c_str(), member.c_str());
            ++removals;
        }
        for (const ClientId id : toRemove)
            m_entries.erase(id);
        toRemove.clear();
        std::vector<std::size_t> asked;
        for (std::size_t i = at; i < end; ++i) {
            if (taken.contains(served[i]))
                continue;
            for (int c = 0; c < kClasses; ++c)
                appendSearch(m_entries.at(served[i]), c, false);
            asked.push_back(i);
        }
        for (int i = 0; i < removals; ++i) {
            void *reply = nullptr;
            redisGetReply(m_ctx, &reply);
            freeReplyObject(reply);
        }
        std::vector<std::array<std::vector<Candidate>, kClasses>> found(asked.size());
        std::vector<std::array<double, kClasses>> lastKm(asked.size());
        std::vector<std::array<bool, kClasses>> cut(asked.size());
        for (std::size_t q = 0; q < asked.size(); ++q)
            for (int c = 0; c < kClasses; ++c)
                cut[q][c] = readSearch(found[q][c], &lastKm[q][c]);

        for (std::size_t q = 0; q < asked.size(); ++q) {
            const ClientId id = served[asked[q]];
            if (taken.contains(id))
                continue;
            const Entry &me = m_entries.at(id);
            const Entry *best = nullptr;
            double bestKm = std::numeric_limits<double>::infinity();
            const auto consider = [&](const std::vector<Candidate> &list) {
                for (const Candidate &cand : list) {
                    if (cand.id == id || taken.contains(cand.id))
                        continue;
                    const auto it = m_entries.find(cand.id);
                    if (it == m_entries.end())
                        continue;
                    double km = 0.0;
                    if (!isEligible(me.candidate, it->second.candidate, nowMs, &km))
                        continue;
                    if (!best || km < bestKm || (km == bestKm && it->second.seq < best->seq)) {
                        best = &it->second;
                        bestKm = km;
                    }
                }
            };
            for (int c = 0; c < kClasses; ++c)
                consider(found[q][c]);
            // A list cut at COUNT may hide a nearer (or equally near, earlier)
            // eligible partner: ask again for the whole radius.
            for (int c = 0; c < kClasses; ++c) {
                if (!cut[q][c] || (best && bestKm < lastKm[q][c] - kMarginKm))
                    continue;
                appendSearch(me, c, true);
                std::vector<Candidate> all;
                double ignored = 0.0;
                readSearch(all, &ignored);
                consider(all);
            }
            if (!best)
                continue;
            taken.insert(id);
            taken.insert(best->candidate.id);
            toRemove.push_back(id);
            toRemove.push_back(best->candidate.id);
            results.push_back({id, best->candidate.id, bestKm, me.seq, best->seq});
        }
    }
    for (const ClientId id : toRemove) {
        const std::string member = std::to_string(id);
        const std::string k = key(m_entries.at(id).rangeClass);
        redisAppendCommand(m_ctx, "ZREM %s %s", k.c_str(), member.c_str());
    }
    for (std::size_t i = 0; i < toRemove.size(); ++i) {
        void *reply = nullptr;
        redisGetReply(m_ctx, &reply);
        freeReplyObject(reply);
    }
    for (const ClientId id : toRemove)
        m_entries.erase(id);
    return results;
}

long long RedisMatcher::usedMemory() {
    auto *reply = static_cast<redisReply *>(redisCommand(m_ctx, "INFO memory"));
    long long bytes = -1;
    if (reply && reply->type == REDIS_REPLY_STRING) {
        const char *at = std::strstr(reply->str, "used_memory:");
        if (at)
            bytes = std::atoll(at + std::strlen("used_memory:"));
    }
    freeReplyObject(reply);
    return bytes;
}

} // namespace whisper::bench
