// SPDX-License-Identifier: MIT
#pragma once

// Bad client frames and the error each must get: the codec's unit test and the
// live-connection integration tests run the same table. Below it, bad input
// at the WebSocket level and what the native transport must do with it
// (tst_hostile; tst_rfc6455 has the conformance view per transport).

#include "protocol.h"
#include "wsframe.h"

#include <QByteArray>
#include <QString>

#include <vector>

namespace whisper::test {

struct BadFrame {
    const char *name;
    QByteArray frame;
    protocol::ErrorCode code;
    QString ref;      // the `ref` the error carries (empty: none)
    QString mentions; // a word the error message must contain
};

inline std::vector<BadFrame> badClientFrames() {
    using protocol::ErrorCode;
    const auto bad = ErrorCode::BadRequest;
    const QString none;
    const QString join = QStringLiteral("join");
    const QString message = QStringLiteral("message");
    const QString typing = QStringLiteral("typing");
    std::vector<BadFrame> rows;
    auto add = [&rows](const char *name, const QByteArray &frame, ErrorCode code,
                       const QString &ref, const char *mentions) {
        rows.push_back({name, frame, code, ref, QString::fromUtf8(mentions)});
    };
    add("invalid JSON", QByteArray("{\"type\":"), bad, none, "JSON");
    add("empty frame", QByteArray(), bad, none, "JSON");
    add("array", QByteArray("[1,2]"), bad, none, "object");
    add("string", QByteArray("\"join\""), bad, none, "object");
    add("number", QByteArray("42"), bad, none, "object");
    add("invalid UTF-8", QByteArray("{\"type\":\"message\",\"text\":\"\xff\xfe\"}"), bad, none,
        "UTF-8");
    add("truncated UTF-8 sequence", QByteArray("{\"type\":\"leave\",\"x\":\"\xe2\x82\"}"), bad,
        none, "UTF-8");
    // \u escapes must spell Unicode: a surrogate needs its other half.
    add("lone high surrogate", QByteArray(R"({"type":"message","text":"a\ud83d b"})"), bad, none,
        "surrogate");
    add("lone low surrogate", QByteArray(R"({"type":"message","text":"\ude00"})"), bad, none,
        "surrogate");
    add("surrogates in the wrong order", QByteArray(R"({"type":"message","text":"\ude00\ud83d"})"),
        bad, none, "surrogate");
    add("high surrogate at the end of a field", QByteArray(R"({"type":"leave","x":"\uD800"})"), bad,
        none, "surrogate");
    add("missing type", QByteArray("{\"lat\":1}"), bad, none, "type");
    add("type not a string", QByteArray("{\"type\":7}"), bad, none, "type");
    add("unknown type", QByteArray("{\"type\":\"teleport\"}"), bad, none, "teleport");
    add("type with wrong case", QByteArray("{\"type\":\"Join\"}"), bad, none, "unknown");
    add("join missing lat", QByteArray(R"({"type":"join","lon":1,"range_km":5})"), bad, join,
        "lat");
    add("join missing range", QByteArray(R"({"type":"join","lat":1,"lon":1})"), bad, join,
        "range_km");
    add("join lat as string", QByteArray(R"({"type":"join","lat":"52","lon":1,"range_km":5})"), bad,
        join, "lat");
    add("join NaN as string", QByteArray(R"({"type":"join","lat":"NaN","lon":1,"range_km":5})"),
        bad, join, "lat");
    add("join Infinity as string",
        QByteArray(R"({"type":"join","lat":1,"lon":"Infinity","range_km":5})"), bad, join, "lon");
    add("join NaN literal", QByteArray(R"({"type":"join","lat":NaN,"lon":1,"range_km":5})"), bad,
        none, "JSON");
    add("join overflowing number",
        QByteArray(R"({"type":"join","lat":1,"lon":1,"range_km":1e999})"), bad, none, "JSON");
    add("join lat null", QByteArray(R"({"type":"join","lat":null,"lon":1,"range_km":5})"), bad,
        join, "lat");
    add("join lat 90.0001", QByteArray(R"({"type":"join","lat":90.0001,"lon":1,"range_km":5})"),
        bad, join, "lat");
    add("join lat -90.0001", QByteArray(R"({"type":"join","lat":-90.0001,"lon":1,"range_km":5})"),
        bad, join, "lat");
    add("join lon -180.5", QByteArray(R"({"type":"join","lat":1,"lon":-180.5,"range_km":5})"), bad,
        join, "lon");
    add("join lon 180.0001", QByteArray(R"({"type":"join","lat":1,"lon":180.0001,"range_km":5})"),
        bad, join, "lon");
    add("join range 0", QByteArray(R"({"type":"join","lat":1,"lon":1,"range_km":0})"), bad, join,
        "range_km");
    add("join range negative", QByteArray(R"({"type":"join","lat":1,"lon":1,"range_km":-3})"), bad,
        join, "range_km");
    add("join range 20015.2", QByteArray(R"({"type":"join","lat":1,"lon":1,"range_km":20015.2})"),
        bad, join, "range_km");
    add("join range as bool", QByteArray(R"({"type":"join","lat":1,"lon":1,"range_km":true})"), bad,
        join, "range_km");
    add("message missing text", QByteArray(R"({"type":"message"})"), bad, message, "text");
    add("message text number", QByteArray(R"({"type":"message","text":5})"), bad, message, "text");
    add("message empty text", QByteArray(R"({"type":"message","text":""})"), bad, message, "empty");
    const QByteArray longText(2001, 'a');
    add("message of 2001 characters", (R"({"type":"message","text":")" + longText + R"("})"),
        ErrorCode::TooLarge, message, "2001");
    QByteArray longEmoji;
    for (int i = 0; i < 2001; ++i)
        longEmoji += "\xF0\x9F\x98\x80"; // U+1F600: one character, two UTF-16 units
    add("message of 2001 emoji", (R"({"type":"message","text":")" + longEmoji + R"("})"),
        ErrorCode::TooLarge, message, "2001");
    add("message id not a string", QByteArray(R"({"type":"message","text":"hi","id":7})"), bad,
        message, "id");
    add("message id of 65 characters",
        (R"({"type":"message","text":"hi","id":")" + QByteArray(65, 'x') + R"("})"), bad, message,
        "id");
    add("typing missing active", QByteArray(R"({"type":"typing"})"), bad, typing, "active");
    add("typing active as string", QByteArray(R"({"type":"typing","active":"yes"})"), bad, typing,
        "active");
    add("typing active as number", QByteArray(R"({"type":"typing","active":1})"), bad, typing,
        "active");
    // Hostile shapes: the parser's own limits answer them, never a crash.
    add("JSON nested 5000 deep",
        "{\"type\":\"leave\",\"x\":" + QByteArray(5000, '[') + QByteArray(5000, ']') + "}", bad,
        none, "nested");
    add("400-digit integer",
        R"({"type":"join","lat":)" + QByteArray(400, '1') + R"(,"lon":1,"range_km":5})", bad, none,
        "number");
    add("400-digit number in an unknown field",
        R"({"type":"leave","x":)" + QByteArray(400, '9') + "}", bad, none, "number");
    // Duplicate keys: the last one counts (so this is a `join` without lat).
    add("duplicate type key", QByteArray(R"({"type":"leave","type":"join"})"), bad, join, "lat");
    return rows;
}

// A client frame as the wire carries it, through the one frame writer; `rsv`
// ORs reserved bits (0x70) into the first byte, `masked` false leaves the
// mask off as no client may.
inline QByteArray clientFrame(quint8 opcode, const QByteArray &payload, bool fin = true,
                              quint8 rsv = 0, bool masked = true) {
    std::string out;
    ws::appendFrame(out, ws::Opcode(opcode),
                    std::string_view(payload.constData(), std::size_t(payload.size())),
                    masked ? std::optional<ws::MaskKey>(0x1badf00d) : std::nullopt, fin);
    out[0] = char(quint8(out[0]) | rsv);
    return QByteArray(out.data(), qsizetype(out.size()));
}

// Bad or odd input at the WebSocket level and what the server must do: close
// with `closeCode`, or (closeCode 0) keep the connection, answering first
// with an `error` of `errorCode` when one is given and `pongs` pongs.
// Expectations are the native transport's; tst_rfc6455 lists where Qt's
// differs.
struct BadTransportInput {
    QByteArray name;
    QByteArray bytes;
    int closeCode = 0;
    QString errorCode;
    int pongs = 0;
};

inline std::vector<BadTransportInput> badTransportInputs() {
    constexpr quint8 cont = 0x0, text = 0x1, binary = 0x2, close = 0x8, ping = 0x9, pong = 0xA;
    const QByteArray leave("{\"type\":\"leave\"}");
    const QString bad = QStringLiteral("bad_request");
    // A `leave` that gets through is answered with `conflict` (not in a chat).
    const QString conflict = QStringLiteral("conflict");
    auto code = [](int c) {
        const char bytes[2] = {char(c >> 8), char(c & 0xFF)};
        return QByteArray(bytes, 2);
    };
    std::vector<BadTransportInput> rows;
    auto closes = [&rows](const QByteArray &name, const QByteArray &bytes, int closeCode) {
        rows.push_back({name, bytes, closeCode, QString(), 0});
    };
    auto keeps = [&rows](const QByteArray &name, const QByteArray &bytes, const QString &error,
                         int pongs = 0) {
        rows.push_back({name, bytes, 0, error, pongs});
    };
    // Reserved bits and opcodes: no extension is ever negotiated.
    closes("RSV1 set", clientFrame(text, leave, true, 0x40), 1002);
    closes("RSV2 set", clientFrame(text, leave, true, 0x20), 1002);
    closes("RSV3 set", clientFrame(text, leave, true, 0x10), 1002);
    closes("RSV bits on a ping", clientFrame(ping, "x", true, 0x70), 1002);
    for (quint8 op : {0x3, 0x7, 0xB, 0xF})
        closes("reserved opcode " + QByteArray::number(op, 16), clientFrame(op, "x"), 1002);
    // RFC 6455 5.1: a server closes on an unmasked client frame.
    closes("unmasked text frame", clientFrame(text, leave, true, 0, false), 1002);
    closes("unmasked ping", clientFrame(ping, "x", true, 0, false), 1002);
    // Fragmentation.
    closes("continuation without a message", clientFrame(cont, leave), 1002);
    closes("text inside a fragmented text",
           clientFrame(text, "{\"type\":", false) + clientFrame(text, leave), 1002);
    closes("fragmented ping", clientFrame(ping, "x", false), 1002);
    closes("fragmented close", clientFrame(close, code(1000), false), 1002);
    closes("ping of 126 bytes", clientFrame(ping, QByteArray(126, 'p')), 1002);
    keeps("ping between fragments",
          clientFrame(text, "{\"type\":", false) + clientFrame(ping, "hi") +
              clientFrame(cont, "\"leave\"}"),
          conflict, 1);
    keeps("pong between fragments",
          clientFrame(text, "{\"type\":", false) + clientFrame(pong, "hi") +
              clientFrame(cont, "\"leave\"}"),
          conflict);
    QByteArray oneByteFragments;
    for (qsizetype i = 0; i < leave.size(); ++i)
        oneByteFragments +=
            clientFrame(i == 0 ? text : cont, leave.mid(i, 1), i + 1 == leave.size());
    keeps("message in one-byte fragments", oneByteFragments, conflict);
    keeps("UTF-8 character split across fragments",
          clientFrame(text, "{\"type\":\"leave\",\"x\":\"\xe2\x82", false) +
              clientFrame(cont, "\xac\"}"),
          conflict);
    keeps("invalid UTF-8 in a fragmented message",
          clientFrame(text, "{\"type\":\"leave\",\"x\":\"\xff", false) + clientFrame(cont, "\"}"),
          bad);
    // Protocol v1: invalid UTF-8 is answered with `error`, not close 1007.
    keeps("invalid UTF-8 in a text frame",
          clientFrame(text, "{\"type\":\"leave\",\"x\":\"\xc0\xaf\"}"), bad);
    keeps("UTF-8-encoded surrogate",
          clientFrame(text, "{\"type\":\"leave\",\"x\":\"\xed\xa0\x80\"}"), bad);
    keeps("binary frame", clientFrame(binary, leave), bad);
    keeps("empty text frame", clientFrame(text, QByteArray()), bad);
    keeps("unsolicited pong", clientFrame(pong, "x"), QString());
    keeps("ping with 125 bytes", clientFrame(ping, QByteArray(125, 'p')), QString(), 1);
    // Raw control characters are invalid JSON inside strings (RFC 8259 7).
    keeps("raw control character in text",
          clientFrame(text, QByteArray("{\"type\":\"message\",\"text\":\"a\x01b\"}")), bad);
    keeps("raw NUL in text",
          clientFrame(text, QByteArray("{\"type\":\"message\",\"text\":\"a\0b\"}", 31)), bad);
    keeps("escaped control character in text",
          clientFrame(text, R"({"type":"message","text":"a\u0001b"})"),
          conflict); // valid: decoded, then not paired
    // Limits: the size is known from the header, the frame is never buffered.
    closes("10 MB text frame", clientFrame(text, QByteArray(10 << 20, 'x')), 1009);
    QByteArray tenMegabytesInFragments;
    for (int i = 0; i < 1280; ++i)
        tenMegabytesInFragments += clientFrame(i ? cont : text, QByteArray(8192, 'x'), i == 1279);
    closes("10 MB in 8 KiB fragments", tenMegabytesInFragments, 1009);
    // RFC 6455 5.2: the top bit of a 64-bit length must be 0.
    closes("64-bit length with the top bit set",
           QByteArray("\x81\xff\x80\0\0\0\0\0\0\0\x12\x34\x56\x78", 14), 1002);
    closes("64-bit length of 2^62", QByteArray("\x81\xff\x40\0\0\0\0\0\0\0\x12\x34\x56\x78", 14),
           1009);
    // Close handling (RFC 6455 5.5.1, 7.4): the code is echoed; a bad code or
    // reason fails the connection.
    closes("close 1000 with a reason", clientFrame(close, code(1000) + "bye"), 1000);
    closes("close without a code", clientFrame(close, QByteArray()), 1005);
    closes("close 1001", clientFrame(close, code(1001)), 1001);
    closes("close 3000 (registered)", clientFrame(close, code(3000)), 3000);
    closes("close 4999 (private)", clientFrame(close, code(4999)), 4999);
    closes("close with a one-byte payload", clientFrame(close, "\x03"), 1002);
    for (int c : {0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65535})
        closes("close code " + QByteArray::number(c), clientFrame(close, code(c)), 1002);
    closes("close reason not UTF-8", clientFrame(close, code(1000) + "\xff\xfe"), 1007);
    return rows;
}

} // namespace whisper::test
