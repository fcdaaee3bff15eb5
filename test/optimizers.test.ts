// The first updates of every optimiser, schedule and gradient regulariser, run as our float64 training-step
// graph, against a float64 reference written here from torch.optim's documented update formulas.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildStepGraph, stateLayout, type TrainPlan } from '../src/engine/compile.ts';
import { modelBytes } from '../src/engine/onnx.ts';
import { createSession, tensor, type ort } from '../src/engine/session.ts';
import { learningRateAt, learningRateNode } from '../src/engine/schedules.ts';
import { Graph } from '../src/engine/ir.ts';
import { Rng } from '../src/engine/random.ts';
import type { LabSpec, OptimizerSpec, RegularizerSpec, ScheduleSpec } from '../src/engine/spec.ts';

const IN = 3, OUT = 2, B = 4, STEPS = 4;

function labWith(optimizer: OptimizerSpec, regularizers: RegularizerSpec[] = [], schedule: ScheduleSpec = { kind: 'constant' }): LabSpec {
  return {
    file: 't.dlab', data: { name: 'sine', args: {} }, split: { kind: 'none', validation: 0 },
    model: { layers: [{ kind: 'dense', name: 'dense1', inputs: IN, outputs: OUT, activation: { name: 'identity' }, bias: true }] },
    loss: { name: 'mse' }, optimizer, regularizers, schedule, train: { epochs: 3, batch: B, seed: 0, mode: 'step' },
  };
}

// ---- the reference: a linear layer with MSE, gradients by hand, updates from torch.optim's docs ----
type Vec = number[];
interface RefState { w: Vec; b: Vec; slots: Record<string, Vec>[]; t: number }

function grads(w: Vec, b: Vec, x: Vec, y: Vec): [Vec, Vec] {
  const dw = new Array(OUT * IN).fill(0), db = new Array(OUT).fill(0);
  for (let s = 0; s < B; s++) for (let o = 0; o < OUT; o++) {
    let pred = b[o];
    for (let i = 0; i < IN; i++) pred += w[o * IN + i] * x[s * IN + i];
    const d = (2 * (pred - y[s * OUT + o])) / (B * OUT);
    db[o] += d;
    for (let i = 0; i < IN; i++) dw[o * IN + i] += d * x[s * IN + i];
  }
  return [dw, db];
}

function refStep(st: RefState, opt: OptimizerSpec, regs: RegularizerSpec[], lr: number, x: Vec, y: Vec): void {
  let [dw, db] = grads(st.w, st.b, x, y);
  for (const r of regs) {
    if (r.kind === 'l2') dw = dw.map((g, i) => g + 2 * r.lambda * st.w[i]);
    if (r.kind === 'l1') dw = dw.map((g, i) => g + r.lambda * Math.sign(st.w[i]));
    if (r.kind === 'clip_norm') {
      const total = Math.sqrt([...dw, ...db].reduce((a, g) => a + g * g, 0));
      const c = Math.min(1, r.max / (total + 1e-6));
      dw = dw.map((g) => g * c); db = db.map((g) => g * c);
    }
    if (r.kind === 'clip_value') { const c = (g: number) => Math.min(r.max, Math.max(-r.max, g)); dw = dw.map(c); db = db.map(c); }
  }
  st.t += 1;
  const params = [st.w, st.b], gs = [dw, db];
  params.forEach((p, k) => {
    const s = st.slots[k];
    for (let i = 0; i < p.length; i++) {
      let g = gs[k][i];
      const wd = opt.weightDecay ?? (opt.name === 'adamw' ? 0.01 : 0);
      if (wd && opt.name !== 'adamw') g += wd * p[i];
      const mu = opt.momentum ?? (opt.name === 'momentum' || opt.name === 'nesterov' ? 0.9 : 0);
      switch (opt.name) {
        case 'sgd': p[i] -= lr * g; break;
        case 'momentum': case 'nesterov': {
          // torch: buf = g at the first step, then buf = μ·buf + g; nesterov uses g + μ·buf.
          s.buf[i] = st.t === 1 ? g : mu * s.buf[i] + g;
          p[i] -= lr * (opt.name === 'nesterov' ? g + mu * s.buf[i] : s.buf[i]);
          break;
        }
        case 'adagrad': s.sum[i] += g * g; p[i] -= (lr * g) / (Math.sqrt(s.sum[i]) + (opt.eps ?? 1e-10)); break;
        case 'rmsprop': {
          const a = opt.alpha ?? 0.99, eps = opt.eps ?? 1e-8;
          s.sq[i] = a * s.sq[i] + (1 - a) * g * g;
          let avg: number;
          if (opt.centered) { s.ga[i] = a * s.ga[i] + (1 - a) * g; avg = Math.sqrt(s.sq[i] - s.ga[i] ** 2) + eps; } else avg = Math.sqrt(s.sq[i]) + eps;
          if (mu > 0) { s.buf[i] = mu * s.buf[i] + g / avg; p[i] -= lr * s.buf[i]; } else p[i] -= (lr * g) / avg;
          break;
        }
        case 'adadelta': {
          const rho = opt.rho ?? 0.9, eps = opt.eps ?? 1e-6;
          s.sq[i] = rho * s.sq[i] + (1 - rho) * g * g;
          const delta = (Math.sqrt(s.acc[i] + eps) / Math.sqrt(s.sq[i] + eps)) * g;
          s.acc[i] = rho * s.acc[i] + (1 - rho) * delta * delta;
          p[i] -= lr * delta;
          break;
        }
        case 'adam': case 'adamw': {
          const b1 = opt.beta1 ?? 0.9, b2 = opt.beta2 ?? 0.999, eps = opt.eps ?? 1e-8;
          if (opt.name === 'adamw') p[i] *= 1 - lr * wd;
          s.m[i] = b1 * s.m[i] + (1 - b1) * g;
          s.v[i] = b2 * s.v[i] + (1 - b2) * g * g;
          const denom = Math.sqrt(s.v[i]) / Math.sqrt(1 - b2 ** st.t) + eps;
          p[i] -= (lr / (1 - b1 ** st.t)) * (s.m[i] / denom);
          break;
        }
      }
    }
  });
  const mn = regs.find((r) => r.kind === 'max_norm');
  if (mn && mn.kind === 'max_norm') {
    for (let o = 0; o < OUT; o++) {
      const row = st.w.slice(o * IN, (o + 1) * IN);
      const n = Math.sqrt(row.reduce((a, v) => a + v * v, 0));
      for (let i = 0; i < IN; i++) st.w[o * IN + i] *= Math.min(n, mn.max) / (n + 1e-7);
    }
  }
}

async function compare(opt: OptimizerSpec, regs: RegularizerSpec[] = [], schedule?: ScheduleSpec): Promise<number> {
  const lab = labWith(opt, regs, schedule);
  const plan: TrainPlan = { lab, dtype: 'float64', batch: B, features: IN, targetWidth: OUT, task: 'regression', classes: 0, stepsPerEpoch: 2, epochs: 3, seed: 0 };
  const session = await createSession(modelBytes(buildStepGraph(plan)), { threads: 1 });
  const layout = stateLayout(lab);
  const rng = new Rng(11);
  const w = Array.from({ length: OUT * IN }, () => rng.uniformRange(-1, 1));
  const b = Array.from({ length: OUT }, () => rng.uniformRange(-1, 1));
  const ref: RefState = { w: [...w], b: [...b], t: 0, slots: [0, 1].map((k) => {
    const n = k === 0 ? OUT * IN : OUT;
    return Object.fromEntries(['buf', 'sum', 'sq', 'ga', 'acc', 'm', 'v'].map((s) => [s, new Array(n).fill(0)]));
  }) };
  let state: ort.Tensor[] = layout.map((e) => tensor('float64',
    e.name === 'dense1.weight' ? w : e.name === 'dense1.bias' ? b : new Float64Array(e.shape.reduce((a, c) => a * c, 1)), e.shape));
  let worst = 0;
  for (let s = 0; s < STEPS; s++) {
    const x = Array.from({ length: B * IN }, () => rng.uniformRange(-2, 2));
    const y = Array.from({ length: B * OUT }, () => rng.uniformRange(-2, 2));
    const feeds: Record<string, ort.Tensor> = { x: tensor('float64', x, [B, IN]), y: tensor('float64', y, [B, OUT]) };
    layout.forEach((e, i) => (feeds[e.name] = state[i]));
    const out = await session.run(feeds);
    state = layout.map((e) => out[`${e.name}_out`]);
    const lr = learningRateAt(schedule ?? { kind: 'constant' }, { lr: opt.lr, stepsPerEpoch: 2, epochs: 3 }, s);
    refStep(ref, opt, regs, lr, x, y);
    const got = [...(out['dense1.weight_out'].data as Float64Array), ...(out['dense1.bias_out'].data as Float64Array)];
    const want = [...ref.w, ...ref.b];
    got.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - want[i]) / Math.max(1e-3, Math.abs(want[i])))));
  }
  await session.release();
  return worst;
}

const optimizers: OptimizerSpec[] = [
  { name: 'sgd', lr: 0.1 },
  { name: 'sgd', lr: 0.1, weightDecay: 0.05 },
  { name: 'momentum', lr: 0.1, momentum: 0.9 },
  { name: 'nesterov', lr: 0.1, momentum: 0.8, weightDecay: 0.01 },
  { name: 'adagrad', lr: 0.1 },
  { name: 'rmsprop', lr: 0.01 },
  { name: 'rmsprop', lr: 0.01, alpha: 0.9, momentum: 0.5, centered: true },
  { name: 'adadelta', lr: 1.0, rho: 0.9 },
  { name: 'adam', lr: 0.01 },
  { name: 'adam', lr: 0.01, beta1: 0.5, beta2: 0.9, weightDecay: 0.1 },
  { name: 'adamw', lr: 0.01, weightDecay: 0.1 },
];
for (const opt of optimizers) {
  test(`optimizer ${JSON.stringify(opt)} matches torch.optim's formulas for ${STEPS} steps`, async () => {
    const err = await compare(opt);
    assert.ok(err < 1e-10, `relative error ${err}`);
  });
}

const regularizerCases: RegularizerSpec[][] = [
  [{ kind: 'l2', lambda: 0.05 }], [{ kind: 'l1', lambda: 0.05 }], [{ kind: 'clip_norm', max: 0.1 }],
  [{ kind: 'clip_value', max: 0.05 }], [{ kind: 'max_norm', max: 0.5 }],
];
for (const regs of regularizerCases) {
  test(`regularizer ${regs[0].kind} inside the step matches the reference`, async () => {
    const err = await compare({ name: 'sgd', lr: 0.5 }, regs);
    assert.ok(err < 1e-10, `relative error ${err}`);
  });
}

const schedules: ScheduleSpec[] = [
  { kind: 'step', stepSize: 1, gamma: 0.5 }, { kind: 'exponential', gamma: 0.7 }, { kind: 'cosine', minLr: 0.01 },
  { kind: 'constant', warmupSteps: 3 }, { kind: 'cosine', stepSize: 2, warmupSteps: 2 },
];
for (const s of schedules) {
  test(`schedule ${JSON.stringify(s)}: the graph's learning rate equals the formula at every step`, async () => {
    const ctx = { lr: 0.2, stepsPerEpoch: 3, epochs: 4 };
    const g = new Graph('lr', 'float64');
    const t = g.input('t', []);
    g.output(learningRateNode(g, s, ctx, t), 'lr');
    const session = await createSession(modelBytes(g), { threads: 1 });
    for (let step = 0; step < 12; step++) {
      const got = Number((await session.run({ t: tensor('float64', [step], []) })).lr.data[0]);
      assert.ok(Math.abs(got - learningRateAt(s, ctx, step)) < 1e-12, `step ${step}: ${got} vs ${learningRateAt(s, ctx, step)}`);
    }
    assert.equal(learningRateAt({ kind: 'step', stepSize: 2, gamma: 0.1 }, ctx, 6), 0.2 * 0.1);
    assert.equal(learningRateAt({ kind: 'cosine' }, ctx, 0), 0.2);
    await session.release();
  });
  test(`schedule ${s.kind} changes the updates exactly as the reference`, async () => {
    assert.ok((await compare({ name: 'momentum', lr: 0.1 }, [], s)) < 1e-10);
  });
}
