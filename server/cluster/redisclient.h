// SPDX-License-Identifier: MIT
#pragma once

// One connection to Redis on the Qt event loop (hiredis' asynchronous API
// through RedisQtAdapter): commands with callbacks, no blocking anywhere.
// The connection is kept up for as long as the client lives: a refused or
// dropped link is retried with exponential backoff, and while it is down
// every command fails at once with an `unavailable` error reply, so callers
// answer their own clients instead of waiting.

#include <QByteArray>
#include <QElapsedTimer>
#include <QList>
#include <QObject>
#include <QString>
#include <QTimer>

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>

struct redisAsyncContext;

namespace whisper {

// `redis://HOST:PORT` (the port defaults to 6379).
struct RedisEndpoint {
    QString host;
    quint16 port = 6379;

    // The endpoint, or nullopt and a sentence in *error.
    static std::optional<RedisEndpoint> parse(const QString &url, QString *error = nullptr);
    QString toString() const;
};

// One reply, copied out of hiredis' reply tree.
struct RedisReply {
    enum class Type { Nil, Status, Error, Integer, String, Array };
    Type type = Type::Nil;
    qint64 integer = 0;
    QByteArray text; // Status, Error, String
    QList<RedisReply> elements;

    bool isError() const { return type == Type::Error; }
    bool isNil() const { return type == Type::Nil; }
    static RedisReply error(const QByteArray &message);
};

// Delays between reconnection attempts: doubling from `initialMs` up to
// `maxMs`, each with up to a fifth taken off at random so that nodes which
// lost Redis together do not all come back in the same millisecond.
class Backoff {
public:
    Backoff(int initialMs, int maxMs);
    // The delay before the next attempt; each call doubles the one after.
    int next();
    void reset() { m_attempt = 0; }
    int attempts() const { return m_attempt; }

private:
    int m_initialMs;
    int m_maxMs;
    int m_attempt = 0;
};

struct RedisClientOptions {
    int connectTimeoutMs = 2000;
    // A reply slower than this means the server or the path to it is gone
    // (a dead host sends no reset): the link is dropped and re-made.
    int replyTimeoutMs = 3000;
    int backoffInitialMs = 100;
    int backoffMaxMs = 5000;
    // The PING probe (and with it the detection of a silent server on an
    // idle link). Off for a subscriber connection, where Redis allows only
    // subscription commands.
    bool probe = true;
};

class RedisClient : public QObject {
    Q_OBJECT
public:
    using Callback = std::function<void(const RedisReply &)>;
    using MessageHandler = std::function<void(const QByteArray &payload)>;

    explicit RedisClient(RedisEndpoint endpoint, RedisClientOptions options = {},
                         QObject *parent = nullptr);
    ~RedisClient() override;

    // Connects now and keeps the connection up from then on.
    void start();
    bool isConnected() const { return m_connected; }
    const RedisEndpoint &endpoint() const { return m_endpoint; }

    // Sends one command (binary-safe arguments). `done` runs once on this
    // thread with the reply; while disconnected it runs from the event loop
    // right away with the error `unavailable`, and a command in flight when
    // the link drops gets the error `disconnected`.
    void command(const QList<QByteArray> &args, Callback done = {});
    // Subscribes to `channel` for as long as the client lives, again after
    // every reconnection (messages published meanwhile are lost: a
    // subscriber re-reads the state they were about on `connected`). A
    // client with subscriptions carries no other commands.
    void subscribe(const QByteArray &channel, MessageHandler handler);

    // Writes what is queued to the socket now, without waiting for the
    // event loop: for the last command of a process that is about to exit.
    void flush();
    // Round trip of the last PING, in microseconds; -1 before the first.
    qint64 lastLatencyUs() const { return m_lastLatencyUs; }

Q_SIGNALS:
    void connected();
    // The link is down (it was up before); a reconnection is scheduled.
    void disconnected(const QString &reason);

private:
    static void onConnectC(const redisAsyncContext *context, int status);
    static void onDisconnectC(const redisAsyncContext *context, int status);
    static void onReplyC(redisAsyncContext *context, void *reply, void *privdata);
    static void onMessageC(redisAsyncContext *context, void *reply, void *privdata);
    struct Subscription;
    void sendSubscribe(Subscription &subscription);

    void connectNow();
    void lost(const QString &reason);
    void scheduleReconnect();
    void checkTimeouts();
    void watch();
    void armWatchdog();

    RedisEndpoint m_endpoint;
    RedisClientOptions m_options;
    Backoff m_backoff;
    redisAsyncContext *m_context = nullptr;
    bool m_connected = false;
    bool m_destroying = false;
    QTimer m_reconnectTimer;
    QTimer m_watchdog; // connect and reply timeouts, and the latency probe; only when due
    QElapsedTimer m_clock;
    QElapsedTimer m_connectStarted;
    std::deque<qint64> m_sentAtMs; // replies come back in order
    qint64 m_lastLatencyUs = -1;
    bool m_probing = false;
    qint64 m_lastProbeMs = 0;
    std::map<QByteArray, std::unique_ptr<Subscription>> m_subscriptions;
};

} // namespace whisper
