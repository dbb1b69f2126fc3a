// SPDX-License-Identifier: MIT
// Golden JSON: the examples in docs/PROTOCOL.md and docs/CONTROL-PROTOCOL.md
// are the contract other clients are written against, so they are checked
// against the codecs byte for byte. Every example's exact text must decode,
// to the type it names, and encoding that message again must give the
// documented field names (and values). Every message type of each codec
// must have an example, and every example a codec type. The examples are read
// from the documents at test time: a drift on either side fails here.
//
// Round trips through one codec (tst_protocol, tst_controlprotocol) cannot
// catch a field name that is wrong on both sides; these can.

#include "controlprotocol.h"
#include "protocol.h"
#include "testpaths.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include <utility>
#include <variant>

using namespace whisper;

namespace {

enum class Direction { None, ToServer, FromServer };

struct Example {
    QString document;
    Direction direction = Direction::None;
    int line = 0;
    QByteArray bytes;
};

// Every line of every ```json block, with the direction of the section it
// is in: a heading naming "Server → client" / "Server → console" or
// "Client → server" / "Console → server" sets it, any other level-2
// heading clears it.
QList<Example> examplesIn(const QString &document) {
    QList<Example> examples;
    QFile file(QStringLiteral(WHISPER_SOURCE_DIR "/docs/") + document);
    if (!file.open(QIODevice::ReadOnly))
        return examples;
    Direction direction = Direction::None;
    bool inJson = false;
    int lineNo = 0;
    for (const QByteArray &raw : file.readAll().split('\n')) {
        ++lineNo;
        const QString line = QString::fromUtf8(raw);
        if (line.startsWith(QLatin1String("```"))) {
            inJson = !inJson && line.trimmed() == QLatin1String("```json");
            continue;
        }
        if (inJson) {
            if (!raw.trimmed().isEmpty())
                examples.append({document, direction, lineNo, raw.trimmed()});
            continue;
        }
        if (!line.startsWith(QLatin1Char('#')))
            continue;
        if (line.contains(QStringLiteral("Server → client")) ||
            line.contains(QStringLiteral("Server → console")))
            direction = Direction::FromServer;
        else if (line.contains(QStringLiteral("Client → server")) ||
                 line.contains(QStringLiteral("Console → server")))
            direction = Direction::ToServer;
        else if (line.startsWith(QLatin1String("## ")))
            direction = Direction::None;
    }
    return examples;
}

// The wire names of every alternative of a codec's message variant.
template <typename Variant, typename Name>
QStringList typesOf(Name name) {
    QStringList names;
    [&]<std::size_t... I>(std::index_sequence<I...>) {
        (names.append(name(Variant(std::in_place_index<I>))), ...);
    }
    (std::make_index_sequence<std::variant_size_v<Variant>>{});
    names.sort();
    return names;
}

// Decodes with the codec for that document and direction; on success the
// wire type of the message and the codec's own encoding of it.
struct Checked {
    QString error; // empty: decoded
    QString type;
    QByteArray reencoded;
};

template <typename Message, typename Decoded, typename Encode, typename Name>
Checked check(const Decoded &decoded, Encode encode, Name name) {
    if (const auto *e = std::get_if<protocol::DecodeError>(&decoded))
        return {QStringLiteral("%1: %2").arg(protocol::toString(e->code), e->message), {}, {}};
    const Message &m = std::get<Message>(decoded);
    return {{}, name(m), encode(m)};
}

Checked decodeAndEncode(const Example &ex) {
    const bool control = ex.document.startsWith(QLatin1String("CONTROL"));
    if (!control) {
        const protocol::Codec codec;
        const auto encode = [](const auto &m) { return protocol::Codec::encode(m); };
        const auto name = [](const auto &m) { return protocol::typeName(m); };
        if (ex.direction == Direction::ToServer)
            return check<protocol::ClientMessage>(codec.decodeClient(ex.bytes), encode, name);
        return check<protocol::ServerMessage>(codec.decodeServer(ex.bytes), encode, name);
    }
    const auto encode = [](const auto &m) { return control::Codec::encode(m); };
    const auto name = [](const auto &m) { return control::typeName(m); };
    if (ex.direction == Direction::ToServer)
        return check<control::ConsoleMessage>(control::Codec::decodeConsole(ex.bytes), encode,
                                              name);
    return check<control::ServerMessage>(control::Codec::decodeServer(ex.bytes), encode, name);
}

// Field names, all the way down (objects in arrays too).
QStringList fieldPaths(const QJsonValue &v, const QString &at = {}) {
    QStringList paths;
    if (v.isObject()) {
        const QJsonObject o = v.toObject();
        for (auto it = o.begin(); it != o.end(); ++it) {
            const QString path = at.isEmpty() ? it.key() : at + '.' + it.key();
            paths << path << fieldPaths(it.value(), path);
        }
    } else if (v.isArray()) {
        const QJsonArray a = v.toArray();
        for (qsizetype i = 0; i < a.size(); ++i)
            paths << fieldPaths(a.at(i), QStringLiteral("%1[%2]").arg(at).arg(i));
    }
    return paths;
}

QString directionName(Direction d) {
    return d == Direction::ToServer ? QStringLiteral("to server") : QStringLiteral("from server");
}

const QStringList kDocuments{QStringLiteral("PROTOCOL.md"), QStringLiteral("CONTROL-PROTOCOL.md")};

} // namespace

Q_DECLARE_METATYPE(Example)

class TestGoldenJson : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void documentedExample_data();
    void documentedExample();
    void everyTypeHasAnExample_data();
    void everyTypeHasAnExample();
};

void TestGoldenJson::documentedExample_data() {
    QTest::addColumn<Example>("example");
    for (const QString &document : kDocuments) {
        const QList<Example> examples = examplesIn(document);
        QVERIFY2(!examples.isEmpty(), qPrintable(document + ": no examples found"));
        for (const Example &ex : examples) {
            const QString type =
                QJsonDocument::fromJson(ex.bytes).object().value(QLatin1String("type")).toString();
            QTest::addRow("%s:%d %s (%s)", qPrintable(document), ex.line, qPrintable(type),
                          qPrintable(directionName(ex.direction)))
                << ex;
        }
    }
}

void TestGoldenJson::documentedExample() {
    QFETCH(Example, example);
    QVERIFY2(example.direction != Direction::None,
             "an example outside a 'Server → …' or '… → server' section");
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(example.bytes, &parseError);
    QVERIFY2(parseError.error == QJsonParseError::NoError && doc.isObject(),
             qPrintable(QStringLiteral("not a JSON object: ") + parseError.errorString()));
    const QJsonObject documented = doc.object();

    // The exact documented bytes decode, as the type they name.
    const Checked c = decodeAndEncode(example);
    QVERIFY2(c.error.isEmpty(), qPrintable(QStringLiteral("does not decode: ") + c.error));
    QCOMPARE(c.type, documented.value(QLatin1String("type")).toString());

    // The encoder writes the documented field names, and the same values.
    const QJsonObject encoded = QJsonDocument::fromJson(c.reencoded).object();
    QStringList documentedFields = fieldPaths(documented);
    QStringList encodedFields = fieldPaths(encoded);
    documentedFields.sort();
    encodedFields.sort();
    QCOMPARE(encodedFields, documentedFields);
    QVERIFY2(encoded == documented, c.reencoded.constData());
}

void TestGoldenJson::everyTypeHasAnExample_data() {
    QTest::addColumn<QString>("document");
    QTest::addColumn<int>("direction");
    QTest::addColumn<QStringList>("codecTypes");
    QTest::addRow("PROTOCOL.md, client to server")
        << kDocuments[0] << int(Direction::ToServer)
        << typesOf<protocol::ClientMessage>([](const auto &m) { return protocol::typeName(m); });
    QTest::addRow("PROTOCOL.md, server to client")
        << kDocuments[0] << int(Direction::FromServer)
        << typesOf<protocol::ServerMessage>([](const auto &m) { return protocol::typeName(m); });
    QTest::addRow("CONTROL-PROTOCOL.md, console to server")
        << kDocuments[1] << int(Direction::ToServer)
        << typesOf<control::ConsoleMessage>([](const auto &m) { return control::typeName(m); });
    QTest::addRow("CONTROL-PROTOCOL.md, server to console")
        << kDocuments[1] << int(Direction::FromServer)
        << typesOf<control::ServerMessage>([](const auto &m) { return control::typeName(m); });
}

void TestGoldenJson::everyTypeHasAnExample() {
    QFETCH(QString, document);
    QFETCH(int, direction);
    QFETCH(QStringList, codecTypes);
    QStringList documented;
    for (const Example &ex : examplesIn(document))
        if (int(ex.direction) == direction) {
            const QString type =
                QJsonDocument::fromJson(ex.bytes).object().value(QLatin1String("type")).toString();
            if (!documented.contains(type))
                documented << type;
        }
    documented.sort();
    // Both ways: a type without an example, and an example of no type.
    QCOMPARE(documented, codecTypes);
}

QTEST_GUILESS_MAIN(TestGoldenJson)
#include "tst_goldenjson.moc"
