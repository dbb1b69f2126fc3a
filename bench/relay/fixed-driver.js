// SPDX-License-Identifier: MIT
'use strict';
// A fixed, repeatable relay workload for instruction counting
// (bench/relay/callgrind.sh): connects 2 x PAIRS clients over raw
// WebSocket, joins them at one place so they pair up, then sends exactly
// ROUNDS messages per client with an `id`, each answered by `delivered`
// to the sender and `message` to the partner, and exits.
//   serial: one message in flight on the whole server: every message is its
//           own event-loop wake-up (the fixed-rate case at low load)
//   burst:  every client sends at once each round, then waits for the
//           round's frames: several messages per wake-up (saturation)
// Usage: node fixed-driver.js PORT PAIRS ROUNDS serial|burst ascii|utf8
// Prints "relayed N" (messages delivered to partners) on success.
const net = require('net');

const [port, pairs, rounds] = process.argv.slice(2, 5).map(Number);
const mode = process.argv[5] || 'serial';
const textKind = process.argv[6] || 'ascii';
const clients = 2 * pairs;
// 32 characters like the load generator's default; the UTF-8 variant has
// 2-, 3- and 4-byte sequences and a character JSON must escape.
const filler = textKind === 'utf8' ? 'é✓😀"' : 'x';

function frame(text) {
  // Client frames are masked (RFC 6455 5.3); a fixed key keeps runs identical.
  const payload = Buffer.from(text, 'utf8');
  const key = Buffer.from([0x11, 0x22, 0x33, 0x44]);
  let header;
  if (payload.length < 126) {
    header = Buffer.from([0x81, 0x80 | payload.length]);
  } else {
    header = Buffer.from([0x81, 0x80 | 126, payload.length >> 8, payload.length & 0xff]);
  }
  const masked = Buffer.alloc(payload.length);
  for (let i = 0; i < payload.length; ++i) masked[i] = payload[i] ^ key[i & 3];
  return Buffer.concat([header, key, masked]);
}

function textOf(client, seq) {
  let t = `s${client}.${seq}`;
  while ([...t].length < 32) t += filler;
  return t;
}

class Client {
  constructor(index) {
    this.index = index;
    this.buf = Buffer.alloc(0);
    this.upgraded = false;
    this.frames = []; // parsed JSON messages not yet taken
    this.socket = net.connect(port, '127.0.0.1');
    this.socket.setNoDelay(true);
    this.socket.on('connect', () => {
      this.socket.write(
        'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
          'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n');
    });
    this.socket.on('data', (d) => this.onData(d));
    this.socket.on('error', (e) => fail(`client ${index}: ${e.message}`));
  }
  onData(d) {
    this.buf = Buffer.concat([this.buf, d]);
    if (!this.upgraded) {
      const end = this.buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      if (!this.buf.subarray(0, end).toString().startsWith('HTTP/1.1 101')) fail('upgrade refused');
      this.upgraded = true;
      this.buf = this.buf.subarray(end + 4);
    }
    for (;;) {
      if (this.buf.length < 2) break;
      let len = this.buf[1] & 0x7f;
      let h = 2;
      if (len === 126) {
        if (this.buf.length < 4) break;
        len = this.buf.readUInt16BE(2);
        h = 4;
      } else if (len === 127) {
        fail('unexpected 64-bit frame');
      }
      if (this.buf.length < h + len) break;
      const opcode = this.buf[0] & 0x0f;
      const payload = this.buf.subarray(h, h + len);
      this.buf = this.buf.subarray(h + len);
      if (opcode === 1) this.frames.push(JSON.parse(payload.toString('utf8')));
      else if (opcode === 8) fail(`client ${this.index}: server closed the connection`);
    }
    wake();
  }
  take(type) {
    const i = this.frames.findIndex((f) => f.type === type);
    if (i < 0) return null;
    const [f] = this.frames.splice(i, 1);
    if (f.type === 'error') fail(`client ${this.index}: error ${JSON.stringify(f)}`);
    return f;
  }
  send(obj) {
    this.socket.write(frame(JSON.stringify(obj)));
  }
}

function fail(why) {
  console.error(`fixed-driver: ${why}`);
  process.exit(1);
}

let waiter = null;
function wake() {
  if (waiter && waiter.done()) {
    const w = waiter;
    waiter = null;
    w.resolve();
  }
}
function until(done) {
  return new Promise((resolve) => {
    waiter = { done, resolve };
    wake();
  });
}

async function main() {
  setTimeout(() => fail('timed out'), 600000).unref();
  const all = [];
  for (let i = 0; i < clients; ++i) all.push(new Client(i));
  await until(() => all.every((c) => c.frames.some((f) => f.type === 'welcome')));
  all.forEach((c) => c.take('welcome'));
  for (const c of all) c.send({ type: 'join', lat: 52.52, lon: 13.405, range_km: 50 });
  await until(() => all.every((c) => c.frames.some((f) => f.type === 'matched') || c.frames.some((f) => f.type === 'error')));
  all.forEach((c) => { c.take('error'); c.take('waiting'); c.take('matched'); });
  let relayed = 0;
  let seq = 0;
  const sendFrom = (c) => {
    ++seq;
    c.send({ type: 'message', text: textOf(c.index, seq), id: `m${seq}` });
  };
  const got = (n) => {
    // Takes n `delivered` and n `message` frames, wherever they arrived.
    let d = 0;
    let m = 0;
    for (const c of all) {
      while (c.take('delivered')) ++d;
      while (c.take('message')) ++m;
    }
    return [d, m];
  };
  for (let r = 0; r < rounds; ++r) {
    if (mode === 'serial') {
      for (const c of all) {
        sendFrom(c);
        let d = 0;
        let m = 0;
        await until(() => {
          const [dd, mm] = got();
          d += dd;
          m += mm;
          return d >= 1 && m >= 1;
        });
        relayed += m;
      }
    } else {
      all.forEach(sendFrom);
      let d = 0;
      let m = 0;
      await until(() => {
        const [dd, mm] = got();
        d += dd;
        m += mm;
        return d >= clients && m >= clients;
      });
      relayed += m;
    }
  }
  for (const c of all) c.socket.end();
  console.log(`relayed ${relayed}`);
  process.exit(0);
}

main();
