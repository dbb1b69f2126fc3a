// SPDX-License-Identifier: MIT
// WhisperChat browser client: protocol v1 (docs/PROTOCOL.md) over the page's
// own WebSocket. No framework and nothing fetched from elsewhere; every
// string from the server or the partner goes into the page as text, never
// as markup.
'use strict';

(() => {
  const RANGES_KM = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000];
  const TYPING_IDLE_MS = 3000;
  const BACKOFF_MS = [1000, 2000, 4000, 8000, 15000, 30000];
  const RESUME_WAIT_MS = 4000;

  const $ = (id) => document.getElementById(id);
  const ui = {
    status: $('status'), notices: $('notices'), problem: $('problem'),
    start: $('view-start'), waiting: $('view-waiting'), chat: $('view-chat'),
    locate: $('locate'), locateStatus: $('locate-status'), map: $('map'),
    mapImage: $('map-image'), marker: $('marker'), lat: $('lat'), lon: $('lon'),
    range: $('range'), rangeValue: $('range-value'), join: $('join'),
    waitingRange: $('waiting-range'), elapsed: $('elapsed'), cancel: $('cancel'),
    partner: $('partner'), distance: $('distance'), log: $('log'), typing: $('typing'),
    composer: $('composer'), text: $('text'), send: $('send'),
    next: $('next'), leave: $('leave'), block: $('block'), report: $('report'),
    reportDialog: $('report-dialog'), reportForm: $('report-form'),
    reportReason: $('report-reason'), reportCancel: $('report-cancel'),
    accountStatus: $('account-status'), loginForm: $('login-form'), username: $('username'),
    password: $('password'), totp: $('totp'), register: $('register'), logout: $('logout'),
  };

  // What the user is doing; survives reconnects.
  const state = {
    view: 'start',        // start | waiting | chat
    paired: false,        // in `chat`: false once the partner left
    join: null,           // the last join sent: {lat, lon, range_km}
    partner: '',
    limits: { max_text_chars: 2000, max_message_bytes: 16384 },
    nextId: 1,
    pending: new Map(),   // message id -> {bubble, text}, until `delivered`
    drainDelayMs: 0,      // a draining server's advice for the next reconnect
    typingSent: false,
    typingTimer: 0,
    waitingSince: 0,
    waitingTimer: 0,
    afterLeave: null,     // 'join' for Next, 'start' for Leave
  };

  // ---- connection ---------------------------------------------------------

  let ws = null;
  let attempt = 0;
  let reconnectTimer = 0;
  let resumeToken = '';
  let resumeTimer = 0;
  let hadWelcome = false;
  // The login session's token: in memory only (never in storage), so a
  // reconnect logs in again but a closed tab forgets it.
  let loginToken = '';
  let afterLogin = null; // what a reconnect does once the login is back

  function socketUrl() {
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    return `${scheme}//${location.host}/ws`;
  }

  function setStatus(text, bad) {
    ui.status.textContent = text;
    ui.status.classList.toggle('bad', !!bad);
  }

  function connect() {
    clearTimeout(reconnectTimer);
    setStatus(attempt ? 'Reconnecting…' : 'Connecting…', attempt > 0);
    let socket;
    try {
      socket = new WebSocket(socketUrl());
    } catch (e) {
      scheduleReconnect('cannot open a connection');
      return;
    }
    ws = socket;
    hadWelcome = false;
    socket.addEventListener('message', (event) => {
      if (socket !== ws) return;
      let msg;
      try {
        msg = JSON.parse(event.data);
      } catch (e) {
        return;
      }
      if (msg && typeof msg.type === 'string') handle(msg);
    });
    socket.addEventListener('close', (event) => {
      if (socket !== ws) return;
      ws = null;
      updateControls();
      const why = event.reason ? event.reason : closeText(event.code);
      scheduleReconnect(why);
    });
  }

  function closeText(code) {
    switch (code) {
      case 1001: return 'the server is restarting';
      case 1006: return 'the connection dropped';
      case 1008: return 'the server ended the connection';
      case 1009: return 'a message was too large';
      default: return 'the connection closed';
    }
  }

  function scheduleReconnect(why) {
    const base = state.drainDelayMs || BACKOFF_MS[Math.min(attempt, BACKOFF_MS.length - 1)];
    state.drainDelayMs = 0;
    const delay = Math.round(base * (0.75 + Math.random() * 0.5));
    attempt += 1;
    setStatus(`Disconnected: ${why}. Trying again in ${Math.ceil(delay / 1000)} s…`, true);
    stopTyping(false);
    clearTimeout(reconnectTimer);
    reconnectTimer = setTimeout(connect, delay);
  }

  function send(msg) {
    if (!ws || ws.readyState !== WebSocket.OPEN) return false;
    ws.send(JSON.stringify(msg));
    return true;
  }

  // ---- server messages ----------------------------------------------------

  function handle(msg) {
    switch (msg.type) {
      case 'welcome': onWelcome(msg); break;
      case 'resumed': onResumed(msg); break;
      case 'waiting': showWaiting(); break;
      case 'matched': onMatched(msg); break;
      case 'message': addBubble(String(msg.text), 'theirs'); setPartnerTyping(false); break;
      case 'delivered': onDelivered(msg); break;
      case 'typing': setPartnerTyping(!!msg.active); break;
      case 'partner_left': onPartnerLeft(msg); break;
      case 'left': onLeft(); break;
      case 'blocked': onBlocked(); break;
      case 'reported': addSystem('Report sent. Thank you.'); break;
      case 'notice': onNotice(msg); break;
      case 'partner_away':
        setPartnerTyping(false);
        addSystem(`${state.partner}'s connection dropped. Waiting for them to come back…`);
        break;
      case 'partner_back': addSystem(`${state.partner} is back.`); break;
      case 'error': onError(msg); break;
      case 'authenticated': onAuthenticated(msg); break;
      case 'logged_out': onLoggedOut(msg); break;
      default: break; // newer servers may send more
    }
  }

  function onWelcome(msg) {
    hadWelcome = true;
    attempt = 0;
    if (msg.limits) state.limits = msg.limits;
    ui.text.maxLength = state.limits.max_text_chars || 2000;
    setStatus('Connected');
    const previous = resumeToken;
    resumeToken = typeof msg.resume_token === 'string' ? msg.resume_token : '';
    const busy = state.view === 'waiting' || (state.view === 'chat' && state.paired);
    if (busy && previous) {
      // A reconnect in the middle of waiting or a chat: take the old
      // session back (it must be the first frame; it keeps its login).
      send({ type: 'resume_session', token: previous });
      clearTimeout(resumeTimer);
      resumeTimer = setTimeout(resumeFailed, RESUME_WAIT_MS);
    } else {
      restoreLogin(busy ? rejoin : null);
    }
    updateControls();
  }

  // Logs in again with the login session's token (identity changes only in
  // the lobby, and a join after it must carry the account's blocks), then
  // goes on with `then`.
  function restoreLogin(then) {
    if (loginToken) {
      afterLogin = then || (() => {});
      send({ type: 'resume', token: loginToken });
    } else if (then) {
      then();
    }
  }

  function onResumed(msg) {
    clearTimeout(resumeTimer);
    resumeTimer = 0;
    if (typeof msg.resume_token === 'string') resumeToken = msg.resume_token;
    if (msg.state === 'paired') {
      if (state.view !== 'chat') {
        onMatched(msg);
        return;
      }
      state.paired = true;
      if (msg.partner) {
        state.partner = String(msg.partner);
        ui.partner.textContent = state.partner;
      }
      addSystem('Reconnected: the chat goes on.');
      // Messages that left before the drop but were not confirmed go again
      // with the same id: the server delivers each id once.
      for (const [id, pending] of state.pending) {
        send({ type: 'message', text: pending.text, id });
      }
      updateControls();
    } else if (msg.state === 'waiting') {
      showWaiting();
    } else {
      // Back in the lobby: what ended the wait or the chat follows.
      state.paired = false;
      if (state.view === 'waiting') showStart();
      updateControls();
    }
  }

  function resumeFailed() {
    clearTimeout(resumeTimer);
    resumeTimer = 0;
    restoreLogin(rejoin);
  }

  // Queue again with the same place and range.
  function rejoin() {
    if (!state.join) { showStart(); return; }
    if (state.view === 'chat') {
      state.paired = false;
      setPartnerTyping(false);
      addSystem('The connection was lost and the chat ended. Looking for someone new…');
    }
    send({ type: 'join', ...state.join });
  }

  function onMatched(msg) {
    state.partner = String(msg.partner || 'someone');
    state.paired = true;
    state.pending.clear();
    ui.log.replaceChildren();
    ui.partner.textContent = state.partner;
    ui.distance.textContent = `within ${Number(msg.distance_km)} km`;
    setPartnerTyping(false);
    addSystem(`You are talking to ${state.partner}. Say hello!`);
    showView('chat');
    ui.text.focus();
  }

  function onDelivered(msg) {
    const pending = state.pending.get(msg.id);
    if (!pending) return;
    state.pending.delete(msg.id);
    const bubble = pending.bubble;
    bubble.classList.add('delivered');
    bubble.querySelector('.said').textContent = ' (delivered)';
  }

  const LEFT_REASONS = {
    left: 'left the chat',
    disconnected: 'was disconnected',
    kicked: 'was removed by a moderator',
    blocked: 'ended the chat',
  };

  function onPartnerLeft(msg) {
    state.paired = false;
    setPartnerTyping(false);
    addSystem(`${state.partner} ${LEFT_REASONS[msg.reason] || 'left the chat'}.`);
    updateControls();
  }

  function onLeft() {
    const next = state.afterLeave;
    state.afterLeave = null;
    state.paired = false;
    if (next === 'join' && state.join) {
      send({ type: 'join', ...state.join });
    } else {
      showStart();
    }
  }

  function onBlocked() {
    if (state.paired) {
      state.paired = false;
      setPartnerTyping(false);
    }
    addSystem(`You blocked ${state.partner}. You will not be matched again.`);
    updateControls();
  }

  function onNotice(msg) {
    if (msg.kind === 'server_draining') {
      // The server is going away: reconnect when it says, and resume there.
      state.drainDelayMs = Number(msg.reconnect_after_ms) || 0;
      setStatus('The server is restarting; you will be moved over shortly…');
      return;
    }
    addNotice(String(msg.text));
  }

  function onAuthenticated(msg) {
    loginToken = String(msg.token || '');
    ui.password.value = '';
    ui.totp.value = '';
    showAccount(String(msg.username || ''));
    runAfterLogin();
  }

  function onLoggedOut(msg) {
    loginToken = '';
    showAccount('');
    if (msg.reason) showProblem(`You were logged out (${String(msg.reason).replace(/_/g, ' ')}).`);
  }

  function runAfterLogin() {
    const next = afterLogin;
    afterLogin = null;
    if (next) next();
  }

  function showAccount(name) {
    ui.accountStatus.textContent = name ? `Logged in as ${name}.` : 'Not logged in.';
    ui.loginForm.hidden = !!name;
    ui.logout.hidden = !name;
  }

  function accountRequest(type) {
    const username = ui.username.value.trim();
    const password = ui.password.value;
    if (!username || !password) {
      showProblem('Enter a user name and a password.');
      return;
    }
    hideProblem();
    const msg = { type, username, password };
    const code = ui.totp.value.trim();
    if (type === 'login' && code) msg.totp = code;
    send(msg);
  }

  const ERROR_TEXT = {
    rate_limited: 'Slow down a little',
    too_large: 'That message is too long',
    unauthorized: 'You need to log in first',
    forbidden: 'That is not allowed',
    unavailable: 'The server cannot do that right now',
    internal: 'Something went wrong on the server',
  };

  function onError(msg) {
    if (afterLogin && msg.ref === 'resume') {
      // The login did not survive the reconnect: go on as a guest.
      loginToken = '';
      showAccount('');
      addNotice('You could not be logged in again; you are chatting as a guest.');
      runAfterLogin();
      return;
    }
    if (['login', 'register', 'logout'].includes(msg.ref)) {
      if (/two-factor code required/.test(msg.message || '')) ui.totp.focus();
      showProblem(`${msg.message || 'That did not work'}.`);
      return;
    }
    if (resumeTimer && (msg.ref === 'resume_session' || !msg.ref)) {
      resumeFailed(); // an older server, or the session is gone
      return;
    }
    if (msg.code === 'conflict') {
      // The state moved under us (e.g. the partner left meanwhile): the
      // following frames say where we are; nothing to tell the user.
      return;
    }
    let text = ERROR_TEXT[msg.code] || 'The server refused that';
    if (msg.code === 'rate_limited' && msg.retry_after_ms) {
      text += `: try again in ${Math.ceil(msg.retry_after_ms / 1000)} s`;
    } else if (msg.message) {
      text += `: ${msg.message}`;
    }
    showProblem(`${text}.`);
    if (msg.ref === 'join' && state.view === 'waiting') showStart();
  }

  // ---- views --------------------------------------------------------------

  function showView(name) {
    state.view = name;
    ui.start.hidden = name !== 'start';
    ui.waiting.hidden = name !== 'waiting';
    ui.chat.hidden = name !== 'chat';
    if (name !== 'waiting') {
      clearInterval(state.waitingTimer);
      state.waitingTimer = 0;
    }
    updateControls();
  }

  function focusHeading(id) {
    const heading = $(id);
    if (heading) heading.focus();
  }

  function showStart() {
    showView('start');
    focusHeading('start-title');
  }

  function showWaiting() {
    hideProblem();
    if (state.view !== 'waiting') state.waitingSince = Date.now();
    ui.waitingRange.textContent = `${state.join ? state.join.range_km : ''} km`;
    showView('waiting');
    tickElapsed();
    state.waitingTimer = setInterval(tickElapsed, 1000);
    focusHeading('waiting-title');
  }

  function tickElapsed() {
    const s = Math.floor((Date.now() - state.waitingSince) / 1000);
    ui.elapsed.textContent = `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
  }

  function updateControls() {
    const online = !!ws && ws.readyState === WebSocket.OPEN && hadWelcome;
    ui.join.disabled = !online;
    for (const b of [ui.register, ui.logout, $('login')]) b.disabled = !online;
    ui.cancel.disabled = !online;
    const chatting = online && state.paired;
    ui.text.disabled = !state.paired;
    ui.send.disabled = !chatting;
    ui.block.disabled = !online;
    ui.report.disabled = !online;
    ui.leave.disabled = !online;
    ui.next.disabled = !online;
    ui.leave.textContent = state.paired ? 'Leave' : 'Back';
    ui.text.placeholder = state.paired ? 'Say hello…' : 'The chat has ended';
  }

  function addItem(className, text) {
    const item = document.createElement('p');
    item.className = className;
    item.textContent = text;
    ui.log.append(item);
    ui.log.scrollTop = ui.log.scrollHeight;
    return item;
  }

  function addBubble(text, who) {
    const item = addItem(`bubble ${who}`, text);
    if (who === 'mine') {
      // The tick is drawn by CSS; screen readers get the word instead.
      const tick = document.createElement('span');
      tick.className = 'tick';
      tick.setAttribute('aria-hidden', 'true');
      const said = document.createElement('span');
      said.className = 'visually-hidden said';
      said.textContent = ' (sent)';
      item.append(tick, said);
    }
    return item;
  }

  function addSystem(text) {
    addItem('system', text);
  }

  function addNotice(text) {
    const box = document.createElement('div');
    box.className = 'notice';
    box.setAttribute('role', 'status');
    const p = document.createElement('p');
    p.textContent = `Notice from the operators: ${text}`;
    const close = document.createElement('button');
    close.type = 'button';
    close.className = 'secondary';
    close.textContent = 'Dismiss';
    close.addEventListener('click', () => box.remove());
    box.append(p, close);
    ui.notices.append(box);
  }

  function showProblem(text) {
    ui.problem.textContent = text;
    ui.problem.hidden = false;
  }

  function hideProblem() {
    ui.problem.hidden = true;
    ui.problem.textContent = '';
  }

  function setPartnerTyping(active) {
    ui.typing.textContent = active ? `${state.partner} is typing…` : '';
  }

  // ---- location and range -------------------------------------------------

  function rangeKm() {
    return RANGES_KM[Number(ui.range.value)] || 10;
  }

  function showRange() {
    const text = `${rangeKm()} km`;
    ui.rangeValue.textContent = text;
    ui.range.setAttribute('aria-valuetext', text);
  }

  function setPosition(lat, lon, precise) {
    const digits = precise ? 4 : 2;
    ui.lat.value = lat.toFixed(digits);
    ui.lon.value = lon.toFixed(digits);
    placeMarker();
  }

  function readPosition() {
    const lat = Number.parseFloat(ui.lat.value);
    const lon = Number.parseFloat(ui.lon.value);
    if (!Number.isFinite(lat) || !Number.isFinite(lon) || lat < -90 || lat > 90 ||
        lon < -180 || lon > 180) {
      return null;
    }
    return { lat, lon };
  }

  function placeMarker() {
    const p = readPosition();
    ui.marker.hidden = !p;
    if (!p) return;
    // CSSOM, not a style attribute: the CSP allows no inline styles.
    ui.marker.style.left = `${((p.lon + 180) / 360) * 100}%`;
    ui.marker.style.top = `${((90 - p.lat) / 180) * 100}%`;
  }

  function locate() {
    if (!('geolocation' in navigator)) {
      ui.locateStatus.textContent = 'This browser cannot tell your location. Pick a place on the map or type it.';
      return;
    }
    ui.locateStatus.textContent = 'Asking your browser for your location…';
    navigator.geolocation.getCurrentPosition(
      (pos) => {
        setPosition(pos.coords.latitude, pos.coords.longitude, true);
        ui.locateStatus.textContent = 'Location found. Only the server sees it, rounded to about a kilometre.';
      },
      (err) => {
        const why = err.code === err.PERMISSION_DENIED ? 'you did not allow it'
          : err.code === err.TIMEOUT ? 'it took too long' : 'it is not available';
        ui.locateStatus.textContent = `No location: ${why}. Pick a place on the map or type it.`;
      },
      { enableHighAccuracy: false, timeout: 15000, maximumAge: 600000 },
    );
  }

  function onMapClick(event) {
    const box = ui.mapImage.getBoundingClientRect();
    const x = (event.clientX - box.left) / box.width;
    const y = (event.clientY - box.top) / box.height;
    if (x < 0 || x > 1 || y < 0 || y > 1) return;
    setPosition(90 - y * 180, x * 360 - 180, false);
    ui.locateStatus.textContent = `Picked ${ui.lat.value}, ${ui.lon.value} on the map.`;
  }

  function joinNow() {
    hideProblem();
    const p = readPosition();
    if (!p) {
      showProblem('Choose where you are first: use your location, click the map, or type latitude (-90 to 90) and longitude (-180 to 180).');
      ui.lat.focus();
      return;
    }
    state.join = { lat: p.lat, lon: p.lon, range_km: rangeKm() };
    try {
      localStorage.setItem('whisperchat.range', ui.range.value);
    } catch (e) { /* storage may be off */ }
    send({ type: 'join', ...state.join });
  }

  // ---- chat ---------------------------------------------------------------

  function codePoints(text) {
    let n = 0;
    for (const _ of text) n += 1; // eslint-disable-line no-unused-vars
    return n;
  }

  function sendMessage(event) {
    event.preventDefault();
    const text = ui.text.value;
    if (!text.trim() || !state.paired) return;
    const max = state.limits.max_text_chars || 2000;
    if (codePoints(text) > max) {
      showProblem(`That message is too long: at most ${max} characters.`);
      return;
    }
    const id = `m-${state.nextId++}`;
    if (!send({ type: 'message', text, id })) {
      showProblem('Not connected; the message was not sent.');
      return;
    }
    hideProblem();
    state.pending.set(id, { bubble: addBubble(text, 'mine'), text });
    ui.text.value = '';
    stopTyping(true);
  }

  function stopTyping(tell) {
    clearTimeout(state.typingTimer);
    if (state.typingSent && tell) send({ type: 'typing', active: false });
    state.typingSent = false;
  }

  function onInput() {
    if (!state.paired) return;
    if (!ui.text.value) {
      stopTyping(true);
      return;
    }
    if (!state.typingSent && send({ type: 'typing', active: true })) state.typingSent = true;
    clearTimeout(state.typingTimer);
    state.typingTimer = setTimeout(() => stopTyping(true), TYPING_IDLE_MS);
  }

  function leave(then) {
    stopTyping(true);
    if (state.view === 'chat' && !state.paired) {
      // Already in the lobby: nothing to leave.
      if (then === 'join' && state.join) send({ type: 'join', ...state.join });
      else showStart();
      return;
    }
    state.afterLeave = then;
    send({ type: 'leave' });
  }

  function openReport() {
    ui.reportReason.value = '';
    ui.reportDialog.showModal();
    ui.reportReason.focus();
  }

  function sendReport(event) {
    event.preventDefault();
    const reason = ui.reportReason.value.trim();
    if (!reason) {
      ui.reportReason.focus();
      return;
    }
    send({ type: 'report', reason });
    ui.reportDialog.close();
    ui.report.focus();
  }

  // ---- wiring -------------------------------------------------------------

  ui.locate.addEventListener('click', locate);
  ui.map.addEventListener('click', onMapClick);
  ui.lat.addEventListener('input', placeMarker);
  ui.lon.addEventListener('input', placeMarker);
  ui.range.addEventListener('input', showRange);
  ui.join.addEventListener('click', joinNow);
  ui.cancel.addEventListener('click', () => leave('start'));
  ui.composer.addEventListener('submit', sendMessage);
  ui.text.addEventListener('input', onInput);
  ui.text.addEventListener('keydown', (event) => {
    // Enter sends, Shift+Enter starts a new line.
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      sendMessage(event);
    }
  });
  ui.next.addEventListener('click', () => leave('join'));
  ui.leave.addEventListener('click', () => leave('start'));
  ui.block.addEventListener('click', () => send({ type: 'block' }));
  ui.report.addEventListener('click', openReport);
  ui.reportForm.addEventListener('submit', sendReport);
  ui.reportCancel.addEventListener('click', () => ui.reportDialog.close());
  ui.loginForm.addEventListener('submit', (event) => {
    event.preventDefault();
    accountRequest('login');
  });
  ui.register.addEventListener('click', () => accountRequest('register'));
  ui.logout.addEventListener('click', () => send({ type: 'logout' }));

  // Closing the tab (or leaving the page) ends the chat at once: the
  // partner is told now, not after a wait for a comeback that will not be.
  window.addEventListener('pagehide', () => {
    if (!ws || ws.readyState !== WebSocket.OPEN) return;
    if (state.view === 'waiting' || state.paired) send({ type: 'leave' });
    ws.close(1000, 'page closed');
  });

  try {
    const saved = localStorage.getItem('whisperchat.range');
    if (saved !== null && RANGES_KM[Number(saved)]) ui.range.value = saved;
  } catch (e) { /* storage may be off */ }
  showRange();
  showView('start');
  connect();
})();
