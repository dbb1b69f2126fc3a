// SPDX-License-Identifier: MIT
// The browser client in a real browser: Debian's Chromium, headless, driven
// by puppeteer-core, against a real whisperchat-server on a free loopback
// port. Two pages with their geolocation set through the DevTools protocol
// take their position from the Geolocation API, join, match, chat both ways
// with typing and delivered ticks; one reports, then closes its tab and the
// other sees its partner leave; the server restarts and the page reconnects
// by itself. axe-core checks accessibility of every view; the layout is
// checked at phone (390x844) and desktop size; a phone screenshot of the
// chat is saved in the output directory.
//
//   node browser-test.js --bin-dir DIR --out-dir DIR --node-modules DIR [--chromium PATH]
'use strict';

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { createRequire } = require('node:module');

const args = {};
for (let i = 2; i + 1 < process.argv.length; i += 2) {
  args[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];
}
for (const needed of ['bin-dir', 'out-dir', 'node-modules']) {
  if (!args[needed]) {
    console.error(`usage: browser-test.js --bin-dir DIR --out-dir DIR --node-modules DIR`);
    process.exit(2);
  }
}
const nodeRequire = createRequire(path.join(path.resolve(args['node-modules']), 'package.json'));
const puppeteer = nodeRequire('puppeteer-core');
const axeSource = fs.readFileSync(nodeRequire.resolve('axe-core/axe.min.js'), 'utf8');
const WebSocket = nodeRequire('ws');

// Same isMobile/hasTouch for both: changing those makes puppeteer reload
// the page, which would end its chat.
const PHONE = { width: 390, height: 844, deviceScaleFactor: 2 };
const DESKTOP = { width: 1280, height: 800, deviceScaleFactor: 1 };
const STEP_MS = 10000;
const started = Date.now();

function log(text) {
  console.log(`[${((Date.now() - started) / 1000).toFixed(1)}s] ${text}`);
}

function check(condition, text) {
  if (!condition) throw new Error(`check failed: ${text}`);
}

// ---- the server ----------------------------------------------------------

class Server {
  constructor(port) {
    this.dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'whisperchat-browser-'));
    this.port = port;
  }

  // An admin account in the server's data directory, for a broadcast
  // through the control endpoint (the `user add` subcommand).
  addAdmin(name, password) {
    const binary = path.join(args['bin-dir'], 'whisperchat-server');
    const r = require('node:child_process').spawnSync(binary, ['user', 'add', name, '--role', 'admin',
      '--password-stdin', '--data-dir', this.dataDir, '--argon2-ops', '1',
      '--argon2-mem-kib', '64'], { input: `${password}\n`, encoding: 'utf8', timeout: 15000 });
    if (r.status !== 0) throw new Error(`user add failed: ${r.stderr}`);
  }

  start() {
    const binary = path.join(args['bin-dir'], 'whisperchat-server');
    this.proc = spawn(binary, [
      '--listen', '127.0.0.1', '--port', String(this.port), '--control-port', '0',
      '--control-listen', '127.0.0.1', '--data-dir', this.dataDir, '--tick-ms', '50',
      // A free port for the operations endpoint too (on by default, 9090).
      '--http-port', '0',
      // Cheap password hashing: the test registers one account.
      '--argon2-ops', '1', '--argon2-mem-kib', '64',
    ], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.log = '';
    this.proc.stderr.on('data', (d) => { this.log += d; });
    return new Promise((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`no ready line:\n${this.log}`)), 15000);
      this.proc.on('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`server exited with ${code}:\n${this.log}`));
      });
      this.proc.stdout.on('data', (d) => {
        out += d;
        const m = /ready: chat (\S+) control (\S+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          this.controlUrl = m[2];
          const url = new URL(m[1]);
          this.port = Number(url.port);
          resolve(`http://127.0.0.1:${this.port}/`);
        }
      });
    });
  }

  // SIGTERM to our own child, by its PID, and wait for it.
  stop() {
    if (!this.proc || this.proc.exitCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => { this.proc.kill('SIGKILL'); }, 5000);
      this.proc.removeAllListeners('exit');
      this.proc.on('exit', () => { clearTimeout(timer); resolve(); });
      this.proc.kill('SIGTERM');
    });
  }

  cleanup() {
    fs.rmSync(this.dataDir, { recursive: true, force: true });
  }
}

// The operators' broadcast, as the admin console sends it: log in on the
// control endpoint, then `broadcast`.
function broadcast(controlUrl, name, password, textToSend) {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(controlUrl);
    const timer = setTimeout(() => { socket.terminate(); reject(new Error('broadcast timed out')); },
      STEP_MS);
    socket.on('error', reject);
    socket.on('message', (data) => {
      const msg = JSON.parse(String(data));
      if (msg.type === 'hello') {
        socket.send(JSON.stringify({ type: 'login', req: 1, username: name, password }));
      } else if (msg.type === 'error') {
        clearTimeout(timer);
        socket.close();
        reject(new Error(`control: ${msg.code} ${msg.message}`));
      } else if (msg.req === 1) {
        socket.send(JSON.stringify({ type: 'broadcast', req: 2, text: textToSend }));
      } else if (msg.req === 2) {
        clearTimeout(timer);
        socket.close();
        resolve();
      }
    });
  });
}

// ---- page helpers -----------------------------------------------------------

const pageProblems = [];

async function openPage(browser, url, name, where) {
  const context = await browser.createBrowserContext();
  // Geolocation through the DevTools protocol: Browser.grantPermissions
  // and Emulation.setGeolocationOverride.
  await context.overridePermissions(new URL(url).origin, ['geolocation']);
  const page = await context.newPage();
  page.setDefaultTimeout(STEP_MS);
  await page.setViewport(PHONE);
  await page.setGeolocation({ latitude: where.lat, longitude: where.lon, accuracy: 20 });
  page.on('console', (msg) => {
    // A CSP violation is reported on the console as an error.
    if (msg.type() === 'error') pageProblems.push(`${name}: ${msg.text()}`);
  });
  page.on('pageerror', (err) => pageProblems.push(`${name}: ${err.message}`));
  log(`${name}: context ready`);
  const response = await page.goto(url, { waitUntil: 'load' });
  log(`${name}: page loaded`);
  check(response.status() === 200, `${name}: page status ${response.status()}`);
  const csp = response.headers()['content-security-policy'] || '';
  check(csp.includes("default-src 'self'") && !csp.includes('unsafe'), `${name}: CSP ${csp}`);
  await page.waitForFunction(
    () => document.getElementById('status').textContent === 'Connected');
  return page;
}

async function text(page, selector) {
  return page.$eval(selector, (el) => el.textContent);
}

async function visibleView(page) {
  return page.evaluate(() => ['view-start', 'view-waiting', 'view-chat']
    .filter((id) => !document.getElementById(id).hidden));
}

// axe-core, evaluated through the DevTools protocol (the page's own CSP
// does not let a test inject a script tag, and must not be relaxed for it).
async function checkAccessibility(page, what) {
  const hasAxe = await page.evaluate(() => typeof window.axe !== 'undefined');
  if (!hasAxe) await page.evaluate(axeSource);
  const result = await page.evaluate(async () => {
    const r = await window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
    });
    return r.violations.map((v) => `${v.id} (${v.impact}): ${v.help} — ` +
      v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', '));
  });
  check(result.length === 0, `axe on ${what}:\n  ${result.join('\n  ')}`);
  log(`axe: no violations on ${what}`);
}

// No horizontal scrolling, and each control inside the viewport and big
// enough to hit.
async function checkLayout(page, viewport, controls, what) {
  await page.setViewport(viewport);
  const result = await page.evaluate((ids) => {
    const doc = document.documentElement;
    const problems = [];
    if (doc.scrollWidth > doc.clientWidth + 1) {
      problems.push(`page scrolls sideways: ${doc.scrollWidth} > ${doc.clientWidth}`);
    }
    for (const id of ids) {
      const el = document.getElementById(id);
      const box = el && el.getBoundingClientRect();
      if (!box || box.width < 24 || box.height < 24) {
        problems.push(`#${id} missing or too small`);
      } else if (box.left < 0 || box.right > window.innerWidth + 1 || box.top < 0 ||
                 box.bottom > window.innerHeight + 1) {
        problems.push(`#${id} outside the viewport: ${JSON.stringify(box)}`);
      }
    }
    return problems;
  }, controls);
  check(result.length === 0, `layout of ${what} at ${viewport.width}x${viewport.height}: ` +
        result.join('; '));
  log(`layout ok: ${what} at ${viewport.width}x${viewport.height}`);
}

// Tab through the page from the top: every control of the start view is
// reached by keyboard.
async function checkKeyboard(page) {
  await page.evaluate(() => document.activeElement && document.activeElement.blur());
  const seen = [];
  for (let i = 0; i < 12; ++i) {
    await page.keyboard.press('Tab');
    seen.push(await page.evaluate(() => document.activeElement.id));
  }
  for (const id of ['locate', 'lat', 'lon', 'range', 'join']) {
    check(seen.includes(id), `#${id} not reached by Tab (got ${seen.join(',')})`);
  }
  // The range slider works with the arrow keys and says its value.
  await page.focus('#range');
  const before = await text(page, '#range-value');
  await page.keyboard.press('ArrowRight');
  const after = await text(page, '#range-value');
  check(before !== after, 'arrow key does not change the range');
  await page.keyboard.press('ArrowLeft');
  log(`keyboard: ${seen.filter(Boolean).join(' → ')}`);
}

// ---- the test ---------------------------------------------------------------

async function run() {
  fs.mkdirSync(args['out-dir'], { recursive: true });
  const server = new Server(0);
  server.addAdmin('operator', 'operator password 1');
  const url = await server.start();
  log(`server at ${url}`);
  const launchArgs = ['--disable-gpu', '--disable-dev-shm-usage', '--no-first-run',
    '--no-default-browser-check', '--disable-extensions', '--mute-audio',
    '--lang=en-US', '--font-render-hinting=none'];
  if (process.getuid && process.getuid() === 0) launchArgs.push('--no-sandbox');
  const browser = await puppeteer.launch({
    executablePath: args.chromium || '/usr/bin/chromium',
    headless: true,
    args: launchArgs,
  });
  log('chromium started');
  try {
    const alice = await openPage(browser, url, 'alice', { lat: 52.5200, lon: 13.4050 });
    log('alice connected');
    const bob = await openPage(browser, url, 'bob', { lat: 52.5301, lon: 13.4102 });
    log('both pages loaded and connected');

    // Start view: accessibility, layouts, keyboard.
    await checkAccessibility(alice, 'the start view');
    const startControls = ['locate', 'map', 'lat', 'lon', 'join'];
    await checkLayout(alice, DESKTOP, startControls, 'the start view');
    await checkLayout(alice, { ...PHONE, height: 1400 }, startControls, 'the start view');
    await alice.setViewport(PHONE);
    await checkKeyboard(alice);

    // Position from the Geolocation API (granted, emulated).
    for (const [page, lat] of [[alice, '52.5200'], [bob, '52.5301']]) {
      await page.click('#locate');
      await page.waitForFunction((v) => document.getElementById('lat').value === v, {}, lat);
    }
    check(await alice.$eval('#marker', (m) => !m.hidden), 'no marker on the map');
    log('positions from the Geolocation API');

    // Alice waits alone first: the waiting view counts the time.
    await alice.click('#join');
    await alice.waitForFunction(() => !document.getElementById('view-waiting').hidden);
    await alice.waitForFunction(() => document.getElementById('elapsed').textContent !== '0:00');
    await checkAccessibility(alice, 'the waiting view');
    await checkLayout(alice, PHONE, ['cancel'], 'the waiting view');
    log(`alice waiting (${await text(alice, '#elapsed')})`);

    await bob.click('#join');
    for (const page of [alice, bob]) {
      await page.waitForFunction(() => !document.getElementById('view-chat').hidden);
    }
    const bobSeesPartner = await text(bob, '#partner');
    const aliceSeesPartner = await text(alice, '#partner');
    check(/^[a-z]+-[a-z]+-\d+$/.test(bobSeesPartner), `partner handle '${bobSeesPartner}'`);
    check(/^within \d+ km$/.test(await text(alice, '#distance')), 'distance line');
    log(`matched: alice sees ${aliceSeesPartner}, bob sees ${bobSeesPartner}, ${await text(alice, '#distance')}`);

    // Alice types: Bob sees the typing indicator, then the message; Alice
    // sees the delivered tick.
    await alice.type('#text', 'Hi! Anyone up for coffee near Alexanderplatz?');
    await bob.waitForFunction(() => /is typing/.test(document.getElementById('typing').textContent));
    log('bob sees alice typing');
    await alice.keyboard.press('Enter');
    await bob.waitForFunction(() => [...document.querySelectorAll('.bubble.theirs')]
      .some((b) => b.textContent.includes('coffee near Alexanderplatz')));
    await alice.waitForSelector('.bubble.mine.delivered');
    await bob.waitForFunction(() => document.getElementById('typing').textContent === '');
    log('alice → bob delivered');

    await bob.type('#text', 'Sure, in 20 minutes at the fountain?');
    await alice.waitForFunction(() => /is typing/.test(document.getElementById('typing').textContent));
    await bob.click('#send');
    await alice.waitForFunction(() => [...document.querySelectorAll('.bubble.theirs')]
      .some((b) => b.textContent.includes('at the fountain')));
    await bob.waitForSelector('.bubble.mine.delivered');
    await alice.type('#text', 'Deal! See you there.');
    await alice.keyboard.press('Enter');
    await bob.waitForFunction(() => document.querySelectorAll('.bubble.theirs').length === 2);
    await alice.waitForFunction(() => document.querySelectorAll('.bubble.mine.delivered').length === 2);
    log('bob → alice delivered; chat both ways');

    // Chat view: accessibility and layouts; the phone screenshot.
    const chatControls = ['text', 'send', 'next', 'leave', 'block', 'report', 'partner'];
    await checkAccessibility(bob, 'the chat view');
    await checkLayout(bob, DESKTOP, chatControls, 'the chat view');
    await checkLayout(bob, PHONE, chatControls, 'the chat view');
    await checkLayout(alice, PHONE, chatControls, 'the chat view');
    // The picture for the README: Bob is typing his next line.
    await bob.type('#text', 'On my way');
    await alice.waitForFunction(() => /is typing/.test(document.getElementById('typing').textContent));
    await alice.evaluate(() => document.activeElement && document.activeElement.blur());
    const shot = path.join(args['out-dir'], 'browser-chat-phone.png');
    await alice.screenshot({ path: shot });
    await bob.$eval('#text', (el) => { el.value = ''; });
    log(`screenshot: ${shot}`);

    // An operators' notice reaches both pages, whatever they are doing.
    await broadcast(server.controlUrl, 'operator', 'operator password 1',
      'Maintenance at 03:00 UTC, back in 5 minutes.');
    for (const page of [alice, bob]) {
      await page.waitForFunction(() => [...document.querySelectorAll('.notice')]
        .some((n) => n.textContent.includes('Maintenance at 03:00 UTC')));
    }
    await checkAccessibility(bob, 'the chat view with a notice');
    await bob.click('.notice button');
    await bob.waitForFunction(() => document.querySelectorAll('.notice').length === 0);
    log('operators\' notice shown on both pages and dismissed');

    // Report, with a reason, from a keyboard-usable dialog.
    await bob.click('#report');
    await bob.waitForFunction(() => document.getElementById('report-dialog').open);
    await checkAccessibility(bob, 'the report dialog');
    await bob.type('#report-reason', 'testing the report flow');
    await bob.click('#report-send');
    await bob.waitForFunction(() => [...document.querySelectorAll('.system')]
      .some((s) => s.textContent.includes('Report sent')));
    log('report sent and acknowledged');

    // Alice closes her tab: the page leaves as it goes (partner_left
    // "left" at once, not "disconnected" after a server's resume grace).
    await alice.close({ runBeforeUnload: true });
    await bob.waitForFunction(() => [...document.querySelectorAll('.system')]
      .some((s) => /left the chat/.test(s.textContent)));
    check(await bob.$eval('#send', (b) => b.disabled), 'send still enabled after partner_left');
    log(`bob sees: ${await bob.$eval('.system:last-child', (s) => s.textContent)}`);

    // Up to here nothing went wrong in either page: no script error, no
    // CSP violation (Chromium reports those on the console as errors).
    check(pageProblems.length === 0,
          `errors in the pages:\n  ${pageProblems.join('\n  ')}`);

    // Bob looks for someone new; while he waits the server goes away and
    // comes back on the same port: the page tells him, reconnects by itself
    // and, with no session to resume, joins again with the same place.
    await bob.click('#next');
    await bob.waitForFunction(() => !document.getElementById('view-waiting').hidden);
    const port = server.port;
    await server.stop();
    await bob.waitForFunction(() => /Disconnected/.test(document.getElementById('status').textContent));
    log(`bob: ${await text(bob, '#status')}`);
    const again = new Server(port);
    await again.start();
    try {
      await bob.waitForFunction(
        () => document.getElementById('status').textContent === 'Connected', { timeout: 15000 });
      check(!(await bob.$eval('#view-waiting', (v) => v.hidden)), 'bob not waiting after reconnect');
      log('bob reconnected after the restart and waits again');

      // Carol picks her area on the map, then types the exact place: she is
      // matched with Bob, who waits on the new server.
      const carol = await openPage(browser, url, 'carol', { lat: 0, lon: 0 });
      const box = await carol.$eval('#map-image', (img) => {
        const r = img.getBoundingClientRect();
        return { x: r.left, y: r.top, w: r.width, h: r.height };
      });
      await carol.mouse.click(box.x + ((13.4 + 180) / 360) * box.w, box.y + ((90 - 52.5) / 180) * box.h);
      const picked = await carol.evaluate(() => [Number(document.getElementById('lat').value),
        Number(document.getElementById('lon').value)]);
      check(Math.abs(picked[0] - 52.5) < 3 && Math.abs(picked[1] - 13.4) < 3,
            `map click picked ${picked}`);
      check(await carol.$eval('#marker', (m) => !m.hidden), 'no marker after the map click');
      log(`carol clicked the map at ${picked}`);

      // She registers an account on the way (optional; the form is part of
      // the start view, so axe checks it open).
      await carol.click('#account summary');
      await carol.$eval('#username', (el, v) => { el.value = v; }, `carol_${Date.now() % 100000}`);
      await carol.$eval('#password', (el) => { el.value = 'a long enough password'; });
      await carol.click('#register');
      await carol.waitForFunction(
        () => /^Logged in as carol_/.test(document.getElementById('account-status').textContent));
      log('carol registered');
      check(await carol.$eval('#login-form', (f) => f.hidden), 'login form still shown');
      await checkAccessibility(carol, 'the start view with the account form');
      log(`carol: ${await text(carol, '#account-status')}`);
      await carol.$eval('#lat', (el) => { el.value = ''; });
      await carol.$eval('#lon', (el) => { el.value = ''; });
      await carol.type('#lat', '52.5155');
      await carol.type('#lon', '13.3777');
      await carol.click('#join');
      await carol.waitForFunction(() => !document.getElementById('view-chat').hidden);
      await bob.waitForFunction(() => !document.getElementById('view-chat').hidden &&
        !document.getElementById('send').disabled);
      log(`bob matched again, with ${await text(bob, '#partner')}`);

      // Carol blocks Bob: his chat ends, and says so.
      await carol.click('#block');
      await carol.waitForFunction(() => [...document.querySelectorAll('.system')]
        .some((s) => s.textContent.includes('You blocked')));
      await bob.waitForFunction(() => [...document.querySelectorAll('.system')]
        .some((s) => s.textContent.includes('ended the chat')));
      log('carol blocked bob; bob sees the chat end');
    } finally {
      await again.stop();
      again.cleanup();
    }

  } finally {
    await browser.close();
    await server.stop();
    server.cleanup();
  }
}

run().then(
  () => {
    log('browser client test passed');
    process.exit(0);
  },
  (err) => {
    console.error(err && err.stack ? err.stack : String(err));
    process.exit(1);
  },
);
