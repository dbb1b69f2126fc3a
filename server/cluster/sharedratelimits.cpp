// SPDX-License-Identifier: MIT
#include "sharedratelimits.h"

#include "redisclient.h"

#include <QCryptographicHash>
#include <QLoggingCategory>
#include <QPromise>
#include <QThread>

Q_LOGGING_CATEGORY(lcRateLimits, "whisper.cluster.ratelimits")

namespace whisper {

namespace {

// KEYS: the attempt's buckets, in order. ARGV[1]: now (ms); then per bucket
// capacity, leak interval (ms), lockout (ms). Returns 0 when every bucket
// took one unit, else the wait of the first that is full (nothing more is
// poured). The same arithmetic as LeakyBucket::tryPour (common/): the level
// is kept in milliseconds of drain, and a lockout replaces the wait and
// leaves the bucket empty behind it. A key expires when its bucket would be
// empty and unlocked, which is the state a missing key stands for.
constexpr char kPourScript[] = R"lua(
local now = tonumber(ARGV[1])
for i, key in ipairs(KEYS) do
  local capacity = tonumber(ARGV[i * 3 - 1])
  local unit = math.max(1, tonumber(ARGV[i * 3]))
  local lockout = tonumber(ARGV[i * 3 + 1])
  local h = redis.call('HMGET', key, 'level', 'last', 'locked')
  local level = tonumber(h[1]) or 0
  local last = tonumber(h[2]) or now
  local locked = tonumber(h[3]) or 0
  if now > last then
    level = math.max(0, level - (now - last))
    last = now
  end
  if now < locked then return locked - now end
  local full = unit * math.max(1, capacity)
  if level + unit > full then
    if lockout > 0 then
      locked = now + lockout
      redis.call('HSET', key, 'level', 0, 'last', locked, 'locked', locked)
      redis.call('PEXPIRE', key, lockout)
      return lockout
    end
    return level + unit - full
  end
  level = level + unit
  redis.call('HSET', key, 'level', level, 'last', last, 'locked', locked)
  redis.call('PEXPIRE', key, math.max(1, level + last - now, locked - now))
end
return 0
)lua";

} // namespace

SharedRateLimiter::SharedRateLimiter(RedisClient &redis, QObject *parent)
    : QObject(parent)
    , m_redis(redis)
    , m_state(std::make_shared<State>()) {}

SharedRateLimiter::~SharedRateLimiter() = default;

QByteArray SharedRateLimiter::redisKey(const QString &bucket, const QString &key) {
    const QByteArray digest =
        QCryptographicHash::hash(key.toUtf8(), QCryptographicHash::Sha256).left(16).toHex();
    return QByteArrayLiteral("whisper:rl:") + bucket.toUtf8() + ':' + digest;
}

QFuture<qint64> SharedRateLimiter::pour(const QList<AttemptPour> &pours, qint64 nowMs) {
    auto promise = std::make_shared<QPromise<qint64>>();
    promise->start();
    QFuture<qint64> future = promise->future();
    if (QThread::currentThread() == thread())
        send(pours, nowMs, promise);
    else
        QMetaObject::invokeMethod(
            this, [this, pours, nowMs, promise] { send(pours, nowMs, promise); },
            Qt::QueuedConnection);
    return future;
}

void SharedRateLimiter::send(const QList<AttemptPour> &pours, qint64 nowMs,
                             const std::shared_ptr<QPromise<qint64>> &promise) {
    QList<QByteArray> args{QByteArrayLiteral("EVAL"), QByteArray(kPourScript),
                           QByteArray::number(pours.size())};
    for (const AttemptPour &p : pours)
        args << redisKey(p.bucket, p.key);
    args << QByteArray::number(nowMs);
    for (const AttemptPour &p : pours)
        args << QByteArray::number(p.rate.capacity) << QByteArray::number(p.rate.leakIntervalMs)
             << QByteArray::number(p.rate.lockoutMs);
    m_redis.command(args, [state = m_state, pours, nowMs, promise](const RedisReply &reply) {
        qint64 wait = 0;
        if (reply.type == RedisReply::Type::Integer) {
            if (state->fallingBack) {
                state->fallingBack = false;
                qCInfo(lcRateLimits) << "login and registration limits are shared again";
            }
            wait = reply.integer;
            // Kept in step, for the next fallback.
            if (wait == 0)
                state->local.pourNow(pours, nowMs);
        } else {
            if (!state->fallingBack) {
                state->fallingBack = true;
                qCWarning(lcRateLimits).noquote()
                    << QStringLiteral("Redis did not answer a rate-limit check (%1): login and "
                                      "registration limits are per node until it does")
                           .arg(QString::fromUtf8(reply.text));
            }
            wait = state->local.pourNow(pours, nowMs);
        }
        promise->addResult(wait);
        promise->finish();
    });
}

void SharedRateLimiter::reset(const QString &bucket, const QString &key) {
    m_state->local.reset(bucket, key);
    // Any thread (the database thread resets after a successful login);
    // commands go out on the client's.
    QMetaObject::invokeMethod(
        this,
        [this, k = redisKey(bucket, key)] {
            m_redis.command({QByteArrayLiteral("DEL"), k});
        },
        Qt::AutoConnection);
}

void SharedRateLimiter::prune(qint64 nowMs) {
    m_state->local.prune(nowMs);
}

} // namespace whisper
