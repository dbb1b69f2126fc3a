// SPDX-License-Identifier: MIT
#pragma once

#include <QHostAddress>
#include <QList>
#include <QPair>
#include <QString>

namespace whisper {

// The key under which per-address limits (connect rate, concurrent and
// half-open connections, bans) count a peer. An IPv6 host usually owns a
// whole /64 and can pick any address in it, so IPv6 addresses count by their
// /64 ("2001:db8:1:2::/64"); IPv4 addresses count one by one ("192.0.2.7"),
// and an IPv4-mapped IPv6 address ("::ffff:192.0.2.7") as its IPv4 address.
QString ipKey(const QHostAddress &address);

// Parses a comma-separated list of addresses and subnets ("127.0.0.0/8,::1");
// entries that are neither are skipped (the configuration validates them).
QList<QPair<QHostAddress, int>> parseSubnetList(const QString &list);

bool isInAnySubnet(const QHostAddress &address, const QList<QPair<QHostAddress, int>> &subnets);

} // namespace whisper
