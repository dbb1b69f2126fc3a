// SPDX-License-Identifier: MIT
#pragma once

// What the fuzz targets share: a Qt application for the targets that need
// an event loop, and an abort that names the property that broke (libFuzzer
// keeps the input that triggered it as a crash artifact).

#include <QByteArrayView>
#include <QCoreApplication>
#include <QLoggingCategory>

#include <cstdio>
#include <cstdlib>

namespace whisper::fuzz {

[[noreturn]] inline void fail(const char *what) {
    std::fprintf(stderr, "fuzz property violated: %s\n", what);
    std::abort();
}

inline void check(bool ok, const char *what) {
    if (!ok)
        fail(what);
}

// One application for the whole run; created before the first input.
// Logging is silenced: the targets feed millions of bad inputs, and every
// one is logged at debug level.
inline void initApplication() {
    static int argc = 1;
    static char name[] = "fuzz";
    static char *argv[] = {name, nullptr};
    static QCoreApplication app(argc, argv);
    QLoggingCategory::setFilterRules(QStringLiteral("*=false"));
}

inline QByteArrayView view(const uint8_t *data, size_t size) {
    return QByteArrayView(reinterpret_cast<const char *>(data), qsizetype(size));
}

} // namespace whisper::fuzz
