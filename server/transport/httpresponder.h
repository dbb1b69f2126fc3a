// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QHash>
#include <QString>

#include <memory>

namespace whisper {

// Answers the plain HTTP requests that reach the chat port without asking
// for a WebSocket upgrade: a browser opening the server's address gets the
// browser client (resources/web/, compiled in under :/web). Only GET and
// HEAD of a few fixed files; every answer closes the connection, so a
// request costs one short-lived socket and the handshake's limits (head
// size, timeout, half-open connections per address) bound it.
//
// Immutable once made: one instance is shared by every I/O thread.
class HttpResponder {
public:
    // The browser client from the Qt resources under `resourceDir`.
    static std::shared_ptr<const HttpResponder>
    browserClient(const QString &resourceDir = QStringLiteral(":/web"));

    // True when the request head (request line and headers) asks for a
    // WebSocket upgrade: those stay with the WebSocket handshake, whatever
    // else is wrong with them.
    static bool isUpgrade(QByteArrayView head);

    // The whole response (status line, headers and, for GET, the body) to
    // a request head without its closing blank line.
    QByteArray respond(QByteArrayView head) const;

    // Number of files served (tests and the start-up log).
    qsizetype fileCount() const { return m_files.size(); }

private:
    struct File {
        QByteArray contentType;
        QByteArray etag;
        QByteArray body;
        bool isDocument = false; // the page itself: gets the CSP with its host
    };

    QByteArray fileResponse(const File &file, QByteArrayView host, bool head) const;

    QHash<QByteArray, File> m_files; // by request path
};

} // namespace whisper
