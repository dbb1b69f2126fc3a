// SPDX-License-Identifier: MIT
// The control protocol in both directions: the control endpoint decodes the
// console's commands, the admin console decodes the server's answers and
// deltas. The first byte picks the direction. A frame that decodes must
// survive encode and decode unchanged.
#include "controlprotocol.h"
#include "fuzzsupport.h"

using namespace whisper;
using namespace whisper::control;

namespace {
template <typename Message>
void roundTrip(const Decoded<Message> &decoded, Decoded<Message> (*decode)(QByteArrayView)) {
    if (const auto *message = std::get_if<Message>(&decoded)) {
        const QByteArray encoded = Codec::encode(*message);
        fuzz::check(decode(encoded) == decoded,
                    "a decoded frame encodes to one that decodes the same");
    }
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size == 0)
        return 0;
    const QByteArrayView frame = fuzz::view(data + 1, size - 1);
    if (data[0] & 1)
        roundTrip(Codec::decodeServer(frame), &Codec::decodeServer);
    else
        roundTrip(Codec::decodeConsole(frame), &Codec::decodeConsole);
    return 0;
}
