// SPDX-License-Identifier: MIT
#pragma once

#include <QLoggingCategory>

namespace whisper {
// The chat listeners' one category (listener.cpp defines it): accepting,
// handshakes, per-address caps.
Q_DECLARE_LOGGING_CATEGORY(lcListener)
} // namespace whisper
