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
# The same-node comparison runs in rounds (run.sh b): name-1, name-2, ...
rounds = []
while load(f"same-rate-single-{len(rounds) + 1}"):
    n = len(rounds) + 1
    rounds.append({k: load(f"same-{k}-{n}") for k in
                   ("rate-cluster", "rate-single", "rate-follower", "sat-cluster", "sat-single")})


def median(values):
    v = sorted(x for x in values if x is not None)
    if not v:
        return None
    m = len(v) // 2
    return v[m] if len(v) % 2 else (v[m - 1] + v[m]) / 2


def per_round(a, b, field):
    """The rounds' ratios a/b of one figure (None where a run failed)."""
    out = []
    for r in rounds:
        x, y = r[a], r[b]
        if not x or not y:
            out.append(None)
            continue
        fx, fy = field(x), field(y)
        out.append(fx / fy if fx and fy and fx > 0 and fy > 0 else None)
    return out


cpu = lambda r: r["server_cpu_us_per_msg"]
p99 = lambda r: r["latency"]["p99_ms"]
rate_of = lambda r: r["delivered_per_s"]


def spread(ratios):
    v = [x for x in ratios if x is not None]
    return "n/a" if not v else f"median {median(v):.2f} (rounds {min(v):.2f}-{max(v):.2f}, n={len(v)})"


def all_checked(key):
    notes = {checked(r[key], False) for r in rounds}
    return "; ".join(sorted(notes))


def verdict(value, met, goal):
    """'(goal …: met)' for one figure against its goal; `met` tells whether it is."""
    return f"(goal {goal}: " + ("n/a" if value is None else "met" if met(value) else "NOT met") + ")"


def median_of(key, field):
    return median([field(r[key]) for r in rounds if r[key]])

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
if rounds:
    cpu_leader = per_round("rate-cluster", "rate-single", cpu)
    cpu_follower = per_round("rate-follower", "rate-single", cpu)
    sat = per_round("sat-cluster", "sat-single", rate_of)
    sat_cpu = per_round("sat-cluster", "sat-single", cpu)
    row(f"same-node, {rate:,.0f} msg/s offered, {len(rounds)} rounds: delivered msg/s "
        "cluster / single (medians)",
        f"{num(median_of('rate-cluster', rate_of))} / {num(median_of('rate-single', rate_of))}", "",
        all_checked("rate-cluster") + " / " + all_checked("rate-single"))
    row("same-node at that rate: p99 cluster / single (medians)",
        f"{median_of('rate-cluster', p99):.2f} / {median_of('rate-single', p99):.2f} ms",
        "ratio " + spread(per_round("rate-cluster", "rate-single", p99)), "")
    within = lambda v: v <= 1.10
    row("same-node at that rate: node CPU µs/msg, leading cluster node / single (medians)",
        f"{num(median_of('rate-cluster', cpu), 1)} / {num(median_of('rate-single', cpu), 1)}",
        "ratio " + spread(cpu_leader) + " " + verdict(median(cpu_leader), within, "≤ 1.10"), "")
    row("same-node at that rate: node CPU µs/msg, the node that does not lead / single",
        f"{num(median_of('rate-follower', cpu), 1)} / {num(median_of('rate-single', cpu), 1)}",
        "ratio " + spread(cpu_follower) + " " + verdict(median(cpu_follower), within, "≤ 1.10"),
        all_checked("rate-follower"))
    row("same-node saturation: msg/s cluster / single (medians)",
        f"{num(median_of('sat-cluster', rate_of))} / {num(median_of('sat-single', rate_of))}",
        "ratio " + spread(sat) + " " + verdict(median(sat), lambda v: v >= 0.90, "≥ 0.90"),
        all_checked("sat-cluster") + " / " + all_checked("sat-single"))
    row("same-node saturation: node CPU µs/msg cluster / single (medians)",
        f"{num(median_of('sat-cluster', cpu), 1)} / {num(median_of('sat-single', cpu), 1)}",
        "ratio " + spread(sat_cpu), "")


def counted(mode, kind):
    """bench/relay/callgrind.sh's per-message counts: (instructions, system calls)."""
    try:
        text = open(os.path.join(out_dir, f"callgrind-{mode}-{kind}.txt")).read()
    except OSError:
        return None
    found = {}
    for line in text.splitlines():
        for key in ("instructions", "system calls"):
            if line.startswith(key + " per relayed message:"):
                try:
                    found[key] = float(line.split(":")[1])
                except ValueError:
                    pass
    return (found["instructions"], found["system calls"]) if len(found) == 2 else None


for mode, what in (("serial", "one message at a time"), ("burst", "50 pairs sending at once")):
    single, cluster = counted(mode, "single"), counted(mode, "cluster")
    if single and cluster:
        r = cluster[0] / single[0]
        row(f"same-node, {what}: instructions per message cluster node / single (callgrind)",
            f"{cluster[0]:,.0f} / {single[0]:,.0f}",
            f"ratio {r:.3f} " + verdict(r, lambda v: v <= 1.10, "≤ 1.10"), "counted")
        row(f"same-node, {what}: system calls per message cluster node / single (strace)",
            f"{cluster[1]:.2f} / {single[1]:.2f}", f"ratio {cluster[1] / single[1]:.3f}", "counted")
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
if cr and rounds and rounds[0]["rate-single"]:
    # Each process's first load (later ones reuse the heap the first grew):
    # node1's is the cross-node run, the single node's the first round.
    srs = rounds[0]["rate-single"]
    row("node memory: RSS per connection, node1 / single (each one's first load)",
        f"{num(cr['server_rss_per_connection'])} / {num(srs['server_rss_per_connection'])} bytes",
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
if rounds:
    # Every round, so a reader sees how far single runs wander.
    print("Same-node rounds (node CPU µs/msg at the offered rate; msg/s at saturation):")
    print()
    print("| round | single | leading node | ratio | other node | ratio | sat. single | "
          "sat. cluster | ratio |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for i, r in enumerate(rounds):
        def f(key, field, digits=1):
            return num(field(r[key]), digits) if r[key] else "failed"
        def q(v):
            return "n/a" if v is None else f"{v:.2f}"
        print(f"| {i + 1} | {f('rate-single', cpu)} | {f('rate-cluster', cpu)} | "
              f"{q(cpu_leader[i])} | {f('rate-follower', cpu)} | {q(cpu_follower[i])} | "
              f"{f('sat-single', rate_of, 0)} | {f('sat-cluster', rate_of, 0)} | {q(sat[i])} |")
    print()
print("The leader's engine (tick time against the waiting set's size) is the single node's "
      "MatchEngine: bench/matchbench, docs/BENCHMARKS.md \"Matching\".")
