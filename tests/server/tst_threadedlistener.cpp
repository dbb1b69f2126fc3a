// SPDX-License-Identifier: MIT
// The native transport on I/O threads: connections live on worker
// threads, sessions see ThreadedConnection proxies on the main thread. Real
// sockets on loopback, real QWebSocket clients.
#include "threadedconnection.h"
#include "threadedlistener.h"

#include <QPointer>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTest>
#include <QWebSocket>

#include <memory>

using namespace whisper;

namespace {

// A listener on loopback whose connections the test collects.
struct Server {
    explicit Server(int threads = 2, int handshakeTimeoutMs = 10000) {
        ListenerSettings settings;
        settings.ioThreads = threads;
        settings.handshakeTimeoutMs = handshakeTimeoutMs;
        listener = std::make_unique<ThreadedListener>(settings);
        QObject::connect(listener.get(), &ConnectionListener::newConnection,
                         [this](Connection *c) { accepted.append(QPointer<Connection>(c)); });
    }
    // The receiver owns the connections: what a test left is deleted here.
    ~Server() {
        for (const QPointer<Connection> &c : std::as_const(accepted))
            delete c.data();
    }
    bool listen() { return listener->listen(QHostAddress::LocalHost, 0); }
    QUrl url() const {
        return QUrl(QStringLiteral("ws://127.0.0.1:%1/ws").arg(listener->serverPort()));
    }

    std::unique_ptr<ThreadedListener> listener;
    QList<QPointer<Connection>> accepted;
};

std::unique_ptr<QWebSocket> connectClient(Server &server) {
    auto client = std::make_unique<QWebSocket>();
    QSignalSpy connected(client.get(), &QWebSocket::connected);
    const qsizetype before = server.accepted.size();
    client->open(server.url());
    if (!connected.wait(5000))
        return nullptr;
    if (!QTest::qWaitFor([&] { return server.accepted.size() > before; }, 5000))
        return nullptr;
    return client;
}

// A listener with one client connected: how most cases start.
struct OneClient {
    bool start() {
        if (!server.listen() || !(client = connectClient(server)))
            return false;
        connection = server.accepted.first();
        gone = std::make_unique<QSignalSpy>(connection, &Connection::disconnected);
        clientGone = std::make_unique<QSignalSpy>(client.get(), &QWebSocket::disconnected);
        return true;
    }

    Server server;
    std::unique_ptr<QWebSocket> client;
    Connection *connection = nullptr;
    std::unique_ptr<QSignalSpy> gone;       // the proxy's disconnected
    std::unique_ptr<QSignalSpy> clientGone; // the client's disconnected
};

QByteArray numbered(int i) {
    return QByteArray("m") + QByteArray::number(i);
}

} // namespace

class TestThreadedListener : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void connectionsArriveOnTheMainThread();
    void messagesKeepTheirOrderBothWays();
    void serverCloseReachesTheClient();
    void clientCloseReachesTheSession();
    void abortDropsTheSocket();
    void proxyDeletedWhileMessagesAreInFlight();
    void listenerStopsWithConnectionsOpen();
    void stalledHandshakeTimesOutOnTheWorker();
    void nonWebSocketRequestIsRefused();
};

void TestThreadedListener::connectionsArriveOnTheMainThread() {
    Server server(3);
    QVERIFY(server.listen());
    QCOMPARE(server.listener->threadCount(), 3);
    std::vector<std::unique_ptr<QWebSocket>> clients;
    for (int i = 0; i < 6; ++i) {
        clients.push_back(connectClient(server));
        QVERIFY(clients.back());
    }
    QCOMPARE(server.accepted.size(), 6);
    for (const QPointer<Connection> &c : std::as_const(server.accepted)) {
        QVERIFY(c);
        QCOMPARE(c->thread(), QThread::currentThread());
        QCOMPARE(c->peerAddress(), QHostAddress(QHostAddress::LocalHost));
        QCOMPARE(c->requestUrl().path(), QStringLiteral("/ws"));
    }
}

void TestThreadedListener::messagesKeepTheirOrderBothWays() {
    constexpr int kMessages = 2000;
    Server server(2);
    QVERIFY(server.listen());
    std::vector<std::unique_ptr<QWebSocket>> clients;
    for (int i = 0; i < 4; ++i) {
        clients.push_back(connectClient(server));
        QVERIFY(clients.back());
    }
    // Server side: what each proxy received, and whether on the main thread.
    std::vector<QList<QByteArray>> atServer(clients.size());
    bool offThread = false;
    for (std::size_t i = 0; i < clients.size(); ++i)
        QObject::connect(server.accepted[qsizetype(i)], &Connection::textReceived,
                         [&, i](const QByteArray &t) {
                             offThread |= QThread::currentThread() != qApp->thread();
                             atServer[i].append(t);
                         });
    std::vector<QStringList> atClient(clients.size());
    for (std::size_t i = 0; i < clients.size(); ++i)
        QObject::connect(clients[i].get(), &QWebSocket::textMessageReceived,
                         [&, i](const QString &t) { atClient[i].append(t); });

    for (int n = 0; n < kMessages; ++n)
        for (std::size_t i = 0; i < clients.size(); ++i) {
            clients[i]->sendTextMessage(QString::fromLatin1(numbered(n)));
            server.accepted[qsizetype(i)]->sendText(numbered(n));
        }
    for (std::size_t i = 0; i < clients.size(); ++i) {
        QTRY_COMPARE_WITH_TIMEOUT(atServer[i].size(), kMessages, 20000);
        QTRY_COMPARE_WITH_TIMEOUT(atClient[i].size(), kMessages, 20000);
        for (int n = 0; n < kMessages; ++n) {
            QCOMPARE(atServer[i][n], numbered(n));
            QCOMPARE(atClient[i][n], QString::fromLatin1(numbered(n)));
        }
    }
    QVERIFY(!offThread);
}

void TestThreadedListener::serverCloseReachesTheClient() {
    OneClient one;
    QVERIFY(one.start());
    Connection *c = one.connection;
    QWebSocket *client = one.client.get();
    QSignalSpy &gone = *one.gone, &clientGone = *one.clientGone;
    QStringList received;
    QObject::connect(client, &QWebSocket::textMessageReceived,
                     [&](const QString &t) { received.append(t); });
    // What was sent before the close arrives before it.
    c->sendText("last words");
    c->close(QWebSocketProtocol::CloseCodeGoingAway, QStringLiteral("server shutting down"));
    QVERIFY(clientGone.wait(5000));
    QCOMPARE(received, QStringList{QStringLiteral("last words")});
    QCOMPARE(client->closeCode(), QWebSocketProtocol::CloseCodeGoingAway);
    QTRY_COMPARE_WITH_TIMEOUT(gone.size(), 1, 5000);
    QCOMPARE(c->closeCode(), int(QWebSocketProtocol::CloseCodeGoingAway));
    c->sendText("after the end"); // harmless
    delete c;
}

void TestThreadedListener::clientCloseReachesTheSession() {
    OneClient one;
    QVERIFY(one.start());
    Connection *c = one.connection;
    QWebSocket *client = one.client.get();
    QSignalSpy &gone = *one.gone;
    QList<QByteArray> texts;
    QObject::connect(c, &Connection::textReceived, [&](const QByteArray &t) { texts.append(t); });
    client->sendTextMessage(QStringLiteral("bye"));
    client->close(QWebSocketProtocol::CloseCodeNormal);
    QVERIFY(gone.wait(5000));
    QCOMPARE(texts, QList<QByteArray>{"bye"});
    QCOMPARE(c->closeCode(), int(QWebSocketProtocol::CloseCodeNormal));
    c->ping();
    c->close(QWebSocketProtocol::CloseCodeNormal, QString());
    QVERIFY(!gone.wait(200)); // reported once
    delete c;
}

void TestThreadedListener::abortDropsTheSocket() {
    OneClient one;
    QVERIFY(one.start());
    one.connection->abort();
    QVERIFY(one.gone->wait(5000));
    QVERIFY(one.clientGone->size() > 0 || one.clientGone->wait(5000));
    delete one.connection;
}

void TestThreadedListener::proxyDeletedWhileMessagesAreInFlight() {
    OneClient one;
    QVERIFY(one.start());
    QSignalSpy &clientGone = *one.clientGone;
    // Traffic both ways, then the session side goes away at once.
    for (int n = 0; n < 500; ++n) {
        one.client->sendTextMessage(QString::fromLatin1(numbered(n)));
        one.connection->sendText(numbered(n));
    }
    QTest::qWait(5);
    delete one.connection;
    QVERIFY(clientGone.wait(5000));
    // The listener still serves.
    QVERIFY(connectClient(one.server));
}

void TestThreadedListener::listenerStopsWithConnectionsOpen() {
    auto server = std::make_unique<Server>(2);
    QVERIFY(server->listen());
    std::vector<std::unique_ptr<QWebSocket>> clients;
    for (int i = 0; i < 4; ++i) {
        clients.push_back(connectClient(*server));
        QVERIFY(clients.back());
        clients.back()->sendTextMessage(QStringLiteral("in flight"));
    }
    // Kept by the test: the proxies outlive the listener.
    const QList<QPointer<Connection>> proxies = std::exchange(server->accepted, {});
    server.reset(); // threads stop, sockets close
    for (auto &client : clients)
        QTRY_COMPARE_WITH_TIMEOUT(client->state(), QAbstractSocket::UnconnectedState, 5000);
    // Proxies outlive their thread: using them reports the connection gone.
    for (const QPointer<Connection> &p : std::as_const(proxies)) {
        QVERIFY(p);
        QSignalSpy gone(p.data(), &Connection::disconnected);
        p->sendText("nobody hears this");
        QVERIFY(gone.wait(1000));
        delete p.data();
    }
}

void TestThreadedListener::stalledHandshakeTimesOutOnTheWorker() {
    Server server(2, 300);
    QVERIFY(server.listen());
    QTcpSocket stalled;
    stalled.connectToHost(QHostAddress::LocalHost, server.listener->serverPort());
    QVERIFY(stalled.waitForConnected(5000));
    QSignalSpy gone(&stalled, &QTcpSocket::disconnected);
    QVERIFY(gone.wait(5000));
    QVERIFY(server.accepted.isEmpty());
}

void TestThreadedListener::nonWebSocketRequestIsRefused() {
    Server server;
    QVERIFY(server.listen());
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, server.listener->serverPort());
    QVERIFY(socket.waitForConnected(5000));
    socket.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    QTRY_VERIFY_WITH_TIMEOUT(
        socket.state() == QAbstractSocket::UnconnectedState || socket.bytesAvailable() > 0, 5000);
    QVERIFY(socket.readAll().startsWith("HTTP/1.1 400"));
    QVERIFY(server.accepted.isEmpty());
}

QTEST_GUILESS_MAIN(TestThreadedListener)
#include "tst_threadedlistener.moc"
