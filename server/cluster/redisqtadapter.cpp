// SPDX-License-Identifier: MIT
#include "redisqtadapter.h"

#include <QSocketNotifier>

#include <hiredis/async.h>

namespace whisper {

RedisQtAdapter::RedisQtAdapter(QObject *parent)
    : QObject(parent) {}

RedisQtAdapter::~RedisQtAdapter() {
    if (m_context)
        m_context->ev.data = nullptr;
}

bool RedisQtAdapter::attach(redisAsyncContext *context) {
    if (context->ev.data)
        return false;
    m_context = context;
    context->ev.data = this;
    context->ev.addRead = &RedisQtAdapter::addRead;
    context->ev.delRead = &RedisQtAdapter::delRead;
    context->ev.addWrite = &RedisQtAdapter::addWrite;
    context->ev.delWrite = &RedisQtAdapter::delWrite;
    context->ev.cleanup = &RedisQtAdapter::cleanup;
    return true;
}

// Created disabled on first use; hiredis toggles them many times per
// command, which for a notifier is a cheap enable/disable, never a new one.
void RedisQtAdapter::ensureNotifiers() {
    if (m_read)
        return;
    const qintptr fd = m_context->c.fd;
    m_read = new QSocketNotifier(fd, QSocketNotifier::Read, this);
    m_read->setEnabled(false);
    connect(m_read, &QSocketNotifier::activated, this, [this] {
        if (m_context)
            redisAsyncHandleRead(m_context);
    });
    m_write = new QSocketNotifier(fd, QSocketNotifier::Write, this);
    m_write->setEnabled(false);
    connect(m_write, &QSocketNotifier::activated, this, [this] {
        if (m_context)
            redisAsyncHandleWrite(m_context);
    });
}

void RedisQtAdapter::addRead(void *self) {
    auto *a = static_cast<RedisQtAdapter *>(self);
    a->ensureNotifiers();
    a->m_read->setEnabled(true);
}

void RedisQtAdapter::delRead(void *self) {
    auto *a = static_cast<RedisQtAdapter *>(self);
    if (a->m_read)
        a->m_read->setEnabled(false);
}

void RedisQtAdapter::addWrite(void *self) {
    auto *a = static_cast<RedisQtAdapter *>(self);
    a->ensureNotifiers();
    a->m_write->setEnabled(true);
}

void RedisQtAdapter::delWrite(void *self) {
    auto *a = static_cast<RedisQtAdapter *>(self);
    if (a->m_write)
        a->m_write->setEnabled(false);
}

// The context is being freed (its socket closes right after): the
// notifiers stop now and go once the current activation has returned.
void RedisQtAdapter::cleanup(void *self) {
    auto *a = static_cast<RedisQtAdapter *>(self);
    for (QSocketNotifier *n : {a->m_read, a->m_write})
        if (n) {
            n->setEnabled(false);
            n->deleteLater();
        }
    a->m_read = nullptr;
    a->m_write = nullptr;
    a->m_context = nullptr;
    a->deleteLater();
}

} // namespace whisper
