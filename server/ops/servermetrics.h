// SPDX-License-Identifier: MIT
#pragma once

#include "metricsregistry.h"
#include "protocol.h"

#include <QString>

#include <atomic>

namespace whisper {

struct ServerConfig;

// The server's metrics, by name, over one registry. Modules count through
// the members they are handed (a pointer that may be null: metrics off, unit
// tests); gauges of counts other objects keep are read at scrape time
// (instrumentation.cpp). docs/OPERATIONS.md "Metrics" lists every name.
class ServerMetrics {
    // Declared first: the references below are made from it.
    metrics::Registry m_registry;
    std::atomic<unsigned> m_relayTick{0};
    QString m_transport;

public:
    // Not copyable: modules keep references into it.
    ServerMetrics(const ServerMetrics &) = delete;
    ServerMetrics &operator=(const ServerMetrics &) = delete;
    // `transport`: the chat endpoint's transport label (native, qt or tls).
    ServerMetrics(const QString &version, const QString &transport);

    metrics::Registry &registry() { return m_registry; }
    QString transport() const { return m_transport; }
    // The transport label for `config`'s chat endpoint: tls, qt or native.
    static QString transportOf(const ServerConfig &config);

    // ---- transport
    metrics::Counter &connects;          // WebSocket handshakes completed
    metrics::Counter &handshakeFailures; // refused or timed-out upgrades (native transport)
    metrics::CounterFamily &closes;      // by close code (bounded: see closed())
    void closed(int closeCode);

    // ---- matching
    metrics::Counter &matches;
    metrics::Histogram &matchTickSeconds;

    // ---- relay
    metrics::Counter &messagesRelayed;
    metrics::Histogram &relaySeconds;
    // The histogram to time this message into, or null for the messages not
    // sampled: one in kRelaySampleEvery is timed, so the relay pays two
    // clock reads per sixteen messages, not per message.
    static metrics::Histogram *relaySample(ServerMetrics *metrics) noexcept {
        return metrics && (metrics->m_relayTick.fetch_add(1, std::memory_order_relaxed) %
                           kRelaySampleEvery) == 0
                   ? &metrics->relaySeconds
                   : nullptr;
    }
    static constexpr unsigned kRelaySampleEvery = 16;

    // ---- protocol errors and limits
    metrics::CounterFamily &errorsSent; // by error code
    void sent(const protocol::ServerMessage &message) {
        if (const auto *error = std::get_if<protocol::Error>(&message))
            errorsSent.with(protocol::toString(error->code)).inc();
    }
    metrics::CounterFamily &rateLimited; // by limit
    // `ref`: what the refused request was ("message", "join", ...; empty for
    // an undecodable frame), mapped onto the limit that refused it.
    void limited(const QString &ref);

    // ---- accounts
    metrics::CounterFamily &logins;        // by result: ok or the error code
    metrics::CounterFamily &registrations; // by result
    static void authResult(ServerMetrics *metrics, bool registration, const protocol::Error *error);
    metrics::Histogram &passwordHashSeconds;
    metrics::Histogram &dbQuerySeconds;

    // ---- control endpoint
    metrics::CounterFamily &controlCommands; // by command type

    // ---- cluster: the cluster module registers its metrics (Redis round
    // trip, matching leader) on registry() under whisperchat_cluster_*.
};

} // namespace whisper
