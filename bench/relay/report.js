// SPDX-License-Identifier: MIT
'use strict';
// Prints the relay benchmark's comparison table (markdown) from the JSON
// files the load generator wrote: whisperchat-server vs the Node ws peer.
const fs = require('fs');
const path = require('path');
const [dir, ...scenarios] = process.argv.slice(2);
function load(s, impl) {
  try { return JSON.parse(fs.readFileSync(path.join(dir, `${s}-${impl}.json`), 'utf8')); }
  catch (e) { return null; }
}
const rows = [];
function row(label, s, pick, unit, higherIsBetter, digits = 0) {
  const a = load(s, 'whisperchat'), b = load(s, 'node-ws');
  if (!a || !b) return;
  const x = pick(a), y = pick(b);
  // A peer figure of 0 (e.g. an idle server's CPU) has no meaningful ratio.
  const ratio = y ? `${(x / y).toFixed(2)}x` : 'n/a';
  rows.push(`| ${label} | ${x.toFixed(digits)} ${unit} | ${y.toFixed(digits)} ${unit} | ` +
            `${ratio} ${higherIsBetter ? '(higher is better)' : '(lower is better)'} | ` +
            `${a.errors}/${b.errors} |`);
}
const kb = (j) => j.server_rss_per_connection / 1024;
for (const s of scenarios) {
  switch (s) {
    case 'saturation':
      row('500 pairs, 1 in flight: delivered msg/s', s, (j) => j.delivered_per_s, '', true);
      row('500 pairs: p99 latency', s, (j) => j.latency.p99_ms, 'ms', false, 2);
      row('500 pairs: server CPU per message', s, (j) => j.server_cpu_us_per_msg, 'us', false, 1);
      row('500 pairs: load generator CPU', s, (j) => j.loadgen_cpu_percent, '%', false);
      break;
    case 'load5k':
      row('5k conns, 20k msg/s: server CPU', s, (j) => j.server_cpu_percent, '%', false, 1);
      row('5k conns, 20k msg/s: p99 latency', s, (j) => j.latency.p99_ms, 'ms', false, 2);
      row('5k conns, 20k msg/s: server CPU per message', s, (j) => j.server_cpu_us_per_msg, 'us', false, 1);
      row('5k conns, 20k msg/s: delivered msg/s', s, (j) => j.delivered_per_s, '', true);
      break;
    case 'idle5k': case 'idle10k': case 'idle19k': {
      const n = s.replace('idle', '');
      row(`${n} idle pairs: RSS per connection`, s, kb, 'kB', false, 1);
      row(`${n} idle pairs: server CPU`, s, (j) => j.server_cpu_percent, '%', false, 1);
      row(`${n} connect: handshakes/s`, s, (j) => j.handshakes_per_s, '', true);
      break;
    }
    case 'handshake':
      row('10k connects: handshakes/s', s, (j) => j.handshakes_per_s, '', true);
      break;
  }
}
console.log('| measure | whisperchat-server | Node ws peer | ratio | errors (wc/node) |');
console.log('|---|---|---|---|---|');
for (const r of rows) console.log(r);
