// SPDX-License-Identifier: MIT
#pragma once

#include "handoff.h"
#include "metricsregistry.h"
#include "storage.h"

#include <QFuture>
#include <QThreadPool>

#include <atomic>
#include <memory>
#include <type_traits>

namespace whisper {

// Runs Storage calls on one dedicated worker thread that owns the database
// connection, so the WebSocket thread never waits for SQL. Calls run in the
// order they were queued.
//
// How to use: `db.run([](Storage &s) { return s.accountById(7); })` returns a
// QFuture; continue with `.then(contextObject, ...)` to get the result back on
// the caller's thread. A StorageError thrown inside is rethrown by the
// future (result()/onFailed()).
class Database {
public:
    explicit Database(StorageLocation location);
    ~Database();
    Database(const Database &) = delete;
    Database &operator=(const Database &) = delete;

    // Connects and migrates on the worker thread and waits: start-up only.
    // Throws StorageError.
    void open();

    template <typename F>
    auto run(F f) -> QFuture<std::invoke_result_t<F, Storage &>> {
        // runHandedOver: QtConcurrent::run with the job's hand-over to the
        // database thread visible to ThreadSanitizer.
        return runHandedOver(&m_pool, [this, f = std::move(f)]() mutable {
            const metrics::ScopedTimer timer(m_queryTimer.load(std::memory_order_relaxed));
            return f(*m_storage);
        });
    }

    // For chaining: `.then(&db.pool(), ...)` runs a continuation on the
    // database thread (use storage() there, nowhere else).
    QThreadPool *pool() { return &m_pool; }
    Storage &storage() { return *m_storage; }
    // Times every run() job into `histogram` (null: not timed); set at start-up.
    void setQueryTimer(metrics::Histogram *histogram) {
        m_queryTimer.store(histogram, std::memory_order_relaxed);
    }

private:
    StorageLocation m_location;
    QThreadPool m_pool;
    std::unique_ptr<Storage> m_storage;
    // Atomic: jobs queued before it was set read it on the database thread.
    std::atomic<metrics::Histogram *> m_queryTimer{nullptr};
};

} // namespace whisper
