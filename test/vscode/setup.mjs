#!/usr/bin/env node
// Idempotent set-up for the real-VS-Code integration tests (why it looks like this: /work/shared/REAL-VSCODE.md).
// Installs, only when missing: Debian's chromium (plus the compilers code-server's native modules need), and
// code-server + playwright-core + mocha into the git-ignored test/vscode/.code-server/, so that none of them
// becomes a dependency of the extension or enters the .vsix.
//   node test/vscode/setup.mjs            # set-up, prints timings
//   DL_LAB_SKIP_APT=1 node ...            # never call apt-get (you provide chromium and the compilers)
// run.mjs imports the paths below; importing this module has no side effects.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { arch, platform } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const HERE = dirname(fileURLToPath(import.meta.url));
export const TOOLS = join(HERE, '.code-server');
export const TOOLS_MODULES = join(TOOLS, 'node_modules');
export const CODE_SERVER_ENTRY = join(TOOLS_MODULES, 'code-server', 'out', 'node', 'entry.js');
export const CHROMIUM = process.env.DL_LAB_CHROMIUM || '/usr/bin/chromium';

// Exact versions: code-server 4.100.3 is the newest that runs on Node 20; mocha 12 is ESM-only, 11 is CommonJS
// (the suite require()s it inside the extension host).
const DEPS = { 'code-server': '4.100.3', 'playwright-core': '1.65.1', mocha: '11.8.0' };
// code-server 4.100.3 pulls @vscode/ripgrep 1.15.11, whose postinstall downloads rg from GitHub unless this
// cache file exists; the registry package @vscode/ripgrep-linux-x64 carries an rg binary we can put there.
const RIPGREP = {
  cacheDir: 'vscode-ripgrep-cache-1.15.11',
  file: 'ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz',
  source: '@vscode/ripgrep-linux-x64@1.18.0',
};
const BUILD_PACKAGES = ['build-essential', 'pkg-config', 'python3', 'libkrb5-dev'];
const STAMP = join(TOOLS, '.setup-done.json');

const t0 = Date.now();
const secs = (t) => `${((Date.now() - t) / 1000).toFixed(1)} s`;
const log = (m) => console.log(`[vscode-setup] ${m}`);

function sh(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', ...opts });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${r.status}`);
  return r;
}

const dpkgInstalled = (pkg) =>
  spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' }).stdout?.includes('install ok installed');

export function toolsReady() {
  if (!existsSync(CODE_SERVER_ENTRY) || !existsSync(STAMP)) return false;
  try {
    return JSON.stringify(JSON.parse(readFileSync(STAMP, 'utf8'))) === JSON.stringify(DEPS);
  } catch {
    return false;
  }
}

function aptInstall(pkgs) {
  if (process.env.DL_LAB_SKIP_APT) throw new Error(`missing ${pkgs.join(' ')} and DL_LAB_SKIP_APT is set`);
  const root = process.getuid?.() === 0;
  const aptGet = root ? ['apt-get'] : ['sudo', '-n', 'apt-get'];
  if (!root && spawnSync('sudo', ['-n', 'true']).status !== 0) {
    throw new Error(`not root and no password-less sudo: install ${pkgs.join(' ')} yourself`);
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const t = Date.now();
  // Lists may be absent or stale on a fresh machine; the lock timeout waits for a concurrent apt instead of failing.
  const run = (args) => sh(aptGet[0], [...aptGet.slice(1), ...args], { env });
  run(['-o', 'DPkg::Lock::Timeout=300', 'update', '-q']);
  run(['-o', 'DPkg::Lock::Timeout=300', 'install', '-y', '-q', ...pkgs]);
  log(`apt-get install ${pkgs.join(' ')}: ${secs(t)}`);
}

function seedRipgrepCache(tmp) {
  const target = join(tmp, RIPGREP.cacheDir, RIPGREP.file);
  if (existsSync(target)) return;
  const work = mkdtempSync(join(tmp, 'rg-'));
  sh('npm', ['pack', RIPGREP.source, '--pack-destination', work, '--silent'], { cwd: work, stdio: ['ignore', 'ignore', 'inherit'] });
  const tgz = join(work, 'vscode-ripgrep-linux-x64-1.18.0.tgz');
  sh('tar', ['-xzf', tgz, '-C', work, 'package/bin/rg']);
  mkdirSync(dirname(target), { recursive: true });
  sh('tar', ['-czf', target, '-C', join(work, 'package', 'bin'), 'rg']);
  rmSync(work, { recursive: true, force: true });
}

function installTools() {
  if (platform() !== 'linux' || arch() !== 'x64') throw new Error('only linux-x64 is set up (the ripgrep cache trick)');
  const t = Date.now();
  mkdirSync(TOOLS, { recursive: true });
  rmSync(STAMP, { force: true });
  // Private TMPDIR: holds the ripgrep cache and keeps node-gyp's scratch out of /tmp.
  const tmp = join(TOOLS, '.tmp');
  mkdirSync(tmp, { recursive: true });
  seedRipgrepCache(tmp);
  writeFileSync(
    join(TOOLS, 'package.json'),
    JSON.stringify({ name: 'dl-lab-vscode-test-tools', private: true, description: 'written by test/vscode/setup.mjs', dependencies: DEPS }, null, 2) + '\n',
  );
  const env = {
    ...process.env,
    TMPDIR: tmp,
    // code-server's postinstall refuses to run as root without it; node-pty's postinstall calls `npx node-gyp`.
    npm_config_unsafe_perm: 'true',
    npm_config_yes: 'true',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
  };
  sh('npm', ['install', '--no-save', '--loglevel=error'], { cwd: TOOLS, env });
  if (!existsSync(CODE_SERVER_ENTRY)) throw new Error(`code-server installed but ${CODE_SERVER_ENTRY} is missing`);
  writeFileSync(STAMP, JSON.stringify(DEPS) + '\n');
  log(`npm install ${Object.entries(DEPS).map(([n, v]) => `${n}@${v}`).join(' ')}: ${secs(t)}`);
}

export function setup() {
  const needTools = !toolsReady();
  const missing = [];
  if (!existsSync(CHROMIUM)) {
    if (process.env.DL_LAB_CHROMIUM) throw new Error(`DL_LAB_CHROMIUM=${CHROMIUM} does not exist`);
    missing.push('chromium');
  }
  // The compilers matter only while code-server's native modules are being built.
  if (needTools) missing.push(...BUILD_PACKAGES.filter((p) => !dpkgInstalled(p)));
  if (missing.length) aptInstall(missing);
  else log('Debian packages: present');
  if (needTools) installTools();
  else log(`${Object.keys(DEPS).join(', ')}: present in ${TOOLS}`);
  log(`ready in ${secs(t0)}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    setup();
  } catch (e) {
    console.error(`[vscode-setup] FAILED after ${secs(t0)}: ${e.message}`);
    process.exit(1);
  }
}
