// SPDX-License-Identifier: MIT
#pragma once

#include <QException>
#include <QFuture>
#include <QFutureInterface>
#include <QRunnable>
#include <QThreadPool>

#include <atomic>
#include <exception>
#include <type_traits>
#include <utility>

namespace whisper {

namespace handoff_detail {

// One job for a thread pool. The submitting thread builds it (the functor
// and everything it captured), then publishes it with a release store; the
// pool thread's first act is the matching acquire load. QThreadPool's queue
// already orders the two, but with a mutex inside libQt6Core, which is not
// built for ThreadSanitizer: the explicit pair states the same order where
// TSan sees it, so its reports are about our code.
template <typename F, typename R>
class HandedOverTask final : public QRunnable {
public:
    explicit HandedOverTask(F f)
        : m_f(std::move(f)) {}

    // On the submitting thread, once: the future, started (as
    // QtConcurrent::run's is before the pool runs it). Unlike
    // QtConcurrent::run, the future is not given the runnable: with it,
    // a thread that waits (result(), waitForFinished()) while the job is
    // still queued takes the job out of the queue and runs it itself. The
    // database's jobs must run on its one thread, which owns the connection,
    // and in the order they were queued.
    QFuture<R> start(QThreadPool *pool) {
        m_interface.setThreadPool(pool);
        m_interface.reportStarted();
        QFuture<R> future = m_interface.future();
        m_published.store(true, std::memory_order_release);
        return future;
    }

    void run() override {
        (void)m_published.load(std::memory_order_acquire);
        if (m_interface.isCanceled()) {
            m_interface.reportFinished();
            return;
        }
        // The same exception handling as QtConcurrent::run: a QException is
        // rethrown as itself, anything else inside QUnhandledException.
        try {
            if constexpr (std::is_void_v<R>)
                m_f();
            else
                m_interface.reportAndMoveResult(m_f());
        } catch (const QException &e) {
            m_interface.reportException(e);
        } catch (...) {
            m_interface.reportException(QUnhandledException(std::current_exception()));
        }
        m_interface.reportFinished();
    }

private:
    F m_f;
    QFutureInterface<R> m_interface;
    std::atomic<bool> m_published{false};
};

} // namespace handoff_detail

// QtConcurrent::run(pool, f) with the hand-over of `f` to the pool thread
// visible to ThreadSanitizer (see HandedOverTask): the same future, the same
// exceptions, the same queue. `f` always runs on a pool thread, never on a
// thread that waits for its result. The way back (the result, read by a
// continuation or result()) still goes through QFutureInterface's lock
// inside Qt; tests/sanitizers/tsan.supp says how that is covered.
template <typename F>
auto runHandedOver(QThreadPool *pool, F f) -> QFuture<std::invoke_result_t<F &>> {
    using R = std::invoke_result_t<F &>;
    auto *task = new handoff_detail::HandedOverTask<F, R>(std::move(f));
    QFuture<R> future = task->start(pool);
    // The pool owns the task from here (autoDelete) and may run it at once.
    pool->start(task);
    return future;
}

} // namespace whisper
