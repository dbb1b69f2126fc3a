// SPDX-License-Identifier: MIT
#include "redismatcher.h"

#include "matchreference.h"

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
constexpr int kCount = 16;          // candidates per first GEOSEARCH
constexpr int kCountGrowth = 4;     // a search cut at COUNT asks again for this many times more
constexpr double kStartKm = 0.5;    // first radius (capped at the range)
constexpr double kRadiusGrowth = 4; // a search that found nobody certain widens by this
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
    if (std::any_of(candidate.excludes.begin(), candidate.excludes.end(), [](const Exclusion &x) {
            return x.untilMs != std::numeric_limits<std::int64_t>::max();
        }))
        m_withExpiry.push_back(candidate.id);
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

void RedisMatcher::appendSearch(const Entry &served, int rangeClass, const Search &s) {
    const double km = s.radiusKm * kToRedis + kMarginKm;
    const std::string lon = std::to_string(served.candidate.pos.lonDeg);
    const std::string lat = std::to_string(served.candidate.pos.latDeg);
    const std::string radius = std::to_string(km);
    const std::string k = key(rangeClass);
    redisAppendCommand(m_ctx, "GEOSEARCH %s FROMLONLAT %s %s BYRADIUS %s km ASC COUNT %d WITHDIST",
                       k.c_str(), lon.c_str(), lat.c_str(), radius.c_str(), s.count);
}

void RedisMatcher::readSearch(Search &s) {
    void *raw = nullptr;
    if (redisGetReply(m_ctx, &raw) != REDIS_OK || !raw) {
        std::cerr << "matchbench: redis connection failed\n";
        std::exit(3);
    }
    auto *reply = static_cast<redisReply *>(raw);
    // A wider search returns a superset: the list is replaced.
    s.found.clear();
    double lastKm = 0.0;
    if (reply->type == REDIS_REPLY_ARRAY) {
        for (std::size_t i = 0; i < reply->elements; ++i) {
            const redisReply *item = reply->element[i];
            const ClientId id = std::strtoull(item->element[0]->str, nullptr, 10);
            lastKm = std::strtod(item->element[1]->str, nullptr) / kToRedis;
            s.found.push_back({id, lastKm});
        }
    } else {
        std::cerr << "matchbench: GEOSEARCH failed: " << (reply->str ? reply->str : "?") << "\n";
        std::exit(3);
    }
    const bool cut = reply->elements == std::size_t(s.count);
    freeReplyObject(reply);
    if (cut) {
        // Everyone nearer than the farthest returned (less Redis's rounding
        // of positions) was returned; beyond that, maybe not.
        s.coveredKm = std::min(s.radiusKm, lastKm - kMarginKm);
        s.count *= kCountGrowth;
    } else {
        s.coveredKm = s.radiusKm;
        s.exhausted = s.radiusKm >= s.wantKm;
        s.radiusKm = std::min(s.wantKm, s.radiusKm * kRadiusGrowth);
    }
}

RedisMatcher::Served RedisMatcher::startSearch(ClientId id) const {
    const Entry &me = m_entries.at(id);
    Served s;
    s.id = id;
    s.classes.resize(kClasses);
    for (int c = 0; c < kClasses; ++c) {
        Search &search = s.classes[std::size_t(c)];
        search.wantKm = std::min(me.candidate.rangeKm, m_classMaxKm[std::size_t(c)]);
        search.radiusKm = std::min(search.wantKm, kStartKm);
        search.count = kCount;
        // Redis cannot search from beyond its latitudes (nor index anyone
        // there): such a client finds nobody.
        search.exhausted = search.wantKm <= 0.0 || std::abs(me.candidate.pos.latDeg) > 85.05112878;
    }
    return s;
}

RedisMatcher::Pick RedisMatcher::pick(const Served &s, std::int64_t nowMs,
                                      const std::unordered_set<ClientId> &taken) const {
    const Entry &me = m_entries.at(s.id);
    Pick p;
    for (const Search &search : s.classes)
        for (const Candidate &cand : search.found) {
            if (p.best && cand.km > p.km + kMarginKm)
                break; // nearest first: nobody further on is better
            if (cand.id == s.id || taken.contains(cand.id))
                continue;
            const auto it = m_entries.find(cand.id);
            if (it == m_entries.end())
                continue;
            double km = 0.0;
            if (!test::referenceEligible(me.candidate, it->second.candidate, nowMs, &km))
                continue;
            if (!p.best || km < p.km || (km == p.km && it->second.seq < p.best->seq)) {
                p.best = &it->second;
                p.km = km;
            }
        }
    p.certain = std::all_of(s.classes.begin(), s.classes.end(), [&](const Search &search) {
        return search.exhausted || (p.best && p.km <= search.coveredKm);
    });
    return p;
}

void RedisMatcher::search(std::vector<Served *> &clients, std::int64_t nowMs,
                          const std::unordered_set<ClientId> &taken) {
    std::vector<std::pair<Served *, int>> asked;
    for (;;) {
        asked.clear();
        for (Served *s : clients) {
            const Pick p = pick(*s, nowMs, taken);
            if (p.certain)
                continue;
            const Entry &me = m_entries.at(s->id);
            for (int c = 0; c < kClasses; ++c) {
                Search &search = s->classes[std::size_t(c)];
                if (search.exhausted || (p.best && p.km <= search.coveredKm))
                    continue;
                // With a partner in hand, one search out to it settles it.
                if (p.best && search.radiusKm < p.km)
                    search.radiusKm = std::min(search.wantKm, p.km);
                appendSearch(me, c, search);
                asked.emplace_back(s, c);
            }
        }
        if (asked.empty())
            return;
        for (const auto &[s, c] : asked)
            readSearch(s->classes[std::size_t(c)]);
    }
}

MatchResults RedisMatcher::tick(std::int64_t nowMs) {
    indexArrivals();
    // Sampled once, on the first (full) tick, when the sets are largest: an
    // extra round trip in every small tick would skew its time.
    if (m_peakUsedMemory == 0)
        m_peakUsedMemory = usedMemory();
    std::vector<ClientId> served;
    served.swap(m_pending);
    // Clients whose exclusion ended since the last tick are served again
    // (a partner they could not have before may be waiting), in arrival
    // order with the new arrivals.
    std::erase_if(m_withExpiry, [this](ClientId id) { return !m_entries.contains(id); });
    for (const ClientId id : m_withExpiry) {
        const Entry &e = m_entries.at(id);
        const bool ended = std::any_of(
            e.candidate.excludes.begin(), e.candidate.excludes.end(), [&](const Exclusion &x) {
                return x.untilMs != std::numeric_limits<std::int64_t>::max() &&
                       x.untilMs <= nowMs && x.untilMs > m_lastTickMs;
            });
        if (ended && std::find(served.begin(), served.end(), id) == served.end())
            served.push_back(id);
    }
    m_lastTickMs = nowMs;
    std::sort(served.begin(), served.end(),
              [this](ClientId a, ClientId b) { return m_entries.at(a).seq < m_entries.at(b).seq; });

    std::unordered_set<ClientId> taken;
    std::vector<ClientId> toRemove;
    MatchResults results;
    const auto removeMatched = [&] {
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
        toRemove.clear();
    };

    std::vector<Served> batch;
    std::vector<Served *> pointers;
    for (std::size_t at = 0; at < served.size(); at += kBatch) {
        const std::size_t end = std::min(served.size(), at + kBatch);
        // Matched members of the previous batch leave the sets first.
        removeMatched();
        batch.clear();
        for (std::size_t i = at; i < end; ++i)
            if (!taken.contains(served[i]))
                batch.push_back(startSearch(served[i]));
        pointers.clear();
        for (Served &s : batch)
            pointers.push_back(&s);
        search(pointers, nowMs, taken);

        // Served in arrival order: a partner taken by an earlier client of
        // the batch may leave a later one's pick uncertain; it searches on
        // by itself.
        for (Served &s : batch) {
            if (taken.contains(s.id))
                continue;
            Pick p = pick(s, nowMs, taken);
            if (!p.certain) {
                std::vector<Served *> one{&s};
                search(one, nowMs, taken);
                p = pick(s, nowMs, taken);
            }
            if (!p.best)
                continue;
            const Entry &me = m_entries.at(s.id);
            taken.insert(s.id);
            taken.insert(p.best->candidate.id);
            toRemove.push_back(s.id);
            toRemove.push_back(p.best->candidate.id);
            results.push_back({s.id, p.best->candidate.id, p.km, me.seq, p.best->seq});
        }
    }
    removeMatched();
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
