// SPDX-License-Identifier: MIT
// The foundation end to end: the real whisperchat-server process, real
// WebSocket clients on loopback.

#include "badframes.h"
#include "rawwsclient.h"
#include "serverprocess.h"
#include "testclient.h"

#include <QRandomGenerator>
#include <QSet>
#include <QTest>

#include <memory>

using namespace whisper::protocol;
using whisper::test::RawWsClient;
using whisper::test::ServerProcess;
using whisper::test::TestClient;

namespace {

// Berlin, and points east of it at known distances (haversine, R = 6371.0088).
constexpr double kLat = 52.52;
constexpr double kLon = 13.405;
// 1 degree of longitude at this latitude is 67.77 km on the protocol sphere.
double lonEastKm(double km) {
    return kLon + km / (6371.0088 * M_PI / 180.0 * std::cos(kLat * M_PI / 180.0));
}

} // namespace

class TestChatFlow : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    void welcomeAnnouncesProtocolAndLimits();
    void acceptsBothEndpointPaths();
    void refusesUnknownPath();
    void fullChatFlow();
    void mutualRangeIsRequired();
    void recentPartnerIsNotRematchedUntilExpiry();
    void partnerLeftOnDisconnect();
    void requestsOutOfStateAreConflicts();
    void badInputKeepsConnectionOpen_data();
    void badInputKeepsConnectionOpen();
    void binaryFrameIsAnError();
    void oversizedMessageClosesWith1009();
    void manyClientsAroundOneCityAllPairUp();

private:
    std::unique_ptr<TestClient> connected();
    std::unique_ptr<ServerProcess> m_server;
};

void TestChatFlow::initTestCase() {
    // A short tick keeps the suite fast; the exclusion is short so its
    // expiry can be observed.
    m_server = std::make_unique<ServerProcess>(
        QStringList{QStringLiteral("--tick-ms"), QStringLiteral("50"),
                    QStringLiteral("--recent-partner-exclusion-s"), QStringLiteral("2"),
                    // A dropped partner is away this long before it is gone.
                    QStringLiteral("--resume-grace-s"), QStringLiteral("1")});
    QVERIFY2(m_server->start(), m_server->log().constData());
}

void TestChatFlow::cleanupTestCase() {
    QVERIFY(m_server->terminate());
    // Privacy: nothing a client said or where it was reaches the log.
    const QByteArray log = m_server->log();
    QVERIFY2(!log.contains("secret words"), log.constData());
    QVERIFY2(!log.contains("52.52"), log.constData());
}

std::unique_ptr<TestClient> TestChatFlow::connected() {
    auto client = std::make_unique<TestClient>();
    if (!client->connectTo(m_server->chatUrl()))
        return nullptr;
    return client;
}

void TestChatFlow::welcomeAnnouncesProtocolAndLimits() {
    auto a = connected();
    QVERIFY(a);
    auto b = connected();
    QVERIFY(b);
    QCOMPARE(a->welcome().protocol, 1);
    QVERIFY(a->welcome().server.startsWith(QLatin1String("whisperchat")));
    QCOMPARE(a->welcome().limits.maxTextChars, 2000);
    QCOMPARE(a->welcome().limits.maxMessageBytes, 16384);
    QVERIFY(!a->welcome().session.isEmpty());
    QVERIFY(a->welcome().session != b->welcome().session);
}

void TestChatFlow::acceptsBothEndpointPaths() {
    for (const QString &path : {QStringLiteral("/"), QStringLiteral("/ws")}) {
        QUrl url = m_server->chatUrl();
        url.setPath(path);
        TestClient client;
        QVERIFY2(client.connectTo(url), qPrintable(path));
    }
}

void TestChatFlow::refusesUnknownPath() {
    QUrl url = m_server->chatUrl();
    url.setPath(QStringLiteral("/admin"));
    TestClient client;
    QVERIFY(!client.connectTo(url, 2000));
    QVERIFY(client.waitForDisconnected());
    QCOMPARE(client.closeCode(), int(QWebSocketProtocol::CloseCodePolicyViolated));
}

void TestChatFlow::fullChatFlow() {
    auto a = connected();
    auto b = connected();
    QVERIFY(a && b);

    a->send(Join{kLat, kLon, 10});
    QVERIFY(a->waitFor<Waiting>());
    b->send(Join{kLat, lonEastKm(3.0), 10});
    QVERIFY(b->waitFor<Waiting>());

    const auto matchedA = a->waitFor<Matched>();
    const auto matchedB = b->waitFor<Matched>();
    QVERIFY(matchedA && matchedB);
    QCOMPARE(matchedA->pair, matchedB->pair);
    QCOMPARE(matchedA->distanceKm, 5.0); // 3 km: "within 5 km"
    QCOMPARE(matchedB->distanceKm, 5.0);
    QVERIFY(!matchedA->partner.isEmpty());

    // message with id: the partner gets the text, the sender `delivered`
    const qint64 before = QDateTime::currentMSecsSinceEpoch();
    a->send(SendMessage{QStringLiteral("secret words"), QStringLiteral("m-1")});
    const auto received = b->waitFor<IncomingMessage>();
    QVERIFY(received);
    QCOMPARE(received->text, QStringLiteral("secret words"));
    QVERIFY(received->ts >= before - 1000 && received->ts <= before + 10000);
    const auto delivered = a->waitFor<Delivered>();
    QVERIFY(delivered);
    QCOMPARE(delivered->id, QStringLiteral("m-1"));

    // without id: no `delivered`
    b->send(SendMessage{QStringLiteral("hi back \U0001F600"), std::nullopt});
    const auto back = a->waitFor<IncomingMessage>();
    QVERIFY(back);
    QCOMPARE(back->text, QStringLiteral("hi back \U0001F600"));
    QVERIFY(b->staysWithout<Delivered>(200));

    // typing indicators go to the partner only
    a->send(Typing{true});
    const auto typing = b->waitFor<PartnerTyping>();
    QVERIFY(typing && typing->active);
    a->send(Typing{false});
    const auto stopped = b->waitFor<PartnerTyping>();
    QVERIFY(stopped && !stopped->active);
    QVERIFY(a->staysWithout<PartnerTyping>(100));

    // leave: the leaver gets `left`, the partner `partner_left` "left"
    a->send(Leave{});
    QVERIFY(a->waitFor<Left>());
    const auto partnerLeft = b->waitFor<PartnerLeft>();
    QVERIFY(partnerLeft);
    QCOMPARE(toString(partnerLeft->reason), toString(LeftReason::Left));

    // both are back in the lobby: messages are conflicts, join works again
    b->send(SendMessage{QStringLiteral("anyone?"), std::nullopt});
    const auto error = b->waitFor<Error>();
    QVERIFY(error);
    QCOMPARE(toString(error->code), toString(ErrorCode::Conflict));
    QCOMPARE(error->ref, QStringLiteral("message"));
    a->send(Join{kLat, kLon, 10});
    QVERIFY(a->waitFor<Waiting>());
    QCOMPARE(a->unread().size(), 0);
}

void TestChatFlow::mutualRangeIsRequired() {
    // 3 km apart: ranges 10 and 2 must never match.
    auto a = connected();
    auto b = connected();
    QVERIFY(a && b);
    a->send(Join{-33.8688, 151.2093, 10});
    b->send(Join{-33.8688,
                 151.2093 + 3.0 / (6371.0088 * M_PI / 180.0 * std::cos(-33.8688 * M_PI / 180.0)),
                 2});
    QVERIFY(a->waitFor<Waiting>() && b->waitFor<Waiting>());
    // 20 ticks of 50 ms
    QVERIFY(a->staysWithout<Matched>(1000));
    QVERIFY(b->staysWithout<Matched>(0));

    // The same two with ranges 10 and 6 do match.
    b->send(Leave{});
    QVERIFY(b->waitFor<Left>());
    b->send(Join{-33.8688,
                 151.2093 + 3.0 / (6371.0088 * M_PI / 180.0 * std::cos(-33.8688 * M_PI / 180.0)),
                 6});
    QVERIFY(a->waitFor<Matched>());
    QVERIFY(b->waitFor<Matched>());
}

void TestChatFlow::recentPartnerIsNotRematchedUntilExpiry() {
    auto a = connected();
    auto b = connected();
    QVERIFY(a && b);
    const double lat = 35.6762;
    const double lon = 139.6503;
    a->send(Join{lat, lon, 5});
    b->send(Join{lat, lon, 5});
    QVERIFY(a->waitFor<Matched>() && b->waitFor<Matched>());
    a->send(Leave{});
    QVERIFY(b->waitFor<PartnerLeft>());
    a->send(Join{lat, lon, 5});
    b->send(Join{lat, lon, 5});
    const QDateTime rejoined = QDateTime::currentDateTimeUtc();
    // The exclusion is 2 s: no rematch for a good part of it...
    QVERIFY(a->staysWithout<Matched>(1200));
    // ...and once it runs out they may meet again.
    QVERIFY(a->waitFor<Matched>(5000));
    QVERIFY(b->waitFor<Matched>());
    QVERIFY(rejoined.msecsTo(QDateTime::currentDateTimeUtc()) >= 1500);
}

void TestChatFlow::partnerLeftOnDisconnect() {
    auto a = connected();
    auto b = connected();
    QVERIFY(a && b);
    a->send(Join{64.1466, -21.9426, 3});
    b->send(Join{64.1466, -21.9426, 3});
    QVERIFY(a->waitFor<Matched>() && b->waitFor<Matched>());
    a->socket().abort(); // no close handshake: lost, may come back
    QVERIFY(b->waitFor<PartnerAway>());
    // It does not: after the resume grace period the pair ends.
    const auto left = b->waitFor<PartnerLeft>();
    QVERIFY(left);
    QCOMPARE(toString(left->reason), toString(LeftReason::Disconnected));
}

void TestChatFlow::requestsOutOfStateAreConflicts() {
    auto a = connected();
    QVERIFY(a);
    auto expectConflict = [&](const ClientMessage &message, const QString &ref) {
        a->send(message);
        const auto error = a->waitFor<Error>();
        QVERIFY(error);
        QCOMPARE(toString(error->code), toString(ErrorCode::Conflict));
        QCOMPARE(error->ref, ref);
    };
    expectConflict(SendMessage{QStringLiteral("hello?"), std::nullopt}, QStringLiteral("message"));
    expectConflict(Typing{true}, QStringLiteral("typing"));
    expectConflict(Leave{}, QStringLiteral("leave"));
    // Somewhere remote, alone: waits without a partner.
    a->send(Join{-54.8, -68.3, 0.5});
    QVERIFY(a->waitFor<Waiting>());
    expectConflict(Join{-54.8, -68.3, 0.5}, QStringLiteral("join"));
    expectConflict(SendMessage{QStringLiteral("hello?"), std::nullopt}, QStringLiteral("message"));
    a->send(Leave{});
    QVERIFY(a->waitFor<Left>());
    QVERIFY(a->isConnected());
}

void TestChatFlow::badInputKeepsConnectionOpen_data() {
    QTest::addColumn<QByteArray>("frame");
    QTest::addColumn<int>("code");
    QTest::addColumn<QString>("ref");
    for (const auto &row : whisper::test::badClientFrames()) {
        // Qt's WebSocket layer fails a text frame with invalid UTF-8 as
        // RFC 6455 requires (close 1007), before our codec sees it;
        // docs/PROTOCOL.md records this.
        if (!QString::fromUtf8(row.frame).toUtf8().startsWith(row.frame))
            continue;
        QTest::addRow("%s", row.name) << row.frame << int(row.code) << row.ref;
    }
}

void TestChatFlow::badInputKeepsConnectionOpen() {
    QFETCH(QByteArray, frame);
    QFETCH(int, code);
    QFETCH(QString, ref);
    static std::unique_ptr<TestClient> client;
    if (!client || !client->isConnected())
        client = connected();
    QVERIFY(client);
    client->sendRaw(QString::fromUtf8(frame));
    const auto error = client->waitFor<Error>();
    QVERIFY(error);
    QCOMPARE(int(error->code), code);
    QCOMPARE(error->ref, ref);
    QVERIFY(!error->message.isEmpty());
    // Still open and still serving.
    client->send(Leave{});
    const auto conflict = client->waitFor<Error>();
    QVERIFY(conflict);
    QCOMPARE(toString(conflict->code), toString(ErrorCode::Conflict));
    QVERIFY(client->isConnected());
}

void TestChatFlow::binaryFrameIsAnError() {
    auto a = connected();
    QVERIFY(a);
    a->sendBinary(QByteArray(R"({"type":"leave"})"));
    const auto error = a->waitFor<Error>();
    QVERIFY(error);
    QCOMPARE(toString(error->code), toString(ErrorCode::BadRequest));
    QVERIFY(error->message.contains(QLatin1String("binary")));
    QVERIFY(a->isConnected());
}

void TestChatFlow::oversizedMessageClosesWith1009() {
    // A separate server with a small limit shows both sides of the edge.
    ServerProcess server({QStringLiteral("--max-message-bytes"), QStringLiteral("1024"),
                          QStringLiteral("--max-text-chars"), QStringLiteral("5000")});
    QVERIFY(server.start());
    TestClient client;
    QVERIFY(client.connectTo(server.chatUrl()));
    QCOMPARE(client.welcome().limits.maxMessageBytes, 1024);

    const QByteArray prefix = R"({"type":"message","text":")";
    const QByteArray suffix = R"("})";
    const QByteArray exact =
        prefix + QByteArray(1024 - prefix.size() - suffix.size(), 'x') + suffix;
    QCOMPARE(exact.size(), 1024);
    client.sendRaw(QString::fromUtf8(exact));
    const auto notPaired = client.waitFor<Error>();
    QVERIFY(notPaired); // processed (and refused: not paired), connection open
    QCOMPARE(toString(notPaired->code), toString(ErrorCode::Conflict));
    QVERIFY(client.isConnected());

    const QByteArray over = prefix + QByteArray(1025 - prefix.size() - suffix.size(), 'x') + suffix;
    client.sendRaw(QString::fromUtf8(over));
    QVERIFY(client.waitForDisconnected());
    QCOMPARE(client.closeCode(), int(QWebSocketProtocol::CloseCodeTooMuchData));
    QVERIFY(server.terminate());
}

void TestChatFlow::manyClientsAroundOneCityAllPairUp() {
    // 200 clients within ~10 km of Paris, each reaching 50 km: everybody is
    // eligible with everybody, so all must end up paired, once.
    constexpr int kClients = 200;
    std::vector<std::unique_ptr<TestClient>> clients;
    QRandomGenerator rng(2026);
    for (int i = 0; i < kClients; ++i) {
        auto c = connected();
        QVERIFY2(c, qPrintable(QStringLiteral("client %1 could not connect").arg(i)));
        c->send(Join{48.8566 + (rng.generateDouble() - 0.5) * 0.15,
                     2.3522 + (rng.generateDouble() - 0.5) * 0.2, 50});
        clients.push_back(std::move(c));
    }
    QHash<QString, int> members;
    int unmatched = 0;
    for (auto &c : clients) {
        const auto matched = c->waitFor<Matched>(unmatched ? 100 : 10000);
        if (!matched) {
            ++unmatched;
            continue;
        }
        members[matched->pair] += 1;
    }
    QVERIFY2(
        unmatched == 0,
        qPrintable(QStringLiteral("%1 of %2 clients never matched").arg(unmatched).arg(kClients)));
    QCOMPARE(members.size(), kClients / 2);
    for (auto it = members.cbegin(); it != members.cend(); ++it)
        QCOMPARE(it.value(), 2);
    // Nobody gets a second match.
    QVERIFY(clients.front()->staysWithout<Matched>(300));
    for (auto &c : clients)
        for (const ServerMessage &m : c->unread())
            QVERIFY(!std::holds_alternative<Matched>(m));
}

QTEST_GUILESS_MAIN(TestChatFlow)
#include "tst_chatflow.moc"
