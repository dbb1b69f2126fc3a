// SPDX-License-Identifier: MIT
#include "ids.h"

#include <QByteArray>
#include <QRandomGenerator>

#include <array>

namespace whisper {

QString randomOpaqueId(int bytes) {
    QByteArray raw(bytes, Qt::Uninitialized);
    QRandomGenerator *rng = QRandomGenerator::system();
    for (char &c : raw)
        c = static_cast<char>(rng->bounded(256));
    return QString::fromLatin1(
        raw.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

std::uint32_t nodeIdBits(const QString &nodeId) {
    if (nodeId.isEmpty())
        return 0;
    // FNV-1a over the UTF-8 bytes, folded to 24 bits.
    std::uint32_t h = 2166136261u;
    for (const char c : nodeId.toUtf8()) {
        h ^= std::uint8_t(c);
        h *= 16777619u;
    }
    const std::uint32_t bits = (h ^ (h >> 24)) & 0xFFFFFFu;
    return bits == 0 ? 1 : bits;
}

std::uint64_t clientIdBase(const QString &nodeId) {
    return std::uint64_t(nodeIdBits(nodeId)) << kNodeIdShift;
}

QString randomHandle() {
    static constexpr std::array kAdjectives = {
        "quiet",  "brave", "sunny", "gentle", "lucky", "curious", "witty",  "calm",
        "bright", "kind",  "swift", "merry",  "bold",  "shy",     "clever", "lively"};
    static constexpr std::array kAnimals = {
        "otter",  "fox",   "heron",  "lynx",  "panda",  "robin",  "koala", "badger",
        "falcon", "gecko", "walrus", "bison", "puffin", "marten", "ibis",  "yak"};
    QRandomGenerator *rng = QRandomGenerator::global();
    return QStringLiteral("%1-%2-%3")
        .arg(QLatin1String(kAdjectives[rng->bounded(int(kAdjectives.size()))]),
             QLatin1String(kAnimals[rng->bounded(int(kAnimals.size()))]))
        .arg(rng->bounded(10, 100));
}

} // namespace whisper
