// SPDX-License-Identifier: MIT
#pragma once

// Runs a hiredis asynchronous context on the Qt event loop.
//
// hiredis 0.14 ships adapters/qt.h for this, but it cannot be used here as
// it is: it declares `private slots:` (the project builds with
// QT_NO_KEYWORDS), it puts a Q_OBJECT class in a system header that moc
// would have to process from outside the tree, it connects by string, and
// it deletes a QSocketNotifier from inside that notifier's own activation.
// This is the same job in a few lines: one read and one write notifier per
// context, enabled and disabled as hiredis asks, deleted only after the
// context has let go of its socket.

#include <QObject>

struct redisAsyncContext;
class QSocketNotifier;

namespace whisper {

class RedisQtAdapter : public QObject {
    Q_OBJECT
public:
    explicit RedisQtAdapter(QObject *parent = nullptr);
    ~RedisQtAdapter() override;

    // Hooks this adapter into `context` (its ev.* callbacks); false when
    // the context already has an event library attached.
    bool attach(redisAsyncContext *context);

private:
    static void addRead(void *self);
    static void delRead(void *self);
    static void addWrite(void *self);
    static void delWrite(void *self);
    static void cleanup(void *self);

    void ensureNotifiers();

    redisAsyncContext *m_context = nullptr;
    QSocketNotifier *m_read = nullptr;
    QSocketNotifier *m_write = nullptr;
};

} // namespace whisper
