// SPDX-License-Identifier: MIT
#include "wsframe.h"

namespace whisper::ws {

namespace {
constexpr std::string_view kKey = "dGhlIHNhbXBsZSBub25jZQ==";
constexpr std::string_view kAccept = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

bool knownOpcode(unsigned op) {
    return op <= 0x2 || (op >= 0x8 && op <= 0xA);
}
} // namespace

void appendFrame(std::string &out, Opcode opcode, std::string_view payload,
                 std::optional<MaskKey> mask, bool fin) {
    const std::size_t n = payload.size();
    unsigned char header[14];
    std::size_t h = 0;
    header[h++] = static_cast<unsigned char>((fin ? 0x80 : 0x00) | unsigned(opcode));
    const unsigned char maskBit = mask ? 0x80 : 0x00;
    // The shortest length form, as RFC 6455 5.2 requires.
    if (n < 126) {
        header[h++] = static_cast<unsigned char>(maskBit | n);
    } else if (n <= 0xFFFF) {
        header[h++] = maskBit | 126;
        header[h++] = static_cast<unsigned char>(n >> 8);
        header[h++] = static_cast<unsigned char>(n);
    } else {
        header[h++] = maskBit | 127;
        for (int i = 7; i >= 0; --i)
            header[h++] = static_cast<unsigned char>(std::uint64_t(n) >> (8 * i));
    }
    unsigned char key[4] = {};
    if (mask) {
        for (int i = 0; i < 4; ++i)
            key[i] = static_cast<unsigned char>(*mask >> (24 - 8 * i));
        for (unsigned char k : key)
            header[h++] = k;
    }
    const std::size_t start = out.size();
    out.append(reinterpret_cast<const char *>(header), h);
    out.append(payload);
    if (mask) {
        char *p = out.data() + start + h;
        for (std::size_t i = 0; i < n; ++i)
            p[i] = static_cast<char>(p[i] ^ key[i & 3]);
    }
}

ParseResult parseFrame(std::string_view data, FrameView &frame, Masking accept) {
    if (data.size() < 2)
        return ParseResult::NeedMore;
    const auto b0 = static_cast<unsigned char>(data[0]);
    const auto b1 = static_cast<unsigned char>(data[1]);
    const bool masked = b1 & 0x80;
    if ((masked && accept == Masking::Unmasked) || (!masked && accept == Masking::Masked))
        return ParseResult::Invalid;
    if ((b0 & 0x70) != 0 || !knownOpcode(b0 & 0x0F)) // no extensions negotiated
        return ParseResult::Invalid;
    std::size_t h = 2;
    std::uint64_t n = b1 & 0x7F;
    if (n == 126) {
        if (data.size() < 4)
            return ParseResult::NeedMore;
        n = (std::uint64_t(static_cast<unsigned char>(data[2])) << 8) |
            static_cast<unsigned char>(data[3]);
        h = 4;
    } else if (n == 127) {
        if (data.size() < 10)
            return ParseResult::NeedMore;
        n = 0;
        for (int i = 0; i < 8; ++i)
            n = (n << 8) | static_cast<unsigned char>(data[2 + i]);
        h = 10;
    }
    if (n > kMaxFramePayload) // also every length with the top bit set
        return ParseResult::Invalid;
    MaskKey key = 0;
    if (masked) {
        if (data.size() < h + 4)
            return ParseResult::NeedMore;
        for (int i = 0; i < 4; ++i)
            key = (key << 8) | static_cast<unsigned char>(data[h + std::size_t(i)]);
        h += 4;
    }
    if (data.size() - h < n)
        return ParseResult::NeedMore;
    frame.fin = b0 & 0x80;
    frame.opcode = static_cast<Opcode>(b0 & 0x0F);
    frame.masked = masked;
    frame.mask = key;
    frame.payload = data.substr(h, std::size_t(n));
    frame.frameBytes = h + std::size_t(n);
    return ParseResult::Frame;
}

std::string unmaskedPayload(const FrameView &frame) {
    std::string out(frame.payload);
    if (frame.masked)
        for (std::size_t i = 0; i < out.size(); ++i)
            out[i] = static_cast<char>(out[i] ^ (frame.mask >> (24 - 8 * (i & 3))));
    return out;
}

std::string upgradeRequest(std::string_view host, std::string_view path) {
    std::string r;
    r.reserve(200);
    r.append("GET ").append(path).append(" HTTP/1.1\r\nHost: ").append(host);
    r.append("\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ");
    r.append(kKey).append("\r\nSec-WebSocket-Version: 13\r\n\r\n");
    return r;
}

std::string_view expectedAccept() {
    return kAccept;
}

} // namespace whisper::ws
