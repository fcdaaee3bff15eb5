// Prepares the peers for `npm run bench`. Idempotent: each step is skipped
// when its result is already there.
//   1. Finds a Python interpreter that can `import torch`; if none, installs
//      Debian's python3-torch (+ a pthread OpenBLAS) with apt-get. Debian's torch
//      is built for /usr/bin/python3, not for a pyenv `python3` that may come
//      first on PATH, so the working interpreter is written to .bench/python.
//   2. Installs bench/package.json (tfjs, tfjs-backend-wasm) into bench/node_modules.
// A missing peer is reported, not fatal: the bench skips peers it cannot run.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const benchDir = join(root, 'bench');
const stateDir = join(root, '.bench');
const pythonFile = join(stateDir, 'python');
mkdirSync(stateDir, { recursive: true });

const log = (msg) => console.log(`[bench-setup] ${msg}`);

function run(cmd, args, opts = {}) {
  log(`$ ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', ...opts });
  if (r.error) log(`  failed to start: ${r.error.message}`);
  return r.status === 0;
}

/** Returns torch's version if `python` can import it, else null. */
function torchVersion(python) {
  const r = spawnSync(python, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' });
  if (r.status !== 0) return null;
  return r.stdout.trim().split('\n').pop();
}

function findTorchPython() {
  const candidates = [];
  if (existsSync(pythonFile)) candidates.push(readFileSync(pythonFile, 'utf8').trim());
  if (process.env.BENCH_PYTHON) candidates.push(process.env.BENCH_PYTHON);
  // /usr/bin/python3 first: it is the one Debian's python3-torch installs for.
  candidates.push('/usr/bin/python3', 'python3', 'python');
  for (const py of [...new Set(candidates.filter(Boolean))]) {
    const v = torchVersion(py);
    if (v) return { python: py, version: v };
  }
  return null;
}

// ---- 1. PyTorch -------------------------------------------------------------
let found = findTorchPython();
if (found) {
  log(`PyTorch ${found.version} found with ${found.python}`);
} else {
  log('no Python interpreter can import torch; installing Debian python3-torch');
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const aptGet = (...args) =>
    isRoot ? run('apt-get', args, { env }) : run('sudo', ['-E', 'apt-get', ...args], { env });
  const ok = aptGet('update') && aptGet('install', '-y', 'python3-torch', 'libopenblas0-pthread');
  if (!ok) log('apt-get failed; the PyTorch peer will be skipped');
  found = findTorchPython();
  if (found) log(`PyTorch ${found.version} installed, usable with ${found.python}`);
  else log('PyTorch still not importable; the PyTorch peer will be skipped');
}
if (found) {
  writeFileSync(pythonFile, found.python + '\n');
  log(`wrote ${pythonFile}: ${found.python}`);
}

// ---- 2. tfjs ----------------------------------------------------------------
if (existsSync(join(benchDir, 'node_modules', '@tensorflow', 'tfjs-backend-wasm'))) {
  log('bench/node_modules present (tfjs, tfjs-backend-wasm)');
} else {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const ok = run(npm, ['install', '--prefix', benchDir, '--no-audit', '--no-fund'], { cwd: benchDir });
  if (!ok) log('npm install for bench/ failed; the tfjs peers will be skipped');
}
log('done');
