// SPDX-License-Identifier: MIT
#include "rawwsclient.h"

#include <QDeadlineTimer>
#include <QRandomGenerator>
#include <QTest>

namespace whisper::test {

bool RawWsClient::connectTcp(const QUrl &url, int timeoutMs) {
    m_url = url;
    m_socket.connectToHost(url.host(), quint16(url.port()));
    return m_socket.waitForConnected(timeoutMs);
}

bool RawWsClient::handshake(int timeoutMs) {
    QByteArray key(16, Qt::Uninitialized);
    for (char &c : key)
        c = char(QRandomGenerator::global()->bounded(256));
    const QByteArray request = "GET / HTTP/1.1\r\nHost: " + m_url.host().toLatin1() + ':' +
                               QByteArray::number(m_url.port()) +
                               "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                               "Sec-WebSocket-Key: " +
                               key.toBase64() + "\r\nSec-WebSocket-Version: 13\r\n\r\n";
    m_socket.write(request);
    QDeadlineTimer deadline(timeoutMs);
    while (!deadline.hasExpired()) {
        m_buffer += m_socket.readAll();
        const qsizetype end = m_buffer.indexOf("\r\n\r\n");
        if (end >= 0) {
            const bool ok = m_buffer.startsWith("HTTP/1.1 101");
            m_buffer.remove(0, end + 4);
            parseFrames();
            return ok;
        }
        if (!m_socket.waitForReadyRead(int(qMax<qint64>(1, deadline.remainingTime()))))
            break;
    }
    return false;
}

void RawWsClient::sendText(const QByteArray &payload) {
    sendFrame(ws::Opcode::Text, payload);
}

void RawWsClient::sendFrame(ws::Opcode opcode, const QByteArray &payload, bool fin) {
    std::string frame;
    ws::appendFrame(frame, opcode,
                    std::string_view(payload.constData(), std::size_t(payload.size())),
                    QRandomGenerator::global()->generate(), fin);
    m_socket.write(frame.data(), qint64(frame.size()));
    m_socket.flush();
}

void RawWsClient::sendBytes(const QByteArray &bytes) {
    m_socket.write(bytes);
    m_socket.flush();
}

void RawWsClient::parseFrames() {
    qsizetype consumed = 0;
    while (!m_invalid) {
        const std::string_view rest(m_buffer.constData() + consumed,
                                    std::size_t(m_buffer.size() - consumed));
        ws::FrameView frame;
        const ws::ParseResult r = ws::parseFrame(rest, frame, ws::Masking::Unmasked);
        if (r == ws::ParseResult::NeedMore)
            break;
        if (r == ws::ParseResult::Invalid) {
            m_invalid = true;
            break;
        }
        const QByteArray payload(frame.payload.data(), qsizetype(frame.payload.size()));
        consumed += qsizetype(frame.frameBytes);
        if (frame.opcode == ws::Opcode::Text)
            m_texts.append(payload);
        else if (frame.opcode == ws::Opcode::Ping)
            ++m_pings; // and deliberately no pong
        else if (frame.opcode == ws::Opcode::Pong)
            ++m_pongs;
        else if (frame.opcode == ws::Opcode::Close)
            m_closeCode =
                payload.size() >= 2 ? (quint8(payload[0]) << 8) | quint8(payload[1]) : 1005;
    }
    m_buffer.remove(0, consumed);
}

void RawWsClient::poll() {
    m_buffer += m_socket.readAll();
    parseFrames();
}

QList<QByteArray> RawWsClient::readTextFrames(int timeoutMs) {
    QDeadlineTimer deadline(timeoutMs);
    do {
        m_buffer += m_socket.readAll();
        parseFrames();
    } while (!deadline.hasExpired() &&
             m_socket.waitForReadyRead(int(qMax<qint64>(1, deadline.remainingTime()))));
    m_buffer += m_socket.readAll();
    parseFrames();
    return std::exchange(m_texts, {});
}

bool RawWsClient::waitForDisconnected(int timeoutMs) {
    QDeadlineTimer deadline(timeoutMs);
    while (!deadline.hasExpired()) {
        m_buffer += m_socket.readAll();
        parseFrames();
        if (m_socket.state() == QAbstractSocket::UnconnectedState)
            return true;
        m_socket.waitForReadyRead(int(qMax<qint64>(1, qMin<qint64>(50, deadline.remainingTime()))));
    }
    return m_socket.state() == QAbstractSocket::UnconnectedState;
}

} // namespace whisper::test
