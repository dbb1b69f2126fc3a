#include "badframes.h"
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
}

QTEST_APPLESS_MAIN(TestProtocol)
#include "tst_protocol.moc"
