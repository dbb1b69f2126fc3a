// SPDX-License-Identifier: MIT
#include "passwordhasher.h"

#include "handoff.h"
#include "metricsregistry.h"

#include <QCoreApplication>
#include <QThread>

#include <sodium.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <stdexcept>

namespace whisper {

namespace {
// Scrubs the UTF-8 copy of a password once it has been used.
struct Utf8Secret {
    explicit Utf8Secret(const QString &s)
        : bytes(s.toUtf8()) {}
    ~Utf8Secret() { sodium_memzero(bytes.data(), size_t(bytes.size())); }
    QByteArray bytes;
};
// Hashing threads run at a lower scheduling priority (nice 10; on Linux nice
// is per thread) so that on a busy machine the event loop's thread wins the
// CPU: chat latency stays flat while logins queue.
void lowerThisThreadsPriority() {
    const QCoreApplication *app = QCoreApplication::instance();
    if (!app || QThread::currentThread() == app->thread())
        return; // never the event loop's thread
    static thread_local bool done = [] {
        ::setpriority(PRIO_PROCESS, id_t(::syscall(SYS_gettid)), 10);
        return true;
    }();
    Q_UNUSED(done);
}
} // namespace

void PasswordHasher::initialise() {
    if (sodium_init() < 0)
        throw std::runtime_error("libsodium could not be initialised");
}

PasswordHasher::PasswordHasher(HashParams params, int threads)
    : m_params(params) {
    initialise();
    if (params.opsLimit < qint64(crypto_pwhash_OPSLIMIT_MIN) ||
        quint64(params.memLimitKiB) * 1024 < crypto_pwhash_MEMLIMIT_MIN)
        throw std::runtime_error("Argon2id parameters below libsodium's minimum");
    m_pool.setMaxThreadCount(qMax(1, threads));
    m_pool.setObjectName(QStringLiteral("whisper-hash"));
    // A random password nobody knows: verifying against it costs what a real
    // verification costs.
    unsigned char random[24];
    randombytes_buf(random, sizeof random);
    m_dummyHash = hashNow(QString::fromLatin1(
        QByteArray(reinterpret_cast<char *>(random), sizeof random).toBase64()));
}

PasswordHasher::~PasswordHasher() {
    m_pool.waitForDone();
}

QString PasswordHasher::hashNow(const QString &password) const {
    const metrics::ScopedTimer timer(m_timer.load(std::memory_order_relaxed));
    lowerThisThreadsPriority();
    Utf8Secret secret(password);
    char out[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str(out, secret.bytes.constData(), quint64(secret.bytes.size()),
                          quint64(m_params.opsLimit), size_t(m_params.memLimitKiB) * 1024) != 0)
        throw std::runtime_error("crypto_pwhash_str failed (out of memory?)");
    return QString::fromLatin1(out);
}

PasswordCheck PasswordHasher::verifyNow(const QString &storedHash, const QString &password) const {
    const metrics::ScopedTimer timer(m_timer.load(std::memory_order_relaxed));
    lowerThisThreadsPriority();
    Utf8Secret secret(password);
    const bool unknown = storedHash.isEmpty();
    const QByteArray stored = (unknown ? m_dummyHash : storedHash).toLatin1();
    PasswordCheck check;
    check.ok = crypto_pwhash_str_verify(stored.constData(), secret.bytes.constData(),
                                        quint64(secret.bytes.size())) == 0 &&
               !unknown;
    if (check.ok)
        check.needsRehash =
            crypto_pwhash_str_needs_rehash(stored.constData(), quint64(m_params.opsLimit),
                                           size_t(m_params.memLimitKiB) * 1024) != 0;
    return check;
}

QFuture<QString> PasswordHasher::hash(const QString &password) {
    m_pending.ref();
    return runHandedOver(&m_pool, [this, password] {
        struct Done {
            QAtomicInt &n;
            ~Done() { n.deref(); }
        } done{m_pending};
        return hashNow(password);
    });
}

QFuture<PasswordCheck> PasswordHasher::verify(const QString &storedHash, const QString &password) {
    m_pending.ref();
    return runHandedOver(&m_pool, [this, storedHash, password] {
        struct Done {
            QAtomicInt &n;
            ~Done() { n.deref(); }
        } done{m_pending};
        return verifyNow(storedHash, password);
    });
}

} // namespace whisper
