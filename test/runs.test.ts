// Run records on disk, the lab completion tables, and the training worker as the extension drives it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fork } from 'node:child_process';
import { RunStore, newRunId } from '../src/runs/store.ts';
import { statementsOf } from '../src/runs/config.ts';
import { completeLab } from '../src/readers/lab/complete.ts';
import type { RunRecord } from '../src/runs/record.ts';
import type { FromWorker } from '../src/worker/protocol.ts';

const run = (id: string, startedAt: string, status: RunRecord['status']): RunRecord => ({
  id, file: 'a.dlab', startedAt, status, provider: 'cpu', config: {}, layers: [], epochsPlanned: 3, epochs: [],
});

test('runs are saved, listed newest first, and a run left running by a crash reads as crashed', () => {
  const store = new RunStore(join(mkdtempSync(join(tmpdir(), 'runs-')), 'runs'));
  assert.deepEqual(store.list(), []);
  store.save(run('a', '2026-01-01T00:00:00Z', 'completed'));
  store.save(run('b', '2026-01-02T00:00:00Z', 'running'));
  store.save(run('c', '2026-01-03T00:00:00Z', 'running'));
  const listed = store.list(new Set(['c']));
  assert.deepEqual(listed.map((r) => [r.id, r.status]), [['c', 'running'], ['b', 'crashed'], ['a', 'completed']]);
  assert.equal(store.load('zz'), undefined);
  // Loading one run applies the same rule when told which runs are alive (a revived dashboard, Open Run).
  assert.equal(store.load('b', new Set(['c']))?.status, 'crashed');
  assert.equal(store.load('c', new Set(['c']))?.status, 'running');
  assert.equal(store.load('b')?.status, 'running');
  assert.match(newRunId(new Date('2026-11-26T10:15:00Z')), /^20261126-101500-[a-z0-9]{1,4}$/);
});

test('statementsOf keeps each statement as written, joining continued lines', () => {
  const cfg = statementsOf('# c\ndata spirals(samples=10)\nmodel Chain(Dense(2 => 4, relu),\n   Dense(4 => 3))  # end\nloss crossentropy\n');
  assert.deepEqual(cfg, { data: 'spirals(samples=10)', model: 'Chain(Dense(2 => 4, relu), Dense(4 => 3))', loss: 'crossentropy' });
});

test('completion offers statements, data sets, optimiser arguments, layers and activations where they fit', () => {
  const labels = (text: string, line: number, ch: number) => completeLab(text, line, ch).map((c) => c.label);
  assert.ok(labels('', 0, 0).includes('optimizer'));
  assert.ok(labels('data ', 0, 5).includes('spirals'), labels('data ', 0, 5).join());
  assert.ok(labels('data ', 0, 5).includes('mnist'));
  assert.deepEqual(labels('optimizer Adam(', 0, 15), ['lr', 'beta1', 'beta2', 'eps', 'weight_decay']);
  assert.ok(labels('optimizer ', 0, 10).includes('RMSProp'));
  assert.ok(labels('model Chain(', 0, 12).includes('Dense'));
  assert.ok(labels('model Chain(Dense(2 => 8, ', 0, 26).includes('gelu'));
  assert.ok(labels('model Chain(Dense(2 => 8, relu),\n      ', 1, 6).includes('Dropout'));
  assert.ok(labels('regularize l2(0.1), ', 0, 20).includes('clip_norm'));
  assert.deepEqual(labels('loss crossentropy  # x', 0, 18), []);
  const data = completeLab('data ', 0, 5).find((c) => c.label === 'spirals')!;
  assert.match(data.snippet, /^spirals\(samples=\$\{1:\d+\}/);
});

test('the worker trains a lab file, streams its epochs, stops when asked, and reports mistakes with their place', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'worker-'));
  const file = join(dir, 'w.dlab');
  const text = 'data spirals(samples=300)\nmodel Chain(Dense(2 => 16, relu), Dense(16 => 3))\noptimizer Adam(lr=0.01)\ntrain epochs=200, batch=16\n';
  writeFileSync(file, text);
  const worker = fork('dist/worker.cjs', [], { execArgv: [], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const messages: FromWorker[] = [];
  const finished = new Promise<void>((resolve) => worker.on('message', (m: FromWorker) => {
    messages.push(m);
    if (process.env.DEBUG_WORKER) console.error(JSON.stringify(m).slice(0, 160));
    if (m.type === 'epoch' && m.record.epoch === 3) worker.send({ type: 'stop' });
    if (m.type === 'finished' || m.type === 'error') resolve();
  }));
  worker.send({ type: 'train', file, text, provider: 'cpu' });
  await finished;
  assert.equal(messages[0].type, 'started');
  const started = messages[0] as Extract<FromWorker, { type: 'started' }>;
  assert.deepEqual(started.layers.map((l) => [l.name, l.parameters, l.line]), [['dense1', 48, 2], ['dense2', 51, 2]]);
  const epochs = messages.filter((m) => m.type === 'epoch');
  assert.ok(epochs.length >= 3 && epochs.length < 200, `${epochs.length} epochs`);
  assert.deepEqual(messages[messages.length - 1], { type: 'finished', status: 'cancelled' });

  const onnx = join(dir, 'w.onnx');
  const exported = new Promise<FromWorker>((resolve) => worker.once('message', resolve));
  worker.send({ type: 'export', path: onnx });
  const ex = await exported;
  assert.equal(ex.type, 'exported');
  assert.equal(readFileSync(onnx).length, (ex as { bytes: number }).bytes);

  const failed = new Promise<FromWorker>((resolve) => worker.on('message', (m: FromWorker) => m.type === 'error' && resolve(m)));
  worker.send({ type: 'train', file, text: 'data spirals\nmodel Chain(Dense(3 => 3))\n', provider: 'cpu' });
  const err = await failed;
  assert.equal(err.type === 'error' && err.userError, true);
  assert.match(err.type === 'error' ? err.message : '', /w\.dlab:2:\d+: layer dense1 expects 3 inputs but data spirals gives 2 features/);
  worker.kill();
});
