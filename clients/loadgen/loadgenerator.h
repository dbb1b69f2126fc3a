// SPDX-License-Identifier: MIT
#pragma once

#include "protocol.h"
#include "wsframe.h"

#include <sys/types.h>

#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace whisper::loadgen {

using ws::Opcode;

struct LoadOptions {
    std::string host = "127.0.0.1";
    int port = 8080;
    std::string path = "/";
    // Where the second member of each pair (the odd clients) connects; port
    // 0: the same server as the first. With two nodes of a cluster every
    // pair spans both, so its chat crosses the nodes' relay.
    std::string partnerHost;
    int partnerPort = 0;
    std::string partnerPath;
    int clients = 1000;
    int sourceAddresses = 8;      // 127.0.0.2 .. 127.0.0.(1+n); 0: let the kernel pick
    int handshakeWindow = 256;    // connects in progress at once
    bool join = true;             // join and pair up (else stay in the lobby)
    double joinSpreadSeconds = 0; // joins spread evenly over this time, pair by pair
    double rate = 0.0;            // total msg/s; 0: window mode
    int paceMicroseconds = 250;   // rate mode: send what is due every this often (0: per message)
    int window = 1;               // in-flight messages per client in window mode
    double warmupSeconds = 1.0;
    double durationSeconds = 5.0; // measured chat (or idle hold) time
    int textChars = 32;
    bool leave = true; // end pairs with `leave` before closing
    double phaseTimeoutSeconds = 30.0;
    pid_t serverPid = 0;
    // More processes whose CPU over the measured window is reported (the
    // other nodes of a cluster, its Redis).
    std::vector<pid_t> watchPids;
    // Diagnostics: one line per measured message (when it was due, how late
    // it was sent, its latency), to line slow deliveries up with server events.
    std::string latencyLogPath;
    // Sharded runs (runSharded): this generator drives global clients
    // firstClient .. firstClient+clients-1, so pair placement, source
    // addresses and message tags stay distinct across the shards.
    int firstClient = 0;
    // Called once, after joining and before the RSS sample and the chat, so
    // the shards of one run start their measured windows together.
    std::function<void()> beforeChat;
};

// The server client `globalIndex` (firstClient + its index) connects to.
struct Endpoint {
    std::string host;
    int port = 0;
    std::string path;
};
Endpoint endpointOf(const LoadOptions &options, int globalIndex);

struct LatencySummary {
    std::size_t samples = 0;
    double p50Ms = 0, p99Ms = 0, p999Ms = 0, maxMs = 0;
};

// Which clock a message's latency starts from. In rate mode it is the time
// the schedule said the message was due, so a load generator (or server)
// that falls behind cannot hide its delay by sending late: no coordinated
// omission. In window mode there is no schedule; it is the send time.
struct SendLagSummary {
    double p50Ms = 0, p99Ms = 0, maxMs = 0; // actual send time - due time
};

struct LoadReport {
    int clients = 0;
    int connected = 0;
    double connectSeconds = 0;
    double handshakesPerSecond = 0;
    int matched = 0;
    double matchSecondsP50 = 0, matchSecondsP99 = 0, matchSecondsMax = 0; // join -> matched
    // Pairs whose members' `welcome`s named two different cluster nodes.
    int crossNodePairs = 0;
    double measuredSeconds = 0;
    std::uint64_t sent = 0, delivered = 0, received = 0; // whole run
    std::uint64_t measuredDelivered = 0;
    double deliveredPerSecond = 0;
    LatencySummary latency; // acknowledged - due (rate mode) or - sent (window mode)
    SendLagSummary sendLag; // rate mode: how late the load generator itself sent
    int pairsLeft = 0;
    std::uint64_t errors = 0;
    std::vector<std::string> errorKinds;
    // Every message sent was acknowledged once, in order, and arrived once,
    // in order, at the sender's partner (each message names its sender and
    // carries a per-sender sequence number).
    bool accounted = false;
    int pairsVerified = 0;           // pairs whose both directions were exactly complete
    std::uint64_t misrouted = 0;     // arrived at someone other than the sender's partner
    std::uint64_t duplicated = 0;    // arrived again
    std::uint64_t outOfOrder = 0;    // arrived after a later one (a gap: lost or reordered)
    std::uint64_t ackMismatches = 0; // `delivered` for another message than the oldest unacked
    // server (when its PID was given) and this process
    double serverCpuPercent = -1, loadgenCpuPercent = -1;
    // CPU time per delivered message: what a busy, shared machine cannot skew
    // as much as throughput
    double serverCpuUsPerMessage = -1, loadgenCpuUsPerMessage = -1;
    struct WatchedCpu {
        pid_t pid = 0;
        double cpuPercent = -1, cpuUsPerMessage = -1;
    };
    std::vector<WatchedCpu> watched; // LoadOptions::watchPids, in order
    std::int64_t serverRssBefore = -1, serverRssConnected = -1;
    double serverRssPerConnection = -1;
    // The load generator's own threads and the cores they may run on; above
    // 90 % of those cores it, not the server, may be what limits the rate.
    int loadgenThreads = 1, loadgenCores = 1;
    bool loadgenBound = false;
};

// Where the two members of a pair join: the first at (lat, lon), the second
// offset by (partnerDLat, partnerDLon) degrees.
struct PairSpot {
    double lat = 0, lon = 0;
    double partnerDLat = 0, partnerDLon = 0;
};

// The range every load generator client joins with.
inline constexpr double kPairReachKm = 1.0;

// Where pairs 0 .. pairs-1 join (clients 2k and 2k+1 are pair k), near big
// cities by population weight: each pair in a grid cell of its own, so a
// client is within kPairReachKm of its partner and of nobody else, and the
// two members can only be matched with each other whatever ticks they join
// in. Deterministic, and placePairs(n) is a prefix of placePairs(m > n).
std::vector<PairSpot> placePairs(int pairs);

// A chat text that names its sender and its number among the sender's
// messages: "s<sender>.<seq>", padded with 'x' to `chars` characters (longer
// when the tag alone is longer). The receiver checks it came from its
// partner, and came next.
void appendTaggedText(std::string &out, int sender, std::uint64_t seq, int chars);
bool parseTaggedText(std::string_view text, int &sender, std::uint64_t &seq);

// Drives N WebSocket clients from one thread with epoll: connect, join, pair,
// chat at a fixed total rate or with a window of in-flight messages per client,
// leave, close. Every phase is bounded by phaseTimeoutSeconds.
class LoadGenerator {
public:
    explicit LoadGenerator(LoadOptions options);
    ~LoadGenerator();
    LoadGenerator(const LoadGenerator &) = delete;
    LoadGenerator &operator=(const LoadGenerator &) = delete;

    LoadReport run();
    // Latency and send-lag samples in microseconds, sorted (after run()).
    const std::vector<float> &latencySamples() const { return m_latencyUs; }
    const std::vector<float> &sendLagSamples() const { return m_sendLagUs; }
    const std::vector<float> &matchWaitSamples() const { return m_matchWaitUs; }

private:
    struct Client {
        int fd = -1;
        enum class State : std::uint8_t {
            Idle,
            Connecting,
            Handshaking,
            Open,
            Closed
        } state = State::Idle;
        bool welcomed = false, waiting = false, paired = false, leftDone = false,
             partnerLeft = false, wantWrite = false, closing = false, broken = false;
        std::string in, out;
        std::size_t outPos = 0;
        struct InFlight {
            std::int64_t dueNs;  // when the schedule wanted it sent
            std::int64_t sentNs; // when it was handed to the socket
            std::uint64_t seq;   // this client's message number, also its `id`
        };
        std::deque<InFlight> inflight; // acks come back in order
        std::int64_t joinNs = 0, matchedNs = 0;
        std::uint64_t sent = 0, acked = 0, received = 0;
        int partner = -1; // the other member of its pair, once both are matched
        std::string node; // the cluster node its `welcome` named
        std::uint64_t nextFromPartner =
            0; // the sequence number the partner's next message must have
    };

    enum class Phase { Connect, Join, Chat, Drain, Leave, Close };

    void startConnect(int index);
    void onEvent(int index, std::uint32_t events);
    void onHandshakeData(Client &c);
    void onFrames(int index);
    void onText(int index, std::string_view payload);
    void onChatMessage(int index, std::string_view text);
    void onDelivered(int index, std::string_view id);
    // The pairs whose traffic is complete: every message acked and received.
    bool pairComplete(const Client &c) const;
    void sendFrame(Client &c, Opcode opcode, std::string_view payload);
    void sendMessage(Client &c, std::int64_t dueNs);
    void flush(int index);
    void fail(int index, const char *kind);
    void error(const char *kind);
    void closeClient(int index);
    // Runs the event loop until done() or untilNs; false on timeout.
    bool loop(std::int64_t untilNs, const std::function<bool()> &done);
    void pump(std::int64_t now);
    void scheduleRated(std::int64_t now);
    // Rate mode: when message number `k` of the schedule is due.
    std::int64_t dueTime(std::uint64_t k) const;
    void writeLatencyLog() const;
    void sendJoin(int index);

    LoadOptions m_options;
    protocol::Codec m_codec;
    int m_epoll = -1;
    std::vector<Client> m_clients;
    std::vector<PairSpot> m_spots; // by pair: clients 2k and 2k+1
    Phase m_phase = Phase::Connect;
    // Codec-encoded templates split around their variable parts: a message
    // is sendPrefix + text + sendMiddle + id + sendSuffix; incoming and
    // delivered frames are recognised by their fixed parts.
    std::string m_sendPrefix, m_sendMiddle, m_sendSuffix;
    bool m_sendIdFirst = false;
    std::string m_deliveredPrefix, m_deliveredSuffix;
    std::string m_incomingPrefix, m_incomingMiddle, m_incomingSuffix;
    std::string m_upgrade, m_partnerUpgrade, m_scratch;
    Endpoint m_endpoint, m_partnerEndpoint;
    std::uint32_t m_mask = 0x9E3779B9u;
    int m_nextToConnect = 0, m_connecting = 0, m_open = 0, m_closedCount = 0;
    int m_welcomed = 0, m_matchedCount = 0, m_leaveAcks = 0;
    std::int64_t m_measureStart = 0, m_measureEnd = 0, m_chatStart = 0;
    std::uint64_t m_scheduled = 0, m_measuredDelivered = 0;
    std::size_t m_rrCursor = 0;
    std::vector<float> m_latencyUs;
    std::vector<float> m_sendLagUs;
    std::vector<float> m_matchWaitUs;
    std::vector<std::int64_t> m_dueNs;                   // only with a latency log
    std::unordered_map<std::string, int> m_pairByWireId; // pair id -> first member seen
    std::vector<std::pair<int, int>> m_pairs;
    std::uint64_t m_errors = 0;
    std::uint64_t m_misrouted = 0, m_duplicated = 0, m_outOfOrder = 0, m_ackMismatches = 0;
    std::vector<std::string> m_errorKinds;
};

} // namespace whisper::loadgen
