// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

// RFC 6455 framing for the project's own WebSocket clients: the load
// generator and the raw test client. One writer and one parser, tested
// against the RFC's own examples (tst_wsframe), instead of a hand-written
// builder in every client. The server has its own, stricter parser.
namespace whisper::ws {

enum class Opcode : std::uint8_t {
    Continuation = 0x0,
    Text = 0x1,
    Binary = 0x2,
    Close = 0x8,
    Ping = 0x9,
    Pong = 0xA,
};

// The masking key as the four bytes that go on the wire, first byte in the
// most significant position (RFC 6455 5.7's key 37 fa 21 3d is 0x37fa213d).
using MaskKey = std::uint32_t;

// Appends one frame to `out`: masked with `mask` when given (clients must
// mask every frame, RFC 6455 5.3), FIN set unless `fin` is false (the first
// and middle frames of a fragmented message).
void appendFrame(std::string &out, Opcode opcode, std::string_view payload,
                 std::optional<MaskKey> mask, bool fin = true);

// A client-to-server frame with FIN: what a client sends for every message.
inline void appendMaskedFrame(std::string &out, Opcode opcode, std::string_view payload,
                              MaskKey mask) {
    appendFrame(out, opcode, payload, mask);
}

struct FrameView {
    Opcode opcode = Opcode::Text;
    bool fin = true;
    bool masked = false;
    MaskKey mask = 0;
    // The payload as on the wire: still masked when `masked`.
    std::string_view payload;
    std::size_t frameBytes = 0; // header + payload, to consume from the buffer
};

enum class ParseResult { Frame, NeedMore, Invalid };

// Which masking the reader accepts: a client reads server frames, which are
// never masked; a server (or a test of the writer) reads masked ones.
enum class Masking { Unmasked, Masked, Either };

// The largest payload a frame may announce before it is refused from its
// header alone (the 64-bit length field could otherwise ask for exabytes).
inline constexpr std::uint64_t kMaxFramePayload = std::uint64_t(1) << 31;

// Parses one frame at the start of `data`. NeedMore until the whole frame is
// there; Invalid for a frame with the wrong masking, reserved bits set, an
// unknown opcode, a 64-bit length with its top bit set, or a payload over
// kMaxFramePayload.
ParseResult parseFrame(std::string_view data, FrameView &frame, Masking accept = Masking::Unmasked);

// The payload with the mask undone (a copy of it when unmasked).
std::string unmaskedPayload(const FrameView &frame);

// The HTTP upgrade request for `host`/`path` with the RFC 6455 1.3 sample key,
// and the Sec-WebSocket-Accept the server must answer it with. The key need
// not be secret: the server only proves it speaks WebSocket by hashing it.
std::string upgradeRequest(std::string_view host, std::string_view path);
std::string_view expectedAccept();

} // namespace whisper::ws
