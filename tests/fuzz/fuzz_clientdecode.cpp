// SPDX-License-Identifier: MIT
// The client protocol decoder, the server's parser of every client frame.
// The simdjson fast path (fastdecode) and the QJsonDocument reference path
// must give the same answer, errors included, for every input: the fuzzer
// aborts on the first frame where they differ. A frame that decodes must
// also survive encode and decode unchanged.
#include "fastdecode.h"
#include "fuzzsupport.h"
#include "jsonreader.h"
#include "protocol.h"

using namespace whisper;
using namespace whisper::protocol;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const QByteArrayView frame = fuzz::view(data, size);
    static const Codec fast(CodecLimits{kDefaultMaxTextChars, true});
    static const Codec reference(CodecLimits{kDefaultMaxTextChars, false});

    SendMessage direct;
    const bool fastDecided = decodeChatMessageFast(frame, direct) == FastDecode::Decoded;
    const Decoded<ClientMessage> viaFast = fast.decodeClient(frame);
    const Decoded<ClientMessage> viaReference = reference.decodeClient(frame);
    fuzz::check(viaFast == viaReference, "fast path and reference path agree");
    if (fastDecided) {
        // What the fast path read is what the reference path reads, before
        // the limits (which both apply alike).
        const auto parsed = json::parseObjectFrame(frame);
        fuzz::check(std::holds_alternative<std::pair<QJsonObject, QString>>(parsed),
                    "a frame the fast path decides is a JSON object");
        const auto &object = std::get<0>(parsed).first;
        fuzz::check(object.value(QLatin1String("text")).toString() == direct.text,
                    "fast path reads the same text");
        fuzz::check(direct.id.has_value() == object.contains(QLatin1String("id")) &&
                        (!direct.id || object.value(QLatin1String("id")).toString() == *direct.id),
                    "fast path reads the same id");
    }
    if (const auto *message = std::get_if<ClientMessage>(&viaReference)) {
        const QByteArray encoded = Codec::encode(*message);
        fuzz::check(reference.decodeClient(encoded) == viaReference,
                    "a decoded frame encodes to one that decodes the same");
    }
    return 0;
}
