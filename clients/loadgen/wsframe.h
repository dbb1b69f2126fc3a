#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace whisper::loadgen {

// The client side of RFC 6455 framing, kept minimal: the load generator must
// spend far less CPU per message than the server it measures.
enum class Opcode : std::uint8_t {
    Continuation = 0x0,
    Text = 0x1,
    Binary = 0x2,
    Close = 0x8,
    Ping = 0x9,
    Pong = 0xA,
};

// Appends one masked (client-to-server) frame with FIN set to `out`.
void appendMaskedFrame(std::string &out, Opcode opcode, std::string_view payload,
                       std::uint32_t maskKey);

struct FrameView {
    Opcode opcode = Opcode::Text;
    bool fin = true;
    std::string_view payload;
    std::size_t frameBytes = 0; // header + payload, to consume from the buffer
};

enum class ParseResult { Frame, NeedMore, Invalid };

// Parses one unmasked (server-to-client) frame at the start of `data`.
ParseResult parseServerFrame(std::string_view data, FrameView &frame);

// The HTTP upgrade request for `host`/`path` with a fixed key, and the accept
// value the server must answer with.
std::string upgradeRequest(std::string_view host, std::string_view path);
std::string_view expectedAccept();

} // namespace whisper::loadgen
