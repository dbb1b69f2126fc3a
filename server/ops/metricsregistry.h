// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

namespace whisper::metrics {

// A monotonically increasing count. Increments are relaxed atomics: the I/O
// threads and worker pools count without a lock and without ordering the
// relay's memory operations.
class Counter {
public:
    void inc(std::uint64_t n = 1) noexcept { m_value.fetch_add(n, std::memory_order_relaxed); }
    std::uint64_t value() const noexcept { return m_value.load(std::memory_order_relaxed); }

private:
    std::atomic<std::uint64_t> m_value{0};
};

// A value that goes up and down.
class Gauge {
public:
    void set(double v) noexcept { m_value.store(v, std::memory_order_relaxed); }
    void add(double v) noexcept { m_value.fetch_add(v, std::memory_order_relaxed); }
    double value() const noexcept { return m_value.load(std::memory_order_relaxed); }

private:
    std::atomic<double> m_value{0};
};

// Observations counted into fixed buckets chosen at construction (upper
// bounds, ascending; +Inf is implicit). The count is the sum of the buckets
// when read, so a scrape never shows _count and the +Inf bucket disagree.
class Histogram {
public:
    explicit Histogram(std::vector<double> upperBounds);

    void observe(double value) noexcept;

    struct Snapshot {
        std::vector<std::uint64_t> cumulative; // one per bound, then +Inf
        double sum = 0;
        std::uint64_t count = 0;
    };
    Snapshot snapshot() const;
    const std::vector<double> &upperBounds() const { return m_bounds; }

private:
    std::vector<double> m_bounds;
    std::unique_ptr<std::atomic<std::uint64_t>[]> m_buckets; // bounds.size() + 1
    std::atomic<double> m_sum{0};
};

// Times a scope into a histogram in seconds, on the steady clock; a null
// histogram makes it a no-op (metrics off, tests, the `user` command).
class ScopedTimer {
public:
    explicit ScopedTimer(Histogram *histogram) noexcept
        : m_histogram(histogram) {
        if (m_histogram)
            m_start = std::chrono::steady_clock::now();
    }
    ~ScopedTimer() {
        if (m_histogram)
            m_histogram->observe(
                std::chrono::duration<double>(std::chrono::steady_clock::now() - m_start).count());
    }
    ScopedTimer(const ScopedTimer &) = delete;
    ScopedTimer &operator=(const ScopedTimer &) = delete;

private:
    Histogram *m_histogram;
    std::chrono::steady_clock::time_point m_start;
};

// Counters told apart by the value of one label. Values must come from a
// bounded set (codes, types, results: never a user, client or address);
// as a safety net, values beyond `maxValues` are counted under "other".
class CounterFamily {
public:
    explicit CounterFamily(std::size_t maxValues = 64)
        : m_maxValues(maxValues) {}
    // The counter for `value`, created on first use; the reference stays
    // valid for the family's lifetime, so hot paths may keep it.
    Counter &with(const QString &value);
    std::vector<std::pair<QString, std::uint64_t>> values() const;

private:
    mutable std::mutex m_mutex;
    std::map<QString, std::unique_ptr<Counter>> m_children;
    std::size_t m_maxValues;
};

// One labelled sample of a gauge read at scrape time.
struct GaugeSample {
    QStringList labelValues;
    double value = 0;
};

// The metrics of one process and their Prometheus text exposition
// (version 0.0.4). Registration happens at start-up on one thread; scraping
// and incrementing may then run on any thread.
class Registry {
public:
    Counter &counter(const QString &name, const QString &help);
    CounterFamily &counterFamily(const QString &name, const QString &help,
                                 const QString &labelName);
    Gauge &gauge(const QString &name, const QString &help);
    Histogram &histogram(const QString &name, const QString &help, std::vector<double> upperBounds);
    // A gauge whose samples are read when scraped, on the scraping thread
    // (the main thread for the ops endpoint): for counts other objects
    // already keep, such as connections or the waiting room's size.
    void gaugeFunction(const QString &name, const QString &help, QStringList labelNames,
                       std::function<std::vector<GaugeSample>()> read);

    QByteArray exposition() const;

    static constexpr const char *kContentType = "text/plain; version=0.0.4; charset=utf-8";

private:
    struct Entry {
        QString name;
        QString help;
        const char *type;
        QStringList labelNames;
        std::function<void(QByteArray &out, const Entry &self)> write;
    };
    std::vector<std::unique_ptr<Entry>> m_entries;
    std::vector<std::unique_ptr<Counter>> m_counters;
    std::vector<std::unique_ptr<CounterFamily>> m_families;
    std::vector<std::unique_ptr<Gauge>> m_gauges;
    std::vector<std::unique_ptr<Histogram>> m_histograms;
};

// Exposition helpers, public for their tests.
QByteArray escapeHelp(const QString &help);
QByteArray escapeLabelValue(const QString &value);
QByteArray formatValue(double value);

} // namespace whisper::metrics
