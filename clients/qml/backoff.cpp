// SPDX-License-Identifier: MIT
#include "backoff.h"

#include <algorithm>

namespace whisper::client {

int reconnectDelayMs(int attempt, int baseMs, int capMs, double jitter) {
    double delay = baseMs;
    for (int i = 1; i < attempt && delay < capMs; ++i)
        delay *= 2;
    delay = std::min<double>(delay, capMs);
    return int(delay * (1.0 + 0.2 * std::clamp(jitter, 0.0, 1.0)));
}

} // namespace whisper::client
