// SPDX-License-Identifier: MIT
#pragma once

#include <QFuture>
#include <QString>
#include <QThreadPool>

#include <atomic>

namespace whisper::metrics {
class Histogram;
}

namespace whisper {

// Argon2id parameters (libsodium crypto_pwhash_str). Defaults follow the
// OWASP password storage cheat sheet: m = 19 MiB, t = 2, p = 1.
struct HashParams {
    qint64 opsLimit = 2;
    qint64 memLimitKiB = 19 * 1024;
    friend bool operator==(const HashParams &, const HashParams &) = default;
};

struct PasswordCheck {
    bool ok = false;
    bool needsRehash = false; // stored with other parameters than the current ones
};

// Hashes and verifies passwords on its own small thread pool, so a chat
// message never waits behind a hash. Verification of an unknown user runs
// against a dummy hash of the same parameters: same work, same time, so the
// answer time does not reveal whether the user exists.
class PasswordHasher {
public:
    explicit PasswordHasher(HashParams params, int threads = 2);
    ~PasswordHasher();

    // Throws std::runtime_error when libsodium cannot be initialised or the
    // parameters are outside its limits.
    static void initialise();

    QFuture<QString> hash(const QString &password);
    // `storedHash` empty: verify against the dummy hash (and fail).
    QFuture<PasswordCheck> verify(const QString &storedHash, const QString &password);

    // Synchronous forms, for worker threads and the `user` subcommand.
    QString hashNow(const QString &password) const;
    PasswordCheck verifyNow(const QString &storedHash, const QString &password) const;

    QThreadPool *pool() { return &m_pool; }
    const HashParams &params() const { return m_params; }
    // Hashes queued or running: callers refuse new work beyond a limit.
    int pending() const { return m_pending.loadRelaxed(); }
    // Times every hash and verification into `histogram` (null: not timed).
    void setTimer(metrics::Histogram *histogram) {
        m_timer.store(histogram, std::memory_order_relaxed);
    }

private:
    HashParams m_params;
    QString m_dummyHash;
    QThreadPool m_pool;
    mutable QAtomicInt m_pending;
    std::atomic<metrics::Histogram *> m_timer{nullptr}; // read on the hashing threads
};

} // namespace whisper
