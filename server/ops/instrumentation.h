// SPDX-License-Identifier: MIT
#pragma once

namespace whisper {

class ChatServer;
class ClusterNode;
class Database;
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
// A cluster member's own: the Redis round trip, whether Redis is reachable,
// whether this node leads matching and the global room's size there.
void instrument(ServerMetrics &metrics, ClusterNode &cluster);
// A cluster node is not ready (/readyz 503 "redis unreachable" or
// "database unreachable") while it cannot reach Redis or its PostgreSQL;
// the database is asked `SELECT 1` every two seconds.
void watchDependencies(OpsServer &ops, ClusterNode &cluster, Database &database);

} // namespace whisper
