#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Writes N arrivals into the global waiting room as a node does (the
# room's enter script of server/cluster/clusterwaitingroom.cpp, by SHA), in
# Redis's wire protocol for `redis-cli --pipe`: the leader's intake (stream
# -> leader -> match script) measured without clients. Clients 2k and 2k+1
# stand at one spot, each pair 0.1 degree from the next and 1 km in reach,
# so every pair is matched with itself and nothing else. Their ids are
# below 2^40: their node bits are 0, a channel no node listens on, so the
# match events reach no node.
# usage: arrivals.py SHA NODE N > file
import sys
import time

sha, node, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
out = sys.stdout.buffer


def command(*args):
    parts = [b"*%d\r\n" % len(args)]
    for a in args:
        b = a if isinstance(a, bytes) else str(a).encode()
        parts.append(b"$%d\r\n%s\r\n" % (len(b), b))
    out.write(b"".join(parts))


hash_key = "whisper:waiting:" + node
now = str(int(time.time() * 1000))
for i in range(count):
    spot = i // 2
    lat = -60 + (spot // 1000) * 0.1
    lon = -170 + (spot % 1000) * 0.1
    client = 1_000_000 + i
    entry = ('{"id":"%d","k":"%d","lat":%.5f,"lon":%.5f,"r":1,"s":"0","x":[]}'
             % (client, 9_000_000_000 + i, lat, lon))
    identity = 9_000_000_000 + i
    command("EVALSHA", sha, 3, hash_key, "whisper:room", "whisper:recent:%d" % identity,
            "e", node, client, entry, now)
