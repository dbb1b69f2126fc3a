// SPDX-License-Identifier: MIT
#pragma once

// The client address of a connection that came through a trusted reverse
// proxy (setting `trusted-proxies`). Only a peer inside one of the trusted
// subnets is believed, and only as far as its own hop: X-Forwarded-For is
// read from the right, skipping trusted proxies, and the first address that
// is not one is the client. Everything to the left of it was written by the
// client and may be forged.

#include <QByteArrayView>
#include <QHostAddress>
#include <QList>
#include <QPair>

namespace whisper {

using SubnetList = QList<QPair<QHostAddress, int>>;

bool inSubnets(const QHostAddress &address, const SubnetList &subnets);

// `peer` itself when it is not trusted or sent no usable header; otherwise
// the rightmost untrusted hop of `forwardedFor` (when every hop is trusted,
// the leftmost one). A hop that is not an address ends the walk: the
// address to its right is the client.
QHostAddress forwardedClient(const QHostAddress &peer, QByteArrayView forwardedFor,
                             const SubnetList &trusted);

} // namespace whisper
