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
    QByteArray frame;
    frame.append(char(0x81)); // FIN + text
    const qsizetype n = payload.size();
    if (n < 126) {
        frame.append(char(0x80 | n));
    } else if (n < 65536) {
        frame.append(char(0x80 | 126));
        frame.append(char(n >> 8));
        frame.append(char(n & 0xff));
    } else {
        frame.append(char(0x80 | 127));
        for (int shift = 56; shift >= 0; shift -= 8)
            frame.append(char((quint64(n) >> shift) & 0xff));
    }
    char mask[4];
    for (char &c : mask)
        c = char(QRandomGenerator::global()->bounded(256));
    frame.append(mask, 4);
    for (qsizetype i = 0; i < n; ++i)
        frame.append(char(payload[i] ^ mask[i % 4]));
    m_socket.write(frame);
    m_socket.flush();
}

void RawWsClient::parseFrames() {
    for (;;) {
        if (m_buffer.size() < 2)
            return;
        const auto opcode = quint8(m_buffer[0]) & 0x0f;
        quint64 length = quint8(m_buffer[1]) & 0x7f;
        qsizetype header = 2;
        if (length == 126) {
            if (m_buffer.size() < 4)
                return;
            length = (quint64(quint8(m_buffer[2])) << 8) | quint8(m_buffer[3]);
            header = 4;
        } else if (length == 127) {
            if (m_buffer.size() < 10)
                return;
            length = 0;
            for (int i = 0; i < 8; ++i)
                length = (length << 8) | quint8(m_buffer[2 + i]);
            header = 10;
        }
        if (quint64(m_buffer.size()) < header + length)
            return;
        const QByteArray payload = m_buffer.mid(header, qsizetype(length));
        m_buffer.remove(0, header + qsizetype(length));
        if (opcode == 0x1)
            m_texts.append(payload);
        else if (opcode == 0x9)
            ++m_pings; // and deliberately no pong
        else if (opcode == 0x8 && payload.size() >= 2)
            m_closeCode = (quint8(payload[0]) << 8) | quint8(payload[1]);
    }
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
