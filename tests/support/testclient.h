// SPDX-License-Identifier: MIT
#pragma once

#include "protocol.h"

#include <QList>
#include <QObject>
#include <QTest>
#include <QUrl>
#include <QWebSocket>

#include <algorithm>
#include <memory>
#include <optional>

namespace whisper::test {

// A real WebSocket client that speaks protocol v1 through the shared codec and
// keeps every frame it receives, so tests can wait for the next one of a type.
class TestClient : public QObject {
    Q_OBJECT
public:
    explicit TestClient(QObject *parent = nullptr);

    // Connects and waits for `welcome`.
    bool connectTo(const QUrl &url, int timeoutMs = 5000);
    // A client that connected, joined at the position and got `waiting`;
    // null when any step failed.
    static std::unique_ptr<TestClient> waitingAt(const QUrl &url, double lat, double lon,
                                                 double rangeKm);
    bool isConnected() const { return m_socket.state() == QAbstractSocket::ConnectedState; }

    void send(const protocol::ClientMessage &message);
    void sendRaw(const QString &text);
    void sendBinary(const QByteArray &data);
    void close();

    // Waits for the next unread frame of type T (skipping others), or nullopt.
    template <typename T>
    std::optional<T> waitFor(int timeoutMs = 5000);
    // Waits for the next unread frame of any type.
    std::optional<protocol::ServerMessage> next(int timeoutMs = 5000);
    // True when no unread frame of type T arrives within `ms`.
    template <typename T>
    bool staysWithout(int ms);

    bool waitForDisconnected(int timeoutMs = 5000);
    int closeCode() const { return int(m_socket.closeCode()); }
    QString closeReason() const { return m_socket.closeReason(); }
    const protocol::Welcome &welcome() const { return m_welcome; }
    QList<protocol::ServerMessage> unread() const { return m_inbox; }
    int undecodable() const { return m_undecodable; }
    QWebSocket &socket() { return m_socket; }

private:
    QWebSocket m_socket;
    protocol::Codec m_codec;
    QList<protocol::ServerMessage> m_inbox;
    protocol::Welcome m_welcome;
    int m_undecodable = 0;
};

template <typename T>
std::optional<T> TestClient::waitFor(int timeoutMs) {
    std::optional<T> found;
    auto scan = [&] {
        for (qsizetype i = 0; i < m_inbox.size(); ++i) {
            if (const T *m = std::get_if<T>(&m_inbox[i])) {
                found = *m;
                m_inbox.removeAt(i);
                return true;
            }
        }
        return false;
    };
    if (!QTest::qWaitFor(scan, timeoutMs))
        return std::nullopt;
    return found;
}

template <typename T>
bool TestClient::staysWithout(int ms) {
    auto seen = [&] {
        return std::any_of(m_inbox.cbegin(), m_inbox.cend(), [](const protocol::ServerMessage &m) {
            return std::holds_alternative<T>(m);
        });
    };
    return !QTest::qWaitFor(seen, ms);
}

} // namespace whisper::test
