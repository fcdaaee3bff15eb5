// Dropout: the mask rate, the 1/(1−p) scaling, a new mask per step, the same masks for the same seed, and
// the identity at evaluation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Graph } from '../src/engine/ir.ts';
import { buildForward } from '../src/engine/compile.ts';
import { modelBytes } from '../src/engine/onnx.ts';
import { createSession, tensor } from '../src/engine/session.ts';
import type { LabSpec } from '../src/engine/spec.ts';
import { parseLab } from '../src/readers/lab/index.ts';

const lab: LabSpec = parseLab('data spirals\nmodel Chain(Dropout(0.3), Dense(2 => 3))\n', 't.dlab');

async function masks(training: boolean, seed: number, runs: number): Promise<Float32Array[]> {
  const g = new Graph('d');
  const x = g.input('x', [500, 2]);
  const w = g.input('dense1.weight', [3, 2]);
  const b = g.input('dense1.bias', [3]);
  // Weight [[1,0],[0,1],[0,0]] and zero bias pass the dropped input straight through to the first two outputs.
  const fwd = buildForward(g, lab, new Map([['dense1.weight', w], ['dense1.bias', b]]), x, training ? { seed } : undefined);
  g.output(fwd.output, 'y');
  const s = await createSession(modelBytes(g), { threads: 1 });
  const out: Float32Array[] = [];
  for (let i = 0; i < runs; i++) {
    const r = await s.run({
      x: tensor('float32', new Float32Array(1000).fill(1), [500, 2]),
      'dense1.weight': tensor('float32', [1, 0, 0, 1, 0, 0], [3, 2]),
      'dense1.bias': tensor('float32', [0, 0, 0], [3]),
    });
    out.push(Float32Array.from((r.y.data as Float32Array).filter((_, k) => k % 3 !== 2)));
  }
  return out;
}

test('dropout zeroes a fraction p and scales the rest by 1/(1-p)', async () => {
  const [m] = await masks(true, 1, 1);
  const zeros = m.filter((v) => v === 0).length / m.length;
  assert.ok(Math.abs(zeros - 0.3) < 0.04, `dropped ${zeros}`);
  for (const v of m) assert.ok(v === 0 || Math.abs(v - 1 / 0.7) < 1e-6, String(v));
});

test('a new mask every step; the same masks for the same seed; identity at evaluation', async () => {
  const [a1, a2] = await masks(true, 1, 2);
  assert.notDeepEqual(a1, a2);
  const [b1, b2] = await masks(true, 1, 2);
  assert.deepEqual(a1, b1);
  assert.deepEqual(a2, b2);
  const [c1] = await masks(true, 2, 1);
  assert.notDeepEqual(a1, c1);
  const [e] = await masks(false, 1, 1);
  assert.ok(e.every((v) => v === 1));
});
