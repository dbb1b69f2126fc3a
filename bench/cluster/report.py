#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# The cluster benchmark's summary (bench/cluster/run.sh): reads the JSON of
# each run in DIR and prints a Markdown table with the ratios and goals.
# usage: report.py DIR TICK_MS RATE
import json
import os
import sys

out_dir, tick_ms, rate = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])


def load(name):
    path = os.path.join(out_dir, name + ".json")
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def num(v, digits=0):
    return "n/a" if v is None or v < 0 else f"{v:,.{digits}f}"


def ratio(a, b):
    return "n/a" if not a or not b or a < 0 or b < 0 else f"{a / b:.2f}"


def lat(r):
    if not r:
        return "n/a"
    l = r["latency"]
    return f"{l['p50_ms']:.2f} / {l['p99_ms']:.2f} / {l['p999_ms']:.2f} ms"


def watched(r, k):
    # run.sh watches node2, then Redis
    try:
        return r["watched"][k]
    except (TypeError, KeyError, IndexError):
        return {"cpu_percent": -1, "cpu_us_per_msg": -1}


def checked(r, cross):
    if not r:
        return "run failed"
    notes = []
    if not r["accounted"] or r["errors"]:
        notes.append(f"NOT ACCOUNTED, errors {r['errors']} {' '.join(r['error_kinds'])}")
    pairs = r["matched"] // 2
    if cross and r.get("cross_node_pairs", 0) != pairs:
        notes.append(f"only {r.get('cross_node_pairs', 0)} of {pairs} pairs span two nodes")
    if not cross and r.get("cross_node_pairs", 0):
        notes.append(f"{r['cross_node_pairs']} pairs span two nodes")
    if r.get("loadgen_bound"):
        notes.append("load generator bound")
    return "; ".join(notes) or "all accounted"


rows = []


def row(*cells):
    rows.append("| " + " | ".join(cells) + " |")


cr, cs = load("cross-rate"), load("cross-sat")
src, srs = load("same-rate-cluster"), load("same-rate-single")
srf = load("same-rate-follower")
ssc, sss = load("same-sat-cluster"), load("same-sat-single")
mc, ms, burst = load("match-cross"), load("match-single"), load("burst-cross")
pp, pu, re = load("publish-pipelined"), load("publish-unpipelined"), load("room-enter")

print(open(os.path.join(out_dir, "machine.txt")).read().rstrip())
with open("/proc/loadavg") as f:
    print("load average at end: " + " ".join(f.read().split()[:3]))
print()
row("measure", "figure", "goal / against", "check")
row("---", "---", "---", "---")

if cr:
    row(f"cross-node, {rate:,.0f} msg/s offered: delivered msg/s",
        num(cr["delivered_per_s"]), f"{rate:,.0f}", checked(cr, True))
    row("cross-node at that rate: latency p50 / p99 / p999", lat(cr),
        "p99 ≤ 5 ms: " + ("met" if cr["latency"]["p99_ms"] <= 5 else "NOT met"), "")
    row("cross-node at that rate: CPU node1 / node2 / Redis",
        f"{num(cr['server_cpu_percent'])} / {num(watched(cr, 0)['cpu_percent'])} / "
        f"{num(watched(cr, 1)['cpu_percent'])} %", "", "")
if cs:
    row("cross-node saturation (500 pairs, 1 in flight): msg/s, p99",
        f"{num(cs['delivered_per_s'])}, {cs['latency']['p99_ms']:.2f} ms", "", checked(cs, True))
for name, r in (("at the offered rate", cr), ("at saturation", cs)):
    if r:
        row(f"cross-node {name}: CPU µs/msg node1 / node2",
            f"{num(r['server_cpu_us_per_msg'], 1)} / {num(watched(r, 0)['cpu_us_per_msg'], 1)}",
            "each node sends for one side and receives for the other", "")
if src and srs:
    row(f"same-node, {rate:,.0f} msg/s: delivered msg/s cluster / single",
        f"{num(src['delivered_per_s'])} / {num(srs['delivered_per_s'])}",
        f"ratio {ratio(src['delivered_per_s'], srs['delivered_per_s'])}",
        checked(src, False) + " / " + checked(srs, False))
    row("same-node at that rate: p99 cluster / single",
        f"{src['latency']['p99_ms']:.2f} / {srs['latency']['p99_ms']:.2f} ms",
        f"ratio {ratio(src['latency']['p99_ms'], srs['latency']['p99_ms'])}", "")
    row("same-node at that rate: node CPU µs/msg cluster / single",
        f"{num(src['server_cpu_us_per_msg'], 1)} / {num(srs['server_cpu_us_per_msg'], 1)}",
        f"ratio {ratio(src['server_cpu_us_per_msg'], srs['server_cpu_us_per_msg'])} (≤ 1.10)", "")
if srf and srs:
    row(f"same-node, {rate:,.0f} msg/s, on the node that does not lead: p99, CPU µs/msg",
        f"{srf['latency']['p99_ms']:.2f} ms, {num(srf['server_cpu_us_per_msg'], 1)}",
        f"ratio to single {ratio(srf['latency']['p99_ms'], srs['latency']['p99_ms'])}, "
        f"{ratio(srf['server_cpu_us_per_msg'], srs['server_cpu_us_per_msg'])}",
        checked(srf, False))
if ssc and sss:
    r = ssc["delivered_per_s"] / sss["delivered_per_s"] if sss["delivered_per_s"] else 0
    row("same-node saturation: msg/s cluster / single",
        f"{num(ssc['delivered_per_s'])} / {num(sss['delivered_per_s'])}",
        f"ratio {r:.2f} (goal ≥ 0.90: {'met' if r >= 0.9 else 'NOT met'})",
        checked(ssc, False) + " / " + checked(sss, False))
    row("same-node saturation: node CPU µs/msg cluster / single",
        f"{num(ssc['server_cpu_us_per_msg'], 1)} / {num(sss['server_cpu_us_per_msg'], 1)}",
        f"ratio {ratio(ssc['server_cpu_us_per_msg'], sss['server_cpu_us_per_msg'])}", "")
goal_ms = tick_ms + 50
for name, r in (("across nodes", mc), ("single node", ms)):
    if r:
        p99 = r["match_s_p99"] * 1000
        row(f"match latency {name}: join → matched p50 / p99 ({r['matched'] // 2} pairs over 5 s)",
            f"{r['match_s_p50'] * 1000:.0f} / {p99:.0f} ms",
            f"p99 ≤ tick + 50 = {goal_ms} ms: " + ("met" if p99 <= goal_ms else "NOT met"),
            checked(r, name == "across nodes"))
if burst and burst["match_s_max"] > 0:
    row("burst of joins across nodes: arrivals/s (all matched)",
        f"{num(burst['matched'] / burst['match_s_max'])} ({burst['matched']} in "
        f"{burst['match_s_max'] * 1000:.0f} ms; p50 {burst['match_s_p50'] * 1000:.0f} ms)",
        "", checked(burst, True))


li = load("leader-intake")
if li:
    row(f"leader intake: {li['arrivals']:,} arrivals piped into the room → all matched",
        f"{num(li['arrivals_per_s'])} arrivals/s ({li['done_s']:.1f} s; fed in {li['fed_s']:.1f} s)",
        f"leader {li['leader_cpu_us_per_arrival']:.1f} µs, Redis "
        f"{li['redis_cpu_us_per_arrival']:.1f} µs CPU per arrival → "
        f"{num(1e6 / li['leader_cpu_us_per_arrival'] if li['leader_cpu_us_per_arrival'] > 0 else -1)}"
        f" / {num(1e6 / li['redis_cpu_us_per_arrival'] if li['redis_cpu_us_per_arrival'] > 0 else -1)}"
        " arrivals/s per core",
        "all matched" if li["left_waiting"] == 0 else f"{li['left_waiting']} left waiting")
if src and srs:
    row("node memory: RSS per connection cluster / single (2,000 paired clients)",
        f"{num(src['server_rss_per_connection'])} / {num(srs['server_rss_per_connection'])} bytes",
        "", "")

idle = load("idle")
if idle:
    row(f"idle, no clients: CPU ms/s node1 / node2 / single ({idle['leader']} leads)",
        f"{idle['node1_cpu_ms_per_s']:.1f} / {idle['node2_cpu_ms_per_s']:.1f} / "
        f"{idle['single_cpu_ms_per_s']:.1f}",
        "a cluster node's own work, whatever its clients do", "")
    row("idle cluster: Redis commands/s (scripts' calls included), Redis CPU ms/s",
        f"{idle['redis_calls_per_s']:.1f}, {idle['redis_cpu_ms_per_s']:.1f}", "", "")


def ceiling(r):
    us = r["redis_cpu_us_per_op"]
    return 1e6 / us if us > 0 else -1


for name, r, what in (("PUBLISH 136 B, 2 conns, pipelined 32", pp, "PUBLISH/s"),
                      ("PUBLISH 136 B, 50 conns, no pipelining", pu, "PUBLISH/s"),
                      ("room enter script (HSET + XADD), pipelined 32", re, "arrivals/s")):
    if r:
        row(f"Redis alone, {name}: ops/s (Redis CPU)",
            f"{num(r['ops_per_s'])} ({r['redis_cpu_percent']:.0f} %)",
            f"{num(ceiling(r))} {what} per Redis core ({r['redis_cpu_us_per_op']:.2f} µs each)",
            "redis-benchmark")
for name, r in (("at the offered rate", cr), ("at saturation", cs)):
    if r:
        w = watched(r, 1)
        us = w["cpu_us_per_msg"]
        row(f"Redis with the real nodes, cross-node {name}: CPU µs per message",
            num(us, 2), f"ceiling {num(1e6 / us if us > 0 else -1)} msg/s per Redis core "
            "(2 PUBLISH each: message and `delivered`)", "")
print("\n".join(rows))
print()
print("The leader's engine (tick time against the waiting set's size) is the single node's "
      "MatchEngine: bench/matchbench, docs/BENCHMARKS.md \"Matching\".")
