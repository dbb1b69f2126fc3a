// SPDX-License-Identifier: MIT
#pragma once

// The Redis peer of the benchmark: the same greedy tick (arrival order,
// nearest eligible partner, ties to the longest waiting) built on a real
// redis-server's GEOADD / GEOSEARCH, as a competent engineer would: one geo
// set per range class (so a whole-Earth client only searches far in the
// long-range set), each search nearest-first with COUNT and a radius that
// starts small and grows only until the nearest eligible partner is
// certain, and every round of searches for a batch of served clients
// pipelined into one round trip. The exact eligibility rule (the tests'
// reference rule) is applied client-side. Clients whose exclusion (block
// or recent partner) ended since the last tick are served again, as the
// engine does.

#include "matchengine.h"

#include <limits>
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
        double km; // on the protocol's sphere
    };
    // One served client's search of one range class.
    struct Search {
        double wantKm = 0.0;          // how far: its range, capped at the class's largest
        double radiusKm = 0.0;        // of the next (or last) query
        int count = 0;                // COUNT of the next (or last) query
        double coveredKm = -1.0;      // every member this near is in `found`
        bool exhausted = false;       // the whole of wantKm is covered
        std::vector<Candidate> found; // nearest first
    };
    struct Served {
        ClientId id = 0;
        std::vector<Search> classes;
    };
    struct Pick {
        const Entry *best = nullptr;
        double km = 0.0;
        bool certain = false; // no nearer (or equally near, earlier) partner can exist
    };
    void indexArrivals();
    Served startSearch(ClientId id) const;
    Pick pick(const Served &s, std::int64_t nowMs, const std::unordered_set<ClientId> &taken) const;
    // Pipelined rounds of GEOSEARCH until every client's pick is certain.
    void search(std::vector<Served *> &clients, std::int64_t nowMs,
                const std::unordered_set<ClientId> &taken);
    void appendSearch(const Entry &served, int rangeClass, const Search &s);
    // Reads one GEOSEARCH reply into `s`.
    void readSearch(Search &s);

    redisContext *m_ctx = nullptr;
    std::unordered_map<ClientId, Entry> m_entries;
    std::vector<ClientId> m_pending;
    std::vector<ClientId> m_unindexed;
    std::vector<ClientId> m_withExpiry; // clients with an exclusion that ends
    std::int64_t m_lastTickMs = std::numeric_limits<std::int64_t>::min();
    std::vector<double> m_classMaxKm;
    std::uint64_t m_nextSeq = 0;
    std::size_t m_rejected = 0;
    long long m_peakUsedMemory = 0;
};

} // namespace whisper::bench
