// SPDX-License-Identifier: MIT
// The server's log formats with a real whisperchat-server: log-format=json
// is one JSON object per line with the fields operators filter on, and
// carries no chat text, coordinates or passwords even at debug level; under
// systemd (JOURNAL_STREAM naming stderr) every line carries its journald
// priority.
#include "serverprocess.h"
#include "testclient.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>

using namespace whisper;
using namespace whisper::test;

namespace {

// Distinctive values, so a leak cannot hide among ordinary numbers.
const QString kChatText = QStringLiteral("SECRET-CHAT-TEXT-4711");
const QString kPassword = QStringLiteral("PASSWORD-zq8-horse");
constexpr double kLat = 48.8566123;
constexpr double kLon = 2.3522987;

// Stderr in a file, so JOURNAL_STREAM can name its device and inode.
QString stderrFile(const QTemporaryDir &dir, ServerProcess &server, QByteArray *journalStream) {
    const QString path = dir.filePath(QStringLiteral("stderr.log"));
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        return {};
    f.close();
    struct stat st {};
    if (::stat(QFile::encodeName(path).constData(), &st) != 0)
        return {};
    *journalStream =
        QByteArray::number(quint64(st.st_dev)) + ':' + QByteArray::number(quint64(st.st_ino));
    server.process().setStandardErrorFile(path, QIODevice::Append);
    return path;
}

} // namespace

class TestLogFormat : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void jsonLinesWithoutChatTextOrCoordinates();
    void journalPriorities_data();
    void journalPriorities();
};

void TestLogFormat::jsonLinesWithoutChatTextOrCoordinates() {
    ServerProcess server({QStringLiteral("--log-format"), QStringLiteral("json"),
                          // A rate limit to hit, so a line names a client.
                          QStringLiteral("--rate-exempt"), QString(),
                          QStringLiteral("--rate-message-burst"), QStringLiteral("1"),
                          QStringLiteral("--rate-message-leak-ms"), QStringLiteral("60000"),
                          QStringLiteral("--rate-abuse-strikes"), QStringLiteral("2"),
                          QStringLiteral("--argon2-mem-kib"), QStringLiteral("64"),
                          QStringLiteral("--argon2-ops"), QStringLiteral("1")});
    // Every category at debug level: nothing may leak at any level.
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("QT_LOGGING_RULES"), QStringLiteral("whisper.*=true"));
    env.remove(QStringLiteral("QT_MESSAGE_PATTERN"));
    env.remove(QStringLiteral("JOURNAL_STREAM"));
    server.setEnvironment(env);
    QVERIFY(server.start());

    auto alice = TestClient::waitingAt(server.chatUrl(), kLat, kLon, 50);
    auto bob = TestClient::waitingAt(server.chatUrl(), kLat + 0.001, kLon - 0.001, 50);
    QVERIFY(alice && bob);
    QVERIFY(alice->waitFor<protocol::Matched>());
    QVERIFY(bob->waitFor<protocol::Matched>());
    alice->send(protocol::SendMessage{kChatText, QStringLiteral("m1")});
    const auto got = bob->waitFor<protocol::IncomingMessage>();
    QVERIFY(got);
    QCOMPARE(got->text, kChatText);
    TestClient carol;
    QVERIFY(carol.connectTo(server.chatUrl()));
    carol.send(protocol::Register{QStringLiteral("carol"), kPassword});
    QVERIFY(carol.waitFor<protocol::Authenticated>(15000));
    // Past the message bucket twice: closed, and the log says which session.
    for (int i = 0; i < 4; ++i)
        carol.send(protocol::SendMessage{kChatText, std::nullopt});
    QVERIFY(carol.waitForDisconnected());
    alice->send(protocol::Leave{});
    QVERIFY(bob->waitFor<protocol::PartnerLeft>());
    QVERIFY(server.terminate());

    const QList<QByteArray> lines = server.log().split('\n');
    int parsed = 0;
    bool namesClient = false;
    for (const QByteArray &line : lines) {
        if (line.isEmpty())
            continue;
        QJsonParseError error;
        const QJsonDocument doc = QJsonDocument::fromJson(line, &error);
        QVERIFY2(error.error == QJsonParseError::NoError && doc.isObject(), line.constData());
        const QJsonObject o = doc.object();
        for (const char *key : {"time", "level", "category", "message"})
            QVERIFY2(o.value(QLatin1String(key)).isString(), line.constData());
        // Everything but the timestamp (whose digits could match by chance).
        QJsonObject content = o;
        content.remove(QStringLiteral("time"));
        const QByteArray text = QJsonDocument(content).toJson(QJsonDocument::Compact);
        QVERIFY2(!text.contains(kChatText.toUtf8()), line.constData());
        QVERIFY2(!text.contains(kPassword.toUtf8()), line.constData());
        // Neither the coordinates nor their leading digits.
        QVERIFY2(!text.contains("48.856") && !text.contains("2.352"), line.constData());
        namesClient |= o.contains(QStringLiteral("client_id"));
        ++parsed;
    }
    QVERIFY2(parsed >= 10, qPrintable(QString::number(parsed)));
    QVERIFY(namesClient);
}

void TestLogFormat::journalPriorities_data() {
    QTest::addColumn<QString>("format");
    QTest::addColumn<bool>("matchingStream");
    QTest::newRow("text, journal") << QStringLiteral("text") << true;
    QTest::newRow("json, journal") << QStringLiteral("json") << true;
    QTest::newRow("text, inherited variable") << QStringLiteral("text") << false;
}

void TestLogFormat::journalPriorities() {
    QFETCH(QString, format);
    QFETCH(bool, matchingStream);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    ServerProcess server({QStringLiteral("--log-format"), format});
    QByteArray stream;
    const QString path = stderrFile(dir, server, &stream);
    QVERIFY(!path.isEmpty());
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    // A variable inherited from a parent whose stderr was the journal names
    // another file: no prefixes then.
    env.insert(QStringLiteral("JOURNAL_STREAM"),
               matchingStream ? QString::fromLatin1(stream) : QStringLiteral("1:1"));
    env.remove(QStringLiteral("QT_MESSAGE_PATTERN"));
    server.setEnvironment(env);
    QVERIFY(server.start());
    QVERIFY(server.terminate());

    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QList<QByteArray> lines = f.readAll().split('\n');
    int info = 0;
    for (const QByteArray &line : lines) {
        if (line.isEmpty())
            continue;
        if (!matchingStream) {
            QVERIFY2(!line.startsWith('<'), line.constData());
            continue;
        }
        QVERIFY2(line.size() > 3 && line[0] == '<' && line[2] == '>', line.constData());
        QVERIFY2(QByteArrayLiteral("234567").contains(line[1]), line.constData());
        if (line.startsWith("<6>")) {
            ++info;
            if (format == QLatin1String("json"))
                QCOMPARE(
                    QJsonDocument::fromJson(line.mid(3)).object().value(QStringLiteral("level")),
                    QJsonValue(QStringLiteral("info")));
            else
                QVERIFY2(line.contains(" info "), line.constData());
        }
    }
    QVERIFY(lines.size() > 3);
    if (matchingStream)
        QVERIFY(info >= 3); // starting, listening, stopped at least
}

QTEST_MAIN(TestLogFormat)
#include "tst_logformat.moc"
