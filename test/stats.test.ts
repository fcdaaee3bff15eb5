// The per-layer statistics computed inside the training graph against the same quantities computed here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseLab } from '../src/readers/lab/index.ts';
import { Trainer } from '../src/engine/trainer.ts';

test('in-graph statistics equal a host computation for one SGD step', async () => {
  const lab = parseLab(`data xor(samples=40, noise=0.3)
split none
model Chain(Dense(2 => 6, relu), Dense(6 => 1, sigmoid, init=normal(std=3)))
loss mse
optimizer SGD(lr=0.5)
train epochs=1, batch=40, seed=2, mode=step`, 's.dlab');
  const t = await Trainer.create(lab, { dtype: 'float64' });
  const [W1, b1, W2, b2] = t.params().map((p) => Float64Array.from(p.value));
  const batch = t.firstBatch();
  const { grads } = await t.gradients(batch);
  const rec = (await t.trainEpoch())!;
  await t.dispose();

  const n = batch.n;
  const h: number[] = [], out: number[] = [];
  for (let s = 0; s < n; s++) {
    for (let j = 0; j < 6; j++) h.push(Math.max(0, W1[2 * j] * batch.x[2 * s] + W1[2 * j + 1] * batch.x[2 * s + 1] + b1[j]));
    let z = b2[0];
    for (let j = 0; j < 6; j++) z += W2[j] * h[6 * s + j];
    out.push(1 / (1 + Math.exp(-z)));
  }
  const norm = (...xs: ArrayLike<number>[]) => Math.sqrt(xs.reduce((a, x) => a + Array.from(x).reduce((b, v) => b + v * v, 0), 0));
  const mean = (x: number[]) => x.reduce((a, b) => a + b, 0) / x.length;
  const std = (x: number[]) => Math.sqrt(mean(x.map((v) => v * v)) - mean(x) ** 2);
  const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b)), `${what}: ${a} vs ${b}`);

  const [l1, l2] = rec.layers;
  close(l1.gradNorm, norm(grads[0].value, grads[1].value), 'layer 1 gradient norm');
  close(l2.gradNorm, norm(grads[2].value, grads[3].value), 'layer 2 gradient norm');
  close(l1.weightNorm, norm(W1), 'layer 1 weight norm (before the step)');
  close(l1.updateRatio, (0.5 * norm(grads[0].value)) / norm(W1), 'layer 1 update ratio');
  close(l1.actMean, mean(h), 'activation mean');
  close(l1.actStd, std(h), 'activation std');
  close(l1.zeroFrac, h.filter((v) => v === 0).length / h.length, 'dead fraction');
  assert.ok(l1.zeroFrac > 0, 'some ReLU units are off');
  close(l2.satFrac, out.filter((v) => v < 0.01 || v > 0.99).length / n, 'saturated fraction');
  assert.ok(l2.satFrac > 0, 'std=3 weights saturate some sigmoid outputs');
  close(rec.trainLoss, mean(out.map((o, s) => (o - batch.y[s]) ** 2)), 'loss');
});

test('a statistics interval computes them on every N-th step and at the end of each epoch, without changing training', async () => {
  const text = `data spirals(samples=400)
model Chain(Dense(2 => 16, relu), Dense(16 => 3))
optimizer Momentum(lr=0.05)
train epochs=3, batch=16, seed=3`;
  const runWith = async (statsEvery: number, mode: 'epoch' | 'step') => {
    const t = await Trainer.create(parseLab(text, 'i.dlab'), { statsEvery, mode });
    const recs = [];
    for await (const r of t.run()) recs.push(r);
    await t.dispose();
    return recs;
  };
  const every = await runWith(1, 'epoch');
  const sparse = await runWith(7, 'epoch');
  const sparseStep = await runWith(7, 'step');
  for (let e = 0; e < 3; e++) {
    // Training is untouched, and both trainer paths agree with the interval too.
    assert.equal(sparse[e].trainLoss, every[e].trainLoss);
    assert.ok(Math.abs(sparseStep[e].trainLoss - sparse[e].trainLoss) < 1e-6);
    // The last step of every epoch is always sampled: its weight norm is the same value.
    assert.ok(Math.abs(sparse[e].layers[0].weightNorm - every[e].layers[0].weightNorm) < 1e-5);
    // Averages over fewer steps differ from the every-step average, but describe the same layer.
    assert.notEqual(sparse[e].layers[0].gradNorm, every[e].layers[0].gradNorm);
    assert.ok(Math.abs(sparse[e].layers[0].zeroFrac - every[e].layers[0].zeroFrac) < 0.2);
    assert.ok(Math.abs(sparseStep[e].layers[0].gradNorm - sparse[e].layers[0].gradNorm) < 1e-5);
  }
});
