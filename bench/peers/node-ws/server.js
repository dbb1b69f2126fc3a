// SPDX-License-Identifier: MIT
'use strict';
// Comparison peer for bench/relay: one Node.js process with the `ws` package,
// speaking the protocol v1 subset the load generator uses (welcome, join,
// simple nearest-first matching, message with delivered, typing, leave,
// partner_left). Same ready line as whisperchat-server so the bench script
// treats both alike. Keys are emitted in the same order as the C++ codec
// (Qt sorts object keys), so both servers send byte-identical frames.
const { WebSocketServer } = require('ws');
const crypto = require('crypto');

const args = process.argv.slice(2);
function arg(name, def) {
  const i = args.indexOf('--' + name);
  return i >= 0 ? args[i + 1] : def;
}
const host = arg('listen', '127.0.0.1');
const port = Number(arg('port', '0'));
const MAX_BYTES = 16 * 1024;
const MAX_TEXT = 2000;
const EARTH_KM = 6371.0088;
const BUCKETS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000];

const waiting = new Set(); // clients waiting, in join order
let nextId = 1;

function haversineKm(a, b) {
  const r = Math.PI / 180;
  const dLat = (b.lat - a.lat) * r;
  const dLon = (b.lon - a.lon) * r;
  const h = Math.sin(dLat / 2) ** 2 +
            Math.cos(a.lat * r) * Math.cos(b.lat * r) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}
function bucket(km) {
  for (const b of BUCKETS) if (km <= b) return b;
  return 20000;
}
function send(c, obj) {
  if (c.ws.readyState === 1) c.ws.send(JSON.stringify(obj));
}
function error(c, code, message, ref) {
  const o = { code, message, type: 'error' };
  if (ref) o.ref = ref;
  send(c, o);
}
function tryMatch(c) {
  let best = null, bestKm = Infinity;
  for (const o of waiting) {
    if (o === c) continue;
    const km = haversineKm(c, o);
    if (km <= c.range && km <= o.range && km < bestKm) { best = o; bestKm = km; }
  }
  if (!best) return;
  waiting.delete(c); waiting.delete(best);
  const pair = crypto.randomBytes(8).toString('hex');
  c.partner = best; best.partner = c;
  c.state = best.state = 'paired';
  const d = bucket(bestKm);
  send(c, { distance_km: d, pair, partner: 'guest' + best.id, type: 'matched' });
  send(best, { distance_km: d, pair, partner: 'guest' + c.id, type: 'matched' });
}
function endPair(c, reason) {
  const p = c.partner;
  c.partner = null;
  if (!p) return;
  p.partner = null;
  p.state = 'lobby';
  send(p, { reason, type: 'partner_left' });
}
function isNum(v) { return typeof v === 'number' && Number.isFinite(v); }

const wss = new WebSocketServer({ host, port, backlog: 4096, maxPayload: MAX_BYTES,
                                  perMessageDeflate: false, clientTracking: false });
wss.on('connection', (ws) => {
  const c = { ws, id: nextId++, state: 'lobby', partner: null, lat: 0, lon: 0, range: 0 };
  send(c, { limits: { max_message_bytes: MAX_BYTES, max_text_chars: MAX_TEXT }, protocol: 1,
            server: 'node-ws-peer', session: crypto.randomBytes(12).toString('hex'),
            type: 'welcome' });
  ws.on('message', (data, isBinary) => {
    if (isBinary) return error(c, 'bad_request', 'binary frames are not supported');
    let m;
    try { m = JSON.parse(data); } catch (e) { return error(c, 'bad_request', 'invalid JSON'); }
    if (m === null || typeof m !== 'object' || typeof m.type !== 'string')
      return error(c, 'bad_request', 'expected an object with a type');
    switch (m.type) {
      case 'message': {
        if (c.state !== 'paired') return error(c, 'conflict', 'not paired', 'message');
        if (typeof m.text !== 'string' || m.text.length < 1 || m.text.length > MAX_TEXT)
          return error(c, 'bad_request', 'bad text', 'message');
        send(c.partner, { text: m.text, ts: Date.now(), type: 'message' });
        if (typeof m.id === 'string') send(c, { id: m.id, type: 'delivered' });
        return;
      }
      case 'typing':
        if (c.state !== 'paired') return error(c, 'conflict', 'not paired', 'typing');
        return send(c.partner, { active: !!m.active, type: 'typing' });
      case 'join':
        if (c.state !== 'lobby') return error(c, 'conflict', 'already waiting or paired', 'join');
        if (!isNum(m.lat) || !isNum(m.lon) || !isNum(m.range_km) || Math.abs(m.lat) > 90 ||
            Math.abs(m.lon) > 180 || m.range_km <= 0 || m.range_km > 20015.1)
          return error(c, 'bad_request', 'bad join', 'join');
        c.lat = m.lat; c.lon = m.lon; c.range = m.range_km; c.state = 'waiting';
        waiting.add(c);
        send(c, { type: 'waiting' });
        return tryMatch(c);
      case 'leave':
        if (c.state === 'waiting') waiting.delete(c);
        else if (c.state === 'paired') endPair(c, 'left');
        else return error(c, 'conflict', 'neither waiting nor paired', 'leave');
        c.state = 'lobby';
        return send(c, { type: 'left' });
      default:
        return error(c, 'bad_request', 'unknown type', m.type);
    }
  });
  ws.on('close', () => {
    waiting.delete(c);
    if (c.state === 'paired') endPair(c, 'disconnected');
    c.state = 'closed';
  });
  ws.on('error', () => {});
});
wss.on('listening', () => {
  const a = wss.address();
  process.stdout.write(`whisperchat-server ready: chat ws://${a.address}:${a.port}\n`);
});
function stop() { wss.close(); process.exit(0); }
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
