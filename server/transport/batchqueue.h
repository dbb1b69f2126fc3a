// SPDX-License-Identifier: MIT
#pragma once

#include <QMutex>

#include <functional>
#include <utility>
#include <vector>

namespace whisper {

// A queue from any thread to one consumer thread that costs one wake-up per
// batch, not one per item: the producer wakes the consumer only when an item
// arrives at an empty queue, and the consumer takes everything queued at
// once. Under load many items ride on one wake-up; when idle, each item
// wakes the consumer at once, so batching adds no latency.
template <typename T>
class BatchQueue {
public:
    // `wake` runs (under the queue's lock, so it cannot race with a reset)
    // when an item arrives at an empty queue; it must only post, never block.
    void setConsumer(std::function<void()> wake) {
        QMutexLocker lock(&m_mutex);
        m_wake = std::move(wake);
    }

    // The consumer is gone: refuses items from now on and returns those it
    // never took (they may own resources, like descriptors).
    std::vector<T> close() {
        QMutexLocker lock(&m_mutex);
        m_wake = nullptr;
        return std::exchange(m_items, {});
    }

    // False when the queue is closed (the item is dropped).
    bool push(T &&item) {
        QMutexLocker lock(&m_mutex);
        if (!m_wake)
            return false;
        m_items.push_back(std::move(item));
        if (m_items.size() == 1)
            m_wake();
        return true;
    }

    // Several items under one lock and at most one wake-up; `items` is
    // emptied. False when the queue is closed (the items are dropped).
    bool pushAll(std::vector<T> &items) {
        if (items.empty())
            return true;
        QMutexLocker lock(&m_mutex);
        if (!m_wake) {
            items.clear();
            return false;
        }
        const bool wasEmpty = m_items.empty();
        if (wasEmpty)
            m_items.swap(items);
        else
            for (T &item : items)
                m_items.push_back(std::move(item));
        items.clear();
        if (wasEmpty)
            m_wake();
        return true;
    }

    // Everything queued so far, in order. `out` is swapped in, so both
    // vectors keep their capacity and a steady stream allocates nothing.
    void takeAll(std::vector<T> &out) {
        out.clear();
        QMutexLocker lock(&m_mutex);
        out.swap(m_items);
    }

private:
    QMutex m_mutex;
    std::function<void()> m_wake;
    std::vector<T> m_items;
};

} // namespace whisper
