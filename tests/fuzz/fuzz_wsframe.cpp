// SPDX-License-Identifier: MIT
// The clients' frame parser (common/wsframe): what the load generator and
// the test clients read from a server. Every accepted frame must lie inside
// the input, and writing it again must give the same bytes back.
#include "fuzzsupport.h"
#include "wsframe.h"

#include <string>

using namespace whisper;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const std::string_view input(reinterpret_cast<const char *>(data), size);
    for (const auto masking : {ws::Masking::Unmasked, ws::Masking::Masked, ws::Masking::Either}) {
        std::string_view rest = input;
        // A stream of frames, as a client's read buffer holds them.
        while (!rest.empty()) {
            ws::FrameView frame;
            const auto result = ws::parseFrame(rest, frame, masking);
            if (result != ws::ParseResult::Frame)
                break;
            fuzz::check(frame.frameBytes > 0 && frame.frameBytes <= rest.size(),
                        "frame within the input");
            fuzz::check(frame.payload.data() >= rest.data() &&
                            frame.payload.data() + frame.payload.size() <=
                                rest.data() + frame.frameBytes,
                        "payload within the frame");
            const std::string payload = ws::unmaskedPayload(frame);
            fuzz::check(payload.size() == frame.payload.size(), "unmasked payload size");
            std::string again;
            ws::appendFrame(again, frame.opcode, payload,
                            frame.masked ? std::optional<ws::MaskKey>(frame.mask) : std::nullopt,
                            frame.fin);
            ws::FrameView reparsed;
            fuzz::check(ws::parseFrame(again, reparsed, ws::Masking::Either) ==
                                ws::ParseResult::Frame &&
                            reparsed.opcode == frame.opcode && reparsed.fin == frame.fin &&
                            ws::unmaskedPayload(reparsed) == payload,
                        "written frame parses back to the same frame");
            rest.remove_prefix(frame.frameBytes);
        }
    }
    return 0;
}
