// SPDX-License-Identifier: MIT
// Codec tables for the account, 2FA and moderation messages.
#include "protocol.h"

#include <QTest>

using namespace whisper::protocol;

Q_DECLARE_METATYPE(ClientMessage)
Q_DECLARE_METATYPE(ServerMessage)

class TestProtocolAccounts : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void clientRoundTrip_data();
    void clientRoundTrip();
    void serverRoundTrip_data();
    void serverRoundTrip();
    void badClientFrames_data();
    void badClientFrames();
};

void TestProtocolAccounts::clientRoundTrip_data() {
    QTest::addColumn<ClientMessage>("message");
    QTest::addColumn<QByteArray>("type");
    const QString pw = QStringLiteral("p@ss \"word\" ünïcødé");
    QTest::addRow("register") << ClientMessage{Register{QStringLiteral("alice"), pw}}
                              << QByteArray("register");
    QTest::addRow("login") << ClientMessage{Login{QStringLiteral("alice"), pw, std::nullopt}}
                           << QByteArray("login");
    QTest::addRow("login with totp")
        << ClientMessage{Login{QStringLiteral("alice"), pw, QStringLiteral("123456")}}
        << QByteArray("login");
    QTest::addRow("logout") << ClientMessage{Logout{}} << QByteArray("logout");
    QTest::addRow("logout everywhere") << ClientMessage{Logout{true}} << QByteArray("logout");
    QTest::addRow("resume") << ClientMessage{Resume{QStringLiteral("tok_-en")}}
                            << QByteArray("resume");
    QTest::addRow("change_password")
        << ClientMessage{ChangePassword{pw, pw + pw}} << QByteArray("change_password");
    QTest::addRow("totp_enroll") << ClientMessage{TotpEnroll{}} << QByteArray("totp_enroll");
    QTest::addRow("totp_enable") << ClientMessage{TotpEnable{QStringLiteral("000000")}}
                                 << QByteArray("totp_enable");
    QTest::addRow("totp_enroll with password")
        << ClientMessage{TotpEnroll{pw}} << QByteArray("totp_enroll");
    QTest::addRow("totp_enable with password")
        << ClientMessage{TotpEnable{QStringLiteral("000000"), pw}} << QByteArray("totp_enable");
    QTest::addRow("totp_disable") << ClientMessage{TotpDisable{QStringLiteral("abcde-fghjk")}}
                                  << QByteArray("totp_disable");
    QTest::addRow("block") << ClientMessage{Block{}} << QByteArray("block");
    QTest::addRow("report") << ClientMessage{Report{QStringLiteral("spam")}}
                            << QByteArray("report");
    QTest::addRow("report at 500")
        << ClientMessage{Report{QString(500, QLatin1Char('x'))}} << QByteArray("report");
}

void TestProtocolAccounts::clientRoundTrip() {
    QFETCH(ClientMessage, message);
    QFETCH(QByteArray, type);
    const QByteArray wire = Codec::encode(message);
    QVERIFY(wire.contains(QByteArray("\"type\":\"" + type + "\"")));
    const auto decoded = Codec().decodeClient(wire);
    QVERIFY2(std::holds_alternative<ClientMessage>(decoded), wire.constData());
    QCOMPARE(std::get<ClientMessage>(decoded), message);
    QCOMPARE(typeName(message), QString::fromLatin1(type));
}

void TestProtocolAccounts::serverRoundTrip_data() {
    QTest::addColumn<ServerMessage>("message");
    QTest::addRow("authenticated") << ServerMessage{Authenticated{
        QStringLiteral("alice"), QStringLiteral("moderator"), QStringLiteral("t0k3n")}};
    QTest::addRow("logged_out") << ServerMessage{LoggedOut{}};
    QTest::addRow("logged_out revoked")
        << ServerMessage{LoggedOut{QStringLiteral("password_changed")}};
    QTest::addRow("password_changed") << ServerMessage{PasswordChanged{}};
    QTest::addRow("totp_enrollment") << ServerMessage{TotpEnrollment{
        QStringLiteral("JBSWY3DP"), QStringLiteral("otpauth://totp/X:a?secret=JBSWY3DP")}};
    QTest::addRow("totp_enabled") << ServerMessage{
        TotpEnabled{{QStringLiteral("aaaaa-bbbbb"), QStringLiteral("ccccc-ddddd")}}};
    QTest::addRow("totp_disabled") << ServerMessage{TotpDisabled{}};
    QTest::addRow("blocked") << ServerMessage{Blocked{}};
    QTest::addRow("reported") << ServerMessage{Reported{}};
    QTest::addRow("rate_limited") << ServerMessage{
        Error{ErrorCode::RateLimited, QStringLiteral("slow down"), QStringLiteral("login"), 1500}};
}

void TestProtocolAccounts::serverRoundTrip() {
    QFETCH(ServerMessage, message);
    const QByteArray wire = Codec::encode(message);
    const auto decoded = Codec().decodeServer(wire);
    QVERIFY2(std::holds_alternative<ServerMessage>(decoded), wire.constData());
    QCOMPARE(std::get<ServerMessage>(decoded), message);
}

void TestProtocolAccounts::badClientFrames_data() {
    QTest::addColumn<QByteArray>("frame");
    QTest::addColumn<QString>("ref");
    QTest::addRow("register without password")
        << QByteArray(R"({"type":"register","username":"a"})") << "register";
    QTest::addRow("register with numeric password")
        << QByteArray(R"({"type":"register","username":"a","password":123})") << "register";
    QTest::addRow("username too long") << QByteArray(R"({"type":"login","username":")" +
                                                     QByteArray(33, 'a') + R"(","password":"x"})")
                                       << "login";
    QTest::addRow("password too long")
        << (R"({"type":"login","username":"a","password":")" + QByteArray(1025, 'a') + R"("})")
        << "login";
    QTest::addRow("empty username")
        << QByteArray(R"({"type":"login","username":"","password":"x"})") << "login";
    QTest::addRow("totp not a string")
        << QByteArray(R"({"type":"login","username":"a","password":"x","totp":123456})") << "login";
    QTest::addRow("resume without token") << QByteArray(R"({"type":"resume"})") << "resume";
    QTest::addRow("token too long")
        << (R"({"type":"resume","token":")" + QByteArray(129, 'a') + R"("})") << "resume";
    QTest::addRow("report without reason") << QByteArray(R"({"type":"report"})") << "report";
    QTest::addRow("report reason too long")
        << (R"({"type":"report","reason":")" + QByteArray(501, 'a') + R"("})") << "report";
    QTest::addRow("empty report reason")
        << QByteArray(R"({"type":"report","reason":""})") << "report";
    QTest::addRow("totp_enable without code")
        << QByteArray(R"({"type":"totp_enable"})") << "totp_enable";
    QTest::addRow("totp_enroll with numeric password")
        << QByteArray(R"({"type":"totp_enroll","password":123})") << "totp_enroll";
    QTest::addRow("totp_enroll with empty password")
        << QByteArray(R"({"type":"totp_enroll","password":""})") << "totp_enroll";
    QTest::addRow("totp_enable password too long")
        << (R"({"type":"totp_enable","code":"000000","password":")" + QByteArray(1025, 'a') +
            R"("})")
        << "totp_enable";
    QTest::addRow("logout everywhere not a boolean")
        << QByteArray(R"({"type":"logout","everywhere":"yes"})") << "logout";
}

void TestProtocolAccounts::badClientFrames() {
    QFETCH(QByteArray, frame);
    QFETCH(QString, ref);
    const auto decoded = Codec().decodeClient(frame);
    QVERIFY(std::holds_alternative<DecodeError>(decoded));
    const DecodeError e = std::get<DecodeError>(decoded);
    QVERIFY(e.code == ErrorCode::BadRequest);
    QCOMPARE(e.ref, ref);
    QVERIFY(!e.message.isEmpty());
}

QTEST_GUILESS_MAIN(TestProtocolAccounts)
#include "tst_protocol_accounts.moc"
