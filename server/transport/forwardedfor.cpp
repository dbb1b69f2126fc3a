// SPDX-License-Identifier: MIT
#include "forwardedfor.h"

#include <QByteArray>

namespace whisper {

namespace {
// IPv4-mapped IPv6 peers (a dual-stack listener) compare as IPv4.
QHostAddress normalised(const QHostAddress &a) {
    bool ok = false;
    const quint32 v4 = a.toIPv4Address(&ok);
    return ok ? QHostAddress(v4) : a;
}
} // namespace

bool inSubnets(const QHostAddress &address, const SubnetList &subnets) {
    const QHostAddress a = normalised(address);
    for (const auto &subnet : subnets)
        if (a.isInSubnet(subnet))
            return true;
    return false;
}

QHostAddress forwardedClient(const QHostAddress &peer, QByteArrayView forwardedFor,
                             const SubnetList &trusted) {
    if (trusted.isEmpty() || forwardedFor.isEmpty() || !inSubnets(peer, trusted))
        return peer;
    QHostAddress client = peer;
    const QList<QByteArray> hops = forwardedFor.toByteArray().split(',');
    for (qsizetype i = hops.size() - 1; i >= 0; --i) {
        QByteArray hop = hops[i].trimmed();
        // "[v6]:port" and "v4:port" forms some proxies write.
        if (hop.startsWith('[') && hop.contains(']'))
            hop = hop.mid(1, hop.indexOf(']') - 1);
        else if (hop.count(':') == 1)
            hop = hop.left(hop.indexOf(':'));
        const QHostAddress address(QString::fromLatin1(hop));
        if (address.isNull())
            break;
        client = normalised(address);
        if (!inSubnets(client, trusted))
            break;
    }
    return client;
}

} // namespace whisper
