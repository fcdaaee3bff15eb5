// The platform .vsix as a user gets it: package it, install it into code-server's extensions folder with
// code-server's own --install-extension, check that it carries only this platform's onnxruntime binaries, and
// train a lab file with the installed worker.
import { spawnSync, fork } from 'node:child_process';
import { mkdtempSync, readdirSync, existsSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { CODE_SERVER_ENTRY } from './setup.mjs';

const target = `${process.platform}-${process.arch}`;
const started = Date.now();
const pack = spawnSync(process.execPath, ['scripts/package.mjs', target], { encoding: 'utf8' });
assert.equal(pack.status, 0, pack.stderr + pack.stdout);
const vsix = readdirSync('.').find((f) => f.endsWith(`-${target}.vsix`));
assert.ok(vsix, 'the .vsix was written');

const exts = mkdtempSync(join(tmpdir(), 'dl-lab-vsix-'));
const install = spawnSync(process.execPath, [CODE_SERVER_ENTRY, '--extensions-dir', exts, '--install-extension', vsix], {
  encoding: 'utf8', env: { ...process.env, XDG_CONFIG_HOME: join(exts, '.config'), XDG_DATA_HOME: join(exts, '.data'), EXTENSIONS_GALLERY: '{}' },
});
assert.equal(install.status, 0, install.stderr + install.stdout);
const dir = readdirSync(exts).find((d) => d.startsWith('dl-lab.dl-lab-'));
assert.ok(dir, `installed: ${readdirSync(exts).join(', ')}`);
const root = join(exts, dir);
const bins = join(root, 'node_modules', 'onnxruntime-node', 'bin', 'napi-v6');
assert.deepEqual(readdirSync(bins), [process.platform]);
assert.deepEqual(readdirSync(join(bins, process.platform)), [process.arch]);
for (const f of ['dist/extension.cjs', 'dist/worker.cjs', 'media/dashboard/dashboard.js', 'syntaxes/dlab.tmLanguage.json']) {
  assert.ok(existsSync(join(root, f)), `${f} is in the .vsix`);
}

const lab = join(exts, 'check.dlab');
writeFileSync(lab, 'data moons(samples=400)\nmodel Chain(Dense(2 => 16, tanh), Dense(16 => 1))\noptimizer Adam(lr=0.02)\ntrain epochs=30, batch=16\n');
const worker = fork(join(root, 'dist', 'worker.cjs'), [], { execArgv: [], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
const result = await new Promise((resolve) => {
  let last;
  worker.on('message', (m) => {
    if (m.type === 'epoch') last = m.record;
    if (m.type === 'finished' || m.type === 'error') resolve({ m, last });
  });
  worker.send({ type: 'train', file: lab, text: readFileSync(lab, 'utf8'), provider: 'cpu' });
});
worker.kill();
assert.equal(result.m.type, 'finished', JSON.stringify(result.m));
assert.ok(result.last.valAcc > 0.85, `val acc ${result.last.valAcc}`);
rmSync(exts, { recursive: true, force: true });
console.log(`[package-check] ${vsix} installs into code-server and trains (val acc ${(100 * result.last.valAcc).toFixed(1)}%) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
