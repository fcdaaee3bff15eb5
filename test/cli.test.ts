// The dl-lab command line as a user runs it: training output, errors with locations, export, grads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import * as ort from 'onnxruntime-node';
import { main } from '../src/cli/main.ts';

const dir = mkdtempSync(join(tmpdir(), 'dl-lab-cli-'));
function lab(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}
async function run(args: string[], signal?: AbortSignal) {
  const out: string[] = [], err: string[] = [];
  const code = await main(args, { out: (l) => out.push(l), err: (l) => err.push(l), isTTY: false }, signal);
  return { code, out, err };
}

const SPIRALS = `data spirals(samples=300, classes=3, noise=0.1)
split holdout(validation=0.2)
model Chain(Dense(2 => 16, relu),
            Dense(16 => 3))
loss crossentropy
optimizer Adam(lr=0.01)
train epochs=4, batch=16, seed=3
`;

test('train --json prints one object per epoch and a final summary, with layer lines from the file', async () => {
  const r = await run(['train', lab('s.dlab', SPIRALS), '--json']);
  assert.equal(r.code, 0, r.err.join('\n'));
  const lines = r.out.map((l) => JSON.parse(l));
  assert.equal(lines.length, 5);
  for (const [i, rec] of lines.slice(0, 4).entries()) {
    assert.equal(rec.epoch, i + 1);
    for (const k of ['trainLoss', 'trainAcc', 'valLoss', 'valAcc', 'seconds']) assert.equal(typeof rec[k], 'number', k);
    assert.deepEqual(rec.layers.map((l: { name: string; line: number }) => [l.name, l.line]), [['dense1', 3], ['dense2', 4]]);
    for (const k of ['gradNorm', 'weightNorm', 'updateRatio', 'actMean', 'actStd', 'zeroFrac', 'satFrac']) {
      assert.ok(Number.isFinite(rec.layers[0][k]), k);
    }
    assert.ok(rec.layers[0].zeroFrac > 0 && rec.layers[0].zeroFrac < 1, 'relu layer has some but not all zeros');
  }
  assert.ok(lines[3].trainLoss < lines[0].trainLoss, 'loss falls');
  assert.deepEqual(lines[4].final, lines[3]);
  assert.equal(lines[4].status, 'completed');
});

test('the same seed gives the same run; both trainer paths give the same numbers', async () => {
  const f = lab('s2.dlab', SPIRALS);
  const a = (await run(['train', f, '--json'])).out.slice(0, 4).map((l) => JSON.parse(l));
  const b = (await run(['train', f, '--json', '--mode', 'step'])).out.slice(0, 4).map((l) => JSON.parse(l));
  for (let i = 0; i < 4; i++) {
    assert.ok(Math.abs(a[i].trainLoss - b[i].trainLoss) < 1e-5, `epoch ${i + 1}: ${a[i].trainLoss} vs ${b[i].trainLoss}`);
    assert.ok(Math.abs(a[i].valLoss - b[i].valLoss) < 1e-5);
  }
  const c = (await run(['train', f, '--json'])).out.slice(0, 4).map((l) => JSON.parse(l));
  assert.deepEqual(c.map((r) => r.valLoss), a.map((r) => r.valLoss));
  const d = (await run(['train', f, '--json', '--seed', '4'])).out.slice(0, 4).map((l) => JSON.parse(l));
  assert.notDeepEqual(d.map((r) => r.valLoss), a.map((r) => r.valLoss));
});

test('a mistake gives one file:line:column line and exit code 2', async () => {
  const cases: [string, RegExp][] = [
    ['data spirals\noptimiser Adam(lr=0.1)\nmodel Chain(Dense(2 => 3))\n', /:2:1: .*optimiser.*optimizer/],
    ['data spirals\nmodel Chain(Dense(2 => 3))\noptimizer Adam(lr=-1)\n', /:3:\d+: .*lr.*-1/],
    ['data spirals\nmodel Chain(Dense(2 => 8, relu), Dense(16 => 3))\n', /:2:\d+: .*16.*8/],
    ['data mnist(samples=100)\nmodel Chain(Dense(2 => 10))\n', /:2:\d+: .*dense1 expects 2 inputs.*784/],
    ['data spirals(samples=300, classes=3)\nmodel Chain(Dense(2 => 4))\nloss crossentropy\n', /:2:\d+: .*4 outputs.*needs 3/],
    ['data spirals(samples=5)\nmodel Chain(Dense(2 => 3))\n', /:1:\d+: .*samples.*5/],
  ];
  for (const [text, re] of cases) {
    const r = await run(['train', lab('bad.dlab', text)]);
    assert.equal(r.code, 2, text);
    assert.equal(r.err.length, 1, r.err.join('\n'));
    assert.match(r.err[0], re);
    assert.ok(r.err[0].startsWith(join(dir, 'bad.dlab')), r.err[0]);
    assert.doesNotMatch(r.err[0], /\bat .*\.ts:\d+/);
  }
  const missing = await run(['train', join(dir, 'nope.dlab')]);
  assert.equal(missing.code, 2);
  assert.match(missing.err[0], /nope\.dlab:1:1: no such file/);
  const flag = await run(['train', lab('ok.dlab', SPIRALS), '--epochs', 'many']);
  assert.equal(flag.code, 2);
  assert.match(flag.err[0], /--epochs must be an integer from 1 to 100000; found 'many'/);
});

test('an interrupted run keeps the epochs it finished', async () => {
  const controller = new AbortController();
  const out: string[] = [];
  const code = await main(['train', lab('i.dlab', SPIRALS.replace('epochs=4', 'epochs=50')), '--json'],
    { out: (l) => { out.push(l); if (out.length === 2) controller.abort(); }, err: () => {}, isTTY: false }, controller.signal);
  assert.equal(code, 130);
  const last = JSON.parse(out[out.length - 1]);
  assert.equal(last.status, 'interrupted');
  assert.equal(last.epochs, 2);
  assert.equal(last.final.epoch, 2);
});

test('--export writes an inference model that ONNX Runtime runs with the trained accuracy', async () => {
  const f = lab('e.dlab', SPIRALS.replace('epochs=4', 'epochs=30'));
  const onnxPath = join(dir, 'model.onnx');
  const r = await run(['train', f, '--export', onnxPath, '--json']);
  assert.equal(r.code, 0);
  const final = JSON.parse(r.out[r.out.length - 1]).final;
  const session = await ort.InferenceSession.create(readFileSync(onnxPath));
  assert.deepEqual(session.inputNames, ['input']);
  assert.deepEqual(session.outputNames, ['output', 'probabilities']);
  // Any batch size: the batch dimension is symbolic.
  const x = new ort.Tensor('float32', Float32Array.from([0.1, 0.2, -0.3, 0.4, 0.5, -0.6]), [3, 2]);
  const out = await session.run({ input: x });
  assert.deepEqual(out.probabilities.dims, [3, 3]);
  const p = out.probabilities.data as Float32Array;
  for (let i = 0; i < 3; i++) assert.ok(Math.abs(p[3 * i] + p[3 * i + 1] + p[3 * i + 2] - 1) < 1e-5);
  assert.ok(final.valAcc > 0.8);
});

test('grads writes the first minibatch, parameters and gradients in PyTorch layouts', async () => {
  const f = lab('g.dlab', 'data sine(samples=100)\nsplit none\nmodel Chain(Dense(1 => 2, identity), Dense(2 => 1))\nloss mse\ntrain batch=8, seed=5\n');
  const outPath = join(dir, 'grads.json');
  const r = await run(['grads', f, '--out', outPath, '--dtype', 'float64']);
  assert.equal(r.code, 0, r.err.join('\n'));
  const doc = JSON.parse(readFileSync(outPath, 'utf8'));
  assert.deepEqual(doc.inputs.shape, [8, 1]);
  assert.deepEqual(doc.parameters.map((p: { name: string; shape: number[] }) => [p.name, p.shape]),
    [['dense1.weight', [2, 1]], ['dense1.bias', [2]], ['dense2.weight', [1, 2]], ['dense2.bias', [1]]]);
  // Backprop by hand through y = W2(W1 x + b1) + b2 with mean squared error.
  const [W1, b1, W2, b2] = doc.parameters.map((p: { value: unknown }) => p.value);
  const xs: number[][] = doc.inputs.data, ts: number[][] = doc.targets.data;
  let loss = 0;
  const gW2 = [0, 0], gW1 = [0, 0], gb1 = [0, 0];
  let gb2 = 0;
  xs.forEach((x, s) => {
    const h = [0, 1].map((j) => W1[j][0] * x[0] + b1[j]);
    const y = W2[0][0] * h[0] + W2[0][1] * h[1] + b2[0];
    const d = (2 * (y - ts[s][0])) / xs.length;
    loss += (y - ts[s][0]) ** 2 / xs.length;
    gb2 += d;
    [0, 1].forEach((j) => { gW2[j] += d * h[j]; gb1[j] += d * W2[0][j]; gW1[j] += d * W2[0][j] * x[0]; });
  });
  const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-12 * Math.max(1, Math.abs(b)), `${a} vs ${b}`);
  close(doc.loss, loss);
  close(doc.parameters[3].grad[0], gb2);
  [0, 1].forEach((j) => { close(doc.parameters[2].grad[0][j], gW2[j]); close(doc.parameters[1].grad[j], gb1[j]); close(doc.parameters[0].grad[j][0], gW1[j]); });
});

test('the installed bin runs and reports a mistake without a stack trace', () => {
  const bin = join(import.meta.dirname, '..', 'bin', 'dl-lab.js');
  const bad = lab('b.dlab', 'data spirals\nmodel Chain(Dense(2 => 3, relu)\n');
  const r = spawnSync(process.execPath, [bin, 'train', bad], { encoding: 'utf8' });
  assert.equal(r.status, 2, r.stderr);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, /b\.dlab:2:\d+: /);
  const help = execFileSync(process.execPath, [bin, '--help'], { encoding: 'utf8' });
  assert.match(help, /dl-lab train FILE/);
});

test('--provider cuda without the CUDA provider says so and trains on the CPU', async () => {
  const r = await run(['train', lab('c.dlab', SPIRALS.replace('epochs=4', 'epochs=1')), '--provider', 'cuda', '--json']);
  assert.equal(r.code, 0);
  assert.ok(r.err.some((l) => /CUDA execution provider unavailable .*training on the CPU/.test(l)), r.err.join('\n'));
  assert.equal(JSON.parse(r.out[r.out.length - 1]).provider, 'cpu');
});

test('review fixes: prototype names are unknown names, early stopping needs validation, --export is checked first, grads records its seed', async () => {
  for (const [text, re] of [
    ['data spirals\nmodel Chain(Dense(2 => 3))\noptimizer constructor\n', /:3:\d+: .*unknown optimizer 'constructor'/i],
    ['data spirals\nmodel Chain(Dense(2 => 3))\nloss __proto__\n', /:3:\d+: .*unknown loss '__proto__'/i],
    ['data spirals\nmodel Chain(Dense(2 => 3, constructor))\n', /:2:\d+: .*unknown activation 'constructor'/i],
    ['data spirals\nsplit none\nmodel Chain(Dense(2 => 3))\nregularize early_stopping(patience=2)\n', /:4:\d+: early_stopping watches validation data/],
  ] as [string, RegExp][]) {
    const r = await run(['train', lab('proto.dlab', text)]);
    assert.equal(r.code, 2, r.err.join('\n'));
    assert.match(r.err[0], re);
  }
  const started = Date.now();
  const bad = await run(['train', lab('x.dlab', SPIRALS.replace('epochs=4', 'epochs=500')), '--export', join(dir, 'no', 'such', 'm.onnx')]);
  assert.equal(bad.code, 2);
  assert.match(bad.err[0], /--export .* does not exist or is not writable/);
  assert.ok(Date.now() - started < 5000, 'refused before training');
  const g = join(dir, 'g7.json');
  assert.equal((await run(['grads', lab('s7.dlab', SPIRALS), '--out', g, '--seed', '7'])).code, 0);
  assert.equal(JSON.parse(readFileSync(g, 'utf8')).seed, 7);
});

test('binary accuracy cuts mse outputs at 0.5 and bce logits at 0', async () => {
  for (const loss of ['mse', 'bce']) {
    const r = await run(['train', lab(`b-${loss}.dlab`, `data moons(samples=400, noise=0.1)\nmodel Chain(Dense(2 => 16, relu), Dense(16 => 1))\nloss ${loss}\noptimizer Adam(lr=0.01)\ntrain epochs=30, batch=16, seed=2\n`), '--json']);
    const final = JSON.parse(r.out[r.out.length - 1]).final;
    assert.ok(final.valAcc > 0.85, `${loss}: val acc ${final.valAcc}`);
  }
});
