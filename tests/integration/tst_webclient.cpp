// SPDX-License-Identifier: MIT
// The browser client on the chat port, against the real server process:
// plain HTTP GET/HEAD of the page and its files with their security and
// caching headers, everything else refused, the size and body limits, the
// setting that turns the page off, and WebSocket upgrades on / and /ws
// unchanged. The browser itself is driven by tests/browser/.

#include "serverprocess.h"
#include "testclient.h"
#include "testpaths.h"

#include <QElapsedTimer>
#include <QFile>
#include <QMap>
#include <QRegularExpression>
#include <QTcpSocket>
#include <QTest>

using whisper::test::ServerProcess;
using whisper::test::TestClient;

namespace {

struct Response {
    int status = 0;
    QMap<QByteArray, QByteArray> headers; // lower-case names
    QByteArray body;
    bool closed = false; // the server closed the connection after it
    QByteArray raw;
};

// One request on its own connection; the server answers and closes, so the
// whole response is what arrives before the close.
Response exchange(const QUrl &url, const QByteArray &request, int timeoutMs = 5000) {
    Response r;
    QTcpSocket socket;
    socket.connectToHost(url.host(), quint16(url.port()));
    if (!socket.waitForConnected(timeoutMs))
        return r;
    socket.write(request);
    QElapsedTimer clock;
    clock.start();
    while (socket.state() == QAbstractSocket::ConnectedState && clock.elapsed() < timeoutMs) {
        socket.waitForReadyRead(100);
        r.raw += socket.readAll();
    }
    r.raw += socket.readAll();
    r.closed = socket.state() != QAbstractSocket::ConnectedState;
    const qsizetype end = r.raw.indexOf("\r\n\r\n");
    if (end < 0)
        return r;
    const QList<QByteArray> lines = r.raw.left(end).split('\n');
    const QList<QByteArray> statusLine = lines.value(0).trimmed().split(' ');
    if (statusLine.value(0).startsWith("HTTP/1."))
        r.status = statusLine.value(1).toInt();
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const qsizetype colon = lines[i].indexOf(':');
        if (colon > 0)
            r.headers.insert(lines[i].left(colon).trimmed().toLower(),
                             lines[i].mid(colon + 1).trimmed());
    }
    r.body = r.raw.mid(end + 4);
    return r;
}

QByteArray get(const QByteArray &path, const QByteArray &extra = {}) {
    return "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extra + "\r\n";
}

QByteArray resource(const QString &name) {
    QFile f(QStringLiteral(WHISPER_SOURCE_DIR "/resources/web/") + name);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

} // namespace

class TstWebClient : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void pageWithSecurityHeaders();
    void pageHasNoInlineCode();
    void assets_data();
    void assets();
    void revalidation();
    void head();
    void notFound_data();
    void notFound();
    void onlyGetAndHead_data();
    void onlyGetAndHead();
    void bodiesRefused_data();
    void bodiesRefused();
    void oversizedRequest();
    void slowRequestTimesOut();
    void largeFileThroughSmallSocketBuffer();
    void upgradesUnchanged_data();
    void upgradesUnchanged();
    void settingOff_data();
    void settingOff();
    void qtTransportServesNoPage();

private:
    std::unique_ptr<ServerProcess> m_server;
    QUrl m_url;
};

void TstWebClient::initTestCase() {
    m_server = std::make_unique<ServerProcess>(
        QStringList{QStringLiteral("--handshake-timeout-ms"), QStringLiteral("1500")});
    QVERIFY(m_server->start());
    m_url = m_server->chatUrl();
}

void TstWebClient::cleanupTestCase() {
    if (m_server)
        QVERIFY(m_server->terminate());
}

void TstWebClient::pageWithSecurityHeaders() {
    const Response r = exchange(m_url, get("/"));
    QCOMPARE(r.status, 200);
    QVERIFY(r.closed);
    QCOMPARE(r.headers.value("content-type"), QByteArray("text/html; charset=utf-8"));
    QCOMPARE(r.headers.value("content-length").toInt(), r.body.size());
    QCOMPARE(r.body, resource(QStringLiteral("index.html")));
    const QByteArray csp = r.headers.value("content-security-policy");
    QVERIFY2(csp.contains("default-src 'self'"), csp);
    QVERIFY2(csp.contains("script-src 'self';"), csp);
    QVERIFY2(csp.contains("style-src 'self';"), csp);
    QVERIFY2(csp.contains("frame-ancestors 'none'"), csp);
    // The WebSocket back to the host the page came from, and nothing else.
    QVERIFY2(csp.contains("connect-src 'self' ws://127.0.0.1 wss://127.0.0.1;"), csp);
    QVERIFY2(!csp.contains("unsafe"), csp);
    QVERIFY2(!csp.contains('*'), csp);
    QCOMPARE(r.headers.value("x-content-type-options"), QByteArray("nosniff"));
    QCOMPARE(r.headers.value("referrer-policy"), QByteArray("no-referrer"));
    QCOMPARE(r.headers.value("x-frame-options"), QByteArray("DENY"));
    QCOMPARE(r.headers.value("cache-control"), QByteArray("no-cache"));
    QVERIFY(r.headers.value("etag").startsWith('"'));
    QCOMPARE(r.headers.value("connection"), QByteArray("close"));
}

void TstWebClient::pageHasNoInlineCode() {
    // The CSP forbids inline script and style: the page must not need them.
    const QByteArray page = exchange(m_url, get("/")).body;
    QVERIFY(!page.isEmpty());
    const QRegularExpression script(QStringLiteral("<script(?![^>]*\\bsrc=)[^>]*>"));
    QVERIFY2(!script.match(QString::fromUtf8(page)).hasMatch(), "inline <script>");
    QVERIFY(!page.contains("<style"));
    QVERIFY(!page.contains(" style="));
    const QRegularExpression handler(QStringLiteral("\\son[a-z]+\\s*="));
    QVERIFY2(!handler.match(QString::fromUtf8(page)).hasMatch(), "inline event handler");
    QVERIFY(page.contains("<script src=\"/app.js\""));
    // A Host header that could split the header is left out of the policy.
    const Response evil = exchange(m_url, "GET / HTTP/1.1\r\nHost: a;b 'unsafe-inline'\r\n\r\n");
    QCOMPARE(evil.status, 200);
    QVERIFY(!evil.headers.value("content-security-policy").contains("unsafe"));
}

void TstWebClient::assets_data() {
    QTest::addColumn<QString>("file");
    QTest::addColumn<QByteArray>("type");
    QTest::newRow("app.js") << "app.js" << QByteArray("text/javascript; charset=utf-8");
    QTest::newRow("app.css") << "app.css" << QByteArray("text/css; charset=utf-8");
    QTest::newRow("world.svg") << "world.svg" << QByteArray("image/svg+xml");
    QTest::newRow("favicon.svg") << "favicon.svg" << QByteArray("image/svg+xml");
}

void TstWebClient::assets() {
    QFETCH(QString, file);
    QFETCH(QByteArray, type);
    const Response r = exchange(m_url, get('/' + file.toUtf8() + "?v=1"));
    QCOMPARE(r.status, 200);
    QCOMPARE(r.headers.value("content-type"), type);
    QCOMPARE(r.headers.value("x-content-type-options"), QByteArray("nosniff"));
    QCOMPARE(r.headers.value("content-length").toInt(), r.body.size());
    QCOMPARE(r.body, resource(file));
}

void TstWebClient::revalidation() {
    const QByteArray etag = exchange(m_url, get("/app.js")).headers.value("etag");
    QVERIFY(!etag.isEmpty());
    const Response same = exchange(m_url, get("/app.js", "If-None-Match: " + etag + "\r\n"));
    QCOMPARE(same.status, 304);
    QVERIFY(same.body.isEmpty());
    QCOMPARE(same.headers.value("etag"), etag);
    const Response other = exchange(m_url, get("/app.js", "If-None-Match: \"stale\"\r\n"));
    QCOMPARE(other.status, 200);
    QVERIFY(!other.body.isEmpty());
}

void TstWebClient::head() {
    const Response full = exchange(m_url, get("/"));
    const Response r = exchange(m_url, "HEAD / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    QCOMPARE(r.status, 200);
    QVERIFY(r.closed);
    QVERIFY(r.body.isEmpty());
    QCOMPARE(r.headers.value("content-length"), full.headers.value("content-length"));
    QCOMPARE(r.headers.value("content-type"), full.headers.value("content-type"));
    QCOMPARE(r.headers.value("content-security-policy"),
             full.headers.value("content-security-policy"));
    // Errors too: the headers without the body.
    const Response missing = exchange(m_url, "HEAD /nope HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    QCOMPARE(missing.status, 404);
    QVERIFY(missing.headers.value("content-length").toInt() > 0);
    QVERIFY2(missing.body.isEmpty(), missing.body);
}

void TstWebClient::notFound_data() {
    QTest::addColumn<QByteArray>("path");
    QTest::addColumn<int>("status");
    QTest::newRow("unknown") << QByteArray("/admin") << 404;
    QTest::newRow("traversal") << QByteArray("/../../etc/passwd") << 404;
    QTest::newRow("resource dir") << QByteArray("/web/app.js") << 404;
    QTest::newRow("index.html") << QByteArray("/index.html") << 404;
    QTest::newRow("no slash") << QByteArray("app.js") << 400;
    QTest::newRow("ws without upgrade") << QByteArray("/ws") << 426;
}

void TstWebClient::notFound() {
    QFETCH(QByteArray, path);
    QFETCH(int, status);
    const Response r = exchange(m_url, get(path));
    QCOMPARE(r.status, status);
    QVERIFY(r.closed);
    QCOMPARE(r.headers.value("x-content-type-options"), QByteArray("nosniff"));
    QVERIFY(!r.body.contains("<html"));
}

void TstWebClient::onlyGetAndHead_data() {
    QTest::addColumn<QByteArray>("method");
    for (const char *m : {"POST", "PUT", "DELETE", "OPTIONS", "PATCH", "TRACE", "CONNECT"})
        QTest::newRow(m) << QByteArray(m);
}

void TstWebClient::onlyGetAndHead() {
    QFETCH(QByteArray, method);
    const Response r = exchange(m_url, method + " / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    QCOMPARE(r.status, 405);
    QCOMPARE(r.headers.value("allow"), QByteArray("GET, HEAD"));
    QVERIFY(r.closed);
}

void TstWebClient::bodiesRefused_data() {
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<int>("status");
    QTest::newRow("POST with body") << QByteArray("POST / HTTP/1.1\r\nHost: h\r\n"
                                                  "Content-Length: 5\r\n\r\nhello")
                                    << 405;
    QTest::newRow("GET with body") << QByteArray("GET / HTTP/1.1\r\nHost: h\r\n"
                                                 "Content-Length: 5\r\n\r\nhello")
                                   << 413;
    QTest::newRow("GET chunked") << QByteArray("GET / HTTP/1.1\r\nHost: h\r\n"
                                               "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n")
                                 << 413;
    QTest::newRow("GET length 0") << QByteArray("GET / HTTP/1.1\r\nHost: h\r\n"
                                                "Content-Length: 0\r\n\r\n")
                                  << 200;
}

void TstWebClient::bodiesRefused() {
    QFETCH(QByteArray, request);
    QFETCH(int, status);
    const Response r = exchange(m_url, request);
    QCOMPARE(r.status, status);
    QVERIFY(r.closed);
    // The server keeps serving.
    QCOMPARE(exchange(m_url, get("/app.css")).status, 200);
}

void TstWebClient::oversizedRequest() {
    // The handshake's limit on the request head, 8 KiB, holds for the page.
    const QByteArray filler(8192, 'a');
    const Response r = exchange(m_url, get("/", "X-Filler: " + filler + "\r\n"));
    QCOMPARE(r.status, 431);
    QVERIFY(r.closed);
    // Just under the limit is served.
    const QByteArray head = get("/", "X-Filler: \r\n");
    const QByteArray fits(8192 - head.size(), 'a');
    const Response ok = exchange(m_url, get("/", "X-Filler: " + fits + "\r\n"));
    QCOMPARE(ok.status, 200);
}

void TstWebClient::slowRequestTimesOut() {
    // A request head that never ends is dropped at the handshake timeout
    // (1.5 s here), not held open.
    QTcpSocket socket;
    socket.connectToHost(m_url.host(), quint16(m_url.port()));
    QVERIFY(socket.waitForConnected(2000));
    socket.write("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    QElapsedTimer clock;
    clock.start();
    QTRY_COMPARE_WITH_TIMEOUT(socket.state(), QAbstractSocket::UnconnectedState, 6000);
    QVERIFY2(clock.elapsed() >= 1000, QByteArray::number(clock.elapsed()));
    QVERIFY(!socket.readAll().contains("200 OK"));
}

void TstWebClient::largeFileThroughSmallSocketBuffer() {
    // The map is larger than a 4 KiB socket buffer: the answer goes out over
    // several writes and arrives whole.
    ServerProcess server({QStringLiteral("--socket-buffer-bytes"), QStringLiteral("4096")});
    QVERIFY(server.start());
    const QByteArray svg = resource(QStringLiteral("world.svg"));
    QVERIFY(svg.size() > 32 * 1024);
    const Response r = exchange(server.chatUrl(), get("/world.svg"));
    QCOMPARE(r.status, 200);
    QCOMPARE(r.body.size(), svg.size());
    QCOMPARE(r.body, svg);
    QVERIFY(server.terminate());
}

void TstWebClient::upgradesUnchanged_data() {
    QTest::addColumn<QString>("path");
    QTest::newRow("/") << QStringLiteral("/");
    QTest::newRow("/ws") << QStringLiteral("/ws");
}

void TstWebClient::upgradesUnchanged() {
    QFETCH(QString, path);
    QUrl url = m_url;
    url.setPath(path);
    TestClient a, b;
    QVERIFY(a.connectTo(url));
    QVERIFY(b.connectTo(url));
    QCOMPARE(a.welcome().protocol, 1);
    a.send(whisper::protocol::Join{52.52, 13.405, 10});
    b.send(whisper::protocol::Join{52.521, 13.406, 10});
    QVERIFY(a.waitFor<whisper::protocol::Matched>());
    QVERIFY(b.waitFor<whisper::protocol::Matched>());
    a.send(whisper::protocol::SendMessage{QStringLiteral("hi"), QStringLiteral("m-1")});
    const auto got = b.waitFor<whisper::protocol::IncomingMessage>();
    QVERIFY(got);
    QCOMPARE(got->text, QStringLiteral("hi"));
    QVERIFY(a.waitFor<whisper::protocol::Delivered>());
    // An upgrade on another path is still closed as it was.
    TestClient c;
    url.setPath(QStringLiteral("/other"));
    c.socket().open(url);
    QVERIFY(c.waitForDisconnected());
    QCOMPARE(c.closeCode(), 1008);
}

void TstWebClient::settingOff_data() {
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QByteArray>("env");
    QTest::newRow("command line") << QStringList{QStringLiteral("--web-client"),
                                                 QStringLiteral("false")}
                                  << QByteArray();
    QTest::newRow("environment") << QStringList{} << QByteArray("off");
}

void TstWebClient::settingOff() {
    QFETCH(QStringList, args);
    QFETCH(QByteArray, env);
    ServerProcess server(args);
    if (!env.isEmpty()) {
        QProcessEnvironment e = QProcessEnvironment::systemEnvironment();
        e.insert(QStringLiteral("WHISPERCHAT_WEB_CLIENT"), QString::fromUtf8(env));
        server.setEnvironment(e);
    }
    QVERIFY(server.start());
    // A plain GET is a failed WebSocket handshake again, as before the page.
    const Response r = exchange(server.chatUrl(), get("/"));
    QCOMPARE(r.status, 400);
    QVERIFY(!r.raw.contains("<html"));
    QCOMPARE(exchange(server.chatUrl(), get("/app.js")).status, 400);
    TestClient c;
    QVERIFY(c.connectTo(server.chatUrl()));
    QVERIFY(server.terminate());
}

void TstWebClient::qtTransportServesNoPage() {
    // Documented: QWebSocketServer answers only upgrades, so transport=qt
    // (like the TLS listener) serves no page.
    ServerProcess server({QStringLiteral("--transport"), QStringLiteral("qt")});
    QVERIFY(server.start());
    const Response r = exchange(server.chatUrl(), get("/"), 3000);
    QVERIFY(r.status != 200);
    QVERIFY(!r.raw.contains("<html"));
    TestClient c;
    QVERIFY(c.connectTo(server.chatUrl()));
    QVERIFY(server.terminate());
}

QTEST_GUILESS_MAIN(TstWebClient)
#include "tst_webclient.moc"
