// SPDX-License-Identifier: MIT
// runHandedOver: QtConcurrent::run's future, exceptions and thread, with a
// hand-over ThreadSanitizer sees (the `threads` label runs this under
// `make test-tsan`).
#include "handoff.h"

#include <QSemaphore>
#include <QTest>
#include <QThread>

#include <atomic>
#include <chrono>
#include <memory>
#include <stdexcept>
#include <thread>
#include <utility>
#include <vector>

using namespace whisper;

namespace {
class Refused : public QException {
public:
    void raise() const override { throw *this; }
    Refused *clone() const override { return new Refused(*this); }
};
} // namespace

class TestHandoff : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void resultArrivesFromThePoolsThread() {
        QThreadPool pool;
        QThread *caller = QThread::currentThread();
        QFuture<QThread *> f = runHandedOver(&pool, [] { return QThread::currentThread(); });
        QVERIFY(f.isStarted());
        QThread *ran = f.result();
        QVERIFY(ran != nullptr);
        QVERIFY(ran != caller);
    }

    void voidJobRuns() {
        QThreadPool pool;
        std::atomic<bool> ran{false};
        QFuture<void> f = runHandedOver(&pool, [&ran] { ran = true; });
        f.waitForFinished();
        QVERIFY(f.isFinished());
        QVERIFY(ran.load());
    }

    void aQExceptionArrivesAsItself() {
        QThreadPool pool;
        QFuture<int> f = runHandedOver(&pool, []() -> int { throw Refused(); });
        QVERIFY_THROWS_EXCEPTION(Refused, f.waitForFinished());
    }

    // As QtConcurrent::run: any other exception arrives wrapped, with the
    // original inside.
    void otherExceptionsArriveWrapped() {
        QThreadPool pool;
        QFuture<int> f =
            runHandedOver(&pool, []() -> int { throw std::runtime_error("database gone"); });
        try {
            f.waitForFinished();
            QFAIL("no exception");
        } catch (const QUnhandledException &e) {
            try {
                std::rethrow_exception(e.exception());
            } catch (const std::runtime_error &inner) {
                QCOMPARE(QByteArray(inner.what()), QByteArray("database gone"));
            }
        }
    }

    // A thread that waits for a job still in the queue waits; it does not
    // take the job and run it itself, as it would with QtConcurrent::run.
    // The database depends on it: its connection belongs to its one thread,
    // and a job run on the waiting thread raced the job in progress on the
    // same connection.
    void aWaitingCallerDoesNotRunTheJob() {
        QThreadPool pool;
        pool.setMaxThreadCount(1);
        QSemaphore gate;
        std::atomic<bool> firstDone{false};
        QFuture<void> first = runHandedOver(&pool, [&] {
            gate.acquire();
            firstDone = true;
        });
        std::atomic<bool> secondStarted{false};
        QFuture<std::pair<QThread *, bool>> second = runHandedOver(&pool, [&] {
            secondStarted = true;
            return std::pair{QThread::currentThread(), firstDone.load()};
        });
        // Opens the gate once the second job has run (it was taken by the
        // waiting thread) or, bounded, once it evidently has not.
        std::thread opener([&] {
            for (int i = 0; i < 40 && !secondStarted; ++i)
                std::this_thread::sleep_for(std::chrono::milliseconds(5));
            gate.release();
        });
        const auto [ranOn, afterFirst] = second.result();
        opener.join();
        first.waitForFinished();
        QVERIFY(ranOn != QThread::currentThread());
        QVERIFY(afterFirst);
    }

    void continuationsSeeTheResult() {
        QThreadPool pool;
        QFuture<int> f = runHandedOver(&pool, [] { return 20; }).then([](int v) { return v + 1; });
        QCOMPARE(f.result(), 21);
    }

    // What the caller wrote before submitting, read by the job on a pool
    // thread that is already running: the pool's queue orders the two
    // inside Qt, where TSan cannot see it. Jobs are queued back to back so
    // the thread takes them without sleeping in between (a sleep and wake
    // goes through pthread calls TSan does see). Under `make test-tsan` this
    // fails with a data race report when the jobs go through
    // QtConcurrent::run instead.
    void jobSeesWhatTheCallerWroteBefore() {
        QThreadPool pool;
        pool.setMaxThreadCount(1);
        pool.setExpiryTimeout(-1);
        runHandedOver(&pool, [] {}).waitForFinished(); // the thread exists now
        std::vector<std::unique_ptr<std::vector<int>>> data;
        std::vector<QFuture<long>> sums;
        for (int i = 0; i < 200; ++i) {
            data.push_back(std::make_unique<std::vector<int>>(100, i));
            const std::vector<int> *seen = data.back().get();
            sums.push_back(runHandedOver(&pool, [seen] {
                long sum = 0;
                for (int v : *seen)
                    sum += v;
                return sum;
            }));
        }
        for (int i = 0; i < 200; ++i)
            QCOMPARE(sums[std::size_t(i)].result(), 100L * i);
    }
};

QTEST_GUILESS_MAIN(TestHandoff)
#include "tst_handoff.moc"
