// SPDX-License-Identifier: MIT
// The client side of the client protocol: what whisperchat-cli and the load
// generator decode from a server. A frame that decodes must survive encode
// and decode unchanged.
#include "fuzzsupport.h"
#include "protocol.h"

using namespace whisper;
using namespace whisper::protocol;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static const Codec codec;
    const Decoded<ServerMessage> decoded = codec.decodeServer(fuzz::view(data, size));
    if (const auto *message = std::get_if<ServerMessage>(&decoded)) {
        const QByteArray encoded = Codec::encode(*message);
        fuzz::check(codec.decodeServer(encoded) == decoded,
                    "a decoded frame encodes to one that decodes the same");
    }
    return 0;
}
