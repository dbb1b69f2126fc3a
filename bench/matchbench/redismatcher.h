#pragma once

// The Redis peer of the benchmark: the same greedy tick (arrival order,
// nearest eligible partner, ties to the longest waiting) built on a real
// redis-server's GEOADD / GEOSEARCH, pipelined. Like the engine it keeps one
// geo set per range class, so a whole-Earth client only searches far in the
// long-range set; the exact eligibility rule is applied client-side.

#include "matchengine.h"

#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

struct redisContext;

namespace whisper::bench {

// A redis-server child on a free loopback port, stopped by PID.
class RedisServer {
public:
    ~RedisServer();
    bool start(const std::string &binary);
    int port() const { return m_port; }
    int pid() const { return m_pid; }

private:
    int m_pid = -1;
    int m_port = 0;
};

class RedisMatcher {
public:
    ~RedisMatcher();
    bool connect(int port);
    void add(const MatchCandidate &candidate);
    std::size_t size() const { return m_entries.size(); }
    // GEOADDs the arrivals, then serves them; includes all round trips.
    MatchResults tick(std::int64_t nowMs);
    // Bytes Redis reports in use (INFO memory), now and right after the
    // first tick's arrivals were added.
    long long usedMemory();
    long long peakUsedMemory() const { return m_peakUsedMemory; }
    // Clients Redis could not index (beyond its +-85.05 degree limit).
    std::size_t rejected() const { return m_rejected; }

private:
    struct Entry {
        MatchCandidate candidate;
        std::uint64_t seq = 0;
        int rangeClass = 0;
    };
    struct Candidate {
        ClientId id;
        double redisKm;
    };
    void indexArrivals();
    void appendSearch(const Entry &served, int rangeClass, bool complete);
    // Reads one GEOSEARCH reply; true when it was cut at the COUNT limit.
    bool readSearch(std::vector<Candidate> &out, double *lastKm);

    redisContext *m_ctx = nullptr;
    std::unordered_map<ClientId, Entry> m_entries;
    std::vector<ClientId> m_pending;
    std::vector<ClientId> m_unindexed;
    std::vector<double> m_classMaxKm;
    std::uint64_t m_nextSeq = 0;
    std::size_t m_rejected = 0;
    long long m_peakUsedMemory = 0;
};

} // namespace whisper::bench
