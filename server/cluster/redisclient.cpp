// SPDX-License-Identifier: MIT
#include "redisclient.h"

#include "redisqtadapter.h"

#include <QLoggingCategory>
#include <QRandomGenerator>
#include <QUrl>

#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include <algorithm>
#include <vector>

Q_LOGGING_CATEGORY(lcRedis, "whisper.cluster.redis")

namespace whisper {

namespace {

constexpr int kProbeEveryMs = 1000;

// What rides along with one command through hiredis.
struct Pending {
    RedisClient *client;
    RedisClient::Callback done;
};

RedisReply copyReply(const redisReply *r) {
    RedisReply out;
    switch (r->type) {
    case REDIS_REPLY_STATUS:
        out.type = RedisReply::Type::Status;
        out.text = QByteArray(r->str, qsizetype(r->len));
        break;
    case REDIS_REPLY_ERROR:
        out.type = RedisReply::Type::Error;
        out.text = QByteArray(r->str, qsizetype(r->len));
        break;
    case REDIS_REPLY_INTEGER:
        out.type = RedisReply::Type::Integer;
        out.integer = r->integer;
        break;
    case REDIS_REPLY_STRING:
        out.type = RedisReply::Type::String;
        out.text = QByteArray(r->str, qsizetype(r->len));
        break;
    case REDIS_REPLY_ARRAY:
        out.type = RedisReply::Type::Array;
        out.elements.reserve(qsizetype(r->elements));
        for (size_t i = 0; i < r->elements; ++i)
            out.elements.append(copyReply(r->element[i]));
        break;
    default:
        out.type = RedisReply::Type::Nil;
        break;
    }
    return out;
}

} // namespace

struct RedisClient::Subscription {
    QByteArray channel;
    MessageHandler handler;
};

std::optional<RedisEndpoint> RedisEndpoint::parse(const QString &url, QString *error) {
    auto fail = [error, &url](const QString &why) -> std::optional<RedisEndpoint> {
        if (error)
            *error = QStringLiteral("'%1' %2").arg(url, why);
        return std::nullopt;
    };
    const QUrl u(url, QUrl::StrictMode);
    if (!u.isValid() || u.scheme() != QLatin1String("redis"))
        return fail(QStringLiteral("is not a redis://HOST:PORT URL"));
    if (u.host().isEmpty())
        return fail(QStringLiteral("names no host"));
    if (!u.userInfo().isEmpty())
        return fail(QStringLiteral("carries credentials; Redis AUTH is not supported, keep "
                                   "Redis on a private network"));
    if (!u.path().isEmpty() && u.path() != QLatin1String("/"))
        return fail(QStringLiteral("has a path; only database 0 is used"));
    const int port = u.port(6379);
    if (port < 1 || port > 65535)
        return fail(QStringLiteral("has no valid port"));
    return RedisEndpoint{u.host(), quint16(port)};
}

QString RedisEndpoint::toString() const {
    return QStringLiteral("redis://%1:%2").arg(host).arg(port);
}

RedisReply RedisReply::error(const QByteArray &message) {
    RedisReply r;
    r.type = Type::Error;
    r.text = message;
    return r;
}

Backoff::Backoff(int initialMs, int maxMs)
    : m_initialMs(qMax(1, initialMs))
    , m_maxMs(qMax(m_initialMs, maxMs)) {}

int Backoff::next() {
    const qint64 doubled = qint64(m_initialMs) << qMin(m_attempt, 20);
    const int base = int(qMin<qint64>(doubled, m_maxMs));
    ++m_attempt;
    return base - int(QRandomGenerator::global()->bounded(base / 5 + 1));
}

RedisClient::RedisClient(RedisEndpoint endpoint, RedisClientOptions options, QObject *parent)
    : QObject(parent)
    , m_endpoint(std::move(endpoint))
    , m_options(options)
    , m_backoff(options.backoffInitialMs, options.backoffMaxMs) {
    m_reconnectTimer.setSingleShot(true);
    connect(&m_reconnectTimer, &QTimer::timeout, this, &RedisClient::connectNow);
    m_watchdog.setSingleShot(true);
    connect(&m_watchdog, &QTimer::timeout, this, &RedisClient::checkTimeouts);
    m_clock.start();
}

RedisClient::~RedisClient() {
    // Commands still in flight get no callback: their owners may be gone.
    m_destroying = true;
    if (m_context)
        redisAsyncFree(m_context);
    m_context = nullptr;
}

void RedisClient::start() {
    if (!m_context && !m_reconnectTimer.isActive())
        connectNow();
}

void RedisClient::connectNow() {
    redisAsyncContext *c =
        redisAsyncConnect(m_endpoint.host.toUtf8().constData(), int(m_endpoint.port));
    if (!c) {
        scheduleReconnect();
        return;
    }
    if (c->err) {
        if (m_backoff.attempts() == 0)
            qCWarning(lcRedis).noquote()
                << "cannot connect to" << m_endpoint.toString() << ":" << c->errstr;
        redisAsyncFree(c);
        scheduleReconnect();
        return;
    }
    c->data = this;
    auto *adapter = new RedisQtAdapter(this);
    adapter->attach(c);
    redisAsyncSetConnectCallback(c, &RedisClient::onConnectC);
    redisAsyncSetDisconnectCallback(c, &RedisClient::onDisconnectC);
    m_context = c;
    m_connectStarted.start();
    armWatchdog();
}

void RedisClient::onConnectC(const redisAsyncContext *context, int status) {
    auto *self = static_cast<RedisClient *>(context->data);
    if (!self || self->m_destroying)
        return;
    if (status != REDIS_OK) {
        // hiredis frees the context when this returns.
        if (self->m_backoff.attempts() == 0)
            qCWarning(lcRedis).noquote()
                << "cannot connect to" << self->m_endpoint.toString() << ":" << context->errstr;
        self->m_context = nullptr;
        self->scheduleReconnect();
        return;
    }
    self->m_connected = true;
    self->m_backoff.reset();
    self->m_sentAtMs.clear();
    qCInfo(lcRedis).noquote() << "connected to" << self->m_endpoint.toString();
    for (auto &[channel, subscription] : self->m_subscriptions)
        self->sendSubscribe(*subscription);
    self->armWatchdog();
    Q_EMIT self->connected();
}

void RedisClient::onDisconnectC(const redisAsyncContext *context, int status) {
    auto *self = static_cast<RedisClient *>(context->data);
    if (!self || self->m_destroying)
        return;
    const QString reason = status == REDIS_OK || context->errstr[0] == '\0'
                               ? QStringLiteral("connection closed")
                               : QString::fromLocal8Bit(context->errstr);
    self->m_context = nullptr;
    self->lost(reason);
}

void RedisClient::lost(const QString &reason) {
    const bool was = m_connected;
    m_connected = false;
    m_sentAtMs.clear();
    m_probing = false;
    if (was) {
        qCWarning(lcRedis).noquote()
            << "lost" << m_endpoint.toString() << ":" << reason << "; reconnecting";
        Q_EMIT disconnected(reason);
    }
    scheduleReconnect();
}

void RedisClient::scheduleReconnect() {
    if (m_destroying || m_reconnectTimer.isActive())
        return;
    m_reconnectTimer.start(m_backoff.next());
}

void RedisClient::onReplyC(redisAsyncContext *context, void *reply, void *privdata) {
    auto *pending = static_cast<Pending *>(privdata);
    RedisClient *self = pending->client;
    if (!self->m_destroying) {
        if (!self->m_sentAtMs.empty())
            self->m_sentAtMs.pop_front();
        if (pending->done)
            pending->done(reply ? copyReply(static_cast<redisReply *>(reply))
                                : RedisReply::error(QByteArrayLiteral("disconnected")));
    }
    delete pending;
}

void RedisClient::command(const QList<QByteArray> &args, Callback done) {
    if (!m_connected || !m_context) {
        if (done)
            QMetaObject::invokeMethod(
                this, [done = std::move(done)] { done(RedisReply::error("unavailable")); },
                Qt::QueuedConnection);
        return;
    }
    std::vector<const char *> argv;
    std::vector<size_t> argvlen;
    argv.reserve(size_t(args.size()));
    argvlen.reserve(size_t(args.size()));
    for (const QByteArray &a : args) {
        argv.push_back(a.constData());
        argvlen.push_back(size_t(a.size()));
    }
    auto *pending = new Pending{this, std::move(done)};
    if (redisAsyncCommandArgv(m_context, &RedisClient::onReplyC, pending, int(argv.size()),
                              argv.data(), argvlen.data()) != REDIS_OK) {
        // The context is disconnecting; it calls no callback for this one.
        Callback cb = std::move(pending->done);
        delete pending;
        if (cb)
            QMetaObject::invokeMethod(
                this, [cb = std::move(cb)] { cb(RedisReply::error("unavailable")); },
                Qt::QueuedConnection);
        return;
    }
    m_sentAtMs.push_back(m_clock.elapsed());
    // An armed watchdog is due no later than this command's timeout.
    if (!m_watchdog.isActive())
        armWatchdog();
}

void RedisClient::subscribe(const QByteArray &channel, MessageHandler handler) {
    // hiredis holds a pointer to the subscription: a second call for the
    // same channel replaces the handler, never the object.
    auto &slot = m_subscriptions[channel];
    if (slot) {
        slot->handler = std::move(handler);
        return;
    }
    slot = std::make_unique<Subscription>(Subscription{channel, std::move(handler)});
    if (m_connected && m_context)
        sendSubscribe(*slot);
}

void RedisClient::sendSubscribe(Subscription &subscription) {
    const char *argv[] = {"SUBSCRIBE", subscription.channel.constData()};
    const size_t argvlen[] = {9, size_t(subscription.channel.size())};
    // hiredis keeps the callback for every message on the channel; the
    // subscription outlives the context, so privdata is never freed there.
    redisAsyncCommandArgv(m_context, &RedisClient::onMessageC, &subscription, 2, argv, argvlen);
}

void RedisClient::onMessageC(redisAsyncContext *context, void *reply, void *privdata) {
    auto *self = static_cast<RedisClient *>(context->data);
    const auto *r = static_cast<redisReply *>(reply);
    if (!self || self->m_destroying || !r || r->type != REDIS_REPLY_ARRAY || r->elements != 3)
        return;
    // ["subscribe", channel, count] confirms; ["message", channel, payload].
    if (QByteArrayView(r->element[0]->str, qsizetype(r->element[0]->len)) != "message")
        return;
    auto *subscription = static_cast<Subscription *>(privdata);
    if (subscription->handler)
        subscription->handler(QByteArray(r->element[2]->str, qsizetype(r->element[2]->len)));
}

void RedisClient::flush() {
    if (m_connected && m_context)
        redisAsyncHandleWrite(m_context);
}

void RedisClient::armWatchdog() {
    // Wakes the node only when something is due: the connect timeout, the
    // reply timeout of the oldest command in flight, or the next probe. An
    // idle subscriber connection has no timer at all, and a blocked read
    // one wake-up per reply timeout, not two a second.
    if (!m_context) {
        m_watchdog.stop();
        return;
    }
    const qint64 now = m_clock.elapsed();
    qint64 due = -1;
    auto sooner = [&due](qint64 t) { due = due < 0 ? t : qMin(due, t); };
    if (!m_connected)
        sooner(now + m_options.connectTimeoutMs + 1 - m_connectStarted.elapsed());
    else if (!m_sentAtMs.empty())
        sooner(m_sentAtMs.front() + m_options.replyTimeoutMs + 1);
    if (m_connected && m_options.probe && !m_probing)
        sooner(m_lastProbeMs + kProbeEveryMs);
    if (due < 0)
        m_watchdog.stop();
    else
        m_watchdog.start(int(std::clamp<qint64>(due - now, 0, 24 * 3600 * 1000)));
}

void RedisClient::checkTimeouts() {
    watch();
    armWatchdog();
}

void RedisClient::watch() {
    if (!m_context)
        return;
    if (!m_connected) {
        if (m_connectStarted.elapsed() > m_options.connectTimeoutMs) {
            // Not connected yet: hiredis calls no disconnect callback.
            redisAsyncContext *c = m_context;
            m_context = nullptr;
            c->data = nullptr;
            redisAsyncFree(c);
            if (m_backoff.attempts() == 0)
                qCWarning(lcRedis).noquote()
                    << "connecting to" << m_endpoint.toString() << "timed out";
            scheduleReconnect();
        }
        return;
    }
    const qint64 now = m_clock.elapsed();
    if (!m_sentAtMs.empty() && now - m_sentAtMs.front() > m_options.replyTimeoutMs) {
        qCWarning(lcRedis).noquote() << "no reply from" << m_endpoint.toString() << "for"
                                     << now - m_sentAtMs.front() << "ms; dropping the connection";
        // Frees the context: pending commands get `disconnected`, and the
        // disconnect callback schedules the reconnection.
        redisAsyncFree(m_context);
        return;
    }
    // A coarse timer may fire up to 5 % early: that is on time here.
    if (m_options.probe && !m_probing && now - m_lastProbeMs >= kProbeEveryMs * 19 / 20) {
        m_probing = true;
        m_lastProbeMs = now;
        QElapsedTimer sent;
        sent.start();
        command({QByteArrayLiteral("PING")}, [this, sent](const RedisReply &r) {
            m_probing = false;
            if (!r.isError())
                m_lastLatencyUs = sent.nsecsElapsed() / 1000;
            armWatchdog(); // the next probe may be due before any timeout
        });
    }
}

} // namespace whisper
