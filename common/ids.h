// SPDX-License-Identifier: MIT
#pragma once

#include <QString>

#include <cstdint>

namespace whisper {

// Opaque identifiers handed to clients (session, pair). Random, so they leak
// nothing about connection order or counts.
QString randomOpaqueId(int bytes = 12);

// A friendly handle shown to a partner ("quiet-otter-42"): it identifies the
// partner within one chat without revealing any account name.
QString randomHandle();

// Ids unique across a cluster. Each node owns the client ids whose top 24
// bits are its number (a hash of its node id, never 0; a clash between two
// running nodes is refused when they register), so ids made on different
// nodes never meet in the global waiting room or a cross-node pair.
// A single node (empty node id) keeps number 0: ids 1, 2, 3 ... as ever.
inline constexpr int kNodeIdShift = 40;
std::uint32_t nodeIdBits(const QString &nodeId);
std::uint64_t clientIdBase(const QString &nodeId);
// The node whose id space holds `clientId` (0: a single node's).
inline std::uint32_t nodeBitsOf(std::uint64_t clientId) {
    return std::uint32_t(clientId >> kNodeIdShift);
}

} // namespace whisper
