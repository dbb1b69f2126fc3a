// SPDX-License-Identifier: MIT
#pragma once

namespace whisper {

class ChatServer;
class ControlServer;
class OpsServer;
class SecurityStack;
class ServerMetrics;

// Connects the server's parts to its metrics where no hook in their code is
// needed: signals they already emit (pairs made, matchmaker ticks) and
// gauges of counts they already keep, read at scrape time. The one-line
// hooks inside the modules get their pointers from here too (accounts) or
// from the ChatServer's constructor (transport, sessions).
void instrument(ServerMetrics &metrics, ChatServer &server, ControlServer &control,
                SecurityStack &security, OpsServer &ops);

} // namespace whisper
