// SPDX-License-Identifier: MIT
#include "httpresponder.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLoggingCategory>

namespace whisper {

Q_LOGGING_CATEGORY(lcHttp, "whisper.server.http")

namespace {

// Header lookup in a request head; the first line (the request line) is
// skipped. Names compare without case, values come back trimmed.
QByteArrayView header(QByteArrayView head, QByteArrayView name) {
    qsizetype pos = head.indexOf("\r\n");
    while (pos >= 0 && pos + 2 < head.size()) {
        pos += 2;
        qsizetype end = head.indexOf("\r\n", pos);
        if (end < 0)
            end = head.size();
        const QByteArrayView line = head.sliced(pos, end - pos);
        const qsizetype colon = line.indexOf(':');
        if (colon > 0 && line.first(colon).trimmed().compare(name, Qt::CaseInsensitive) == 0)
            return line.sliced(colon + 1).trimmed();
        pos = end;
    }
    return {};
}

bool hasHeader(QByteArrayView head, QByteArrayView name) {
    qsizetype pos = head.indexOf("\r\n");
    while (pos >= 0 && pos + 2 < head.size()) {
        pos += 2;
        qsizetype end = head.indexOf("\r\n", pos);
        if (end < 0)
            end = head.size();
        const QByteArrayView line = head.sliced(pos, end - pos);
        const qsizetype colon = line.indexOf(':');
        if (colon > 0 && line.first(colon).trimmed().compare(name, Qt::CaseInsensitive) == 0)
            return true;
        pos = end;
    }
    return false;
}

// The Host header goes into the page's Content-Security-Policy, so it must
// be a plain host[:port]: anything else (a header-splitting attempt, an
// absurd length) leaves the WebSocket sources out of the policy.
bool isPlainHost(QByteArrayView host) {
    if (host.isEmpty() || host.size() > 255)
        return false;
    for (const char c : host) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '.' || c == '-' || c == ':' || c == '[' ||
                        c == ']';
        if (!ok)
            return false;
    }
    return true;
}

// Headers every answer carries: the browser must not guess types, leak the
// address, or show the page (or an error) inside someone else's frame.
constexpr char kCommonHeaders[] = "X-Content-Type-Options: nosniff\r\n"
                                  "Referrer-Policy: no-referrer\r\n"
                                  "X-Frame-Options: DENY\r\n"
                                  "Cross-Origin-Opener-Policy: same-origin\r\n"
                                  "Cross-Origin-Resource-Policy: same-origin\r\n"
                                  "Connection: close\r\n";

QByteArray simple(QByteArrayView status, QByteArrayView extraHeaders = {}) {
    QByteArray body = status.toByteArray();
    body.append('\n');
    QByteArray r = "HTTP/1.1 ";
    r.append(status).append("\r\n");
    r.append(kCommonHeaders);
    r.append("Content-Security-Policy: default-src 'none'; frame-ancestors 'none'\r\n");
    r.append("Content-Type: text/plain; charset=utf-8\r\nCache-Control: no-store\r\n");
    r.append(extraHeaders);
    r.append("Content-Length: ").append(QByteArray::number(body.size())).append("\r\n\r\n");
    r.append(body);
    return r;
}

// HEAD gets the headers a GET would get, without the body.
QByteArray withoutBodyFor(bool head, QByteArray response) {
    if (head)
        response.truncate(response.indexOf("\r\n\r\n") + 4);
    return response;
}

QByteArray contentTypeFor(const QString &suffix) {
    if (suffix == QLatin1String("html"))
        return "text/html; charset=utf-8";
    if (suffix == QLatin1String("js"))
        return "text/javascript; charset=utf-8";
    if (suffix == QLatin1String("css"))
        return "text/css; charset=utf-8";
    if (suffix == QLatin1String("svg"))
        return "image/svg+xml";
    if (suffix == QLatin1String("png"))
        return "image/png";
    if (suffix == QLatin1String("json") || suffix == QLatin1String("webmanifest"))
        return "application/manifest+json";
    return "application/octet-stream";
}

} // namespace

std::shared_ptr<const HttpResponder> HttpResponder::browserClient(const QString &resourceDir) {
    auto responder = std::make_shared<HttpResponder>();
    const QDir dir(resourceDir);
    for (const QFileInfo &info : dir.entryInfoList(QDir::Files, QDir::Name)) {
        QFile f(info.filePath());
        if (!f.open(QIODevice::ReadOnly))
            continue;
        File file;
        file.body = f.readAll();
        file.contentType = contentTypeFor(info.suffix());
        // Strong validator from the content: a new build with a changed
        // file gets a new tag, an unchanged one keeps the cached copy.
        file.etag = '"' +
                    QCryptographicHash::hash(file.body, QCryptographicHash::Sha256)
                        .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals)
                        .left(22) +
                    '"';
        file.isDocument = info.fileName() == QLatin1String("index.html");
        const QByteArray path = file.isDocument ? QByteArray("/") : '/' + info.fileName().toUtf8();
        responder->m_files.insert(path, std::move(file));
    }
    if (responder->m_files.isEmpty())
        qCWarning(lcHttp) << "no browser client files under" << resourceDir;
    return responder;
}

bool HttpResponder::isUpgrade(QByteArrayView head) {
    const QByteArrayView upgrade = header(head, "upgrade");
    return QByteArray(upgrade.data(), upgrade.size()).toLower().contains("websocket");
}

QByteArray HttpResponder::respond(QByteArrayView head) const {
    const qsizetype lineEnd = head.indexOf("\r\n");
    const QByteArrayView requestLine = head.first(lineEnd < 0 ? head.size() : lineEnd);
    const QList<QByteArray> parts = QByteArray(requestLine.data(), requestLine.size()).split(' ');
    if (parts.size() != 3 || !parts[2].startsWith("HTTP/1.") || !parts[1].startsWith('/'))
        return simple("400 Bad Request");
    const QByteArray &method = parts[0];
    const bool isHead = method == "HEAD";
    if (method != "GET" && !isHead)
        return simple("405 Method Not Allowed", "Allow: GET, HEAD\r\n");
    // GET and HEAD carry no body: one that announces one is refused rather
    // than read (and the connection closes, so it is never parsed either).
    const QByteArrayView length = header(head, "content-length");
    if (hasHeader(head, "transfer-encoding") || (!length.isEmpty() && length != "0"))
        return withoutBodyFor(isHead, simple("413 Content Too Large"));
    QByteArray path = parts[1];
    if (const qsizetype q = path.indexOf('?'); q >= 0)
        path.truncate(q);
    const auto it = m_files.constFind(path);
    if (it == m_files.cend()) {
        return withoutBodyFor(isHead, path == "/ws"
                                          ? simple("426 Upgrade Required", "Upgrade: websocket\r\n")
                                          : simple("404 Not Found"));
    }
    const File &file = it.value();
    const QByteArrayView ifNoneMatch = header(head, "if-none-match");
    if (!ifNoneMatch.isEmpty() && (ifNoneMatch == file.etag || ifNoneMatch == "*")) {
        QByteArray r = "HTTP/1.1 304 Not Modified\r\n";
        r.append(kCommonHeaders);
        r.append("ETag: ").append(file.etag).append("\r\nCache-Control: no-cache\r\n\r\n");
        return r;
    }
    return fileResponse(file, header(head, "host"), isHead);
}

QByteArray HttpResponder::fileResponse(const File &file, QByteArrayView host, bool head) const {
    QByteArray r;
    r.reserve(1024 + (head ? 0 : file.body.size()));
    r.append("HTTP/1.1 200 OK\r\n");
    r.append(kCommonHeaders);
    // Only this origin's files; the WebSocket back to the same host. CSP
    // level 3 lets 'self' cover ws:/wss: of the same host; the explicit
    // sources are for browsers that predate it.
    r.append("Content-Security-Policy: default-src 'self'; script-src 'self'; "
             "style-src 'self'; img-src 'self'; connect-src 'self'");
    if (file.isDocument && isPlainHost(host)) {
        r.append(" ws://").append(host).append(" wss://").append(host);
    }
    r.append("; base-uri 'none'; form-action 'none'; object-src 'none'; "
             "frame-ancestors 'none'\r\n");
    if (file.isDocument)
        r.append("Permissions-Policy: geolocation=(self), camera=(), microphone=()\r\n");
    r.append("Content-Type: ").append(file.contentType).append("\r\n");
    // Revalidate every time (a 304 is a few hundred bytes): a new server
    // version's client is picked up at once, never mixed with old files.
    r.append("Cache-Control: no-cache\r\nETag: ").append(file.etag).append("\r\n");
    r.append("Content-Length: ").append(QByteArray::number(file.body.size())).append("\r\n\r\n");
    if (!head)
        r.append(file.body);
    return r;
}

} // namespace whisper
