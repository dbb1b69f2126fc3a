#include "wsframe.h"

#include <cstring>

namespace whisper::loadgen {

namespace {
// RFC 6455 section 1.3's sample nonce: the key need not be secret, the server
// only proves it speaks WebSocket by hashing it.
constexpr std::string_view kKey = "dGhlIHNhbXBsZSBub25jZQ==";
constexpr std::string_view kAccept = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";
} // namespace

void appendMaskedFrame(std::string &out, Opcode opcode, std::string_view payload,
                       std::uint32_t maskKey) {
    const std::size_t n = payload.size();
    unsigned char header[14];
    std::size_t h = 0;
    header[h++] = 0x80 | static_cast<unsigned char>(opcode);
    if (n < 126) {
        header[h++] = 0x80 | static_cast<unsigned char>(n);
    } else if (n <= 0xFFFF) {
        header[h++] = 0x80 | 126;
        header[h++] = static_cast<unsigned char>(n >> 8);
        header[h++] = static_cast<unsigned char>(n);
    } else {
        header[h++] = 0x80 | 127;
        for (int i = 7; i >= 0; --i)
            header[h++] = static_cast<unsigned char>(std::uint64_t(n) >> (8 * i));
    }
    unsigned char mask[4];
    std::memcpy(mask, &maskKey, 4);
    std::memcpy(header + h, mask, 4);
    h += 4;
    const std::size_t start = out.size();
    out.append(reinterpret_cast<const char *>(header), h);
    out.append(payload);
    char *p = out.data() + start + h;
    for (std::size_t i = 0; i < n; ++i)
        p[i] = static_cast<char>(p[i] ^ mask[i & 3]);
}

ParseResult parseServerFrame(std::string_view data, FrameView &frame) {
    if (data.size() < 2)
        return ParseResult::NeedMore;
    const auto b0 = static_cast<unsigned char>(data[0]);
    const auto b1 = static_cast<unsigned char>(data[1]);
    if (b1 & 0x80) // servers never mask
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
        if (n > (std::uint64_t(1) << 31))
            return ParseResult::Invalid;
    }
    if (data.size() < h + n)
        return ParseResult::NeedMore;
    frame.fin = b0 & 0x80;
    frame.opcode = static_cast<Opcode>(b0 & 0x0F);
    frame.payload = data.substr(h, n);
    frame.frameBytes = h + n;
    return ParseResult::Frame;
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

} // namespace whisper::loadgen
