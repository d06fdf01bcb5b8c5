#!/usr/bin/env node
// `cargo xtask bench ballot-encrypt [--ballots N] [--motions M]`: the tablet's encrypt + prove +
// sign time for a secret ballot (issue 12), in headless Chromium on this machine.
//
// Bundles tests/bench/ballot-encrypt-entry.js (web-common's ballot module, as the tablet imports
// it) with vite into .cache/bench-ballot-encrypt/, serves it on 127.0.0.1 and runs it in a module
// Worker in Chromium (as tablet-app/src/encrypt-worker.ts does); the same bundle imported here in
// Node is the baseline, run in the same process and interleaved ballot by ballot with the browser,
// so the machine's load weighs on both alike. Ballots: N (default 30) for a 60-candidate election
// keeping at most 53 (the kept count varies from 0 to 53; the first keeps 53, the second none) and
// M (default 8) for a secret motion (for / against / abstain / blank), after 2 warm-up ballots on
// each side. Every ballot produced is checked in Node: decoded, its tracker and credential,
// signature and every proof verified, then each side's ballots are summed and threshold-decrypted
// by the board (3 of 5) to exactly the counts of the selections.
//
// stderr: progress. stdout, last line: one JSON object (times in ms, percentiles nearest-rank, so
// with 30 ballots p99 is the slowest).

import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'vite';
import { REPO, launchBrowser } from '../e2e/helpers.mjs';

const USAGE = 'usage: node tests/bench/ballot-encrypt.mjs [--ballots N] [--motions M]';
const WARMUPS = 2;
const OUT = join(REPO, '.cache/bench-ballot-encrypt');

function parseArgs(argv) {
  const opts = { ballots: 30, motions: 8 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const key = { '--ballots': 'ballots', '--motions': 'motions' }[a];
    if (a === '-h' || a === '--help') {
      console.error(USAGE);
      process.exit(0);
    }
    const n = Number(argv[i + 1]);
    if (!key || !Number.isInteger(n) || n < (key === 'ballots' ? 1 : 0)) {
      console.error(`ballot-encrypt: bad argument ${JSON.stringify(a)}${key ? ` ${JSON.stringify(argv[i + 1])}` : ''}\n${USAGE}`);
      process.exit(2);
    }
    opts[key] = n;
    i++;
  }
  return opts;
}

const log = (s) => console.error(`ballot-encrypt: ${s}`);

/** A small deterministic PRNG (mulberry32), so every run times the same selections. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `count` election selections: kept names (sorted indices) out of `candidates`, at most `max`. */
function electionSelections(count, candidates, max, rand) {
  return Array.from({ length: count }, (_, i) => {
    const k = i === 0 ? max : i === 1 ? 0 : Math.floor(rand() * (max + 1));
    const names = Array.from({ length: candidates }, (_, j) => j);
    for (let j = names.length - 1; j > 0; j--) {
      const r = Math.floor(rand() * (j + 1));
      [names[j], names[r]] = [names[r], names[j]];
    }
    return { options: names.slice(0, k).sort((x, y) => x - y) };
  });
}

/** Motion selections: for, against, abstain, blank, in turn. */
const motionSelections = (count) => Array.from({ length: count }, (_, i) => (i % 4 === 3 ? { blank: true } : { options: [i % 4] }));

/** Nearest-rank percentile. */
function percentile(values, p) {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)];
}

const round = (x, digits = 1) => (x === null ? null : Number(x.toFixed(digits)));

async function bundle() {
  log(`bundling tests/bench/ballot-encrypt-entry.js with vite into ${OUT}`);
  await build({
    configFile: false,
    root: REPO,
    logLevel: 'warn',
    publicDir: false,
    build: {
      outDir: OUT,
      emptyOutDir: true,
      target: 'es2022', // as the tablet's vite.config.ts
      minify: true,
      reportCompressedSize: false,
      lib: { entry: join(REPO, 'tests/bench/ballot-encrypt-entry.js'), formats: ['es'], fileName: () => 'bench.js' },
    },
  });
  return join(OUT, 'bench.js');
}

/** Serves the page and the bundle on 127.0.0.1 (a secure context, like the tablet's origin). */
async function serve(bundlePath) {
  const js = readFileSync(bundlePath);
  const server = createServer((req, res) => {
    if (req.url === '/bench.js') {
      res.writeHead(200, { 'content-type': 'text/javascript', 'cache-control': 'no-store' });
      res.end(js);
    } else if (req.url === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<!doctype html><meta charset="utf-8"><title>ballot-encrypt bench</title>');
    } else if (req.url === '/favicon.ico') {
      res.writeHead(204).end();
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${server.address().port}/` };
}

/** A module Worker running the bundle in the page; `run(req)` encrypts one ballot in it. */
async function browserWorker(page) {
  await page.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const w = new Worker('/bench.js', { type: 'module' });
        w.onerror = (e) => reject(new Error(`worker failed to load: ${e.message}`));
        // The module has run (and listens) when it says so.
        w.onmessage = (e) => (e.data?.ready ? resolve() : reject(new Error(`unexpected ${JSON.stringify(e.data)}`)));
        globalThis.benchWorker = w;
      }),
  );
  return (req) =>
    page.evaluate(
      (r) =>
        new Promise((resolve, reject) => {
          const w = globalThis.benchWorker;
          w.onmessage = (e) => resolve(e.data);
          w.onerror = (e) => reject(new Error(`worker error: ${e.message}`));
          w.postMessage(r);
        }),
      req,
    );
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const bundlePath = await bundle();
  const lib = await import(pathToFileURL(bundlePath).href);

  log('counting board: DKG 3 of 5 (seeded), one voter credential');
  const prep = lib.prepare('v1');
  const rand = prng(12);
  const warmSel = electionSelections(WARMUPS, 60, 53, rand);
  const elecSel = electionSelections(opts.ballots, 60, 53, rand);
  const motSel = motionSelections(opts.motions);
  const request = (kind, selection) => ({ setup: prep.setup, vote: prep.votes[kind], jointKey: prep.jointKey, seed: prep.seed, selection });

  const { server, url } = await serve(bundlePath);
  const browser = await launchBrowser();
  const errors = [];
  try {
    const page = await browser.newPage();
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await page.goto(url);
    const inBrowser = await browserWorker(page);
    const inNode = (req) => ({ ok: true, ...lib.encryptOne(req) });
    log(`Chromium ${browser.version()}, Node ${process.version}; ${opts.ballots} election ballots (60 candidates, keep ≤ 53) and ${opts.motions} motion ballots each, after ${WARMUPS} warm-ups`);

    const sides = { browser: inBrowser, node: async (req) => inNode(req) };
    const got = { browser: { warm: [], election: [], motion: [] }, node: { warm: [], election: [], motion: [] } };
    const runs = [
      ...warmSel.map((s) => ['warm', 'election', s]),
      ...elecSel.map((s) => ['election', 'election', s]),
      ...motSel.map((s) => ['motion', 'motion', s]),
    ];
    for (const [i, [bucket, kind, selection]] of runs.entries()) {
      for (const side of ['browser', 'node']) {
        const r = await sides[side](request(kind, selection));
        if (!r.ok) throw new Error(`${side}: ${r.error}`);
        got[side][bucket].push(r);
      }
      const b = got.browser[bucket].at(-1);
      const n = got.node[bucket].at(-1);
      const what = 'blank' in selection ? 'blank' : kind === 'motion' ? ['for', 'against', 'abstain'][selection.options[0]] : `${selection.options.length} kept`;
      log(`${String(i + 1).padStart(3)}/${runs.length} ${bucket.padEnd(8)} ${what.padEnd(8)} chromium ${b.ms.toFixed(0).padStart(5)} ms  node ${n.ms.toFixed(0).padStart(5)} ms`);
    }
    if (errors.length) throw new Error(`browser errors:\n${errors.join('\n')}`);

    log('checking every ballot (decode, tracker, credential, signature, proofs) and decrypting each side’s tallies');
    let verified = 0;
    for (const side of ['browser', 'node']) {
      lib.checkVote(prep, 'election', got[side].warm, warmSel);
      lib.checkVote(prep, 'election', got[side].election, elecSel);
      if (opts.motions > 0) lib.checkVote(prep, 'motion', got[side].motion, motSel);
      verified += got[side].warm.length + got[side].election.length + got[side].motion.length;
    }

    const ms = (side, bucket) => got[side][bucket].map((r) => r.ms);
    const p = (side, bucket, q) => percentile(ms(side, bucket), q);
    const ratio = (a, b) => (a === null || b === null || b === 0 ? null : round(a / b, 2));
    const kept = elecSel.map((s) => s.options.length);
    const result = {
      bench: 'ballot-encrypt',
      ballots: opts.ballots,
      motions: opts.motions,
      warmups: WARMUPS,
      candidates: 60,
      max_kept: 53,
      kept_min: Math.min(...kept),
      kept_max: Math.max(...kept),
      ballot_encrypt_ms_p50: round(p('browser', 'election', 50)),
      ballot_encrypt_ms_p99: round(p('browser', 'election', 99)),
      motion_encrypt_ms_p50: round(p('browser', 'motion', 50)),
      motion_encrypt_ms_p99: round(p('browser', 'motion', 99)),
      node_ballot_encrypt_ms_p50: round(p('node', 'election', 50)),
      node_ballot_encrypt_ms_p99: round(p('node', 'election', 99)),
      node_motion_encrypt_ms_p50: round(p('node', 'motion', 50)),
      node_motion_encrypt_ms_p99: round(p('node', 'motion', 99)),
      ratio_vs_node_p50: ratio(p('browser', 'election', 50), p('node', 'election', 50)),
      ratio_vs_node_p99: ratio(p('browser', 'election', 99), p('node', 'election', 99)),
      motion_ratio_vs_node_p99: ratio(p('browser', 'motion', 99), p('node', 'motion', 99)),
      ballot_bytes: Buffer.from(got.browser.election[0].ballot, 'base64').length,
      verified,
      tally_ok: true,
      chromium: browser.version(),
      node: process.version,
      cpus: os.cpus().length,
      loadavg_1m: round(os.loadavg()[0], 2),
    };
    console.log(JSON.stringify(result));
  } finally {
    await browser.close();
    server.close();
  }
}

main().catch((e) => {
  console.error(`ballot-encrypt: ${e instanceof Error ? (e.stack ?? e.message) : e}`);
  process.exit(1);
});
