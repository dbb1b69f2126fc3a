// SPDX-License-Identifier: MIT
#pragma once

namespace whisper::client {

// Delay before reconnect attempt `attempt` (1, 2, ...): doubles from `baseMs`
// up to `capMs`, so a server that is down is not hammered, and the jitter
// (a fraction in [0, 1) drawn by the caller) spreads the clients a restarted
// server gets back, by up to a fifth of the delay.
int reconnectDelayMs(int attempt, int baseMs, int capMs, double jitter);

} // namespace whisper::client
