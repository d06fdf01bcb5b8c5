#!/usr/bin/env node
// A stand-in for the congress server, written from docs/protocol.md, for developing and checking
// the web apps and the browser tests while (or without) building the Rust server. Same command
// line as `congress demo` and the same `ready: {json}` line:
//
//   CONGRESS_BIN=tests/e2e/mock/contract-mock.mjs npm run e2e
//
// It keeps everything in memory and checks little. The real server is the reference: the e2e
// tests run against target/release/congress by default.

import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize } from 'node:path';

const args = Object.fromEntries(
  process.argv.slice(3).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []),
);
const fixtures = args.fixtures;
const webRoot = args['web-root'] ?? process.cwd();
const [host, port] = (args.listen ?? '127.0.0.1:0').split(':');

// ---------------------------------------------------------------- fixtures

function parseToml(text) {
  const out = { agenda: [] };
  let cur = out;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    if (line === '[[agenda]]') out.agenda.push((cur = {}));
    else if (/^\[(\w+)\]$/.test(line)) out[line.slice(1, -1)] = cur = {};
    else {
      const m = /^(\w+)\s*=\s*(.*)$/.exec(line);
      if (m) cur[m[1]] = JSON.parse(m[2]);
    }
  }
  return out;
}

const toml = parseToml(readFileSync(join(fixtures, 'congress.toml'), 'utf8'));
const congress = {
  name: toml.name, venue: toml.venue, starts_on: toml.starts_on, ends_on: toml.ends_on,
  convened: toml.convened, quorum: toml.quorum,
};
const agenda = {
  items: toml.agenda.map((a) => ({ id: a.id, title: a.title, planned_start: a.planned_start ?? null, planned_minutes: a.planned_minutes ?? null })),
  current: null,
};
const csv = readFileSync(join(fixtures, 'delegates.csv'), 'utf8').split(/\r?\n/).filter(Boolean);
const delegates = csv.slice(1).map((l) => {
  const [id, full_name, unit, seat, group, roles] = l.split(',');
  return { id, full_name, unit, seat, group, roles: roles.split(';') };
});
const delegateById = new Map(delegates.map((d) => [d.id, d]));

// ---------------------------------------------------------------- state

const password = randomBytes(9).toString('base64url');
const operators = new Map([['admin', { username: 'admin', display_name: 'Quản trị', roles: ['admin'] }]]);
const sessions = new Map(); // token -> operator
const deviceTokens = new Map(); // token -> device id
const devices = new Map();
const codes = new Map();
const records = new Map();
const idem = new Map(); // client_id -> {body, answer}
let seq = 0;
const log = []; // {seq, push, kinds}
const clients = new Set();

function summary() {
  let present = 0, left = 0;
  for (const r of records.values()) r.status === 'present' ? present++ : r.status === 'left' && left++;
  const { numerator, denominator } = congress.quorum;
  const required = Math.ceil((congress.convened * numerator) / denominator);
  return {
    present, left, absent: delegates.length - present - left, listed: delegates.length,
    quorum: { rule: congress.quorum, present, convened: congress.convened, required, reached: present >= required },
  };
}

function publish(push, kinds = ['console', 'projector', 'tablet', 'kiosk']) {
  seq += 1;
  log.push({ seq, push, kinds });
  if (log.length > 1000) log.shift();
  for (const c of clients) if (c.live && kinds.includes(c.kind)) c.send({ type: 'push', seq, push });
  return seq;
}

function caller(req) {
  const m = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
  if (!m) return null;
  if (sessions.has(m[1])) return { kind: 'operator', operator: sessions.get(m[1]) };
  const id = deviceTokens.get(m[1]);
  const dev = id && devices.get(id);
  if (dev && !dev.revoked) return { kind: 'device', device: dev };
  return null;
}

// ---------------------------------------------------------------- http

class HttpError extends Error {
  constructor(status, error, message) { super(message); this.status = status; this.error = error; }
}
const need = (who, ...roles) => {
  if (!who) throw new HttpError(401, 'unauthorized', 'no or bad token');
  if (roles.length && (who.kind !== 'operator' || !who.operator.roles.some((r) => roles.includes(r))))
    throw new HttpError(403, 'forbidden', 'role may not do this');
};
const needOperator = (who) => {
  need(who);
  if (who.kind !== 'operator') throw new HttpError(403, 'forbidden', 'operators only');
};

function idempotent(body, fn) {
  const prev = idem.get(body.client_id);
  const key = JSON.stringify(body);
  if (prev) {
    if (prev.key !== key) throw new HttpError(409, 'conflict', 'client_id reused');
    return prev.answer;
  }
  const answer = fn();
  idem.set(body.client_id, { key, answer });
  return answer;
}

async function route(req, url, body) {
  const who = caller(req);
  const p = url.pathname;
  const m = req.method;
  if (m === 'GET' && p === '/api/health') return { ok: true };
  if (m === 'POST' && p === '/api/login') {
    const op = operators.get(body.username);
    if (!op || body.password !== password) throw new HttpError(401, 'unauthorized', 'bad username or password');
    const token = randomBytes(24).toString('hex');
    sessions.set(token, op);
    return { token, operator: op, expires_at: Date.now() + 12 * 3600e3 };
  }
  if (m === 'POST' && p === '/api/logout') { needOperator(who); return null; }
  if (m === 'GET' && p === '/api/me') {
    need(who);
    return who.kind === 'operator' ? who.operator && { kind: 'operator', operator: who.operator }
      : { kind: 'device', device: who.device, delegate: delegateById.get(who.device.delegate_id) ?? null };
  }
  if (m === 'GET' && p === '/api/congress') { need(who); return congress; }
  if (m === 'GET' && p === '/api/delegates') { needOperator(who); return delegates; }
  if (m === 'GET' && p === '/api/agenda') { need(who); return agenda; }
  if (m === 'PUT' && p === '/api/agenda/current') {
    need(who, 'admin', 'secretariat');
    return idempotent(body, () => {
      if (body.item_id !== null && !agenda.items.some((i) => i.id === body.item_id)) throw new HttpError(404, 'not_found', 'no such item');
      agenda.current = body.item_id;
      const s = publish({ kind: 'agenda', agenda: structuredClone(agenda) });
      return { client_id: body.client_id, seq: s, agenda };
    });
  }
  if (m === 'GET' && p === '/api/attendance') { needOperator(who); return { summary: summary(), records: [...records.values()] }; }
  if (m === 'GET' && p === '/api/attendance/summary') { need(who); return summary(); }
  if (m === 'POST' && p === '/api/attendance') {
    need(who, 'admin', 'credentials');
    return idempotent(body, () => {
      if (!delegateById.has(body.delegate_id)) throw new HttpError(404, 'not_found', 'no such delegate');
      if (!body.reason?.trim()) throw new HttpError(422, 'invalid', 'reason required');
      const old = records.get(body.delegate_id);
      if ((old?.status ?? 'absent') === body.status) return { client_id: body.client_id, seq, record: old ?? null, summary: summary(), changed: false };
      const record = { delegate_id: body.delegate_id, status: body.status, at: Date.now(), source: { kind: 'operator', username: who.operator.username }, reason: body.reason };
      records.set(body.delegate_id, record);
      const sum = summary();
      const s = publish({ kind: 'attendance', record, summary: sum });
      return { client_id: body.client_id, seq: s, record, summary: sum, changed: true };
    });
  }
  if (m === 'GET' && p === '/api/devices') { needOperator(who); return [...devices.values()]; }
  if (m === 'POST' && p === '/api/devices/pairing-codes') {
    need(who, 'admin', 'secretariat', 'credentials');
    if (body.kind === 'tablet' && !delegateById.has(body.delegate_id)) throw new HttpError(422, 'invalid', 'a tablet needs a delegate');
    const code = String(Math.floor(Math.random() * 1e8)).padStart(8, '0');
    const pc = { code, kind: body.kind, delegate_id: body.delegate_id ?? null, expires_at: Date.now() + 600e3 };
    codes.set(code, { ...pc, label: body.label, direction: body.direction });
    return pc;
  }
  if (m === 'POST' && p === '/api/devices/pair') {
    const c = codes.get(body.code);
    if (!c) throw new HttpError(409, 'conflict', 'unknown, used or expired code');
    codes.delete(body.code);
    const id = randomUUID();
    const d = delegateById.get(c.delegate_id);
    const device = {
      id, kind: c.kind, label: c.label ?? (d ? `Tablet ${d.id}` : `${c.kind} ${id.slice(0, 4)}`),
      delegate_id: c.delegate_id, direction: c.kind === 'kiosk' ? c.direction ?? 'entrance' : null,
      recipient: body.recipient ?? null, paired_at: Date.now(), revoked: false,
    };
    devices.set(id, device);
    const token = randomBytes(24).toString('hex');
    deviceTokens.set(token, id);
    publish({ kind: 'device', device }, ['console']);
    return { device_token: token, device };
  }
  const del = /^\/api\/devices\/([^/]+)$/.exec(p);
  if (m === 'DELETE' && del) {
    need(who, 'admin', 'secretariat');
    const dev = devices.get(del[1]);
    if (!dev) throw new HttpError(404, 'not_found', 'no such device');
    dev.revoked = true;
    publish({ kind: 'device', device: dev }, ['console']);
    for (const c of clients) if (c.deviceId === dev.id) c.fatal('unauthorized', 'device unpaired');
    return dev;
  }
  throw new HttpError(404, 'not_found', 'no such route');
}

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.png': 'image/png' };
const STATIC = { '/console/': 'console/dist', '/tablet/': 'tablet-app/dist', '/kiosk/': 'kiosk/dist' };

function serveStatic(req, res, url) {
  if (url.pathname === '/') { res.writeHead(302, { Location: '/console/' }); return res.end(); }
  for (const [prefix, dir] of Object.entries(STATIC)) {
    if (url.pathname === prefix.slice(0, -1)) { res.writeHead(302, { Location: prefix }); return res.end(); }
    if (!url.pathname.startsWith(prefix)) continue;
    let rel = normalize(decodeURIComponent(url.pathname.slice(prefix.length))).replace(/^(\.\.[/\\])+/, '');
    if (!rel || rel === '.') rel = 'index.html';
    let file = join(webRoot, dir, rel);
    if (!existsSync(file) || statSync(file).isDirectory()) file = join(webRoot, dir, 'index.html');
    res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' });
    return createReadStream(file).pipe(res);
  }
  res.writeHead(404, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify({ error: 'not_found', message: 'no such route' }));
}

const server = createServer(async (req, res) => {
  const url = new URL(req.url, 'http://x');
  if (!url.pathname.startsWith('/api/')) return serveStatic(req, res, url);
  let raw = '';
  for await (const chunk of req) raw += chunk;
  try {
    let body = {};
    if (raw) {
      try { body = JSON.parse(raw); } catch { throw new HttpError(400, 'invalid_json', 'malformed JSON'); }
    }
    const answer = await route(req, url, body);
    if (answer === null) { res.writeHead(204); return res.end(); }
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(answer));
  } catch (e) {
    const status = e instanceof HttpError ? e.status : 500;
    res.writeHead(status, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ error: e.error ?? 'internal', message: e.message }));
  }
});

// ---------------------------------------------------------------- websocket (RFC 6455, text only)

server.on('upgrade', (req, socket) => {
  const m = /^\/ws\/(console|projector|tablet|kiosk)$/.exec(new URL(req.url, 'http://x').pathname);
  if (!m) return socket.destroy();
  const accept = createHash('sha1').update(req.headers['sec-websocket-key'] + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64');
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
  const client = {
    kind: m[1], live: false, deviceId: null,
    send(msg) {
      const data = Buffer.from(JSON.stringify(msg));
      const len = data.length;
      const head = len < 126 ? Buffer.from([0x81, len]) : len < 65536 ? Buffer.from([0x81, 126, len >> 8, len & 255]) : Buffer.concat([Buffer.from([0x81, 127]), (() => { const b = Buffer.alloc(8); b.writeBigUInt64BE(BigInt(len)); return b; })()]);
      socket.write(Buffer.concat([head, data]));
    },
    fatal(error, message) {
      client.send({ type: 'error', error, message, fatal: true });
      socket.end(Buffer.from([0x88, 0]));
      clients.delete(client);
    },
  };
  clients.add(client);
  let buf = Buffer.alloc(0);
  socket.on('data', (chunk) => {
    buf = Buffer.concat([buf, chunk]);
    for (;;) {
      if (buf.length < 2) return;
      const op = buf[0] & 15;
      let len = buf[1] & 127, off = 2;
      if (len === 126) { len = buf.readUInt16BE(2); off = 4; } else if (len === 127) { len = Number(buf.readBigUInt64BE(2)); off = 10; }
      if (buf.length < off + 4 + len) return;
      const mask = buf.subarray(off, off + 4);
      const payload = Buffer.from(buf.subarray(off + 4, off + 4 + len)).map((b, i) => b ^ mask[i % 4]);
      buf = buf.subarray(off + 4 + len);
      if (op === 8) { socket.end(Buffer.from([0x88, 0])); clients.delete(client); return; }
      if (op === 1) onMessage(client, JSON.parse(Buffer.from(payload).toString('utf8')));
    }
  });
  socket.on('close', () => clients.delete(client));
  socket.on('error', () => clients.delete(client));
});

function onMessage(c, msg) {
  if (msg.type === 'ping') return c.send({ type: 'pong', nonce: msg.nonce });
  if (msg.type !== 'hello') return c.send({ type: 'error', error: 'invalid', message: 'hello first', fatal: false });
  const op = sessions.get(msg.token);
  const devId = deviceTokens.get(msg.token);
  const dev = devId && devices.get(devId);
  const ok = c.kind === 'console' ? !!op : c.kind === 'projector' ? !!op || dev?.kind === 'projector' : dev && !dev.revoked && dev.kind === c.kind;
  if (!ok || dev?.revoked) return c.fatal('unauthorized', 'bad token for this endpoint');
  c.deviceId = dev?.id ?? null;
  c.send({ type: 'welcome', kind: c.kind, head_seq: seq, protocol: 1 });
  const from = msg.resume_from;
  const canResume = typeof from === 'number' && from <= seq && (log.length === 0 ? from === seq : log[0].seq <= from + 1);
  if (canResume) {
    for (const e of log) if (e.seq > from && e.kinds.includes(c.kind)) c.send({ type: 'push', seq: e.seq, push: e.push });
    c.send({ type: 'resumed', from, to: seq });
  } else {
    const me = dev?.delegate_id ? delegateById.get(dev.delegate_id) : null;
    c.send({
      type: 'snapshot', seq,
      snapshot: { congress, agenda, attendance: summary(), me: me ?? null, my_attendance: me ? records.get(me.id) ?? null : null, journal: { seq, hash: '' } },
    });
  }
  c.live = true;
}

server.listen(Number(port), host, () => {
  const a = server.address();
  console.log(`ready: ${JSON.stringify({ url: `http://${a.address}:${a.port}`, admin_user: 'admin', admin_password: password })}`);
});
process.on('SIGTERM', () => process.exit(0));
