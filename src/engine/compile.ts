// Compiles a lab's model, loss, optimiser and regularisers into ONNX graphs: the training step (forward,
// backward, update, per-layer statistics), the epoch (the step as the body of a Scan), evaluation, the
// gradient probe and the exported inference model.
import { Graph, type Value } from './ir.js';
import { denseLayers, type LabSpec, type DenseSpec, type DropoutSpec } from './spec.js';
import * as o from './ops.js';
import { activate, reluLike } from './activations.js';
import { buildLoss, type Task } from './losses.js';
import { gradients } from './autodiff.js';
import { applyUpdate, optimizerSlots } from './optimizers.js';
import { learningRateNode } from './schedules.js';

export interface TrainPlan {
  lab: LabSpec;
  dtype: 'float32' | 'float64';
  batch: number;
  features: number;
  targetWidth: number;
  task: Task;
  classes: number;
  stepsPerEpoch: number;
  epochs: number;
  /** Seeds the in-graph random ops (dropout masks). */
  seed: number;
  /** Per-layer statistics (default true); off only to measure what they cost. */
  stats?: boolean;
  /** Compute the statistics every this many steps (and at each epoch's last step); default 1, every step. */
  statsEvery?: number;
}

export interface StateEntry {
  name: string;
  shape: number[];
  kind: 'param' | 'slot' | 'step';
  layer: number;
}

/**
 * What the graph computes for each layer at every step: raw sums only, each a single fused reduction, so the
 * statistics stay cheap next to the matrix products; statsFromRaw turns them into the reported values.
 */
/** Each step's statistics row is [flag, ...RAW_STATS for every layer], flag 1 where they were computed. */
export const RAW_STATS = ['gradSumSq', 'weightSumSq', 'updateSumSq', 'actSum', 'actSumSq', 'zeroCount', 'satCount'] as const;

export interface LayerStatValues {
  gradNorm: number;
  weightNorm: number;
  updateRatio: number;
  actMean: number;
  actStd: number;
  zeroFrac: number;
  satFrac: number;
}

/** `raw` holds RAW_STATS in order for one layer and step; `n` is the number of activations in the batch. */
export function statsFromRaw(raw: ArrayLike<number>, n: number): LayerStatValues {
  const mean = raw[3] / n;
  return {
    gradNorm: Math.sqrt(raw[0]),
    weightNorm: Math.sqrt(raw[1]),
    updateRatio: Math.sqrt(raw[2]) / Math.max(Math.sqrt(raw[1]), 1e-12),
    actMean: mean,
    actStd: Math.sqrt(Math.max(raw[4] / n - mean * mean, 0)),
    zeroFrac: raw[5] / n,
    satFrac: raw[6] / n,
  };
}

export function paramEntries(lab: LabSpec): StateEntry[] {
  return denseLayers(lab.model).flatMap((l, i) => [
    { name: `${l.name}.weight`, shape: [l.outputs, l.inputs], kind: 'param' as const, layer: i },
    ...(l.bias ? [{ name: `${l.name}.bias`, shape: [l.outputs], kind: 'param' as const, layer: i }] : []),
  ]);
}

/** Everything the training step carries from one step to the next: parameters, optimiser slots, the step. */
export function stateLayout(lab: LabSpec): StateEntry[] {
  const params = paramEntries(lab);
  const slots = params.flatMap((p) => optimizerSlots(lab.optimizer).map((s) => ({ ...p, name: `${p.name}.${s}`, kind: 'slot' as const })));
  return [...params, ...slots, { name: 'step', shape: [], kind: 'step', layer: -1 }];
}

export interface ForwardResult {
  output: Value;
  /** One entry per dense layer. */
  layers: { pre: Value; post: Value }[];
}

/** `training` (with the run's seed) turns dropout on; without it dropout is the identity. */
export function buildForward(g: Graph, lab: LabSpec, params: Map<string, Value>, x: Value, training?: { seed: number }): ForwardResult {
  const layers: ForwardResult['layers'] = [];
  let h = x;
  for (const [i, l] of lab.model.layers.entries()) {
    if (l.kind === 'dropout') {
      if (training && l.rate > 0) h = dropout(g, l, h, dropoutSeed(training.seed, i));
      continue;
    }
    const pre = denseForward(g, l, params, h);
    const post = activate(g, l.activation, pre);
    layers.push({ pre, post });
    h = post;
  }
  return { output: h, layers };
}

/** A per-layer seed below 2^24, so the float attribute ONNX stores it in keeps every bit. */
function dropoutSeed(seed: number, layer: number): number {
  let h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(layer + 1, 0x27d4eb2f);
  h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
  return (h ^ (h >>> 13)) >>> 8;
}

function dropout(g: Graph, l: DropoutSpec, h: Value, seed: number): Value {
  // ORT's random kernels keep their generator across runs and Scan iterations: a new mask every step, and the
  // same sequence of masks for the same seed in both trainer paths.
  const u = g.add('RandomUniformLike', [h], {
    seed: { kind: 'float', value: seed },
    dtype: { kind: 'int', value: g.dtype === 'float64' ? 11 : 1 },
  }, [h.shape], [g.dtype])[0];
  const keep = o.cast(g, o.greater(g, u, l.rate), g.dtype);
  return o.mul(g, h, o.mul(g, keep, 1 / (1 - l.rate)));
}

function denseForward(g: Graph, l: DenseSpec, params: Map<string, Value>, h: Value): Value {
  const w = params.get(`${l.name}.weight`)!;
  const b = l.bias ? params.get(`${l.name}.bias`) : undefined;
  // Weights stay in PyTorch's [out, in] layout: Gemm's transB reads them without a Transpose.
  return o.gemm(g, h, w, b, false, true);
}

const lastActivation = (lab: LabSpec) => denseLayers(lab.model).at(-1)!.activation.name;

function lossOf(g: Graph, plan: TrainPlan, output: Value, y: Value) {
  const probabilities = ['sigmoid', 'softmax'].includes(lastActivation(plan.lab));
  return buildLoss(g, plan.lab.loss, output, y, plan.task, plan.classes, probabilities);
}

/** The data loss plus the weight penalties (L2: λΣw², L1: λΣ|w|, on weights only, as Goodfellow §7.1). */
function objectiveOf(g: Graph, plan: TrainPlan, loss: Value, params: Map<string, Value>): Value {
  let objective = loss;
  for (const r of plan.lab.regularizers) {
    if (r.kind !== 'l1' && r.kind !== 'l2') continue;
    for (const l of denseLayers(plan.lab.model)) {
      const w = params.get(`${l.name}.weight`)!;
      const penalty = r.kind === 'l2' ? sumSquares(g, w) : o.sumAll(g, o.abs(g, w));
      objective = o.add(g, objective, o.mul(g, penalty, r.lambda));
    }
  }
  return objective;
}

const sumSquares = (g: Graph, v: Value) => o.reduceSumSquare(g, v, v.shape.map((_, i) => i), false);

export interface StepResult {
  state: Map<string, Value>;
  loss: Value;
  correct: Value;
  /** [1, layers × RAW_STATS.length] */
  stats: Value;
}

export function buildStep(g: Graph, plan: TrainPlan, state: Map<string, Value>, x: Value, y: Value): StepResult {
  const lab = plan.lab;
  const pEntries = paramEntries(lab);
  const fwd = buildForward(g, lab, state, x, { seed: plan.seed });
  const { loss, correct } = lossOf(g, plan, fwd.output, y);
  const objective = objectiveOf(g, plan, loss, state);
  const paramValues = pEntries.map((p) => state.get(p.name)!);
  const raw = gradients(g, objective, paramValues);

  let grads = raw;
  for (const r of lab.regularizers) {
    if (r.kind === 'clip_norm') {
      // torch.nn.utils.clip_grad_norm_: scale all gradients by max/(‖g‖+1e-6) when that is below 1.
      const total = o.sqrt(g, grads.map((gr) => sumSquares(g, gr)).reduce((a, b) => o.add(g, a, b)));
      const coef = o.min(g, o.div(g, r.max, o.add(g, total, 1e-6)), 1);
      grads = grads.map((gr) => o.mul(g, gr, coef));
    } else if (r.kind === 'clip_value') {
      grads = grads.map((gr) => o.min(g, o.max(g, gr, -r.max), r.max));
    }
  }

  const t = state.get('step')!;
  const lr = learningRateNode(g, lab.schedule, { lr: lab.optimizer.lr, stepsPerEpoch: plan.stepsPerEpoch, epochs: plan.epochs }, t);
  const stepNumber = o.add(g, t, 1);
  const next = new Map<string, Value>();
  const deltas = new Map<string, Value>();
  const slotNames = optimizerSlots(lab.optimizer);
  pEntries.forEach((p, i) => {
    const slots = Object.fromEntries(slotNames.map((s) => [s, state.get(`${p.name}.${s}`)!]));
    const upd = applyUpdate(g, lab.optimizer, { param: paramValues[i], grad: grads[i], slots, lr, step: stepNumber });
    let newParam = upd.param;
    if (upd.delta) deltas.set(p.name, upd.delta);
    const maxNorm = lab.regularizers.find((r) => r.kind === 'max_norm');
    if (maxNorm && maxNorm.kind === 'max_norm' && p.name.endsWith('.weight')) {
      // Each unit's incoming weight vector (a row of [out, in]) rescaled to norm ≤ c (Srivastava et al. 2014).
      const norms = o.sqrt(g, o.reduceSum(g, o.square(g, newParam), [1], true));
      newParam = o.mul(g, newParam, o.div(g, o.min(g, norms, maxNorm.max), o.add(g, norms, 1e-7)));
      deltas.delete(p.name);
    }
    next.set(p.name, newParam);
    for (const s of slotNames) next.set(`${p.name}.${s}`, upd.slots[s]);
  });
  next.set('step', stepNumber);

  if (plan.stats === false) return { state: next, loss, correct: correct ?? g.scalar(0), stats: g.constant([0], [1, 1]) };
  // Statistics are built into a graph of their own: the step graph itself, or the then-branch of an If that
  // runs them only every statsEvery-th step and at the last step of each epoch (the else-branch gives zeros).
  // The row starts with a flag, 1 where the statistics were computed.
  const every = plan.statsEvery ?? 1;
  const sg = every > 1 ? new Graph('statistics', g.dtype) : g;
  const stats = denseLayers(lab.model).flatMap((l, li) => {
    const idx = pEntries.map((p, i) => (p.layer === li ? i : -1)).filter((i) => i >= 0);
    const gradSq = idx.map((i) => sumSquares11(sg, raw[i])).reduce((a, b) => o.add(sg, a, b));
    const wOld = state.get(`${l.name}.weight`)!;
    const wNew = next.get(`${l.name}.weight`)!;
    const delta = deltas.get(`${l.name}.weight`) ?? o.sub(sg, wNew, wOld);
    return [gradSq, sumSquares11(sg, wOld), sumSquares11(sg, delta), ...activationStats(sg, l, fwd.layers[li].post)];
  });
  const row = o.concat(sg, [sg.constant([1], [1, 1]), ...stats], 1);
  if (every === 1) return { state: next, loss, correct: correct ?? g.scalar(0), stats: row };
  sg.output(row, `${row.name}_then`);
  const skipped = new Graph('no_statistics', g.dtype);
  skipped.output(skipped.constant(new Array(row.shape[1]).fill(0), row.shape), `${row.name}_else`);
  const mod = (x: Value, n: number) => o.sub(g, x, o.mul(g, o.floor(g, o.div(g, o.add(g, x, 0.5), n)), n));
  const sample = o.equal(g, mod(t, every), 0);
  const lastOfEpoch = o.equal(g, mod(stepNumber, plan.stepsPerEpoch), 0);
  const cond = g.add('Or', [sample, lastOfEpoch], {}, [[]], ['bool'])[0];
  const [picked] = g.add('If', [cond], {
    then_branch: { kind: 'graph', value: sg },
    else_branch: { kind: 'graph', value: skipped },
  }, [row.shape], [g.dtype]);
  return { state: next, loss, correct: correct ?? g.scalar(0), stats: picked };
}

/** Σx² as a [1, 1] tensor (ready for the one Concat that stacks all statistics). */
function sumSquares11(g: Graph, x: Value): Value {
  const r = o.reduceSumSquare(g, x, x.shape.map((_, i) => i), true);
  return x.shape.length === 2 ? r : o.reshape(g, r, [1, 1]);
}

/** [1,1] each: Σa, Σa², zeros (ReLU units), saturated (sigmoid: outside [0.01, 0.99]; tanh: beyond ±0.99). */
function activationStats(g: Graph, l: DenseSpec, act: Value): Value[] {
  const all = act.shape.map((_, i) => i);
  const count = (cond: Value) => o.reduceSum(g, o.cast(g, cond, g.dtype), all, true);
  const zero = g.constant([0], [1, 1]);
  const n = act.shape.reduce((a, b) => a * b, 1);
  // ReLU outputs are ≥ 0, so Σ sign(a) counts the non-zeros.
  const zeros = reluLike(l.activation.name) ? o.sub(g, n, o.reduceSum(g, o.sign(g, act), all, true)) : zero;
  const a = l.activation.name;
  const sat = a === 'sigmoid' ? count(o.greater(g, o.abs(g, o.sub(g, act, 0.5)), 0.49))
    : a === 'tanh' ? count(o.greater(g, o.abs(g, act), 0.99)) : zero;
  return [o.reduceSum(g, act, all, true), o.reduceSumSquare(g, act, all, true), zeros, sat];
}

function stateInputs(g: Graph, entries: StateEntry[], suffix = ''): Map<string, Value> {
  return new Map(entries.map((e) => [e.name, g.input(`${e.name}${suffix}`, e.shape)]));
}

/** One training step per session.run: state in, state out (names suffixed `_out`). */
export function buildStepGraph(plan: TrainPlan): Graph {
  const g = new Graph('train_step', plan.dtype);
  const layout = stateLayout(plan.lab);
  const state = stateInputs(g, layout);
  const x = g.input('x', [plan.batch, plan.features]);
  const y = g.input('y', [plan.batch, plan.targetWidth]);
  const r = buildStep(g, plan, state, x, y);
  for (const e of layout) g.output(r.state.get(e.name)!, `${e.name}_out`);
  g.output(o.reshape(g, r.loss, [1]), 'losses');
  g.output(o.reshape(g, r.correct, [1]), 'corrects');
  g.output(r.stats, 'stats');
  return g;
}

/** A whole epoch in one session.run: the training step is the body of an ONNX Scan over `batches` minibatches. */
export function buildEpochGraph(plan: TrainPlan, batches: number): Graph {
  const g = new Graph('train_epoch', plan.dtype);
  const layout = stateLayout(plan.lab);
  const outerState = layout.map((e) => g.input(e.name, e.shape));
  const xs = g.input('x', [batches, plan.batch, plan.features]);
  const ys = g.input('y', [batches, plan.batch, plan.targetWidth]);

  const body = new Graph('train_step_body', plan.dtype);
  const state = stateInputs(body, layout, '_in');
  const x = body.input('x_step', [plan.batch, plan.features]);
  const y = body.input('y_step', [plan.batch, plan.targetWidth]);
  const r = buildStep(body, plan, state, x, y);
  for (const e of layout) body.output(r.state.get(e.name)!, `${e.name}_next`);
  body.output(r.loss, 'loss_step');
  body.output(r.correct, 'correct_step');
  body.output(r.stats, 'stats_step');

  const outs = g.add('Scan', [...outerState, xs, ys], {
    body: { kind: 'graph', value: body },
    num_scan_inputs: { kind: 'int', value: 2 },
  }, [...layout.map((e) => e.shape), [batches], [batches], [batches, ...r.stats.shape]],
  [...layout.map(() => plan.dtype), plan.dtype, plan.dtype, plan.dtype],
  [...layout.map((e) => `${e.name}_out`), 'losses', 'corrects', 'stats']);
  g.outputs.push(...outs);
  return g;
}

/** Loss and correct count over `samples` samples with the given parameters. */
export function buildEvalGraph(plan: TrainPlan, samples: number): Graph {
  const g = new Graph('evaluate', plan.dtype);
  const params = stateInputs(g, paramEntries(plan.lab));
  const x = g.input('x', [samples, plan.features]);
  const y = g.input('y', [samples, plan.targetWidth]);
  const fwd = buildForward(g, plan.lab, params, x);
  const { loss, correct } = lossOf(g, plan, fwd.output, y);
  g.output(loss, 'loss');
  g.output(correct ?? g.scalar(0), 'correct');
  return g;
}

/** The gradient of the training objective at given parameters: what `dl-lab grads` reports. */
export function buildGradGraph(plan: TrainPlan, samples: number): Graph {
  const g = new Graph('gradients', plan.dtype);
  const entries = paramEntries(plan.lab);
  const params = stateInputs(g, entries);
  const x = g.input('x', [samples, plan.features]);
  const y = g.input('y', [samples, plan.targetWidth]);
  const fwd = buildForward(g, plan.lab, params, x);
  const { loss } = lossOf(g, plan, fwd.output, y);
  const objective = objectiveOf(g, plan, loss, params);
  const grads = gradients(g, objective, entries.map((e) => params.get(e.name)!));
  g.output(loss, 'loss');
  g.output(objective, 'objective');
  entries.forEach((e, i) => g.output(grads[i], `${e.name}.grad`));
  return g;
}

/**
 * The trained model for inference: input `input` [batch, features] (batch is dynamic), output `output` (the last
 * layer) and, for classification losses on logits, `probabilities`. Parameters are initializers.
 */
export function buildInferenceGraph(lab: LabSpec, features: number): { graph: Graph; params: Map<string, Value>; input: Value } {
  const g = new Graph('dl_lab_model', 'float32');
  const params = new Map(paramEntries(lab).map((e) => [e.name, g.newValue(e.shape, 'float32', e.name)]));
  const input = g.input('input', [1, features]);
  const fwd = buildForward(g, lab, params, input);
  g.output(fwd.output, 'output');
  const last = lastActivation(lab);
  if (lab.loss.name === 'crossentropy' && last !== 'softmax') g.output(o.softmax(g, fwd.output, -1), 'probabilities');
  if (lab.loss.name === 'bce' && last !== 'sigmoid') g.output(o.sigmoid(g, fwd.output), 'probabilities');
  return { graph: g, params, input };
}
