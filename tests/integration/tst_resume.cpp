// SPDX-License-Identifier: MIT
// Resume: a client whose connection drops comes back on a new connection
// with its resume token and finds its session as it left it (waiting or
// paired, messages sent to it meanwhile, its login), against the real
// server over real sockets. The drop is the client's TCP connection
// aborted without a close handshake, as a phone losing its network does.

#include "serverprocess.h"
#include "testclient.h"

#include <QTest>

#include <memory>

using namespace whisper::protocol;
using whisper::test::ServerProcess;
using whisper::test::TestClient;

namespace {
constexpr int kGraceS = 2;
constexpr int kQueueMax = 3;
// resume-queue-frames-max of the capped server below.
constexpr int kFramesMax = 3;
constexpr int kDedupWindow = 4;
} // namespace

class TestResume : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();

    void welcomeCarriesAToken();
    void resumeWhileWaitingKeepsThePlace();
    void resumeWhilePairedDeliversQueuedMessagesOnce();
    void graceExpiryEndsThePair();
    void unknownTokenIsNotFoundAndConnectionCarriesOn();
    void tokenIsSingleUseAndReplaced();
    void resumeOnlyAsFirstFrame();
    void retriedMessageIsDeliveredOnce();
    void idsOlderThanTheWindowAreNewMessages();
    void retryWhilePartnerAwayIsQueuedOnce();
    void queueFullAnswersUnavailable();
    void cleanCloseEndsAtOnce();
    void loggedInSessionResumesLoggedIn();
    void rateLimitSurvivesResume();
    void resumeOffEndsLostSessionsAtOnce();
    void framesUpToTheCapAreKept();
    void framesBeyondTheCapEndTheAwaySession();

private:
    std::unique_ptr<TestClient> connected(const QUrl &url = {});
    // A pair at `lat`/`lon` (each place used by one test only).
    bool pair(std::unique_ptr<TestClient> &a, std::unique_ptr<TestClient> &b, double lat,
              double lon, const QUrl &url = {});
    // On a server with kFramesMax: `a` holds exactly kFramesMax frames
    // (partner_back and two `delivered`) while away; `b` is back, paired,
    // with `tokenB` for its next resume.
    void fillToTheCap(ServerProcess &server, QString &tokenA, std::unique_ptr<TestClient> &b,
                      QString &tokenB);
    static std::unique_ptr<ServerProcess> cappedServer();
    // A new connection that sends resume_session with `token` first.
    std::unique_ptr<TestClient> resume(const QString &token, const QUrl &url = {});
    std::unique_ptr<ServerProcess> m_server;
};

void TestResume::initTestCase() {
    m_server = std::make_unique<ServerProcess>(QStringList{
        QStringLiteral("--tick-ms"), QStringLiteral("20"), QStringLiteral("--resume-grace-s"),
        QString::number(kGraceS), QStringLiteral("--resume-queue-max"), QString::number(kQueueMax),
        QStringLiteral("--recent-partner-exclusion-s"), QStringLiteral("0"),
        QStringLiteral("--resume-dedup-window"), QString::number(kDedupWindow)});
    QVERIFY2(m_server->start(), m_server->log().constData());
}

std::unique_ptr<TestClient> TestResume::connected(const QUrl &url) {
    auto c = std::make_unique<TestClient>();
    if (!c->connectTo(url.isEmpty() ? m_server->chatUrl() : url))
        return nullptr;
    return c;
}

bool TestResume::pair(std::unique_ptr<TestClient> &a, std::unique_ptr<TestClient> &b, double lat,
                      double lon, const QUrl &url) {
    a = connected(url);
    b = connected(url);
    if (!a || !b)
        return false;
    a->send(Join{lat, lon, 5});
    b->send(Join{lat, lon, 5});
    return a->waitFor<Matched>().has_value() && b->waitFor<Matched>().has_value();
}

std::unique_ptr<TestClient> TestResume::resume(const QString &token, const QUrl &url) {
    auto c = std::make_unique<TestClient>();
    if (!c->connectTo(url.isEmpty() ? m_server->chatUrl() : url))
        return nullptr;
    c->send(ResumeSession{token});
    return c;
}

void TestResume::welcomeCarriesAToken() {
    auto a = connected();
    auto b = connected();
    QVERIFY(a && b);
    QVERIFY(a->welcome().resumeToken.has_value());
    // 256 random bits, base64url: 43 characters.
    QVERIFY(a->welcome().resumeToken->size() >= 22);
    QVERIFY(a->welcome().resumeToken != b->welcome().resumeToken);
}

void TestResume::resumeWhileWaitingKeepsThePlace() {
    auto a = connected();
    QVERIFY(a);
    a->send(Join{10.0, 10.0, 5});
    QVERIFY(a->waitFor<Waiting>());
    const QString token = *a->welcome().resumeToken;
    a->socket().abort();

    // Away clients are not matched: a newcomer waits instead of getting a
    // partner that is not there.
    auto b = connected();
    QVERIFY(b);
    b->send(Join{10.0, 10.0, 5});
    QVERIFY(b->waitFor<Waiting>());
    QVERIFY(b->staysWithout<Matched>(300));

    auto back = resume(token);
    QVERIFY(back);
    const auto resumed = back->waitFor<Resumed>();
    QVERIFY(resumed);
    QCOMPARE(resumed->state, QStringLiteral("waiting"));
    QVERIFY(!resumed->pair);
    // Back in the room: the two meet.
    QVERIFY(back->waitFor<Matched>());
    QVERIFY(b->waitFor<Matched>());
}

void TestResume::resumeWhilePairedDeliversQueuedMessagesOnce() {
    std::unique_ptr<TestClient> a, b;
    QVERIFY(pair(a, b, 20.0, 20.0));
    const QString token = *a->welcome().resumeToken;
    a->socket().abort();
    QVERIFY(b->waitFor<PartnerAway>());
    QVERIFY(b->staysWithout<PartnerLeft>(200));

    for (int i = 1; i <= 3; ++i)
        b->send(SendMessage{QStringLiteral("while away %1").arg(i), QStringLiteral("m%1").arg(i)});
    // Nothing reached the partner yet, so nobody says it did.
    QVERIFY(b->staysWithout<Delivered>(300));
    QVERIFY(b->staysWithout<Error>(0));

    auto back = resume(token);
    QVERIFY(back);
    // `resumed` first, then what arrived meanwhile, in order.
    const auto first = back->next();
    QVERIFY(first && std::holds_alternative<Resumed>(*first));
    const Resumed &resumed = std::get<Resumed>(*first);
    QCOMPARE(resumed.state, QStringLiteral("paired"));
    QVERIFY(resumed.pair && !resumed.pair->isEmpty());
    QVERIFY(resumed.partner && !resumed.partner->isEmpty());
    QVERIFY(resumed.distanceKm.has_value());
    for (int i = 1; i <= 3; ++i) {
        const auto m = back->next();
        QVERIFY(m && std::holds_alternative<IncomingMessage>(*m));
        QCOMPARE(std::get<IncomingMessage>(*m).text, QStringLiteral("while away %1").arg(i));
    }
    QVERIFY(back->staysWithout<IncomingMessage>(300));
    QVERIFY(b->waitFor<PartnerBack>());
    for (int i = 1; i <= 3; ++i) {
        const auto d = b->waitFor<Delivered>();
        QVERIFY(d);
        QCOMPARE(d->id, QStringLiteral("m%1").arg(i));
    }
    QVERIFY(b->staysWithout<Delivered>(200));

    // The pair carries on both ways.
    back->send(SendMessage{QStringLiteral("I am back"), QStringLiteral("r1")});
    const auto got = b->waitFor<IncomingMessage>();
    QVERIFY(got);
    QCOMPARE(got->text, QStringLiteral("I am back"));
    QVERIFY(back->waitFor<Delivered>());
    b->send(SendMessage{QStringLiteral("welcome back"), std::nullopt});
    QVERIFY(back->waitFor<IncomingMessage>());
    QVERIFY(b->staysWithout<PartnerLeft>(0));
}

void TestResume::graceExpiryEndsThePair() {
    std::unique_ptr<TestClient> a, b;
    QVERIFY(pair(a, b, 30.0, 30.0));
    const QString token = *a->welcome().resumeToken;
    a->socket().abort();
    QVERIFY(b->waitFor<PartnerAway>());
    const auto left = b->waitFor<PartnerLeft>(kGraceS * 1000 + 3000);
    QVERIFY(left);
    QCOMPARE(toString(left->reason), toString(LeftReason::Disconnected));
    // Too late: the token is expired.
    auto late = resume(token);
    QVERIFY(late);
    const auto error = late->waitFor<Error>();
    QVERIFY(error);
    QCOMPARE(toString(error->code), toString(ErrorCode::NotFound));
    QCOMPARE(error->ref, QStringLiteral("resume_session"));
}

void TestResume::unknownTokenIsNotFoundAndConnectionCarriesOn() {
    for (const QString &token : {QStringLiteral("x"), QString(43, QLatin1Char('A'))}) {
        auto c = resume(token);
        QVERIFY(c);
        const auto error = c->waitFor<Error>();
        QVERIFY(error);
        QCOMPARE(toString(error->code), toString(ErrorCode::NotFound));
        // A new session, fully usable.
        c->send(Join{40.0, 40.0, 5});
        QVERIFY(c->waitFor<Waiting>());
        c->send(Leave{});
        QVERIFY(c->waitFor<Left>());
    }
}

void TestResume::tokenIsSingleUseAndReplaced() {
    auto a = connected();
    QVERIFY(a);
    a->send(Join{50.0, 50.0, 5});
    QVERIFY(a->waitFor<Waiting>());
    const QString first = *a->welcome().resumeToken;
    a->socket().abort();
    auto back = resume(first);
    QVERIFY(back);
    const auto resumed = back->waitFor<Resumed>();
    QVERIFY(resumed);
    QVERIFY(resumed->resumeToken != first);
    QVERIFY(!resumed->resumeToken.isEmpty());

    // The used token is dead, even while the session lives...
    auto replay = resume(first);
    QVERIFY(replay);
    const auto error = replay->waitFor<Error>();
    QVERIFY(error);
    QCOMPARE(toString(error->code), toString(ErrorCode::NotFound));
    QVERIFY(back->isConnected());

    // ...and the new one works for the next drop.
    back->socket().abort();
    auto again = resume(resumed->resumeToken);
    QVERIFY(again);
    const auto second = again->waitFor<Resumed>();
    QVERIFY(second);
    QCOMPARE(second->state, QStringLiteral("waiting"));
    again->send(Leave{});
    QVERIFY(again->waitFor<Left>());
}

void TestResume::resumeOnlyAsFirstFrame() {
    auto a = connected();
    auto c = connected();
    QVERIFY(a && c);
    a->send(Join{55.0, 55.0, 5});
    QVERIFY(a->waitFor<Waiting>());
    const QString token = *a->welcome().resumeToken;
    a->socket().abort();
    c->send(Join{-55.0, -55.0, 5});
    QVERIFY(c->waitFor<Waiting>());
    c->send(ResumeSession{token});
    const auto error = c->waitFor<Error>();
    QVERIFY(error);
    QCOMPARE(toString(error->code), toString(ErrorCode::Conflict));
    // The refused attempt did not spend the token.
    auto back = resume(token);
    QVERIFY(back);
    QVERIFY(back->waitFor<Resumed>());
}

void TestResume::retriedMessageIsDeliveredOnce() {
    std::unique_ptr<TestClient> a, b;
    QVERIFY(pair(a, b, 60.0, 60.0));
    a->send(SendMessage{QStringLiteral("once"), QStringLiteral("dup-1")});
    QVERIFY(b->waitFor<IncomingMessage>());
    QVERIFY(a->waitFor<Delivered>());
    // The client never saw its `delivered` (say) and sends again.
    a->send(SendMessage{QStringLiteral("once"), QStringLiteral("dup-1")});
    const auto again = a->waitFor<Delivered>();
    QVERIFY(again);
    QCOMPARE(again->id, QStringLiteral("dup-1"));
    QVERIFY(b->staysWithout<IncomingMessage>(300));
    // Another id is another message.
    a->send(SendMessage{QStringLiteral("twice"), QStringLiteral("dup-2")});
    QVERIFY(b->waitFor<IncomingMessage>());
}

void TestResume::idsOlderThanTheWindowAreNewMessages() {
    std::unique_ptr<TestClient> a, b;
    QVERIFY(pair(a, b, 62.0, 62.0));
    for (int i = 0; i <= kDedupWindow; ++i) {
        a->send(SendMessage{QStringLiteral("w%1").arg(i), QStringLiteral("w%1").arg(i)});
        QVERIFY(b->waitFor<IncomingMessage>());
        QVERIFY(a->waitFor<Delivered>());
    }
    // w1..w4 are the window: a retry of any of them is answered, not relayed...
    for (int i = 1; i <= kDedupWindow; ++i) {
        a->send(SendMessage{QStringLiteral("w%1").arg(i), QStringLiteral("w%1").arg(i)});
        const auto again = a->waitFor<Delivered>();
        QVERIFY(again);
        QCOMPARE(again->id, QStringLiteral("w%1").arg(i));
    }
    QVERIFY(b->staysWithout<IncomingMessage>(300));
    // ...w0 fell out of it and is relayed again, then is in the window itself.
    a->send(SendMessage{QStringLiteral("w0"), QStringLiteral("w0")});
    const auto old = b->waitFor<IncomingMessage>();
    QVERIFY(old);
    QCOMPARE(old->text, QStringLiteral("w0"));
    QVERIFY(a->waitFor<Delivered>());
    a->send(SendMessage{QStringLiteral("w0"), QStringLiteral("w0")});
    QVERIFY(a->waitFor<Delivered>());
    QVERIFY(b->staysWithout<IncomingMessage>(300));
}

void TestResume::retryWhilePartnerAwayIsQueuedOnce() {
    std::unique_ptr<TestClient> a, b;
    QVERIFY(pair(a, b, 65.0, 65.0));
    const QString token = *b->welcome().resumeToken;
    b->socket().abort();
    QVERIFY(a->waitFor<PartnerAway>());
    a->send(SendMessage{QStringLiteral("only once"), QStringLiteral("q-1")});
    a->send(SendMessage{QStringLiteral("only once"), QStringLiteral("q-1")});
    QVERIFY(a->staysWithout<Error>(200));
    auto back = resume(token);
    QVERIFY(back);
    QVERIFY(back->waitFor<Resumed>());
    QVERIFY(back->waitFor<IncomingMessage>());
    QVERIFY(back->staysWithout<IncomingMessage>(300));
    QVERIFY(a->waitFor<Delivered>());
    QVERIFY(a->staysWithout<Delivered>(200));
}

void TestResume::queueFullAnswersUnavailable() {
    std::unique_ptr<TestClient> a, b;
    QVERIFY(pair(a, b, 70.0, 70.0));
    const QString token = *b->welcome().resumeToken;
    b->socket().abort();
    QVERIFY(a->waitFor<PartnerAway>());
    // Exactly at the limit every message is taken...
    for (int i = 1; i <= kQueueMax; ++i)
        a->send(SendMessage{QStringLiteral("q%1").arg(i), QStringLiteral("q%1").arg(i)});
    QVERIFY(a->staysWithout<Error>(300));
    // ...one more is refused, and the sender is told so.
    a->send(SendMessage{QStringLiteral("one too many"), QStringLiteral("over")});
    const auto error = a->waitFor<Error>();
    QVERIFY(error);
    QCOMPARE(toString(error->code), toString(ErrorCode::Unavailable));
    QCOMPARE(error->ref, QStringLiteral("message"));

    auto back = resume(token);
    QVERIFY(back);
    QVERIFY(back->waitFor<Resumed>());
    for (int i = 1; i <= kQueueMax; ++i) {
        const auto m = back->waitFor<IncomingMessage>();
        QVERIFY(m);
        QCOMPARE(m->text, QStringLiteral("q%1").arg(i));
    }
    QVERIFY(back->staysWithout<IncomingMessage>(300));
    // The refused one was not remembered: resent now, it goes through.
    a->send(SendMessage{QStringLiteral("one too many"), QStringLiteral("over")});
    const auto late = back->waitFor<IncomingMessage>();
    QVERIFY(late);
    QCOMPARE(late->text, QStringLiteral("one too many"));
}

void TestResume::cleanCloseEndsAtOnce() {
    // A client that says goodbye (1000) is not waited for.
    std::unique_ptr<TestClient> a, b;
    QVERIFY(pair(a, b, 75.0, 75.0));
    const QString token = *a->welcome().resumeToken;
    a->close();
    const auto left = b->waitFor<PartnerLeft>();
    QVERIFY(left);
    QCOMPARE(toString(left->reason), toString(LeftReason::Disconnected));
    auto late = resume(token);
    QVERIFY(late);
    const auto error = late->waitFor<Error>();
    QVERIFY(error && error->code == ErrorCode::NotFound);
}

void TestResume::loggedInSessionResumesLoggedIn() {
    ServerProcess server({QStringLiteral("--argon2-ops"), QStringLiteral("1"),
                          QStringLiteral("--argon2-mem-kib"), QStringLiteral("256"),
                          QStringLiteral("--resume-grace-s"), QString::number(kGraceS)});
    QVERIFY(server.start());
    TestClient a;
    QVERIFY(a.connectTo(server.chatUrl()));
    a.send(Register{QStringLiteral("resumer"), QStringLiteral("a long enough passphrase")});
    const auto auth = a.waitFor<Authenticated>(10000);
    QVERIFY(auth);
    const QString token = *a.welcome().resumeToken;
    a.socket().abort();
    auto back = resume(token, server.chatUrl());
    QVERIFY(back);
    const auto resumed = back->waitFor<Resumed>();
    QVERIFY(resumed);
    QCOMPARE(resumed->state, QStringLiteral("lobby"));
    // Logged in: logout is accepted (a guest gets `conflict`).
    back->send(Logout{});
    QVERIFY(back->waitFor<LoggedOut>());
    back->send(Logout{});
    const auto error = back->waitFor<Error>();
    QVERIFY(error);
    QCOMPARE(toString(error->code), toString(ErrorCode::Conflict));
}

void TestResume::rateLimitSurvivesResume() {
    // Not exempt, and a bucket of 3 messages that refills slowly.
    ServerProcess server({QStringLiteral("--rate-exempt"), QString(), QStringLiteral("--tick-ms"),
                          QStringLiteral("20"), QStringLiteral("--rate-message-burst"),
                          QStringLiteral("3"), QStringLiteral("--rate-message-leak-ms"),
                          QStringLiteral("60000"), QStringLiteral("--rate-abuse-strikes"),
                          QStringLiteral("100"), QStringLiteral("--resume-grace-s"),
                          QString::number(kGraceS)});
    QVERIFY(server.start());
    TestClient a, b;
    QVERIFY(a.connectTo(server.chatUrl()) && b.connectTo(server.chatUrl()));
    a.send(Join{80.0, 80.0, 5});
    b.send(Join{80.0, 80.0, 5});
    QVERIFY(a.waitFor<Matched>() && b.waitFor<Matched>());
    for (int i = 0; i < 3; ++i)
        a.send(SendMessage{QStringLiteral("burst"), std::nullopt});
    a.send(SendMessage{QStringLiteral("over"), std::nullopt});
    const auto limited = a.waitFor<Error>();
    QVERIFY(limited);
    QCOMPARE(toString(limited->code), toString(ErrorCode::RateLimited));
    const QString token = *a.welcome().resumeToken;
    a.socket().abort();
    QVERIFY(b.waitFor<PartnerAway>());
    auto back = resume(token, server.chatUrl());
    QVERIFY(back);
    QVERIFY(back->waitFor<Resumed>());
    // A new connection did not refill the bucket.
    back->send(SendMessage{QStringLiteral("still over"), std::nullopt});
    const auto still = back->waitFor<Error>();
    QVERIFY(still);
    QCOMPARE(toString(still->code), toString(ErrorCode::RateLimited));
}

void TestResume::resumeOffEndsLostSessionsAtOnce() {
    // resume-grace-s 0: no token, no waiting for anyone (the old behaviour).
    ServerProcess server({QStringLiteral("--tick-ms"), QStringLiteral("20"),
                          QStringLiteral("--resume-grace-s"), QStringLiteral("0")});
    QVERIFY(server.start());
    TestClient a, b;
    QVERIFY(a.connectTo(server.chatUrl()) && b.connectTo(server.chatUrl()));
    QVERIFY(!a.welcome().resumeToken);
    a.send(Join{85.0, 85.0, 5});
    b.send(Join{85.0, 85.0, 5});
    QVERIFY(a.waitFor<Matched>() && b.waitFor<Matched>());
    a.socket().abort();
    const auto left = b.waitFor<PartnerLeft>();
    QVERIFY(left);
    QCOMPARE(toString(left->reason), toString(LeftReason::Disconnected));
    auto c = resume(QStringLiteral("anything"), server.chatUrl());
    QVERIFY(c);
    const auto error = c->waitFor<Error>();
    QVERIFY(error);
    QCOMPARE(toString(error->code), toString(ErrorCode::NotFound));
}

std::unique_ptr<ServerProcess> TestResume::cappedServer() {
    auto server = std::make_unique<ServerProcess>(QStringList{
        QStringLiteral("--tick-ms"), QStringLiteral("20"), QStringLiteral("--resume-grace-s"),
        QString::number(kGraceS), QStringLiteral("--resume-queue-max"), QString::number(kQueueMax),
        QStringLiteral("--resume-queue-frames-max"), QString::number(kFramesMax)});
    // The debug log says when the server has noticed a drop: with both
    // clients away, no client can.
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("QT_LOGGING_RULES"), QStringLiteral("whisper.server.net.debug=true"));
    server->setEnvironment(env);
    return server;
}

void TestResume::fillToTheCap(ServerProcess &server, QString &tokenA,
                              std::unique_ptr<TestClient> &b, QString &tokenB) {
    std::unique_ptr<TestClient> a;
    QVERIFY(pair(a, b, 5.0, 5.0, server.chatUrl()));
    tokenA = *a->welcome().resumeToken;
    tokenB = *b->welcome().resumeToken;
    b->socket().abort();
    QVERIFY(a->waitFor<PartnerAway>());
    a->send(SendMessage{QStringLiteral("first"), QStringLiteral("m1")});
    a->send(SendMessage{QStringLiteral("second"), QStringLiteral("m2")});
    // A `join` while paired is refused: once that answer is here, both
    // messages are queued for b (and not lost in a's abort below).
    a->send(Join{5.0, 5.0, 5});
    const auto barrier = a->waitFor<Error>();
    QVERIFY(barrier && barrier->code == ErrorCode::Conflict && barrier->ref == u"join");
    a->socket().abort();
    QTRY_COMPARE(server.log().count("away; kept for"), 2);

    // b comes back: the two messages (and partner_away) reach it; a, away,
    // is owed partner_back and two `delivered`: kFramesMax frames.
    b = resume(tokenB, server.chatUrl());
    QVERIFY(b);
    const auto resumed = b->waitFor<Resumed>();
    QVERIFY(resumed && resumed->state == u"paired");
    tokenB = resumed->resumeToken;
    QVERIFY(b->waitFor<IncomingMessage>());
    QVERIFY(b->waitFor<IncomingMessage>());
    QVERIFY(b->waitFor<PartnerAway>());
}

void TestResume::framesUpToTheCapAreKept() {
    auto server = cappedServer();
    QVERIFY2(server->start(), server->log().constData());
    std::unique_ptr<TestClient> b;
    QString tokenA, tokenB;
    fillToTheCap(*server, tokenA, b, tokenB);
    if (QTest::currentTestFailed())
        return;
    auto back = resume(tokenA, server->chatUrl());
    QVERIFY(back);
    const auto first = back->next();
    QVERIFY(first && std::holds_alternative<Resumed>(*first));
    QCOMPARE(std::get<Resumed>(*first).state, QStringLiteral("paired"));
    const auto second = back->next();
    QVERIFY(second && std::holds_alternative<PartnerBack>(*second));
    for (const char *id : {"m1", "m2"}) {
        const auto d = back->next();
        QVERIFY(d && std::holds_alternative<Delivered>(*d));
        QCOMPARE(std::get<Delivered>(*d).id, QLatin1String(id));
    }
    QVERIFY(b->waitFor<PartnerBack>());
    QVERIFY(b->staysWithout<PartnerLeft>(300));
    QVERIFY(!server->log().contains("frames queued; ended"));
}

void TestResume::framesBeyondTheCapEndTheAwaySession() {
    auto server = cappedServer();
    QVERIFY2(server->start(), server->log().constData());
    std::unique_ptr<TestClient> b;
    QString tokenA, tokenB;
    fillToTheCap(*server, tokenA, b, tokenB);
    if (QTest::currentTestFailed())
        return;
    // A partner that drops and comes back again and again would grow a's
    // queue by partner_away and partner_back each time: the next frame
    // ends a's away session instead.
    b->socket().abort();
    QTRY_COMPARE(server->log().count("away; kept for"), 3);
    auto late = resume(tokenA, server->chatUrl());
    QVERIFY(late);
    const auto error = late->waitFor<Error>();
    QVERIFY(error);
    QCOMPARE(toString(error->code), toString(ErrorCode::NotFound));
    QVERIFY(server->log().contains("frames queued; ended"));
    // b finds the pair ended as for any partner that did not come back.
    b = resume(tokenB, server->chatUrl());
    QVERIFY(b);
    const auto resumed = b->waitFor<Resumed>();
    QVERIFY(resumed);
    QCOMPARE(resumed->state, QStringLiteral("lobby"));
    const auto left = b->waitFor<PartnerLeft>();
    QVERIFY(left);
    QCOMPARE(toString(left->reason), toString(LeftReason::Disconnected));
    // The server carries on.
    b->send(Join{5.0, 5.0, 5});
    QVERIFY(b->waitFor<Waiting>());
}

QTEST_GUILESS_MAIN(TestResume)
#include "tst_resume.moc"
