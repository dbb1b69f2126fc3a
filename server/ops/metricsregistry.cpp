// SPDX-License-Identifier: MIT
#include "metricsregistry.h"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace whisper::metrics {

Histogram::Histogram(std::vector<double> upperBounds)
    : m_bounds(std::move(upperBounds))
    , m_buckets(new std::atomic<std::uint64_t>[m_bounds.size() + 1]) {
    std::sort(m_bounds.begin(), m_bounds.end());
    for (std::size_t i = 0; i <= m_bounds.size(); ++i)
        m_buckets[i].store(0, std::memory_order_relaxed);
}

void Histogram::observe(double value) noexcept {
    // A handful of buckets: a linear scan beats a binary search here.
    std::size_t i = 0;
    while (i < m_bounds.size() && value > m_bounds[i])
        ++i;
    m_buckets[i].fetch_add(1, std::memory_order_relaxed);
    m_sum.fetch_add(value, std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::snapshot() const {
    Snapshot s;
    s.cumulative.reserve(m_bounds.size() + 1);
    std::uint64_t running = 0;
    for (std::size_t i = 0; i <= m_bounds.size(); ++i) {
        running += m_buckets[i].load(std::memory_order_relaxed);
        s.cumulative.push_back(running);
    }
    s.count = running;
    s.sum = m_sum.load(std::memory_order_relaxed);
    return s;
}

Counter &CounterFamily::with(const QString &value) {
    const std::lock_guard lock(m_mutex);
    auto it = m_children.find(value);
    if (it == m_children.end()) {
        const QString key = m_children.size() < m_maxValues ? value : QStringLiteral("other");
        it = m_children.find(key);
        if (it == m_children.end())
            it = m_children.emplace(key, std::make_unique<Counter>()).first;
    }
    return *it->second;
}

std::vector<std::pair<QString, std::uint64_t>> CounterFamily::values() const {
    const std::lock_guard lock(m_mutex);
    std::vector<std::pair<QString, std::uint64_t>> out;
    out.reserve(m_children.size());
    for (const auto &[value, counter] : m_children)
        out.emplace_back(value, counter->value());
    return out;
}

QByteArray escapeHelp(const QString &help) {
    QByteArray out;
    for (const char c : help.toUtf8()) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '\n')
            out += "\\n";
        else
            out += c;
    }
    return out;
}

QByteArray escapeLabelValue(const QString &value) {
    QByteArray out;
    for (const char c : value.toUtf8()) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '"')
            out += "\\\"";
        else if (c == '\n')
            out += "\\n";
        else
            out += c;
    }
    return out;
}

QByteArray formatValue(double value) {
    if (std::isnan(value))
        return QByteArrayLiteral("NaN");
    if (std::isinf(value))
        return value > 0 ? QByteArrayLiteral("+Inf") : QByteArrayLiteral("-Inf");
    // Shortest text that reads back as the same double: 0.005, not
    // 0.005000000000000000104.
    char buffer[32];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    return QByteArray(buffer, int(result.ptr - buffer));
}

namespace {

QByteArray labels(const QStringList &names, const QStringList &values) {
    QByteArray out;
    for (qsizetype i = 0; i < names.size() && i < values.size(); ++i) {
        out += out.isEmpty() ? "{" : ",";
        out += names[i].toUtf8() + "=\"" + escapeLabelValue(values[i]) + '"';
    }
    if (!out.isEmpty())
        out += '}';
    return out;
}

} // namespace

Counter &Registry::counter(const QString &name, const QString &help) {
    Counter *c = m_counters.emplace_back(std::make_unique<Counter>()).get();
    m_entries.push_back(std::make_unique<Entry>(
        Entry{name, help, "counter", {}, [c](QByteArray &out, const Entry &e) {
                  out += e.name.toUtf8() + ' ' + formatValue(double(c->value())) + '\n';
              }}));
    return *c;
}

CounterFamily &Registry::counterFamily(const QString &name, const QString &help,
                                       const QString &labelName) {
    CounterFamily *f = m_families.emplace_back(std::make_unique<CounterFamily>()).get();
    m_entries.push_back(std::make_unique<Entry>(
        Entry{name, help, "counter", {labelName}, [f](QByteArray &out, const Entry &e) {
                  for (const auto &[value, count] : f->values())
                      out += e.name.toUtf8() + labels(e.labelNames, {value}) + ' ' +
                             formatValue(double(count)) + '\n';
              }}));
    return *f;
}

Gauge &Registry::gauge(const QString &name, const QString &help) {
    Gauge *g = m_gauges.emplace_back(std::make_unique<Gauge>()).get();
    m_entries.push_back(std::make_unique<Entry>(
        Entry{name, help, "gauge", {}, [g](QByteArray &out, const Entry &e) {
                  out += e.name.toUtf8() + ' ' + formatValue(g->value()) + '\n';
              }}));
    return *g;
}

Histogram &Registry::histogram(const QString &name, const QString &help,
                               std::vector<double> upperBounds) {
    Histogram *h =
        m_histograms.emplace_back(std::make_unique<Histogram>(std::move(upperBounds))).get();
    m_entries.push_back(std::make_unique<Entry>(
        Entry{name, help, "histogram", {}, [h](QByteArray &out, const Entry &e) {
                  const QByteArray n = e.name.toUtf8();
                  const Histogram::Snapshot s = h->snapshot();
                  const std::vector<double> &bounds = h->upperBounds();
                  for (std::size_t i = 0; i < s.cumulative.size(); ++i) {
                      const double le = i < bounds.size() ? bounds[i] : INFINITY;
                      out += n + "_bucket{le=\"" + formatValue(le) + "\"} " +
                             formatValue(double(s.cumulative[i])) + '\n';
                  }
                  out += n + "_sum " + formatValue(s.sum) + '\n';
                  out += n + "_count " + formatValue(double(s.count)) + '\n';
              }}));
    return *h;
}

void Registry::gaugeFunction(const QString &name, const QString &help, QStringList labelNames,
                             std::function<std::vector<GaugeSample>()> read) {
    m_entries.push_back(std::make_unique<Entry>(
        Entry{name, help, "gauge", std::move(labelNames),
              [read = std::move(read)](QByteArray &out, const Entry &e) {
                  for (const GaugeSample &s : read())
                      out += e.name.toUtf8() + labels(e.labelNames, s.labelValues) + ' ' +
                             formatValue(s.value) + '\n';
              }}));
}

QByteArray Registry::exposition() const {
    QByteArray out;
    out.reserve(8192);
    for (const auto &e : m_entries) {
        out += "# HELP " + e->name.toUtf8() + ' ' + escapeHelp(e->help) + '\n';
        out += "# TYPE " + e->name.toUtf8() + ' ' + e->type + '\n';
        e->write(out, *e);
    }
    return out;
}

} // namespace whisper::metrics
