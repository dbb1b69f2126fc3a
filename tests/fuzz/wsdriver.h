// SPDX-License-Identifier: MIT
#pragma once

// Drives the server's native WebSocket connection (transport/
// websocketconnection) with bytes from a fuzzer: the connection owns one end
// of a socket pair, the input goes in at the other end followed by
// end-of-stream, and the event loop runs until the connection has given up
// on the peer. So the handshake and frame parsers run exactly as in the
// server, reading from a socket, with nothing factored out for the test.

#include "fuzzsupport.h"
#include "websocketconnection.h"

#include <QHostAddress>

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

namespace whisper::fuzz {

inline void driveConnection(QByteArrayView input) {
    int fds[2];
    check(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds) == 0, "socketpair");
    // Room for the whole input (the target limits it to 64 KiB) and for what
    // the server answers, which nobody reads.
    const int bufferBytes = 512 * 1024;
    ::setsockopt(fds[1], SOL_SOCKET, SO_SNDBUF, &bufferBytes, sizeof bufferBytes);
    ::setsockopt(fds[0], SOL_SOCKET, SO_SNDBUF, &bufferBytes, sizeof bufferBytes);
    ::fcntl(fds[0], F_SETFL, ::fcntl(fds[0], F_GETFL) | O_NONBLOCK);
    qsizetype written = 0;
    while (written < input.size()) {
        const ssize_t n =
            ::send(fds[1], input.data() + written, size_t(input.size() - written), MSG_NOSIGNAL);
        if (n <= 0)
            break;
        written += n;
    }
    ::shutdown(fds[1], SHUT_WR);

    WebSocketConnection::Limits limits;
    limits.maxMessageBytes = 16 * 1024;
    limits.closeTimeoutMs = 0; // a close handshake the peer never finishes ends at once
    auto *connection = new WebSocketConnection(fds[0], QHostAddress::LocalHost, limits);
    bool done = false;
    QObject::connect(connection, &WebSocketConnection::handshakeFailed, [&] { done = true; });
    QObject::connect(connection, &Connection::disconnected, [&] { done = true; });
    // Echo every message, as the relay does, so the write path runs too.
    QObject::connect(connection, &Connection::textReceived,
                     [connection](const QByteArray &text) { connection->sendText(text); });
    QObject::connect(connection, &Connection::binaryReceived, [connection](const QByteArray &) {
        connection->close(QWebSocketProtocol::CloseCodeDatatypeNotSupported, QString());
    });
    // Bounded: end-of-stream is always there to be read, so a connection
    // that is still open after this many rounds ignored it.
    for (int round = 0; round < 1000 && !done; ++round)
        QCoreApplication::processEvents(QEventLoop::AllEvents);
    check(done, "the connection ends at end-of-stream");
    delete connection;
    QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
    ::close(fds[1]);
}

} // namespace whisper::fuzz
