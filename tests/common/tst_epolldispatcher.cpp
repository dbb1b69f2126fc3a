// SPDX-License-Identifier: MIT
// The epoll event dispatcher against the semantics Qt code relies on: timers
// (all types, zero, restarted and killed from their own handler), socket
// notifiers (read, write, disabled, deleted mid-batch, regular files), posted
// events, wake-ups and interrupts from other threads, per-thread dispatchers,
// and the real Qt network stack on top of it.
#include "epolldispatcher.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QSignalSpy>
#include <QSocketNotifier>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryFile>
#include <QTest>
#include <QThread>
#include <QTimer>

#include <sys/socket.h>
#include <unistd.h>

#include <functional>

using whisper::EpollEventDispatcher;

namespace {

// Runs a local event loop until `quit` or a safety timeout; true on `quit`.
bool runUntil(QEventLoop &loop, int safetyMs) {
    bool timedOut = false;
    QTimer::singleShot(safetyMs, &loop, [&] {
        timedOut = true;
        loop.quit();
    });
    loop.exec();
    return !timedOut;
}

struct SocketPair {
    int fds[2] = {-1, -1};
    SocketPair() { ::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fds); }
    ~SocketPair() {
        ::close(fds[0]);
        ::close(fds[1]);
    }
};

class TimerCounter : public QObject {
public:
    int count = 0;
    int killAfter = -1;
    QList<int> ids;

protected:
    void timerEvent(QTimerEvent *event) override {
        ++count;
        ids.append(event->timerId());
        if (count == killAfter)
            killTimer(event->timerId());
    }
};

// Checks that something does not happen need a window in which it would.
// The window is counted in dispatcher rounds, not milliseconds, so a slow
// machine lengthens it instead of making it too short:

// True once a precise timer of `intervalMs` has fired `rounds` times: any
// timer of that interval or shorter would have been due meanwhile.
bool timerRoundsPass(int intervalMs, int rounds) {
    int fired = 0;
    QTimer witness;
    witness.setTimerType(Qt::PreciseTimer);
    QObject::connect(&witness, &QTimer::timeout, [&] { ++fired; });
    witness.start(intervalMs);
    return QTest::qWaitFor([&] { return fired >= rounds; }, 5000);
}

// True once a notifier on a readable descriptor has fired `rounds` times:
// level-triggered, it fires on every wait, so every other ready and enabled
// notifier got as many chances to fire.
bool notifierRoundsPass(int rounds) {
    SocketPair pair;
    QSocketNotifier witness(pair.fds[0], QSocketNotifier::Read);
    int fired = 0;
    QObject::connect(&witness, &QSocketNotifier::activated, [&] { ++fired; });
    if (::write(pair.fds[1], "w", 1) != 1)
        return false;
    return QTest::qWaitFor([&] { return fired >= rounds; }, 5000);
}

} // namespace

class TestEpollDispatcher : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void isInstalled() {
        QVERIFY(qobject_cast<EpollEventDispatcher *>(QCoreApplication::eventDispatcher()));
    }

    void singleShotOrder_data() {
        QTest::addColumn<Qt::TimerType>("type");
        QTest::addRow("precise") << Qt::PreciseTimer;
        QTest::addRow("coarse") << Qt::CoarseTimer;
    }
    void singleShotOrder() {
        QFETCH(Qt::TimerType, type);
        QList<int> order;
        QTimer::singleShot(60, type, this, [&] { order << 60; });
        QTimer::singleShot(10, type, this, [&] { order << 10; });
        QTimer::singleShot(30, type, this, [&] { order << 30; });
        QTRY_COMPARE_WITH_TIMEOUT(order.size(), 3, 2000);
        QCOMPARE(order, (QList<int>{10, 30, 60}));
    }

    void preciseTimerIsNotEarly() {
        QElapsedTimer clock;
        clock.start();
        qint64 firedAt = -1;
        QTimer::singleShot(50, Qt::PreciseTimer, this, [&] { firedAt = clock.elapsed(); });
        QTRY_VERIFY_WITH_TIMEOUT(firedAt >= 0, 2000);
        QVERIFY2(firedAt >= 49, qPrintable(QString::number(firedAt)));
    }

    void veryCoarseTimerHasSecondGranularity() {
        TimerCounter counter;
        const int id = counter.startTimer(300, Qt::VeryCoarseTimer);
        const auto timers = QCoreApplication::eventDispatcher()->registeredTimers(&counter);
        QCOMPARE(timers.size(), 1);
        QCOMPARE(timers.first().timerId, id);
        QCOMPARE(timers.first().interval, 1000);
        QCOMPARE(timers.first().timerType, Qt::VeryCoarseTimer);
        counter.killTimer(id);
    }

    void repeatingTimerAndRemainingTime() {
        TimerCounter counter;
        const int id = counter.startTimer(20, Qt::PreciseTimer);
        const int remaining = QCoreApplication::eventDispatcher()->remainingTime(id);
        QVERIFY2(remaining >= 0 && remaining <= 20, qPrintable(QString::number(remaining)));
        QTRY_VERIFY_WITH_TIMEOUT(counter.count >= 3, 2000);
        counter.killTimer(id);
        QCOMPARE(QCoreApplication::eventDispatcher()->remainingTime(id), -1);
        const int after = counter.count;
        QVERIFY(timerRoundsPass(20, 3));
        QCOMPARE(counter.count, after);
    }

    void timerKilledInItsOwnHandler() {
        TimerCounter counter;
        counter.killAfter = 2;
        counter.startTimer(5);
        QTRY_COMPARE_WITH_TIMEOUT(counter.count, 2, 2000);
        QVERIFY(timerRoundsPass(5, 5));
        QCOMPARE(counter.count, 2);
        QVERIFY(QCoreApplication::eventDispatcher()->registeredTimers(&counter).isEmpty());
    }

    void timerRestartedInItsOwnHandler() {
        QTimer timer;
        timer.setSingleShot(true);
        timer.setInterval(5);
        int fired = 0;
        connect(&timer, &QTimer::timeout, this, [&] {
            if (++fired < 4)
                timer.start();
        });
        timer.start();
        QTRY_COMPARE_WITH_TIMEOUT(fired, 4, 2000);
        QVERIFY(timerRoundsPass(5, 5));
        QCOMPARE(fired, 4);
    }

    void unregisterTimersOfAnObject() {
        TimerCounter counter;
        counter.startTimer(10);
        counter.startTimer(15);
        QCOMPARE(QCoreApplication::eventDispatcher()->registeredTimers(&counter).size(), 2);
        QVERIFY(QCoreApplication::eventDispatcher()->unregisterTimers(&counter));
        QVERIFY(QCoreApplication::eventDispatcher()->registeredTimers(&counter).isEmpty());
        QVERIFY(timerRoundsPass(15, 3));
        QCOMPARE(counter.count, 0);
    }

    void zeroTimerDoesNotStarveOthers() {
        QTimer zero;
        zero.setInterval(0);
        int spins = 0;
        connect(&zero, &QTimer::timeout, this, [&] { ++spins; });
        zero.start();
        bool later = false;
        QTimer::singleShot(30, this, [&] { later = true; });
        SocketPair pair;
        QSocketNotifier notifier(pair.fds[0], QSocketNotifier::Read);
        bool readable = false;
        connect(&notifier, &QSocketNotifier::activated, this, [&] {
            readable = true;
            char c;
            [[maybe_unused]] auto n = ::read(pair.fds[0], &c, 1);
        });
        QVERIFY(::write(pair.fds[1], "x", 1) == 1);
        QTRY_VERIFY_WITH_TIMEOUT(later && readable, 2000);
        QVERIFY(spins > 10);
    }

    void readNotifier() {
        SocketPair pair;
        QSocketNotifier notifier(pair.fds[0], QSocketNotifier::Read);
        QSignalSpy spy(&notifier, &QSocketNotifier::activated);
        QVERIFY(notifierRoundsPass(3));
        QCOMPARE(spy.count(), 0); // nothing to read yet
        QVERIFY(::write(pair.fds[1], "ab", 2) == 2);
        QTRY_VERIFY_WITH_TIMEOUT(spy.count() >= 1, 2000);
        // Level-triggered, as with poll(): unread data keeps it firing.
        QTRY_VERIFY_WITH_TIMEOUT(spy.count() >= 3, 2000);
        // Activations are delivered synchronously: none is pending here.
        notifier.setEnabled(false);
        const int disabledAt = spy.count();
        QVERIFY(notifierRoundsPass(3));
        QCOMPARE(spy.count(), disabledAt);
        notifier.setEnabled(true);
        QTRY_VERIFY_WITH_TIMEOUT(spy.count() > disabledAt, 2000);
    }

    // The connections' writes of one iteration go out at its end, once.
    void endOfIterationTaskRunsOnceAfterTheHandlers() {
        auto *dispatcher =
            qobject_cast<EpollEventDispatcher *>(QCoreApplication::eventDispatcher());
        QVERIFY(dispatcher);
        SocketPair pair;
        QSocketNotifier notifier(pair.fds[0], QSocketNotifier::Read);
        QList<QString> order;
        struct Context {
            QList<QString> *order;
            int runs = 0;
        } context{&order};
        const auto task = [](void *c) {
            auto *ctx = static_cast<Context *>(c);
            ++ctx->runs;
            *ctx->order << QStringLiteral("task");
        };
        connect(&notifier, &QSocketNotifier::activated, this, [&] {
            char c;
            while (::read(pair.fds[0], &c, 1) == 1)
                order << QString(QChar::fromLatin1(c));
            dispatcher->runAtEndOfIteration(task, &context);
        });
        QVERIFY(::write(pair.fds[1], "ab", 2) == 2);
        QTRY_COMPARE_WITH_TIMEOUT(context.runs, 1, 2000);
        QCOMPARE(order, (QList<QString>{QStringLiteral("a"), QStringLiteral("b"),
                                        QStringLiteral("task")}));
        QVERIFY(notifierRoundsPass(3));
        QCOMPARE(context.runs, 1);
    }

    // A task added outside the loop must not wait for the next event.
    void endOfIterationTaskDoesNotWaitForEvents() {
        auto *dispatcher =
            qobject_cast<EpollEventDispatcher *>(QCoreApplication::eventDispatcher());
        QVERIFY(dispatcher);
        int runs = 0;
        dispatcher->runAtEndOfIteration([](void *r) { ++*static_cast<int *>(r); }, &runs);
        // Nothing else is due before this timer, which only bounds a failure.
        QTimer bound;
        bound.setSingleShot(true);
        bound.start(3000);
        QElapsedTimer clock;
        clock.start();
        dispatcher->processEvents(QEventLoop::WaitForMoreEvents);
        QCOMPARE(runs, 1);
        QVERIFY2(clock.elapsed() < 1000, qPrintable(QString::number(clock.elapsed())));
    }

    void writeNotifierAndReadNotifierOnOneDescriptor() {
        SocketPair pair;
        QSocketNotifier reader(pair.fds[0], QSocketNotifier::Read);
        QSocketNotifier writer(pair.fds[0], QSocketNotifier::Write);
        QSignalSpy reads(&reader, &QSocketNotifier::activated);
        QSignalSpy writes(&writer, &QSocketNotifier::activated);
        QTRY_VERIFY_WITH_TIMEOUT(writes.count() >= 1, 2000);
        QCOMPARE(reads.count(), 0);
        writer.setEnabled(false);
        QVERIFY(::write(pair.fds[1], "x", 1) == 1);
        QTRY_VERIFY_WITH_TIMEOUT(reads.count() >= 1, 2000);
    }

    void notifierDeletedByAnotherHandlerInTheSameBatch() {
        SocketPair a, b;
        auto *first = new QSocketNotifier(a.fds[0], QSocketNotifier::Read);
        auto *second = new QSocketNotifier(b.fds[0], QSocketNotifier::Read);
        int fired = 0;
        // Whichever runs first deletes the other; the other must not fire.
        connect(first, &QSocketNotifier::activated, this, [&] {
            ++fired;
            delete second;
            second = nullptr;
            first->setEnabled(false);
        });
        connect(second, &QSocketNotifier::activated, this, [&] {
            ++fired;
            delete first;
            first = nullptr;
            second->setEnabled(false);
        });
        QVERIFY(::write(a.fds[1], "x", 1) == 1);
        QVERIFY(::write(b.fds[1], "x", 1) == 1);
        QTRY_COMPARE_WITH_TIMEOUT(fired, 1, 2000);
        QVERIFY(notifierRoundsPass(3));
        QCOMPARE(fired, 1);
        delete first;
        delete second;
    }

    void regularFileIsAlwaysReady() {
        QTemporaryFile file;
        QVERIFY(file.open());
        file.write("data");
        file.flush();
        QSocketNotifier notifier(file.handle(), QSocketNotifier::Read);
        QSignalSpy spy(&notifier, &QSocketNotifier::activated);
        QTRY_VERIFY_WITH_TIMEOUT(spy.count() >= 1, 2000);
        notifier.setEnabled(false);
    }

    void postedEventsAndDeferredDelete() {
        bool called = false;
        QMetaObject::invokeMethod(
            this, [&] { called = true; }, Qt::QueuedConnection);
        QTRY_VERIFY_WITH_TIMEOUT(called, 2000);
        auto *object = new QObject;
        QSignalSpy destroyed(object, &QObject::destroyed);
        object->deleteLater();
        QTRY_COMPARE_WITH_TIMEOUT(destroyed.count(), 1, 2000);
    }

    void queuedCallsFromTheLoopThreadAreNotStuckBehindTheWait() {
        // A wake-up from the loop's own thread sets a flag instead of writing
        // the eventfd; queued calls made by a timer handler, and by a queued
        // call while posted events are delivered, must still run at once and
        // not wait for the only other event source, a far timer.
        QEventLoop loop;
        QElapsedTimer clock;
        clock.start();
        int hops = 0;
        std::function<void()> hop = [&] {
            if (++hops == 50)
                loop.exit(0);
            else
                QMetaObject::invokeMethod(&loop, hop, Qt::QueuedConnection);
        };
        QTimer::singleShot(0, &loop, [&] { QMetaObject::invokeMethod(&loop, hop); });
        QTimer far;
        far.setSingleShot(true);
        connect(&far, &QTimer::timeout, &loop, [&loop] { loop.exit(-1); });
        far.start(5000);
        QCOMPARE(loop.exec(), 0);
        QCOMPARE(hops, 50);
        QVERIFY2(clock.elapsed() < 2500, "a queued call waited for the timer");
    }

    void wakeUpFromAnotherThread() {
        // The loop blocks in epoll_wait with no timer due; a queued call from
        // another thread must wake it long before the safety timeout.
        QEventLoop loop;
        QElapsedTimer clock;
        clock.start();
        QThread *thread = QThread::create([&loop] {
            QThread::msleep(30);
            QMetaObject::invokeMethod(&loop, &QEventLoop::quit, Qt::QueuedConnection);
        });
        thread->start();
        QVERIFY(runUntil(loop, 5000));
        QVERIFY(clock.elapsed() < 2000);
        thread->wait();
        delete thread;
    }

    void interruptFromAnotherThread() {
        QEventLoop loop;
        QThread *thread = QThread::create([&loop] {
            QThread::msleep(30);
            loop.exit(7); // thread-safe: sets the flag and interrupts the dispatcher
        });
        thread->start();
        QTimer safety;
        safety.setSingleShot(true);
        connect(&safety, &QTimer::timeout, &loop, [&loop] { loop.exit(-1); });
        safety.start(5000);
        QCOMPARE(loop.exec(), 7);
        thread->wait();
        delete thread;
    }

    void workerThreadWithItsOwnDispatcher() {
        QThread worker;
        worker.setEventDispatcher(new EpollEventDispatcher);
        QObject context;
        context.moveToThread(&worker);
        std::atomic<int> fired{0};
        std::atomic<bool> isEpoll{false};
        // Connected before the thread starts, so the thread's start orders
        // the slot's set-up before its run where ThreadSanitizer sees it (a
        // queued call would hand the lambda over inside uninstrumented Qt).
        connect(&worker, &QThread::started, &context, [&] {
            isEpoll = qobject_cast<EpollEventDispatcher *>(
                          QThread::currentThread()->eventDispatcher()) != nullptr;
            auto *timer = new QTimer(&context);
            connect(timer, &QTimer::timeout, timer, [&fired, timer] {
                if (++fired == 3)
                    timer->stop();
            });
            timer->start(5);
        });
        worker.start();
        QTRY_COMPARE_WITH_TIMEOUT(fired.load(), 3, 3000);
        QVERIFY(isEpoll);
        QMetaObject::invokeMethod(
            &context, [&context] { context.moveToThread(QCoreApplication::instance()->thread()); },
            Qt::BlockingQueuedConnection);
        worker.quit();
        QVERIFY(worker.wait(3000));
    }

    void qtNetworkStackOnTop() {
        QTcpServer server;
        QVERIFY(server.listen(QHostAddress::LocalHost, 0));
        QTcpSocket client;
        client.connectToHost(QHostAddress::LocalHost, server.serverPort());
        QTRY_VERIFY_WITH_TIMEOUT(server.hasPendingConnections(), 3000);
        QTcpSocket *peer = server.nextPendingConnection();
        QVERIFY(client.waitForConnected(3000) || client.state() == QAbstractSocket::ConnectedState);
        const QByteArray payload(200000, 'z'); // more than one socket buffer: write notifiers
        client.write(payload);
        QByteArray received;
        connect(peer, &QTcpSocket::readyRead, this, [&] { received += peer->readAll(); });
        QTRY_COMPARE_WITH_TIMEOUT(received.size(), payload.size(), 5000);
        QCOMPARE(received, payload);
        QSignalSpy gone(peer, &QTcpSocket::disconnected);
        client.disconnectFromHost();
        QTRY_COMPARE_WITH_TIMEOUT(gone.count(), 1, 3000);
    }
};

int main(int argc, char *argv[]) {
    // The point of the test: the dispatcher is installed exactly as the
    // server and the console client install it, before the application.
    QCoreApplication::setEventDispatcher(new EpollEventDispatcher);
    QCoreApplication app(argc, argv);
    TestEpollDispatcher test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_epolldispatcher.moc"
