// SPDX-License-Identifier: MIT
'use strict';
// Prints the cost-per-message tables (markdown) from bench/relay/cost.sh's
// results: per scenario, each server's delivered msg/s, server CPU per
// delivered message, latency percentiles and load generator CPU, with the
// ratio of each server's cost to the C limit relay's and whisperchat-server's
// cost to each peer's; then system calls per relayed message.
const fs = require('fs');
const path = require('path');
const [dir, implList, ...scenarios] = process.argv.slice(2);
const impls = implList.split(/\s+/).filter(Boolean);
function load(s, impl) {
  try { return JSON.parse(fs.readFileSync(path.join(dir, `${s}-${impl}.json`), 'utf8')); }
  catch (e) { return null; }
}
const f = (x, d) => (x === undefined || x === null || x < 0 ? 'n/a' : x.toFixed(d));
const ratio = (a, b) => (a > 0 && b > 0 ? `${(a / b).toFixed(2)}x` : 'n/a');
try { process.stdout.write(fs.readFileSync(path.join(dir, 'machine.txt'), 'utf8') + '\n'); } catch (e) {}
for (const s of scenarios.filter((x) => x.startsWith('idle'))) {
  console.log(`### ${s}: memory per idle connection (connected, joined, paired, silent)\n`);
  console.log('| server | connected | RSS per connection kB | server CPU % |');
  console.log('|---|---|---|---|');
  for (const impl of impls) {
    const j = load(s, impl);
    if (!j) continue;
    console.log(`| ${impl} | ${j.connected} | ${f(j.server_rss_per_connection / 1024, 1)} | ` +
      `${f(j.server_cpu_percent, 1)} |`);
  }
  console.log('');
}
for (const s of scenarios.filter((x) => x !== 'syscalls' && !x.startsWith('idle'))) {
  const limit = load(s, 'limit');
  const ours = load(s, 'whisperchat');
  console.log(`### ${s}\n`);
  console.log('| server | delivered msg/s | CPU us/msg | vs limit | whisperchat vs it | p50 ms | p99 ms | p999 ms | server CPU % | loadgen CPU % | errors |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|');
  for (const impl of impls) {
    const j = load(s, impl);
    if (!j) { console.log(`| ${impl} | (no result) |||||||||| `); continue; }
    const cost = j.server_cpu_us_per_msg;
    // A load generator near its cores' limit caps the rate: the msg/s is
    // then a lower bound, but CPU per message stays comparable.
    const lg = j.loadgen_cpu_percent;
    const bound = j.loadgen_bound ? ' (loadgen bound)' : '';
    console.log(`| ${impl} | ${f(j.delivered_per_s, 0)}${bound} | ${f(cost, 1)} | ` +
      `${limit ? ratio(cost, limit.server_cpu_us_per_msg) : 'n/a'} | ` +
      `${ours && impl !== 'whisperchat' ? ratio(ours.server_cpu_us_per_msg, cost) : '—'} | ` +
      `${f(j.latency.p50_ms, 2)} | ${f(j.latency.p99_ms, 2)} | ${f(j.latency.p999_ms, 2)} | ` +
      `${f(j.server_cpu_percent, 0)} | ${f(lg, 0)} | ${j.errors} |`);
  }
  console.log('');
}
if (scenarios.includes('syscalls')) {
  console.log('### system calls per relayed message (1,000 clients, fixed rate)\n');
  console.log('| server | tool | syscalls in window | messages in window | syscalls per message | vs limit |');
  console.log('|---|---|---|---|---|---|');
  const per = {}, rows = [];
  for (const impl of impls) {
    let lines;
    try { lines = fs.readFileSync(path.join(dir, `syscalls-${impl}.count`), 'utf8').trim().split('\n'); }
    catch (e) { continue; }
    const calls = Number(lines[0]);
    const [tool, rate, window] = lines[lines.length - 1].split(' ');
    // Messages sent in the counted window (each is one frame in and two
    // out: to the partner and the ack to the sender).
    const msgs = Number(rate) * Number(window);
    per[impl] = calls > 0 ? calls / msgs : -1;
    rows.push([impl, tool, calls, msgs]);
  }
  for (const [impl, tool, calls, msgs] of rows)
    console.log(`| ${impl} | ${tool} | ${calls > 0 ? calls : 'n/a'} | ${msgs} | ${f(per[impl], 2)} | ` +
      `${per.limit > 0 ? ratio(per[impl], per.limit) : 'n/a'} |`);
  console.log('');
}
