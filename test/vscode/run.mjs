#!/usr/bin/env node
// Runs a mocha suite inside a real VS Code: code-server (the VS Code 1.100 workbench and a Node extension host)
// opened by headless Chromium through playwright-core. Background: /work/shared/REAL-VSCODE.md.
//
//   node test/vscode/run.mjs [workspace] [--extension DIR] [--tests FILE] [--timeout S] [--artifacts DIR]
//                            [--phases N] [--keep] [--verbose]
//   workspace    folder opened in VS Code (default: examples/)
//   --extension  extensionDevelopmentPath (default: the repository root)
//   --tests      extensionTestsPath: a CommonJS file exporting run() (default: dist/test/suite/index.cjs)
//   --timeout    seconds before the run is abandoned, per phase (default 300, or DL_LAB_VSCODE_TIMEOUT)
//   --phases     run the suite N times in sequence (default 1, or DL_LAB_VSCODE_PHASES), as when VS Code is closed and
//                opened again: each phase starts code-server and Chromium afresh on the SAME user-data-dir,
//                extensions dir, workspace, port and browser profile, so what VS Code and the extension stored
//                survives; the suite sees DL_LAB_PHASE=<k> (1-based) and DL_LAB_PHASES=<N>. A failing phase ends
//                the run (later phases build on it). Pictures are shared: name them per phase where it matters.
//   --keep       leave code-server and Chromium running after the suite (or DL_LAB_VSCODE_KEEP=1); Ctrl-C ends them
//   --verbose    also print code-server's output and the workbench's own console messages
// Exit status: the suite's (0 = passed), 124 on timeout, 2 when the harness itself fails.
// Environment seen by the suite (inherited through code-server): DL_LAB_MOCHA (absolute path of mocha),
// DL_LAB_SCREENSHOT_DIR (see screenshot.mjs), DL_LAB_ARTIFACTS (where pictures go), DL_LAB_PHASE, DL_LAB_PHASES.
//
// What survives a restart, as found with --phases 2 (code-server 4.100.3 = VS Code 1.100 web):
// - The extension's storage (context.storageUri / globalStorageUri, workspaceState) is on the server, under the
//   user-data-dir: it survives as long as the folder, the port and the user-data-dir stay the same (the workspace's
//   storage id is derived from the folder's vscode-remote URI, port included).
// - The workbench's own state (open editors and groups, webview panels with the state their serializer gets back,
//   panel/sidebar layout) is in the BROWSER's IndexedDB, per origin: it survives only with the same browser profile
//   and port (hence both are kept). With a fresh profile the runs were there but no dashboard came back (checked).
//   (Desktop VS Code keeps this state in its user-data-dir, and window.restoreWindows decides which windows reopen;
//   in the web the URL decides, and each phase opens the same one.)
// - VS Code web saves that state every 5 s while its page has the focus, and when the page loses the focus. What a
//   page writes in its pagehide handler does not survive context.close() (checked with a test page), so closing
//   Chromium adds no save of its own, as after a crash rather than a closed tab. The test harness stops the
//   extension host BEFORE it calls codeAutomationExit, and a save from then on drops the extension's webview panels
//   (their serializer is gone: the dashboard was lost when the page was kept 7 s after the suite). So a phase that
//   leaves a layout for the next one ends with leaveWorkbench() (screenshot.mjs): the page loses the focus, VS Code
//   saves, and it saves no more until it is focused again.
import { spawn } from 'node:child_process';
import { copyFileSync, createWriteStream, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { createServer } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { format, parseArgs } from 'node:util';
import { CHROMIUM, CODE_SERVER_ENTRY, HERE, TOOLS, TOOLS_MODULES, toolsReady } from './setup.mjs';
import { serveScreenshotRequests } from './screenshot.mjs';

const ROOT = resolve(HERE, '..', '..');
const { values: opt, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    extension: { type: 'string', default: ROOT },
    tests: { type: 'string', default: join(ROOT, 'dist', 'test', 'suite', 'index.cjs') },
    timeout: { type: 'string', default: process.env.DL_LAB_VSCODE_TIMEOUT || '300' },
    phases: { type: 'string', default: process.env.DL_LAB_VSCODE_PHASES || '1' },
    artifacts: { type: 'string', default: join(HERE, '.artifacts') },
    keep: { type: 'boolean', default: !!process.env.DL_LAB_VSCODE_KEEP && process.env.DL_LAB_VSCODE_KEEP !== '0' },
    verbose: { type: 'boolean', default: false },
  },
});
const workspace = resolve(positionals[0] ?? join(ROOT, 'examples'));
const extensionPath = resolve(opt.extension);
const testsPath = resolve(opt.tests);
const artifacts = resolve(opt.artifacts);
const timeoutS = Number(opt.timeout);
const phases = Number(opt.phases);

const t0 = Date.now();
const stamp = () => `${((Date.now() - t0) / 1000).toFixed(1)}s`;
const say = (m) => console.log(`[vscode-run ${stamp()}] ${m}`);

function fail(m) {
  console.error(`[vscode-run] ${m}`);
  process.exit(2);
}
if (!Number.isInteger(phases) || phases < 1) fail(`--phases wants a whole number from 1: ${opt.phases}`);
if (!toolsReady()) fail(`code-server is not installed: run  node ${join('test', 'vscode', 'setup.mjs')}`);
if (!existsSync(CHROMIUM)) fail(`no Chromium at ${CHROMIUM}: run  node test/vscode/setup.mjs`);
for (const [what, p] of [['workspace', workspace], ['extension', join(extensionPath, 'package.json')], ['suite', testsPath]]) {
  if (!existsSync(p)) fail(`${what} not found: ${p}${what === 'suite' ? ' (build it first)' : ''}`);
}

const require = createRequire(join(TOOLS, 'package.json'));
const { chromium } = require('playwright-core');

// A fresh run folder: VS Code's user data, extensions, XDG folders and TMPDIR, so nothing leaks into $HOME or /tmp.
const RUN = mkdtempSync(join(tmpdir(), 'dl-lab-vscode-'));
for (const d of ['data/User', 'exts', 'xdg-config', 'xdg-data', 'tmp', 'chromium', 'screenshot-requests']) {
  mkdirSync(join(RUN, d), { recursive: true });
}
const settings = {
  'workbench.startupEditor': 'none', // the welcome page otherwise opens and steals focus now and then
  // Fewer notifications over the pictures, and no gallery queries (there is no network to reach it).
  'git.openRepositoryInParentFolders': 'never',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'telemetry.telemetryLevel': 'off',
};
writeFileSync(join(RUN, 'data/User/settings.json'), JSON.stringify(settings, null, 2));
writeFileSync(join(RUN, 'config.yaml'), 'auth: none\n');
rmSync(artifacts, { recursive: true, force: true }); // no stale pictures from an earlier run
mkdirSync(artifacts, { recursive: true });

let server; // code-server child (own process group)
let context; // Chromium
let shots;
let cleaning;

function freePort() {
  return new Promise((res, rej) => {
    const s = createServer();
    s.unref();
    s.on('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

function healthy(port) {
  return new Promise((res) => {
    const req = get({ host: '127.0.0.1', port, path: '/healthz', timeout: 1000 }, (r) => {
      r.resume();
      res(r.statusCode === 200);
    });
    req.on('error', () => res(false));
    req.on('timeout', () => req.destroy());
  });
}

// Phase 1 picks a free port; later phases need the same one (the browser keeps VS Code's state per origin, and the
// workspace's storage id includes the remote authority), waiting a little for the last phase's server to free it.
async function startCodeServer(phase, samePort) {
  const logFile = join(RUN, 'code-server.log');
  if (phase > 1) writeFileSync(logFile, `\n----- phase ${phase} -----\n`, { flag: 'a' });
  // A port picked free can be taken before code-server binds it: try a few.
  const attempts = samePort ? 10 : 3;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const port = samePort ?? (await freePort());
    const env = {
      ...process.env,
      XDG_CONFIG_HOME: join(RUN, 'xdg-config'),
      XDG_DATA_HOME: join(RUN, 'xdg-data'),
      TMPDIR: join(RUN, 'tmp'),
      // No extension gallery: there is no network to reach open-vsx.org, and its errors would clutter the output.
      EXTENSIONS_GALLERY: '{}',
      DL_LAB_MOCHA: join(TOOLS_MODULES, 'mocha'),
      DL_LAB_SCREENSHOT_DIR: join(RUN, 'screenshot-requests'),
      DL_LAB_ARTIFACTS: artifacts,
      DL_LAB_PHASE: String(phase),
      DL_LAB_PHASES: String(phases),
    };
    const args = [
      CODE_SERVER_ENTRY, '--config', join(RUN, 'config.yaml'), '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none',
      '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', '--disable-getting-started-override',
      '--user-data-dir', join(RUN, 'data'), '--extensions-dir', join(RUN, 'exts'), workspace,
    ];
    const child = spawn(process.execPath, args, { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const out = createWriteStream(logFile, { flags: 'a' });
    for (const s of [child.stdout, child.stderr]) {
      s.pipe(out, { end: false });
      if (opt.verbose) s.on('data', (d) => process.stderr.write(`[code-server] ${d}`));
    }
    let exited = false;
    child.on('exit', () => (exited = true));
    server = child;
    const deadline = Date.now() + 30000;
    while (!exited && Date.now() < deadline) {
      if (await healthy(port)) return port;
      await new Promise((r) => setTimeout(r, 100));
    }
    await stopCodeServer();
    if (!exited) break;
    say(`code-server exited early (attempt ${attempt}${samePort ? `, port ${samePort} still taken?` : ''}), see ${logFile}`);
    if (samePort) await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`code-server did not become healthy; its log: ${logFile}`);
}

async function stopCodeServer() {
  const child = server;
  server = undefined;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((r) => child.once('exit', r));
  const kill = (sig) => {
    try {
      process.kill(-child.pid, sig); // the whole group: the extension host and file watchers too
    } catch {}
  };
  kill('SIGTERM');
  const t = setTimeout(() => kill('SIGKILL'), 3000);
  await gone;
  clearTimeout(t);
}

// In a test run VS Code sends the extension host's console output (mocha's reporter included) to the workbench's
// log service, which prints console.log('%c INFO', 'color: #33f', format, ...args): the same shape as the
// workbench's own log lines, so those are told apart by content. This start-up chatter is shown only with --verbose.
const CHATTER = [
  /^Resolv(ing|ed) connection token/, /^Creating a socket/, /^Updating additional builtin extensions cache/,
  /^Ignoring fetching additional builtin extensions/, /^\[Service Worker\]/, /^ChatSessionStore:/,
];
const LOG_LEVEL = /^%c\s*(TRACE|DEBUG|INFO|WARN|ERR)$/;

// Ends one phase: stops serving requests, closes Chromium and stops code-server. The browser profile and the run
// folder stay for the next phase.
async function stopPhase() {
  await shots?.stop();
  shots = undefined;
  const ctx = context;
  context = undefined;
  await Promise.race([ctx?.close().catch(() => {}), new Promise((r) => setTimeout(r, 5000))]);
  await stopCodeServer();
}

async function cleanup() {
  cleaning ??= stopPhase();
  return cleaning;
}

process.on('exit', () => {
  if (server) try { process.kill(-server.pid, 'SIGKILL'); } catch {} // last resort
});
let suiteCode; // known once the (last) suite reported
async function finish(code) {
  await cleanup();
  try {
    copyFileSync(join(RUN, 'code-server.log'), join(artifacts, 'code-server.log')); // the run folder itself goes
  } catch {}
  rmSync(RUN, { recursive: true, force: true });
  say(`done in ${stamp()}`);
  process.exit(code);
}
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    say(`${sig}: stopping`);
    finish(suiteCode ?? 130);
  });
}

let port; // chosen by phase 1, kept by the others
async function runPhase(phase) {
  const last = phase === phases;
  const tag = phases > 1 ? `phase ${phase}/${phases}: ` : '';
  port = await startCodeServer(phase, port);
  const base = `http://127.0.0.1:${port}`;
  say(`${tag}code-server healthy on ${base}`);

  context = await chromium.launchPersistentContext(join(RUN, 'chromium'), {
    executablePath: CHROMIUM,
    headless: true,
    chromiumSandbox: false,
    handleSIGINT: false, // playwright would exit the process itself, before code-server is stopped
    handleSIGTERM: false,
    viewport: { width: 1400, height: 900 },
    timeout: 60000,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync',
      // The rewritten page may otherwise not open its websocket to 127.0.0.1.
      '--disable-features=LocalNetworkAccessChecks,LocalNetworkAccessChecksWebSockets,PrivateNetworkAccessChecks',
    ],
  });
  const page = context.pages()[0] ?? (await context.newPage());

  let settle;
  let settled = false;
  const result = new Promise((r) => (settle = (v) => { settled = true; r(v); }));
  await page.exposeFunction('codeAutomationExit', (code, logs) => {
    settle({ code: Number(code) || 0, logs });
  });
  let printing = Promise.resolve(); // console arguments are fetched asynchronously; keep their order
  page.on('console', (msg) => {
    printing = printing.then(async () => {
      const args = await Promise.all(msg.args().map((a) => a.jsonValue().catch(() => '<unserializable>')));
      const level = typeof args[0] === 'string' && LOG_LEVEL.exec(args[0])?.[1];
      if (level && args.length > 2 && level !== 'TRACE' && level !== 'DEBUG') {
        const text = format(...args.slice(2));
        if (opt.verbose || !CHATTER.some((r) => r.test(text))) (level === 'INFO' ? console.log : console.error)(text);
      } else if (opt.verbose) {
        console.log(`[workbench ${msg.type()}] ${msg.text()}`);
      }
    });
  });
  page.on('pageerror', (e) => opt.verbose && console.log(`[workbench pageerror] ${e.message}`));
  page.on('crash', () => settle({ code: 2, error: 'the workbench page crashed' }));
  server.on('exit', (c, s) => settle({ code: 2, error: `code-server exited (${c ?? s}) during the run` }));

  // The built workbench honours `payload` only with the smoke-test driver on; switch it on in the served page.
  let rewritten = false;
  await page.route(
    (url) => url.origin === base && url.pathname === '/',
    async (route) => {
      const response = await route.fetch();
      const body = (await response.text()).replace(
        'developmentOptions&quot;:{',
        'developmentOptions&quot;:{&quot;enableSmokeTestDriver&quot;:true,',
      );
      rewritten ||= body.includes('enableSmokeTestDriver');
      await route.fulfill({ response, body });
    },
  );

  const remote = (p) => `vscode-remote://127.0.0.1:${port}${p}`;
  const payload = [['extensionDevelopmentPath', remote(extensionPath)], ['extensionTestsPath', remote(testsPath)]];
  const url = `${base}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
  shots = serveScreenshotRequests({ page, requestDir: join(RUN, 'screenshot-requests'), outDir: artifacts, log: say });

  const timer = setTimeout(() => settle({ code: 124, error: `TIMEOUT: the suite did not finish in ${timeoutS} s` }), timeoutS * 1000);
  await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 60000 });
  if (!rewritten) settle({ code: 2, error: 'could not enable the smoke-test driver (page markup changed?)' });
  if (!settled) say(`${tag}workbench loaded, suite running`);
  const res = await result;
  clearTimeout(timer);
  await new Promise((r) => setTimeout(r, 200)); // let the last console messages arrive
  await printing;

  if (res.error) console.error(`[vscode-run] ${tag}${res.error}`);
  for (const { relativePath, contents } of res.logs ?? []) {
    const p = join(artifacts, 'logs', ...(phases > 1 ? [`phase-${phase}`] : []), relativePath);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, contents);
  }
  await shots.stop();
  const final = join(artifacts, phases > 1 ? `final-phase-${phase}.png` : 'final.png');
  await page.screenshot({ path: final, timeout: 10000 }).catch((e) => say(`final screenshot failed: ${e.message}`));
  say(`${tag}suite exit code ${res.code}; artifacts in ${artifacts}`);

  if (last) {
    suiteCode = res.code;
    if (opt.keep) {
      say(`--keep: code-server on ${base}/?folder=${encodeURIComponent(workspace)} , run dir ${RUN}; Ctrl-C to stop`);
      await new Promise(() => {}); // the SIGINT handler ends the process
    }
  } else {
    await stopPhase();
    say(`${tag}VS Code closed`);
  }
  return res.code;
}

async function main() {
  say(`workspace ${workspace}\n  extension ${extensionPath}\n  suite     ${testsPath}\n  run dir   ${RUN}`);
  for (let phase = 1; phase <= phases; phase++) {
    const code = await runPhase(phase);
    if (code !== 0) {
      const rest = phase + 1 === phases ? `phase ${phases}` : `phases ${phase + 1}-${phases}`;
      if (phase < phases) say(`phase ${phase} failed (exit code ${code}): ${rest} not run`);
      return code;
    }
  }
  return 0;
}

// Backstop for a hang outside the suite (start-up, a stuck screenshot): the in-page timeouts above fire first.
const backstopS = phases * (timeoutS + 30);
setTimeout(() => {
  if (suiteCode !== undefined) return; // reported (and maybe --keep): nothing hangs
  console.error(`[vscode-run] TIMEOUT: the harness itself did not finish in ${backstopS} s`);
  finish(124);
}, backstopS * 1000).unref();

let code = 2;
try {
  code = await main();
} catch (e) {
  console.error(`[vscode-run] harness error: ${e.stack ?? e}`);
}
await finish(code);
