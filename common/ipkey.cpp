// SPDX-License-Identifier: MIT
#include "ipkey.h"

namespace whisper {

QString ipKey(const QHostAddress &address) {
    bool v4 = false;
    const quint32 v4addr = address.toIPv4Address(&v4);
    if (v4)
        return QHostAddress(v4addr).toString();
    if (address.protocol() != QAbstractSocket::IPv6Protocol)
        return address.toString(); // null or unknown: its own key
    Q_IPV6ADDR bytes = address.toIPv6Address();
    for (int i = 8; i < 16; ++i)
        bytes[i] = 0;
    return QHostAddress(bytes).toString() + QStringLiteral("/64");
}

QList<QPair<QHostAddress, int>> parseSubnetList(const QString &list) {
    QList<QPair<QHostAddress, int>> out;
    for (const QString &part : list.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        const QString p = part.trimmed();
        const QHostAddress single(p);
        if (!single.isNull()) {
            out << qMakePair(single, single.protocol() == QAbstractSocket::IPv6Protocol ? 128 : 32);
            continue;
        }
        const auto subnet = QHostAddress::parseSubnet(p);
        if (!subnet.first.isNull())
            out << subnet;
    }
    return out;
}

bool isInAnySubnet(const QHostAddress &address, const QList<QPair<QHostAddress, int>> &subnets) {
    for (const auto &subnet : subnets)
        if (address.isInSubnet(subnet))
            return true;
    return false;
}

} // namespace whisper
