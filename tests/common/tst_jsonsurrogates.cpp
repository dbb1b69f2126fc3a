// SPDX-License-Identifier: MIT
// Lone UTF-16 surrogates in \u escapes: the scanner itself, and the client
// codec's answer on both its paths (simdjson fast path and QJsonDocument).

#include "fastdecode.h"
#include "jsonreader.h"
#include "protocol.h"

#include <QTest>

using namespace whisper;

class TestJsonSurrogates : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void scanner_data();
    void scanner();
    void codecAnswersBadRequest_data();
    void codecAnswersBadRequest();
    void pairsStillRelay();
};

void TestJsonSurrogates::scanner_data() {
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<bool>("lone");
    QTest::addRow("no escapes") << QByteArray(R"({"a":"b"})") << false;
    QTest::addRow("a pair") << QByteArray(R"({"a":"\ud83d\ude00"})") << false;
    QTest::addRow("a pair, upper case") << QByteArray(R"({"a":"\uD83D\uDE00"})") << false;
    QTest::addRow("BMP escape") << QByteArray(R"({"a":"\u00e9\uffff\ud7ff\ue000"})") << false;
    QTest::addRow("escaped backslash, then ud800") << QByteArray(R"({"a":"\\ud800"})") << false;
    QTest::addRow("lone high") << QByteArray(R"({"a":"\ud800"})") << true;
    QTest::addRow("lone high before text") << QByteArray(R"({"a":"\udbffx"})") << true;
    QTest::addRow("high, then BMP escape") << QByteArray(R"({"a":"\ud800\u0041"})") << true;
    QTest::addRow("high, then high") << QByteArray(R"({"a":"\ud800\ud800\udc00"})") << true;
    QTest::addRow("lone low") << QByteArray(R"({"a":"\udc00"})") << true;
    QTest::addRow("lone low after a pair") << QByteArray(R"({"a":"\ud83d\ude00\ude00"})") << true;
    QTest::addRow("escaped backslash, then a real lone one")
        << QByteArray(R"({"a":"\\\udfff"})") << true;
    QTest::addRow("high at the very end") << QByteArray(R"(\ud800)") << true;
    QTest::addRow("truncated escape") << QByteArray(R"(\ud8)") << false;
}

void TestJsonSurrogates::scanner() {
    QFETCH(QByteArray, json);
    QFETCH(bool, lone);
    QCOMPARE(json::hasLoneSurrogateEscape(json), lone);
}

void TestJsonSurrogates::codecAnswersBadRequest_data() {
    QTest::addColumn<QByteArray>("frame");
    QTest::addRow("message text") << QByteArray(R"({"type":"message","text":"hi \ud83d"})");
    QTest::addRow("message id") << QByteArray(R"({"type":"message","text":"hi","id":"\udc00"})");
    QTest::addRow("join") << QByteArray(
        R"({"type":"join","lat":1,"lon":1,"range_km":5,"x":"\ud800"})");
}

void TestJsonSurrogates::codecAnswersBadRequest() {
    QFETCH(QByteArray, frame);
    protocol::SendMessage ignored;
    // The fast path leaves it to the reference path, which refuses it.
    QVERIFY(protocol::decodeChatMessageFast(frame, ignored) == protocol::FastDecode::NotHandled);
    const auto decoded = protocol::Codec().decodeClient(frame);
    const auto *error = std::get_if<protocol::DecodeError>(&decoded);
    QVERIFY(error);
    QCOMPARE(protocol::toString(error->code), protocol::toString(protocol::ErrorCode::BadRequest));
    QVERIFY2(error->message.contains(QLatin1String("surrogate")), qPrintable(error->message));
}

void TestJsonSurrogates::pairsStillRelay() {
    const QByteArray frame(R"({"type":"message","text":"\ud83d\ude00"})");
    protocol::SendMessage fast;
    QVERIFY(protocol::decodeChatMessageFast(frame, fast) == protocol::FastDecode::Decoded);
    QCOMPARE(fast.text, QString::fromUtf8("\xF0\x9F\x98\x80"));
    const auto decoded = protocol::Codec().decodeClient(frame);
    QVERIFY(std::holds_alternative<protocol::ClientMessage>(decoded));
}

QTEST_GUILESS_MAIN(TestJsonSurrogates)
#include "tst_jsonsurrogates.moc"
