// SPDX-License-Identifier: MIT
#pragma once

#include "wsframe.h"

#include <QByteArray>
#include <QList>
#include <QTcpSocket>
#include <QUrl>

namespace whisper::test {

// A deliberately minimal WebSocket client on a plain TCP socket, for what a
// well-behaved client library will not do: stall the handshake, never answer
// pings, send arbitrary bytes in a text frame.
class RawWsClient {
public:
    bool connectTcp(const QUrl &url, int timeoutMs = 5000);
    // Sends the upgrade request and waits for "101 Switching Protocols".
    bool handshake(int timeoutMs = 5000);
    void sendText(const QByteArray &payload);
    // One masked frame; `fin` false for all but the last frame of a
    // fragmented message.
    void sendFrame(ws::Opcode opcode, const QByteArray &payload, bool fin = true);
    // Bytes as they are, for frames no writer would produce.
    void sendBytes(const QByteArray &bytes);
    // Reads frames for up to `timeoutMs`; returns the text payloads seen.
    QList<QByteArray> readTextFrames(int timeoutMs);
    bool waitForDisconnected(int timeoutMs);
    int pingsReceived() const { return m_pings; }
    int pongsReceived() const { return m_pongs; }
    // Takes in whatever arrived, without waiting (for QTRY_* polls).
    void poll();
    // The code of the close frame the server sent, 1005 for one without a
    // code (RFC 6455 7.1.5), or -1 for none.
    int closeCodeReceived() const { return m_closeCode; }
    // The server sent something that is not a valid server frame (masked,
    // reserved bits, unknown opcode): reading stopped there.
    bool invalidFrameReceived() const { return m_invalid; }
    QTcpSocket &socket() { return m_socket; }

private:
    void parseFrames();

    QTcpSocket m_socket;
    QUrl m_url;
    QByteArray m_buffer;
    QList<QByteArray> m_texts;
    int m_pings = 0;
    int m_pongs = 0;
    int m_closeCode = -1;
    bool m_invalid = false;
};

} // namespace whisper::test
