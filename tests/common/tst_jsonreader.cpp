// SPDX-License-Identifier: MIT
// The JSON layer both codecs share: a frame becomes an object and its type or
// one precise BadRequest; fields are read with their types and bounds
// checked, and the first problem is the one reported. Tested directly, so a
// change here shows up as the rule it breaks rather than somewhere in a
// message decoder.

#include "jsonreader.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

#include <cmath>
#include <limits>

using namespace whisper;
using namespace whisper::json;

namespace {
FieldReader readerFor(const QByteArray &json, const QString &type = QStringLiteral("t")) {
    return FieldReader(QJsonDocument::fromJson(json).object(), type);
}

QString errorOf(const std::variant<std::pair<QJsonObject, QString>, DecodeError> &parsed) {
    const auto *error = std::get_if<DecodeError>(&parsed);
    return error ? error->message : QString();
}
} // namespace

class TestJsonReader : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void parsesObjectFrames_data();
    void parsesObjectFrames();
    void refusesOtherFrames_data();
    void refusesOtherFrames();
    void missingFieldNamesItAndTheType();
    void firstProblemWins();
    void failKeepsItsCode();
    void numbers();
    void numberBoundsAreInclusive_data();
    void numberBoundsAreInclusive();
    void integers_data();
    void integers();
    void booleans();
    void stringLengthInUtf16Units_data();
    void stringLengthInUtf16Units();
    void optionalFields();
    void arraysAndObjects();
    void stringLists_data();
    void stringLists();
    void listsOfObjects();
};

void TestJsonReader::parsesObjectFrames_data() {
    QTest::addColumn<QByteArray>("frame");
    QTest::addColumn<QString>("type");
    QTest::addColumn<int>("fields");
    QTest::addRow("plain") << QByteArray(R"({"type":"join","lat":1})") << "join" << 2;
    QTest::addRow("whitespace around")
        << QByteArray(" \t\r\n{\"type\":\"leave\"}\n") << "leave" << 1;
    QTest::addRow("empty type") << QByteArray(R"({"type":""})") << "" << 1;
    QTest::addRow("non-ASCII") << QByteArray("{\"type\":\"x\",\"text\":\"gr\xc3\xbc\xc3\x9f "
                                             "\xe0\xa4\xa8\xe0\xa4\xae\xe0\xa4\xb8\xe0\xa5\x8d\xe0"
                                             "\xa4\xa4\xe0\xa5\x87 \xf0\x9f\x98\x80\"}")
                               << "x" << 2;
}

void TestJsonReader::parsesObjectFrames() {
    QFETCH(QByteArray, frame);
    QFETCH(QString, type);
    QFETCH(int, fields);
    const auto parsed = parseObjectFrame(frame);
    using Parsed = std::pair<QJsonObject, QString>;
    QVERIFY2(std::holds_alternative<Parsed>(parsed), qPrintable(errorOf(parsed)));
    const auto &[object, parsedType] = std::get<Parsed>(parsed);
    QCOMPARE(parsedType, type);
    QCOMPARE(object.size(), fields);
}

void TestJsonReader::refusesOtherFrames_data() {
    QTest::addColumn<QByteArray>("frame");
    QTest::addColumn<QString>("message"); // the whole message, or its start ending in "*"
    const QString utf8 = QStringLiteral("frame is not valid UTF-8");
    const QString object = QStringLiteral("frame must be a JSON object");
    const QString invalid = QStringLiteral("invalid JSON at offset *");
    QTest::addRow("byte 0xff") << QByteArray("{\"type\":\"\xff\"}") << utf8;
    QTest::addRow("overlong slash") << QByteArray("{\"type\":\"\xc0\xaf\"}") << utf8;
    QTest::addRow("truncated sequence") << QByteArray("{\"type\":\"\xe2\x82\"}") << utf8;
    QTest::addRow("encoded surrogate") << QByteArray("{\"type\":\"\xed\xa0\x80\"}") << utf8;
    QTest::addRow("beyond U+10FFFF") << QByteArray("{\"type\":\"\xf4\x90\x80\x80\"}") << utf8;
    QTest::addRow("invalid UTF-8 outside strings") << QByteArray("\xff{\"type\":\"x\"}") << utf8;
    QTest::addRow("number") << QByteArray("42") << object;
    QTest::addRow("string") << QByteArray("\"join\"") << object;
    QTest::addRow("true") << QByteArray("true") << object;
    QTest::addRow("null, after spaces") << QByteArray("  null") << object;
    QTest::addRow("array") << QByteArray(R"([{"type":"join"}])") << object;
    QTest::addRow("empty array") << QByteArray("[]") << object;
    QTest::addRow("empty frame") << QByteArray() << invalid;
    QTest::addRow("only spaces") << QByteArray("   ") << invalid;
    QTest::addRow("truncated") << QByteArray(R"({"type":"join")") << invalid;
    QTest::addRow("trailing garbage") << QByteArray(R"({"type":"join"} x)") << invalid;
    QTest::addRow("single quotes") << QByteArray("{'type':'join'}") << invalid;
    QTest::addRow("no type") << QByteArray(R"({"lat":1})")
                             << QStringLiteral("missing field 'type'");
    QTest::addRow("type is a number")
        << QByteArray(R"({"type":7})") << QStringLiteral("field 'type' must be a string");
    QTest::addRow("type is null") << QByteArray(R"({"type":null})")
                                  << QStringLiteral("field 'type' must be a string");
}

void TestJsonReader::refusesOtherFrames() {
    QFETCH(QByteArray, frame);
    QFETCH(QString, message);
    const auto parsed = parseObjectFrame(frame);
    const auto *error = std::get_if<DecodeError>(&parsed);
    QVERIFY(error);
    QCOMPARE(toString(error->code), toString(ErrorCode::BadRequest));
    // The frame's type is unknown, so nothing is named as the cause.
    QVERIFY(error->ref.isEmpty());
    if (message.endsWith(QLatin1Char('*')))
        QVERIFY2(error->message.startsWith(message.chopped(1)), qPrintable(error->message));
    else
        QCOMPARE(error->message, message);
}

void TestJsonReader::missingFieldNamesItAndTheType() {
    FieldReader r = readerFor(R"({"type":"join"})", QStringLiteral("join"));
    QVERIFY(r.ok());
    QCOMPARE(r.type(), QStringLiteral("join"));
    QVERIFY(r.has("type"));
    QVERIFY(!r.has("lat"));
    QCOMPARE(r.number("lat"), 0.0);
    QVERIFY(!r.ok());
    QCOMPARE(r.error().message, QStringLiteral("missing field 'lat'"));
    QCOMPARE(toString(r.error().code), toString(ErrorCode::BadRequest));
    // The error answers the request it came from.
    QCOMPARE(r.error().ref, QStringLiteral("join"));
}

void TestJsonReader::firstProblemWins() {
    FieldReader r = readerFor(R"({"a":"text","b":true,"c":5})");
    QCOMPARE(r.number("a"), 0.0);
    const QString first = r.error().message;
    QCOMPARE(first, QStringLiteral("field 'a' must be a number"));
    // Later reads, even of good fields, give defaults and keep the first error.
    QCOMPARE(r.boolean("b"), false);
    QCOMPARE(r.integer("c"), qint64(0));
    QVERIFY(r.string("nope").isEmpty());
    r.fail(QStringLiteral("something else"));
    QCOMPARE(r.error().message, first);
}

void TestJsonReader::failKeepsItsCode() {
    FieldReader r = readerFor(R"({})", QStringLiteral("message"));
    r.fail(ErrorCode::TooLarge, QStringLiteral("too long"));
    QCOMPARE(toString(r.error().code), toString(ErrorCode::TooLarge));
    QCOMPARE(r.error().message, QStringLiteral("too long"));
    QCOMPARE(r.error().ref, QStringLiteral("message"));
}

void TestJsonReader::numbers() {
    FieldReader r = readerFor(R"({"a":-12.5,"b":0,"c":1e308})");
    QCOMPARE(r.number("a"), -12.5);
    QCOMPARE(r.number("b"), 0.0);
    QCOMPARE(r.number("c"), 1e308);
    QVERIFY(r.ok());
    for (const char *json :
         {R"({"x":"1"})", R"({"x":true})", R"({"x":null})", R"({"x":[1]})", R"({"x":{}})"}) {
        FieldReader bad = readerFor(json);
        QCOMPARE(bad.number("x"), 0.0);
        QCOMPARE(bad.error().message, QStringLiteral("field 'x' must be a number"));
    }
    // Not from JSON text, but a reader may be handed any object.
    FieldReader inf(QJsonObject{{QStringLiteral("x"), std::numeric_limits<double>::infinity()}},
                    QStringLiteral("t"));
    QCOMPARE(inf.number("x"), 0.0);
    QVERIFY(!inf.ok());
}

void TestJsonReader::numberBoundsAreInclusive_data() {
    QTest::addColumn<double>("value");
    QTest::addColumn<bool>("accepted");
    QTest::addRow("min") << -90.0 << true;
    QTest::addRow("max") << 90.0 << true;
    QTest::addRow("inside") << 12.25 << true;
    QTest::addRow("just below min") << std::nextafter(-90.0, -100.0) << false;
    QTest::addRow("just above max") << std::nextafter(90.0, 100.0) << false;
}

void TestJsonReader::numberBoundsAreInclusive() {
    QFETCH(double, value);
    QFETCH(bool, accepted);
    FieldReader r(QJsonObject{{QStringLiteral("lat"), value}}, QStringLiteral("join"));
    const double read = r.number("lat", -90.0, 90.0);
    QCOMPARE(r.ok(), accepted);
    if (accepted) {
        QCOMPARE(read, value);
    } else {
        QCOMPARE(read, 0.0);
        QCOMPARE(r.error().message, QStringLiteral("field 'lat' must be from -90 to 90"));
    }
}

void TestJsonReader::integers_data() {
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<bool>("accepted");
    QTest::addColumn<qint64>("value");
    QTest::addRow("zero") << QByteArray(R"({"n":0})") << true << qint64(0);
    QTest::addRow("negative") << QByteArray(R"({"n":-42})") << true << qint64(-42);
    QTest::addRow("written with a fraction") << QByteArray(R"({"n":7.0})") << true << qint64(7);
    QTest::addRow("exponent") << QByteArray(R"({"n":1e3})") << true << qint64(1000);
    QTest::addRow("largest safe") << QByteArray(R"({"n":9007199254740991})") << true
                                  << qint64(9007199254740991);
    QTest::addRow("smallest safe")
        << QByteArray(R"({"n":-9007199254740991})") << true << qint64(-9007199254740991);
    QTest::addRow("beyond safe") << QByteArray(R"({"n":9007199254740992})") << false << qint64(0);
    QTest::addRow("huge") << QByteArray(R"({"n":1e300})") << false << qint64(0);
    QTest::addRow("fraction") << QByteArray(R"({"n":1.5})") << false << qint64(0);
    QTest::addRow("tiny fraction") << QByteArray(R"({"n":0.0001})") << false << qint64(0);
    QTest::addRow("string") << QByteArray(R"({"n":"3"})") << false << qint64(0);
}

void TestJsonReader::integers() {
    QFETCH(QByteArray, json);
    QFETCH(bool, accepted);
    QFETCH(qint64, value);
    FieldReader r = readerFor(json);
    QCOMPARE(r.integer("n"), value);
    QCOMPARE(r.ok(), accepted);
    // Bounds narrower than the safe range.
    FieldReader bounded = readerFor(R"({"n":11})");
    QCOMPARE(bounded.integer("n", 1, 10), qint64(0));
    QCOMPARE(bounded.error().message, QStringLiteral("field 'n' must be from 1 to 10"));
    FieldReader edge = readerFor(R"({"n":10})");
    QCOMPARE(edge.integer("n", 1, 10), qint64(10));
    QVERIFY(edge.ok());
}

void TestJsonReader::booleans() {
    FieldReader r = readerFor(R"({"t":true,"f":false})");
    QCOMPARE(r.boolean("t"), true);
    QCOMPARE(r.boolean("f"), false);
    QVERIFY(r.ok());
    for (const char *json : {R"({"b":"true"})", R"({"b":1})", R"({"b":null})"}) {
        FieldReader bad = readerFor(json);
        QCOMPARE(bad.boolean("b"), false);
        QCOMPARE(bad.error().message, QStringLiteral("field 'b' must be a boolean"));
    }
}

void TestJsonReader::stringLengthInUtf16Units_data() {
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("maxChars");
    QTest::addColumn<bool>("allowEmpty");
    QTest::addColumn<QString>("error"); // empty: accepted
    const QString tooLong = QStringLiteral("field 's' is longer than %1 characters");
    QTest::addRow("at the limit") << QStringLiteral("abcde") << 5 << true << QString();
    QTest::addRow("one over") << QStringLiteral("abcdef") << 5 << true << tooLong.arg(5);
    QTest::addRow("empty allowed") << QString() << 5 << true << QString();
    QTest::addRow("empty refused")
        << QString() << 5 << false << QStringLiteral("field 's' must not be empty");
    // An emoji outside the BMP is two UTF-16 units.
    QTest::addRow("surrogate pair at 2") << QStringLiteral("\U0001F600") << 2 << true << QString();
    QTest::addRow("surrogate pair over 1")
        << QStringLiteral("\U0001F600") << 1 << true << tooLong.arg(1);
    QTest::addRow("accents count once") << QStringLiteral("\u00fc\u00df") << 2 << true << QString();
}

void TestJsonReader::stringLengthInUtf16Units() {
    QFETCH(QString, text);
    QFETCH(int, maxChars);
    QFETCH(bool, allowEmpty);
    QFETCH(QString, error);
    FieldReader r(QJsonObject{{QStringLiteral("s"), text}}, QStringLiteral("t"));
    const QString read = r.string("s", maxChars, allowEmpty);
    if (error.isEmpty()) {
        QVERIFY2(r.ok(), r.ok() ? "" : qPrintable(r.error().message));
        QCOMPARE(read, text);
    } else {
        QVERIFY(!r.ok());
        QCOMPARE(r.error().message, error);
    }
    FieldReader wrong = readerFor(R"({"s":5})");
    QVERIFY(wrong.string("s", 10).isEmpty());
    QCOMPARE(wrong.error().message, QStringLiteral("field 's' must be a string"));
}

void TestJsonReader::optionalFields() {
    FieldReader r = readerFor(R"({"s":"x","n":3})");
    QCOMPARE(r.optionalString("absent"), std::optional<QString>());
    QCOMPARE(r.optionalString("s"), std::optional<QString>(QStringLiteral("x")));
    QCOMPARE(r.optionalString("absent", 5), QString());
    QCOMPARE(r.optionalInteger("absent"), std::optional<qint64>());
    QCOMPARE(r.optionalInteger("n"), std::optional<qint64>(3));
    QVERIFY(r.ok());
    // Optional means "may be absent", not "may be anything".
    FieldReader wrongString = readerFor(R"({"s":1})");
    QVERIFY(wrongString.optionalString("s").has_value());
    QVERIFY(!wrongString.ok());
    FieldReader longString = readerFor(R"({"s":"abcdef"})");
    longString.optionalString("s", 5);
    QCOMPARE(longString.error().message, QStringLiteral("field 's' is longer than 5 characters"));
    FieldReader wrongInteger = readerFor(R"({"n":"3"})");
    wrongInteger.optionalInteger("n");
    QCOMPARE(wrongInteger.error().message, QStringLiteral("field 'n' must be a number"));
    // null is present, and not a string.
    FieldReader null = readerFor(R"({"s":null})");
    null.optionalString("s");
    QCOMPARE(null.error().message, QStringLiteral("field 's' must be a string"));
}

void TestJsonReader::arraysAndObjects() {
    FieldReader r = readerFor(R"({"a":[1,2],"o":{"k":1}})");
    QCOMPARE(r.array("a").size(), 2);
    QCOMPARE(r.object("o").value(QStringLiteral("k")).toInt(), 1);
    QVERIFY(r.ok());
    FieldReader notArray = readerFor(R"({"a":{"0":1}})");
    QVERIFY(notArray.array("a").isEmpty());
    QCOMPARE(notArray.error().message, QStringLiteral("field 'a' must be an array"));
    FieldReader notObject = readerFor(R"({"o":[1]})");
    QVERIFY(notObject.object("o").isEmpty());
    QCOMPARE(notObject.error().message, QStringLiteral("field 'o' must be an object"));
}

void TestJsonReader::stringLists_data() {
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QStringList>("expected");
    QTest::addColumn<bool>("accepted");
    QTest::addRow("strings") << QByteArray(R"({"l":["a","bcd"]})")
                             << QStringList{QStringLiteral("a"), QStringLiteral("bcd")} << true;
    QTest::addRow("empty list") << QByteArray(R"({"l":[]})") << QStringList() << true;
    QTest::addRow("a number inside") << QByteArray(R"({"l":["a",1]})") << QStringList() << false;
    QTest::addRow("one too long") << QByteArray(R"({"l":["a","abcd"]})") << QStringList() << false;
    QTest::addRow("not a list") << QByteArray(R"({"l":"a"})") << QStringList() << false;
}

void TestJsonReader::stringLists() {
    QFETCH(QByteArray, json);
    QFETCH(QStringList, expected);
    QFETCH(bool, accepted);
    FieldReader r = readerFor(json);
    const QStringList read = r.strings("l", 3);
    QCOMPARE(r.ok(), accepted);
    if (accepted)
        QCOMPARE(read, expected);
}

void TestJsonReader::listsOfObjects() {
    struct Item {
        qint64 n = 0;
        QString name;
    };
    auto one = [](FieldReader &item) {
        Item out;
        out.n = item.integer("n", 0, 100);
        out.name = item.string("name", 10);
        return out;
    };
    FieldReader good =
        readerFor(R"({"items":[{"n":1,"name":"a"},{"n":2,"name":"b"}]})", QStringLiteral("list"));
    const QList<Item> items = good.list<Item>("items", one);
    QVERIFY(good.ok());
    QCOMPARE(items.size(), 2);
    QCOMPARE(items[1].n, qint64(2));
    QCOMPARE(items[1].name, QStringLiteral("b"));

    // An inner problem is reported with the list's name, and stops there.
    FieldReader inner = readerFor(R"({"items":[{"n":1,"name":"a"},{"name":"b"},{"n":500}]})",
                                  QStringLiteral("list"));
    const QList<Item> partial = inner.list<Item>("items", one);
    QVERIFY(!inner.ok());
    QCOMPARE(inner.error().message, QStringLiteral("items: missing field 'n'"));
    QCOMPARE(inner.error().ref, QStringLiteral("list"));
    QCOMPARE(partial.size(), 2);

    FieldReader notObjects = readerFor(R"({"items":[{"n":1,"name":"a"},3]})");
    notObjects.list<Item>("items", one);
    QCOMPARE(notObjects.error().message, QStringLiteral("field 'items' must hold objects"));
}

QTEST_GUILESS_MAIN(TestJsonReader)
#include "tst_jsonreader.moc"
