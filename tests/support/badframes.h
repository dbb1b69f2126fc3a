// SPDX-License-Identifier: MIT
#pragma once

// Bad client frames and the error each must get: the codec's unit test and the
// live-connection integration test run the same table.

#include "protocol.h"

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
    return rows;
}

} // namespace whisper::test
