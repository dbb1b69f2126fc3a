// SPDX-License-Identifier: MIT
#pragma once

// Sends raw bytes on a fresh WebSocket connection and records what the server
// did with them: the hostile-input matrix and the RFC 6455 conformance table
// both judge a case by this record.

#include "badframes.h"
#include "rawwsclient.h"

#include <QDeadlineTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QUrl>

namespace whisper::test {

struct TransportObservation {
    bool handshake = false;     // upgraded and welcomed
    int closeCode = -1;         // the server's close frame (1005: no code), -1: none
    bool disconnected = false;  // the server ended the TCP connection after it
    bool stillServing = false;  // the probe sent after the case was answered
    QList<QJsonObject> replies; // text frames between the case and the probe's answer
    int pongs = 0;
};

// The probe: an unknown type the server answers with an `error` naming it,
// which no case's own reply can be mistaken for.
inline QByteArray transportProbe() {
    return QByteArrayLiteral("{\"type\":\"zz_probe\"}");
}

inline TransportObservation observeTransportInput(const QUrl &url, const QByteArray &bytes,
                                                  int timeoutMs = 10000) {
    TransportObservation seen;
    RawWsClient client;
    if (!client.connectTcp(url) || !client.handshake())
        return seen;
    QDeadlineTimer welcome(5000);
    while (!welcome.hasExpired() && client.readTextFrames(20).isEmpty()) {
    }
    if (welcome.hasExpired())
        return seen;
    seen.handshake = true;
    client.sendBytes(bytes);
    client.sendText(transportProbe());
    QDeadlineTimer deadline(timeoutMs);
    while (!deadline.hasExpired() && client.closeCodeReceived() == -1 && !seen.stillServing &&
           client.socket().state() == QAbstractSocket::ConnectedState) {
        for (const QByteArray &text : client.readTextFrames(20)) {
            const QJsonObject reply = QJsonDocument::fromJson(text).object();
            if (reply.value(QLatin1String("message"))
                    .toString()
                    .contains(QLatin1String("zz_probe")))
                seen.stillServing = true;
            else if (!seen.stillServing)
                seen.replies.append(reply);
        }
    }
    seen.pongs = client.pongsReceived();
    seen.closeCode = client.closeCodeReceived();
    if (seen.closeCode == -1 && client.socket().state() != QAbstractSocket::ConnectedState) {
        seen.closeCode = 1006;
        seen.disconnected = true;
    } else if (seen.closeCode != -1) {
        // Answer as a client must, so the server ends the TCP connection at
        // once instead of after its close timeout.
        const char code[2] = {char(seen.closeCode >> 8), char(seen.closeCode & 0xFF)};
        client.sendBytes(
            clientFrame(0x8, seen.closeCode == 1005 ? QByteArray() : QByteArray(code, 2)));
        seen.disconnected = client.waitForDisconnected(5000);
    }
    return seen;
}

} // namespace whisper::test
