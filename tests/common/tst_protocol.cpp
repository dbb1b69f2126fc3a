// SPDX-License-Identifier: MIT
#include "badframes.h"
#include "fastdecode.h"
#include "protocol.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace whisper::protocol;

Q_DECLARE_METATYPE(ClientMessage)
Q_DECLARE_METATYPE(ServerMessage)
Q_DECLARE_METATYPE(ErrorCode)

class TestProtocol : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void clientRoundTrip_data();
    void clientRoundTrip();
    void serverRoundTrip_data();
    void serverRoundTrip();
    void badClientInput_data();
    void badClientInput();
    void acceptsEdgeValues_data();
    void acceptsEdgeValues();
    void ignoresUnknownFields();
    void errorNamesRoundTrip();
    void encodesWireNames();
    void codePointsCountSurrogatePairsOnce();
    void hotMessagesMatchQJsonDocument_data();
    void hotMessagesMatchQJsonDocument();
    void fastPathAgreesWithReference_data();
    void fastPathAgreesWithReference();
    void fastPathAgreesOnBadFrames();
    void fastPathAgreesOnMutatedFrames();
};

void TestProtocol::clientRoundTrip_data() {
    QTest::addColumn<ClientMessage>("message");
    QTest::addRow("join") << ClientMessage{Join{52.52, 13.405, 10.0}};
    QTest::addRow("join at the edges") << ClientMessage{Join{-90.0, 180.0, 20015.1}};
    QTest::addRow("message") << ClientMessage{SendMessage{QStringLiteral("hello"), std::nullopt}};
    QTest::addRow("message with id") << ClientMessage{
        SendMessage{QStringLiteral("h\u00e9llo \U0001F600"), QStringLiteral("42")}};
    QTest::addRow("typing on") << ClientMessage{Typing{true}};
    QTest::addRow("typing off") << ClientMessage{Typing{false}};
    QTest::addRow("leave") << ClientMessage{Leave{}};
}

void TestProtocol::clientRoundTrip() {
    QFETCH(ClientMessage, message);
    const QByteArray wire = Codec::encode(message);
    const auto decoded = Codec().decodeClient(wire);
    QVERIFY2(std::holds_alternative<ClientMessage>(decoded), wire.constData());
    QCOMPARE(std::get<ClientMessage>(decoded), message);
}

void TestProtocol::serverRoundTrip_data() {
    QTest::addColumn<ServerMessage>("message");
    QTest::addRow("welcome") << ServerMessage{
        Welcome{1, QStringLiteral("whisperchat/0.1"), QStringLiteral("abc"), Limits{2000, 16384}}};
    QTest::addRow("waiting") << ServerMessage{Waiting{}};
    QTest::addRow("matched") << ServerMessage{
        Matched{QStringLiteral("p1"), QStringLiteral("quiet-otter-42"), 5}};
    QTest::addRow("message") << ServerMessage{
        IncomingMessage{QStringLiteral("hi"), 1764281234567LL}};
    QTest::addRow("delivered") << ServerMessage{Delivered{QStringLiteral("7")}};
    QTest::addRow("typing") << ServerMessage{PartnerTyping{true}};
    for (const auto reason :
         {LeftReason::Left, LeftReason::Disconnected, LeftReason::Kicked, LeftReason::Blocked})
        QTest::addRow("partner_left %s", qPrintable(toString(reason)))
            << ServerMessage{PartnerLeft{reason}};
    QTest::addRow("left") << ServerMessage{Left{}};
    QTest::addRow("error") << ServerMessage{
        Error{ErrorCode::Conflict, QStringLiteral("not paired"), QStringLiteral("message"), {}}};
    QTest::addRow("error rate limited") << ServerMessage{
        Error{ErrorCode::RateLimited, QStringLiteral("slow down"), QStringLiteral("join"), 1500}};
}

void TestProtocol::serverRoundTrip() {
    QFETCH(ServerMessage, message);
    const QByteArray wire = Codec::encode(message);
    const auto decoded = Codec().decodeServer(wire);
    QVERIFY2(std::holds_alternative<ServerMessage>(decoded), wire.constData());
    QCOMPARE(std::get<ServerMessage>(decoded), message);
}

void TestProtocol::badClientInput_data() {
    QTest::addColumn<QByteArray>("frame");
    QTest::addColumn<ErrorCode>("code");
    QTest::addColumn<QString>("ref");
    QTest::addColumn<QString>("mentions");
    for (const auto &row : whisper::test::badClientFrames())
        QTest::addRow("%s", row.name) << row.frame << row.code << row.ref << row.mentions;
}

void TestProtocol::badClientInput() {
    QFETCH(QByteArray, frame);
    QFETCH(ErrorCode, code);
    QFETCH(QString, ref);
    QFETCH(QString, mentions);
    const auto decoded = Codec().decodeClient(frame);
    QVERIFY(std::holds_alternative<DecodeError>(decoded));
    const DecodeError error = std::get<DecodeError>(decoded);
    QCOMPARE(toString(error.code), toString(code));
    QCOMPARE(error.ref, ref);
    QVERIFY2(error.message.contains(mentions, Qt::CaseInsensitive), qPrintable(error.message));
}

void TestProtocol::acceptsEdgeValues_data() {
    QTest::addColumn<QByteArray>("frame");
    QTest::addRow("lat 90, lon -180, range 20015.1")
        << QByteArray(R"({"type":"join","lat":90,"lon":-180,"range_km":20015.1})");
    QTest::addRow("tiny range") << QByteArray(R"({"type":"join","lat":0,"lon":0,"range_km":1e-6})");
    QTest::addRow("integers for numbers")
        << QByteArray(R"({"type":"join","lat":-90,"lon":180,"range_km":1})");
    QTest::addRow("text of 2000 characters")
        << (R"({"type":"message","text":")" + QByteArray(2000, 'a') + R"("})");
    QTest::addRow("one character") << QByteArray(R"({"type":"message","text":"a"})");
    QTest::addRow("id of 64 characters")
        << (R"({"type":"message","text":"hi","id":")" + QByteArray(64, 'x') + R"("})");
    QTest::addRow("escaped unicode")
        << QByteArray(R"({"type":"message","text":"\u00e9\ud83d\ude00"})");
}

void TestProtocol::acceptsEdgeValues() {
    QFETCH(QByteArray, frame);
    const auto decoded = Codec().decodeClient(frame);
    if (const auto *error = std::get_if<DecodeError>(&decoded))
        QFAIL(qPrintable(error->message));
}

void TestProtocol::ignoresUnknownFields() {
    const auto decoded =
        Codec().decodeClient(R"({"type":"typing","active":true,"future_field":[1,2,3]})");
    QVERIFY(std::holds_alternative<ClientMessage>(decoded));
    QCOMPARE(std::get<ClientMessage>(decoded), ClientMessage{Typing{true}});
}

void TestProtocol::errorNamesRoundTrip() {
    const QStringList names{
        QStringLiteral("bad_request"),  QStringLiteral("unauthorized"), QStringLiteral("forbidden"),
        QStringLiteral("not_found"),    QStringLiteral("conflict"),     QStringLiteral("too_large"),
        QStringLiteral("rate_limited"), QStringLiteral("unavailable"),  QStringLiteral("internal")};
    for (const QString &name : names) {
        const auto code = errorCodeFromString(name);
        QVERIFY2(code.has_value(), qPrintable(name));
        QCOMPARE(toString(*code), name);
    }
    QVERIFY(!errorCodeFromString(QStringLiteral("nope")).has_value());
}

void TestProtocol::encodesWireNames() {
    // The contract's snake_case names, checked on the raw bytes.
    const QByteArray join = Codec::encode(ClientMessage{Join{1, 2, 3}});
    QVERIFY(join.contains("\"type\":\"join\""));
    QVERIFY(join.contains("\"range_km\":3"));
    const QByteArray welcome =
        Codec::encode(ServerMessage{Welcome{1, QStringLiteral("s"), QStringLiteral("x"), {}}});
    QVERIFY(welcome.contains("\"max_text_chars\":2000"));
    QVERIFY(welcome.contains("\"max_message_bytes\":16384"));
    const QByteArray limited = Codec::encode(ServerMessage{
        Error{ErrorCode::RateLimited, QStringLiteral("m"), QStringLiteral("join"), 5}});
    QVERIFY(limited.contains("\"retry_after_ms\":5"));
    QVERIFY(limited.contains("\"code\":\"rate_limited\""));
    const QByteArray plain = Codec::encode(
        ServerMessage{Error{ErrorCode::Conflict, QStringLiteral("m"), QString(), std::nullopt}});
    QVERIFY(!plain.contains("retry_after_ms"));
    QVERIFY(!plain.contains("\"ref\""));
    QVERIFY(Codec::encode(ServerMessage{PartnerLeft{LeftReason::Disconnected}})
                .contains("\"reason\":\"disconnected\""));
}

void TestProtocol::codePointsCountSurrogatePairsOnce() {
    QCOMPARE(codePointCount(QStringLiteral("abc")), 3);
    QCOMPARE(codePointCount(QString::fromUtf8("\xF0\x9F\x98\x80")), 1);
    QCOMPARE(codePointCount(QString()), 0);
    QCOMPARE(codePointCount(QString::fromUtf8("\xF0\x9F\x98\x80\xF0\x9F\x98\x80x")), 3);
    // Lone surrogates count as one each, a pair reversed as two.
    QCOMPARE(codePointCount(QString(QChar(0xD83D))), 1);
    QCOMPARE(codePointCount(QString(QChar(0xDE00)) + QChar(0xD83D)), 2);
    QCOMPARE(codePointCount(QStringLiteral("a") + QChar(0xD83D) + QChar(0xD83D) + QChar(0xDE00)),
             3);
}

// `message` and `delivered` are written without QJsonDocument when their text
// needs no escaping; the bytes must stay exactly what QJsonDocument writes.
void TestProtocol::hotMessagesMatchQJsonDocument_data() {
    QTest::addColumn<QString>("text");
    QTest::addColumn<qint64>("ts");
    QTest::addRow("plain") << QStringLiteral("hello there") << qint64(1764284400123);
    QTest::addRow("one char, ts 0") << QStringLiteral("x") << qint64(0);
    QTest::addRow("punctuation") << QStringLiteral("a/b <c> & {d}: 'e' ~!@#$%^*()") << qint64(1);
    QTest::addRow("quote") << QStringLiteral("say \"hi\"") << qint64(2);
    QTest::addRow("backslash") << QStringLiteral("C:\\temp") << qint64(3);
    QTest::addRow("newline and tab") << QStringLiteral("a\nb\tc") << qint64(4);
    QTest::addRow("control char") << QString(QChar(0x01)) << qint64(5);
    QTest::addRow("DEL") << QString(QChar(0x7F)) << qint64(6);
    QTest::addRow("latin-1") << QStringLiteral("caf\u00e9") << qint64(7);
    QTest::addRow("emoji") << QString::fromUtf8("\xF0\x9F\x98\x80 ok") << qint64(8);
    QTest::addRow("line separator") << QString(QChar(0x2028)) << qint64(9);
    QTest::addRow("max safe ts") << QStringLiteral("t") << qint64(9007199254740991);
    QTest::addRow("negative ts") << QStringLiteral("t") << qint64(-5);
    QString ascii;
    for (char16_t u = 0; u < 0x80; ++u)
        ascii.append(QChar(u));
    QTest::addRow("every ASCII char") << ascii << qint64(10);
    QTest::addRow("2-, 3- and 4-byte UTF-8, escapes")
        << QString::fromUtf8("\xC3\xA9\xE2\x9C\x93\xF0\x9F\x98\x80\"\\\n\x1F\xEF\xBF\xBF\xDF\xBF")
        << qint64(11);
    QTest::addRow("lone high surrogate")
        << (QStringLiteral("a") + QChar(0xD83D) + u'b') << qint64(12);
    QTest::addRow("lone low surrogate") << (QStringLiteral("a") + QChar(0xDE00)) << qint64(13);
    QTest::addRow("high surrogate at the end")
        << (QStringLiteral("a") + QChar(0xD83D)) << qint64(14);
    QTest::addRow("empty") << QString() << qint64(15);
}

void TestProtocol::hotMessagesMatchQJsonDocument() {
    QFETCH(QString, text);
    QFETCH(qint64, ts);
    const QJsonObject message{{QStringLiteral("type"), QStringLiteral("message")},
                              {QStringLiteral("text"), text},
                              {QStringLiteral("ts"), ts}};
    QCOMPARE(Codec::encode(ServerMessage{IncomingMessage{text, ts}}),
             QJsonDocument(message).toJson(QJsonDocument::Compact));
    const QJsonObject delivered{{QStringLiteral("type"), QStringLiteral("delivered")},
                                {QStringLiteral("id"), text}};
    QCOMPARE(Codec::encode(ServerMessage{Delivered{text}}),
             QJsonDocument(delivered).toJson(QJsonDocument::Compact));

    // Written over a reused buffer (longer, shorter, or shared with a copy
    // that must not change): the same bytes.
    for (const QByteArray &before : {QByteArray(300, 'x'), QByteArray("{}"), QByteArray()}) {
        QByteArray out = before;
        const QByteArray copy = out;
        Codec::encode(ServerMessage{IncomingMessage{text, ts}}, out);
        QCOMPARE(out, QJsonDocument(message).toJson(QJsonDocument::Compact));
        QCOMPARE(copy, before);
        Codec::encode(ServerMessage{Delivered{text}}, out);
        QCOMPARE(out, QJsonDocument(delivered).toJson(QJsonDocument::Compact));
    }
}

namespace {

// The same frame through the simdjson fast path and through QJsonDocument only.
void compareBothPaths(const QByteArray &frame) {
    CodecLimits reference;
    reference.fastChatMessages = false;
    const auto fast = Codec().decodeClient(frame);
    const auto slow = Codec(reference).decodeClient(frame);
    QCOMPARE(fast, slow);

    // Decoded over an earlier message (the relay's reused one): the same
    // answer, whatever that held, and a copy of it is left alone.
    const ClientMessage earlier[] = {
        SendMessage{QString::fromUtf8("an earlier, longer text: caf\xc3\xa9 \xf0\x9f\x98\x80"),
                    QStringLiteral("earlier-id")},
        SendMessage{QStringLiteral("x"), std::nullopt},
        Join{1, 2, 3},
    };
    for (const ClientMessage &before : earlier) {
        ClientMessage reused = before;
        const ClientMessage copy = reused;
        const auto error = Codec().decodeClient(frame, reused);
        if (const auto *expected = std::get_if<DecodeError>(&fast)) {
            QVERIFY(error);
            QCOMPARE(*error, *expected);
        } else {
            QVERIFY(!error);
            QCOMPARE(reused, std::get<ClientMessage>(fast));
        }
        QCOMPARE(copy, before);
    }
}

} // namespace

void TestProtocol::fastPathAgreesWithReference_data() {
    QTest::addColumn<QByteArray>("frame");
    QTest::addColumn<bool>("fastPathDecides");
    auto row = [](const char *name, const QByteArray &frame, bool decides) {
        QTest::addRow("%s", name) << frame << decides;
    };
    row("plain", R"({"type":"message","text":"hello"})", true);
    row("with id", R"({"type":"message","text":"hello","id":"m1"})", true);
    row("id first", R"({"id":"m1","text":"hello","type":"message"})", true);
    row("whitespace", " \t\r\n{ \"type\" : \"message\" , \"text\" : \"hi\" }\n ", true);
    row("escapes", R"({"type":"message","text":"a\"b\\c\/d\n\t\u00e9\ud83d\ude00"})", true);
    row("escaped key", R"({"type":"message","t\u0065xt":"hi"})", true);
    row("NUL escape", R"({"type":"message","text":"a\u0000b"})", true);
    row("raw UTF-8", "{\"type\":\"message\",\"text\":\"gr\xc3\xbc\xc3\x9f \xf0\x9f\x98\x80\"}",
        true);
    row("empty text", R"({"type":"message","text":""})", true);
    row("text at the limit",
        R"({"type":"message","text":")" + QByteArray(kDefaultMaxTextChars, 'a') + R"("})", true);
    row("text over the limit",
        R"({"type":"message","text":")" + QByteArray(kDefaultMaxTextChars + 1, 'a') + R"("})",
        true);
    row("id over the limit",
        R"({"type":"message","text":"hi","id":")" + QByteArray(kMaxClientIdChars + 1, 'x') +
            R"("})",
        true);
    row("empty id", R"({"type":"message","text":"hi","id":""})", true);
    row("BOM inside the text", "{\"type\":\"message\",\"text\":\"\xef\xbb\xbfhi\"}", true);
    row("BOM as the id", "{\"type\":\"message\",\"text\":\"hi\",\"id\":\"\xef\xbb\xbf\"}", true);
    // Left to the reference path:
    row("unknown field", R"({"type":"message","text":"hi","x":1})", false);
    row("repeated text", R"({"type":"message","text":"a","text":"b"})", false);
    row("repeated type", R"({"type":"join","type":"message","text":"b"})", false);
    row("id null", R"({"type":"message","text":"hi","id":null})", false);
    row("id number", R"({"type":"message","text":"hi","id":7})", false);
    row("text number", R"({"type":"message","text":5})", false);
    row("missing text", R"({"type":"message"})", false);
    row("other type", R"({"type":"typing","active":true})", false);
    row("lone surrogate", R"({"type":"message","text":"\ud800"})", false);
    row("raw control character", "{\"type\":\"message\",\"text\":\"a\tb\"}", false);
    row("trailing garbage", R"({"type":"message","text":"hi"} x)", false);
    row("two documents", R"({"type":"message","text":"hi"}{})", false);
    row("invalid UTF-8", "{\"type\":\"message\",\"text\":\"\xff\"}", false);
    row("overlong UTF-8", "{\"type\":\"message\",\"text\":\"\xc0\xaf\"}", false);
    row("BOM", "\xef\xbb\xbf{\"type\":\"message\",\"text\":\"hi\"}", false);
    row("array", R"([{"type":"message","text":"hi"}])", false);
    row("empty", "", false);
}

void TestProtocol::fastPathAgreesWithReference() {
    QFETCH(QByteArray, frame);
    QFETCH(bool, fastPathDecides);
    SendMessage ignored;
    const bool decided = decodeChatMessageFast(frame, ignored) == FastDecode::Decoded;
    QCOMPARE(decided, fastPathDecides);
    compareBothPaths(frame);
}

void TestProtocol::fastPathAgreesOnBadFrames() {
    for (const auto &bad : whisper::test::badClientFrames()) {
        compareBothPaths(bad.frame);
        if (QTest::currentTestFailed()) {
            qWarning() << "bad frame" << bad.name;
            return;
        }
    }
}

void TestProtocol::fastPathAgreesOnMutatedFrames() {
    // Every single-byte change of a few valid frames (a deterministic sweep
    // of positions and byte values): both paths give the same message or the
    // same error.
    const QByteArray seeds[] = {
        R"({"type":"message","text":"h\u00e9llo \"x\"","id":"m-1"})",
        "{\"type\":\"message\",\"text\":\"\xf0\x9f\x98\x80 ok\"}",
    };
    const char replacements[] = {'"', '\\', '{',    '}',    ',',    ':',  ' ', 'a',
                                 'u', '0',  '\x80', '\xc3', '\xff', '\0', '\n'};
    int decidedByFastPath = 0;
    for (const QByteArray &seed : seeds) {
        for (qsizetype at = 0; at < seed.size(); ++at) {
            for (char c : replacements) {
                QByteArray frame = seed;
                frame[at] = c;
                SendMessage ignored;
                if (decodeChatMessageFast(frame, ignored) == FastDecode::Decoded)
                    ++decidedByFastPath;
                compareBothPaths(frame);
                if (QTest::currentTestFailed()) {
                    qWarning() << "frame" << frame.toPercentEncoding();
                    return;
                }
            }
            QByteArray shorter = seed;
            shorter.remove(at, 1);
            compareBothPaths(shorter);
            if (QTest::currentTestFailed())
                return;
        }
    }
    QVERIFY(decidedByFastPath > 0); // the sweep did exercise the fast path
}

QTEST_APPLESS_MAIN(TestProtocol)
#include "tst_protocol.moc"
