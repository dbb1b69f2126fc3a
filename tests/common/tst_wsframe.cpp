// SPDX-License-Identifier: MIT
// The clients' WebSocket frame writer and parser against RFC 6455's own
// examples (section 5.7), both ways: the writer must produce the RFC's bytes
// and the parser must read them back, whole and split at every byte.
#include "wsframe.h"

#include <QTest>

#include <optional>
#include <string>

using namespace whisper::ws;

Q_DECLARE_METATYPE(std::string)
Q_DECLARE_METATYPE(whisper::ws::Opcode)
Q_DECLARE_METATYPE(std::optional<whisper::ws::MaskKey>)

namespace {

std::string bytes(std::initializer_list<int> list) {
    std::string s;
    for (const int b : list)
        s.push_back(char(b));
    return s;
}

// A deterministic payload of `n` bytes (the RFC's long examples do not say
// what the bytes are, only how the length is written).
std::string filler(std::size_t n) {
    std::string s(n, '\0');
    for (std::size_t i = 0; i < n; ++i)
        s[i] = char((i * 7 + 3) & 0xFF);
    return s;
}

constexpr MaskKey kRfcMask = 0x37fa213d;

} // namespace

class TestWsFrame : public QObject {
    Q_OBJECT
    static void rfcExamples();
private Q_SLOTS:
    void writerProducesTheRfcBytes_data() { rfcExamples(); }
    void writerProducesTheRfcBytes();
    void parserReadsTheRfcBytes_data() { rfcExamples(); }
    void parserReadsTheRfcBytes();
    void fragmentedHelloReassembles();
    void severalFramesInOneBuffer();
    void refusedFrames_data();
    void refusedFrames();
    void maskingPolicy();
    void upgradeRequest();
};

void TestWsFrame::rfcExamples() {
    QTest::addColumn<Opcode>("opcode");
    QTest::addColumn<std::string>("payload");
    QTest::addColumn<std::optional<MaskKey>>("mask");
    QTest::addColumn<bool>("fin");
    QTest::addColumn<std::string>("wire");
    const std::optional<MaskKey> none;
    // RFC 6455 5.7, in the order the RFC lists them.
    QTest::addRow("single-frame unmasked text \"Hello\"")
        << Opcode::Text << std::string("Hello") << none << true
        << bytes({0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f});
    QTest::addRow("single-frame masked text \"Hello\"")
        << Opcode::Text << std::string("Hello") << std::optional<MaskKey>(kRfcMask) << true
        << bytes({0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58});
    QTest::addRow("fragmented, first frame \"Hel\"")
        << Opcode::Text << std::string("Hel") << none << false
        << bytes({0x01, 0x03, 0x48, 0x65, 0x6c});
    QTest::addRow("fragmented, last frame \"lo\"")
        << Opcode::Continuation << std::string("lo") << none << true
        << bytes({0x80, 0x02, 0x6c, 0x6f});
    QTest::addRow("unmasked ping \"Hello\"") << Opcode::Ping << std::string("Hello") << none << true
                                             << bytes({0x89, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f});
    QTest::addRow("masked pong \"Hello\"")
        << Opcode::Pong << std::string("Hello") << std::optional<MaskKey>(kRfcMask) << true
        << bytes({0x8a, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58});
    QTest::addRow("256-byte binary, unmasked") << Opcode::Binary << filler(256) << none << true
                                               << bytes({0x82, 0x7E, 0x01, 0x00}) + filler(256);
    QTest::addRow("64 KiB binary, unmasked")
        << Opcode::Binary << filler(65536) << none << true
        << bytes({0x82, 0x7F, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00}) + filler(65536);
    // The edges of the three length forms.
    QTest::addRow("125 bytes: the longest 7-bit length")
        << Opcode::Text << filler(125) << none << true << bytes({0x81, 0x7D}) + filler(125);
    QTest::addRow("126 bytes: the shortest 16-bit length")
        << Opcode::Text << filler(126) << none << true
        << bytes({0x81, 0x7E, 0x00, 0x7E}) + filler(126);
    QTest::addRow("65535 bytes: the longest 16-bit length")
        << Opcode::Text << filler(65535) << none << true
        << bytes({0x81, 0x7E, 0xFF, 0xFF}) + filler(65535);
    QTest::addRow("empty close") << Opcode::Close << std::string() << none << true
                                 << bytes({0x88, 0x00});
}

void TestWsFrame::writerProducesTheRfcBytes() {
    QFETCH(Opcode, opcode);
    QFETCH(std::string, payload);
    QFETCH(std::optional<MaskKey>, mask);
    QFETCH(bool, fin);
    QFETCH(std::string, wire);
    std::string out = "prefix"; // appends, never overwrites
    appendFrame(out, opcode, payload, mask, fin);
    QCOMPARE(out.size(), wire.size() + 6);
    QVERIFY(out.substr(0, 6) == "prefix");
    QVERIFY(out.substr(6) == wire);
}

void TestWsFrame::parserReadsTheRfcBytes() {
    QFETCH(Opcode, opcode);
    QFETCH(std::string, payload);
    QFETCH(std::optional<MaskKey>, mask);
    QFETCH(bool, fin);
    QFETCH(std::string, wire);
    FrameView frame;
    QCOMPARE(parseFrame(wire, frame, Masking::Either), ParseResult::Frame);
    QCOMPARE(frame.opcode, opcode);
    QCOMPARE(frame.fin, fin);
    QCOMPARE(frame.masked, mask.has_value());
    if (mask)
        QCOMPARE(frame.mask, *mask);
    QCOMPARE(frame.frameBytes, wire.size());
    QVERIFY(unmaskedPayload(frame) == payload);
    // Every proper prefix is an incomplete frame, never a wrong one.
    const std::size_t step = wire.size() > 1000 ? 997 : 1;
    for (std::size_t cut = 0; cut < wire.size(); cut += step) {
        FrameView partial;
        QCOMPARE(parseFrame(std::string_view(wire).substr(0, cut), partial, Masking::Either),
                 ParseResult::NeedMore);
    }
    for (std::size_t cut = wire.size() - std::min<std::size_t>(wire.size(), 12); cut < wire.size();
         ++cut) {
        FrameView partial;
        QCOMPARE(parseFrame(std::string_view(wire).substr(0, cut), partial, Masking::Either),
                 ParseResult::NeedMore);
    }
}

void TestWsFrame::fragmentedHelloReassembles() {
    std::string wire;
    appendFrame(wire, Opcode::Text, "Hel", std::nullopt, false);
    appendFrame(wire, Opcode::Continuation, "lo", std::nullopt, true);
    std::string_view rest = wire;
    FrameView first, last;
    QCOMPARE(parseFrame(rest, first), ParseResult::Frame);
    rest.remove_prefix(first.frameBytes);
    QCOMPARE(parseFrame(rest, last), ParseResult::Frame);
    QVERIFY(!first.fin);
    QCOMPARE(first.opcode, Opcode::Text);
    QVERIFY(last.fin);
    QCOMPARE(last.opcode, Opcode::Continuation);
    QVERIFY(std::string(first.payload) + std::string(last.payload) == "Hello");
    QCOMPARE(first.frameBytes + last.frameBytes, wire.size());
}

void TestWsFrame::severalFramesInOneBuffer() {
    std::string wire;
    appendFrame(wire, Opcode::Text, "one", 0x01020304);
    appendFrame(wire, Opcode::Ping, "", 0xA1B2C3D4);
    appendFrame(wire, Opcode::Text, filler(300), 0xFFFFFFFF);
    std::string_view rest = wire;
    const std::string expected[] = {"one", "", filler(300)};
    const Opcode opcodes[] = {Opcode::Text, Opcode::Ping, Opcode::Text};
    for (int i = 0; i < 3; ++i) {
        FrameView f;
        QCOMPARE(parseFrame(rest, f, Masking::Masked), ParseResult::Frame);
        QCOMPARE(f.opcode, opcodes[i]);
        QVERIFY(unmaskedPayload(f) == expected[i]);
        rest.remove_prefix(f.frameBytes);
    }
    QVERIFY(rest.empty());
    FrameView none;
    QCOMPARE(parseFrame(rest, none, Masking::Masked), ParseResult::NeedMore);
}

void TestWsFrame::refusedFrames_data() {
    QTest::addColumn<std::string>("wire");
    QTest::addRow("reserved bit RSV1") << bytes({0xC1, 0x00});
    QTest::addRow("reserved bit RSV3") << bytes({0x91, 0x00});
    QTest::addRow("reserved opcode 0x3") << bytes({0x83, 0x00});
    QTest::addRow("reserved control opcode 0xB") << bytes({0x8B, 0x00});
    QTest::addRow("64-bit length with the top bit set")
        << bytes({0x82, 0x7F, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01});
    QTest::addRow("64-bit length just over the limit")
        << bytes({0x82, 0x7F, 0x00, 0x00, 0x00, 0x00, 0x80, 0x00, 0x00, 0x01});
}

void TestWsFrame::refusedFrames() {
    QFETCH(std::string, wire);
    FrameView frame;
    // From the header alone: the payload need not (and could not) be there.
    QCOMPARE(parseFrame(wire, frame, Masking::Either), ParseResult::Invalid);
}

void TestWsFrame::maskingPolicy() {
    std::string masked, plain;
    appendFrame(masked, Opcode::Text, "Hello", kRfcMask);
    appendFrame(plain, Opcode::Text, "Hello", std::nullopt);
    FrameView f;
    // A client must refuse a masked frame from a server, and vice versa.
    QCOMPARE(parseFrame(masked, f, Masking::Unmasked), ParseResult::Invalid);
    QCOMPARE(parseFrame(plain, f, Masking::Masked), ParseResult::Invalid);
    QCOMPARE(parseFrame(plain, f, Masking::Unmasked), ParseResult::Frame);
    QCOMPARE(parseFrame(masked, f, Masking::Masked), ParseResult::Frame);
    QVERIFY(unmaskedPayload(f) == "Hello");
    // The mask really is applied: the wire does not carry the text.
    QVERIFY(masked.find("Hello") == std::string::npos);
}

void TestWsFrame::upgradeRequest() {
    const std::string r = whisper::ws::upgradeRequest("127.0.0.1:8080", "/chat");
    QVERIFY(r.starts_with("GET /chat HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n"));
    QVERIFY(r.ends_with("\r\n\r\n"));
    // RFC 6455 1.3's sample key and the accept value it derives from it.
    QVERIFY(r.find("Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n") != std::string::npos);
    QVERIFY(expectedAccept() == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    QVERIFY(r.find("Sec-WebSocket-Version: 13\r\n") != std::string::npos);
    QVERIFY(r.find("Upgrade: websocket\r\n") != std::string::npos);
}

QTEST_APPLESS_MAIN(TestWsFrame)
#include "tst_wsframe.moc"
