// SPDX-License-Identifier: MIT
'use strict';
// Per-function instructions per relayed message: the difference between two
// callgrind profiles of the same workload with fewer and more messages
// (bench/relay/callgrind.sh), divided by the difference in messages, so
// startup and the fixed part of the run drop out.
// Usage: node callgrind-diff.js SHORT.out LONG.out MESSAGES inclusive|self [TOP]
const { execFileSync } = require('child_process');

const [short, long, messages, kind = 'inclusive', top = '40'] = process.argv.slice(2);

function profile(file) {
  const text = execFileSync(
    'callgrind_annotate',
    [`--inclusive=${kind === 'inclusive' ? 'yes' : 'no'}`, '--threshold=100', file],
    { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const costs = new Map();
  let total = 0;
  let inTable = false;
  for (const line of text.split('\n')) {
    const totals = line.match(/^\s*([\d,]+)\s.*PROGRAM TOTALS/);
    if (totals) total = Number(totals[1].replace(/,/g, ''));
    if (/file:function/.test(line)) { inTable = true; continue; }
    if (!inTable) continue;
    const m = line.match(/^\s*([\d,]+)\s+\([^)]*\)\s+(.*?)(\s\[[^\]]*\])?$/);
    if (!m) continue;
    // Recursion levels ('2) and the unknown file prefix only split one
    // function's cost; the object file is dropped for width.
    const name = m[2].replace(/^\?\?\?:/, '').replace(/'\d+$/, '');
    const v = Number(m[1].replace(/,/g, ''));
    if (kind === 'inclusive') costs.set(name, Math.max(costs.get(name) || 0, v));
    else costs.set(name, (costs.get(name) || 0) + v);
  }
  return { total, costs };
}

const a = profile(short);
const b = profile(long);
const n = Number(messages);
const rows = [];
for (const [name, v] of b.costs) rows.push([name, (v - (a.costs.get(name) || 0)) / n]);
rows.sort((x, y) => y[1] - x[1]);
console.log(`${kind} instructions per relayed message (total ${((b.total - a.total) / n).toFixed(0)})`);
for (const [name, v] of rows.slice(0, Number(top))) {
  if (v < 1) break;
  const short = name.length > 150 ? `${name.slice(0, 147)}...` : name;
  console.log(`${v.toFixed(0).padStart(8)}  ${short}`);
}
