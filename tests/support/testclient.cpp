// SPDX-License-Identifier: MIT
#include "testclient.h"

namespace whisper::test {

using namespace protocol;

TestClient::TestClient(QObject *parent)
    : QObject(parent) {
    connect(&m_socket, &QWebSocket::textMessageReceived, this, [this](const QString &text) {
        auto decoded = m_codec.decodeServer(text.toUtf8());
        if (auto *message = std::get_if<ServerMessage>(&decoded))
            m_inbox.append(std::move(*message));
        else
            ++m_undecodable;
    });
}

std::unique_ptr<TestClient> TestClient::waitingAt(const QUrl &url, double lat, double lon,
                                                  double rangeKm) {
    auto c = std::make_unique<TestClient>();
    if (!c->connectTo(url))
        return nullptr;
    c->send(protocol::Join{lat, lon, rangeKm});
    if (!c->waitFor<protocol::Waiting>())
        return nullptr;
    return c;
}

bool TestClient::connectTo(const QUrl &url, int timeoutMs) {
    m_socket.open(url);
    const auto welcome = waitFor<Welcome>(timeoutMs);
    if (!welcome)
        return false;
    m_welcome = *welcome;
    return true;
}

void TestClient::send(const ClientMessage &message) {
    m_socket.sendTextMessage(QString::fromUtf8(Codec::encode(message)));
}

void TestClient::sendRaw(const QString &text) {
    m_socket.sendTextMessage(text);
}

void TestClient::sendBinary(const QByteArray &data) {
    m_socket.sendBinaryMessage(data);
}

void TestClient::close() {
    m_socket.close();
}

std::optional<ServerMessage> TestClient::next(int timeoutMs) {
    if (!QTest::qWaitFor([this] { return !m_inbox.isEmpty(); }, timeoutMs))
        return std::nullopt;
    return m_inbox.takeFirst();
}

bool TestClient::waitForDisconnected(int timeoutMs) {
    return QTest::qWaitFor([this] { return m_socket.state() == QAbstractSocket::UnconnectedState; },
                           timeoutMs);
}

} // namespace whisper::test
