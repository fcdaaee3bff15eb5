// Central finite differences in float64 through ONNX Runtime, against the gradients our rules emit.
import { Graph, type Value } from '../../src/engine/ir.ts';
import * as o from '../../src/engine/ops.ts';
import { gradients } from '../../src/engine/autodiff.ts';
import { modelBytes } from '../../src/engine/onnx.ts';
import { createSession, tensor } from '../../src/engine/session.ts';
import { Rng } from '../../src/engine/random.ts';

export interface CheckInput {
  shape: number[];
  /** Values drawn for this input; default uniform in [-1, 1]. */
  draw?: (rng: Rng) => number;
  /** Not differentiated (e.g. labels). */
  constant?: boolean;
}

/**
 * Builds `f` on float64 inputs, reduces its output y to the scalar Σ y·r with a fixed random r (so every
 * output element matters), and returns the relative error ‖analytic − numeric‖ / max(‖analytic‖, ‖numeric‖)
 * over all differentiable inputs.
 */
export async function gradCheck(inputs: CheckInput[], f: (g: Graph, xs: Value[]) => Value, seed = 7): Promise<number> {
  const rng = new Rng(seed);
  const g = new Graph('gradcheck', 'float64');
  const xs = inputs.map((inp, i) => g.input(`x${i}`, inp.shape));
  const y = f(g, xs);
  const r = g.constant(Array.from({ length: y.shape.reduce((a, b) => a * b, 1) }, () => rng.uniformRange(0.5, 1.5)), y.shape);
  const loss = y.shape.length === 0 ? y : o.sumAll(g, o.mul(g, y, r));
  g.output(loss, 'loss');
  const wrt = xs.filter((_, i) => !inputs[i].constant);
  const grads = gradients(g, loss, wrt);
  grads.forEach((gr, i) => g.output(gr, `grad${i}`));
  const session = await createSession(modelBytes(g), { threads: 1 });
  const data = inputs.map((inp) => Float64Array.from({ length: inp.shape.reduce((a, b) => a * b, 1) }, () => (inp.draw ?? ((q: Rng) => q.uniformRange(-1, 1)))(rng)));
  const feeds = () => Object.fromEntries(inputs.map((inp, i) => [`x${i}`, tensor('float64', data[i], inp.shape)]));
  const out = await session.run(feeds());
  let diff = 0, normA = 0, normN = 0;
  let k = 0;
  for (let i = 0; i < inputs.length; i++) {
    if (inputs[i].constant) continue;
    const analytic = out[`grad${k++}`].data as Float64Array;
    for (let j = 0; j < data[i].length; j++) {
      const h = 1e-6 * Math.max(1, Math.abs(data[i][j]));
      const keep = data[i][j];
      data[i][j] = keep + h;
      const lp = Number((await session.run(feeds())).loss.data[0]);
      data[i][j] = keep - h;
      const lm = Number((await session.run(feeds())).loss.data[0]);
      data[i][j] = keep;
      const numeric = (lp - lm) / (2 * h);
      diff += (analytic[j] - numeric) ** 2;
      normA += analytic[j] ** 2;
      normN += numeric ** 2;
    }
  }
  await session.release();
  return Math.sqrt(diff) / Math.max(Math.sqrt(normA), Math.sqrt(normN), 1e-12);
}

/** Uniform in ±[lo, hi]: keeps inputs away from kinks (relu, abs) where the derivative jumps. */
export const awayFromZero = (lo = 0.1, hi = 1) => (rng: Rng) => (rng.uniform() < 0.5 ? -1 : 1) * rng.uniformRange(lo, hi);
export const positive = (lo = 0.2, hi = 2) => (rng: Rng) => rng.uniformRange(lo, hi);
