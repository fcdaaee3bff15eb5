// Trains a lab: builds the data, initialises the parameters, compiles the graphs, and runs them epoch by
// epoch, yielding a record per epoch. Records already yielded survive a failure or a cancellation.
import type * as ortTypes from 'onnxruntime-node';
import { denseLayers, type LabSpec } from './spec.js';
import { Rng } from './random.js';
import { checkCompatible } from './trainer-checks.js';

export { checkCompatible };
import { initialise } from './init.js';
import { makeDataset, holdout, type Dataset } from './data/index.js';
import {
  buildEpochGraph, buildEvalGraph, buildGradGraph, buildInferenceGraph, buildStepGraph, paramEntries, stateLayout,
  RAW_STATS, statsFromRaw, type LayerStatValues, type StateEntry, type TrainPlan,
} from './compile.js';
import { modelBytes } from './onnx.js';
import { createSession, tensor, type Provider, type Session } from './session.js';
import { learningRateAt } from './schedules.js';
import { sizeOf } from './ir.js';

export interface TrainOptions {
  provider?: Provider;
  threads?: number;
  /** Overrides of the lab's `train` statement. */
  epochs?: number;
  seed?: number;
  mode?: 'epoch' | 'step';
  /** float64 is for checking the engine against references; training uses float32. */
  dtype?: 'float32' | 'float64';
  /** Per-layer statistics (default true); the benchmark measures their cost. */
  stats?: boolean;
  /** Statistics every this many steps and at each epoch's last step (default 1: every step). */
  statsEvery?: number;
  onFallback?: (message: string) => void;
}

export interface LayerStats extends LayerStatValues {
  name: string;
  line: number | null;
}

export interface EpochRecord {
  epoch: number;
  trainLoss: number;
  trainAcc: number | null;
  valLoss: number | null;
  valAcc: number | null;
  /** Learning rate at the epoch's first step. */
  lr: number;
  seconds: number;
  layers: LayerStats[];
}

export interface ParamTensor {
  name: string;
  /** PyTorch's layout: Dense weight [out, in], bias [out]. */
  shape: number[];
  value: Float32Array | Float64Array;
}

export interface EarlyStop {
  epoch: number;
  bestEpoch: number;
  monitor: string;
  best: number;
}

type Tensor = ortTypes.Tensor;
type FloatArray = Float32Array | Float64Array;

export class Trainer {
  readonly plan: TrainPlan;
  readonly train: Dataset;
  readonly validation: Dataset | undefined;
  provider: Provider = 'cpu';
  /** Set when early stopping ended the run; the parameters are then the best epoch's. */
  earlyStop: EarlyStop | undefined;
  private state: Tensor[] = [];
  private readonly layout: StateEntry[];
  private readonly shuffleRng: Rng;
  private sessions: { train?: Session; eval?: Session } = {};
  private stepsDone = 0;
  private epochsDone = 0;

  private constructor(readonly lab: LabSpec, readonly opts: TrainOptions, data: { train: Dataset; validation?: Dataset }, rng: Rng) {
    this.train = data.train;
    this.validation = data.validation;
    const batch = lab.train.batch;
    const epochs = opts.epochs ?? lab.train.epochs;
    this.plan = {
      lab, dtype: opts.dtype ?? 'float32', batch, epochs,
      features: data.train.features, targetWidth: data.train.targetWidth, task: data.train.task, classes: data.train.classes,
      stepsPerEpoch: Math.floor(data.train.n / batch), seed: opts.seed ?? lab.train.seed, stats: opts.stats, statsEvery: opts.statsEvery,
    };
    this.layout = stateLayout(lab);
    this.shuffleRng = rng.fork(4);
    this.state = this.initialState(rng.fork(3));
  }

  /** Builds data and parameters and checks that model, data and loss fit together (LabError if not). */
  static async create(lab: LabSpec, opts: TrainOptions = {}): Promise<Trainer> {
    const seed = opts.seed ?? lab.train.seed;
    const rng = new Rng(seed);
    const all = makeDataset(lab.data, rng.fork(1));
    const data = lab.split.kind === 'holdout' ? holdout(all, lab.split.validation, rng.fork(2), lab.split.range) : { train: all };
    checkCompatible(lab, data.train);
    const t = new Trainer(lab, opts, data, rng);
    await t.compile();
    return t;
  }

  get epochs(): number {
    return this.plan.epochs;
  }

  private initialState(rng: Rng): Tensor[] {
    const { lab } = this;
    return this.layout.map((e) => {
      if (e.kind !== 'param') return tensor(this.plan.dtype, new Float64Array(sizeOf(e.shape)), e.shape);
      const layer = denseLayers(lab.model)[e.layer];
      const isWeight = e.name.endsWith('.weight');
      const weightSpec = layer.weightInit ?? lab.init;
      const spec = isWeight ? weightSpec : layer.biasInit ?? (weightSpec ? { name: 'zeros' as const } : undefined);
      const values = initialise(spec, e.shape, isWeight ? 'weight' : 'bias', layer.inputs, layer.outputs, rng, layer.range);
      return tensor(this.plan.dtype, values, e.shape);
    });
  }

  private async compile(): Promise<void> {
    const sopts = { provider: this.opts.provider, threads: this.opts.threads, onFallback: this.opts.onFallback };
    const mode = this.opts.mode ?? this.lab.train.mode;
    const graph = mode === 'epoch' ? buildEpochGraph(this.plan, this.plan.stepsPerEpoch) : buildStepGraph(this.plan);
    this.sessions.train = await createSession(modelBytes(graph), sopts);
    this.provider = this.sessions.train.provider;
    if (this.validation) this.sessions.eval = await createSession(modelBytes(buildEvalGraph(this.plan, this.validation.n)), { ...sopts, onFallback: undefined });
  }

  /** Current parameters in PyTorch's layouts. */
  params(): ParamTensor[] {
    return this.layout.flatMap((e, i) => (e.kind === 'param' ? [{ name: e.name, shape: e.shape, value: this.state[i].data as FloatArray }] : []));
  }

  /** Trains epoch by epoch; stops early when an early_stopping regulariser says so, or when `signal` aborts. */
  async *run(signal?: AbortSignal): AsyncGenerator<EpochRecord> {
    const stopper = this.lab.regularizers.find((r) => r.kind === 'early_stopping');
    let best = Infinity, bestEpoch = 0, bestState: Tensor[] | undefined, waited = 0;
    while (this.epochsDone < this.plan.epochs) {
      if (signal?.aborted) return;
      const rec = await this.trainEpoch(signal);
      if (!rec) return;
      yield rec;
      if (stopper && stopper.kind === 'early_stopping') {
        const value = stopper.monitor === 'val_acc' ? -(rec.valAcc ?? -Infinity) : rec.valLoss ?? rec.trainLoss;
        if (value < best - stopper.minDelta) {
          best = value; bestEpoch = rec.epoch; bestState = this.state.slice(); waited = 0;
        } else if (++waited >= stopper.patience) {
          if (bestState) this.state = bestState;
          this.earlyStop = { epoch: rec.epoch, bestEpoch, monitor: stopper.monitor, best: stopper.monitor === 'val_acc' ? -best : best };
          return;
        }
      }
    }
  }

  /** Runs one epoch and evaluates; undefined when cancelled before it finished (its work is discarded). */
  async trainEpoch(signal?: AbortSignal): Promise<EpochRecord | undefined> {
    const started = performance.now();
    const { batch, features, targetWidth, stepsPerEpoch, dtype } = this.plan;
    const lr = learningRateAt(this.lab.schedule, { lr: this.lab.optimizer.lr, stepsPerEpoch, epochs: this.plan.epochs }, this.stepsDone);
    const perm = this.shuffleRng.permutation(this.train.n);
    const xs = new (dtype === 'float32' ? Float32Array : Float64Array)(stepsPerEpoch * batch * features);
    const ys = new (dtype === 'float32' ? Float32Array : Float64Array)(stepsPerEpoch * batch * targetWidth);
    for (let r = 0; r < stepsPerEpoch * batch; r++) {
      const i = perm[r];
      xs.set(this.train.x.subarray(i * features, (i + 1) * features), r * features);
      ys.set(this.train.y.subarray(i * targetWidth, (i + 1) * targetWidth), r * targetWidth);
    }
    const session = this.sessions.train!;
    const names = this.layout.map((e) => e.name);
    const losses: number[] = [], corrects: number[] = [], stats: FloatArray[] = [];
    const feedState = (feeds: Record<string, Tensor>) => names.forEach((n, i) => (feeds[n] = this.state[i]));
    const take = (out: Record<string, Tensor>) => {
      this.state = names.map((n) => out[`${n}_out`]);
      losses.push(...(out.losses.data as FloatArray));
      corrects.push(...(out.corrects.data as FloatArray));
      stats.push(out.stats.data as FloatArray);
    };
    if ((this.opts.mode ?? this.lab.train.mode) === 'epoch') {
      const feeds: Record<string, Tensor> = {
        x: tensor(dtype, xs, [stepsPerEpoch, batch, features]),
        y: tensor(dtype, ys, [stepsPerEpoch, batch, targetWidth]),
      };
      feedState(feeds);
      take(await session.run(feeds));
    } else {
      const saved = this.state;
      for (let s = 0; s < stepsPerEpoch; s++) {
        if (signal?.aborted) {
          this.state = saved;
          return undefined;
        }
        const feeds: Record<string, Tensor> = {
          x: tensor(dtype, xs.subarray(s * batch * features, (s + 1) * batch * features), [batch, features]),
          y: tensor(dtype, ys.subarray(s * batch * targetWidth, (s + 1) * batch * targetWidth), [batch, targetWidth]),
        };
        feedState(feeds);
        take(await session.run(feeds));
      }
    }
    this.stepsDone += stepsPerEpoch;
    this.epochsDone++;
    const val = await this.evaluate();
    const classify = this.plan.task !== 'regression';
    return {
      epoch: this.epochsDone,
      trainLoss: mean(losses),
      trainAcc: classify ? corrects.reduce((a, b) => a + b, 0) / (stepsPerEpoch * batch) : null,
      valLoss: val?.loss ?? null,
      valAcc: val && classify ? val.accuracy : null,
      lr,
      seconds: (performance.now() - started) / 1000,
      layers: this.layerStats(stats),
    };
  }

  private layerStats(perStep: FloatArray[]): LayerStats[] {
    if (this.plan.stats === false) return [];
    const K = RAW_STATS.length;
    const all = concatArrays(perStep);
    const dense = denseLayers(this.lab.model);
    const width = 1 + dense.length * K;
    // Rows whose leading flag is 0 are steps the statistics interval skipped.
    const rows: Float64Array[] = [];
    for (let off = 0; off < all.length; off += width) if (all[off] === 1) rows.push(all.subarray(off + 1, off + width));
    return dense.map((l, li) => {
      const n = this.plan.batch * l.outputs;
      const per = rows.map((r) => statsFromRaw(r.subarray(li * K, (li + 1) * K), n));
      const avg = (k: keyof LayerStatValues) => per.reduce((s, v) => s + v[k], 0) / per.length;
      return {
        name: l.name,
        line: l.range?.line ?? null,
        gradNorm: avg('gradNorm'), weightNorm: per[per.length - 1].weightNorm, updateRatio: avg('updateRatio'),
        actMean: avg('actMean'), actStd: avg('actStd'), zeroFrac: avg('zeroFrac'), satFrac: avg('satFrac'),
      };
    });
  }

  async evaluate(): Promise<{ loss: number; accuracy: number } | undefined> {
    if (!this.validation || !this.sessions.eval) return undefined;
    const v = this.validation;
    const feeds: Record<string, Tensor> = {
      x: tensor(this.plan.dtype, v.x, [v.n, v.features]),
      y: tensor(this.plan.dtype, v.y, [v.n, v.targetWidth]),
    };
    paramEntries(this.lab).forEach((e) => (feeds[e.name] = this.state[this.layout.findIndex((l) => l.name === e.name)]));
    const out = await this.sessions.eval.run(feeds);
    return { loss: Number(out.loss.data[0]), accuracy: Number(out.correct.data[0]) / v.n };
  }

  /** The first minibatch of the first epoch's shuffle, without consuming the trainer's shuffling stream. */
  firstBatch(): { x: Float32Array; y: Float32Array; n: number } {
    const perm = new Rng(this.opts.seed ?? this.lab.train.seed).fork(4).permutation(this.train.n);
    const n = Math.min(this.plan.batch, this.train.n);
    const { features: f, targetWidth: w } = this.plan;
    const x = new Float32Array(n * f), y = new Float32Array(n * w);
    for (let r = 0; r < n; r++) {
      x.set(this.train.x.subarray(perm[r] * f, (perm[r] + 1) * f), r * f);
      y.set(this.train.y.subarray(perm[r] * w, (perm[r] + 1) * w), r * w);
    }
    return { x, y, n };
  }

  /** Loss and gradients at the current parameters on a batch (the `grads` command). */
  async gradients(batch: { x: ArrayLike<number>; y: ArrayLike<number>; n: number }): Promise<{ loss: number; objective: number; grads: ParamTensor[] }> {
    const g = buildGradGraph(this.plan, batch.n);
    const s = await createSession(modelBytes(g), { provider: 'cpu', threads: this.opts.threads });
    const feeds: Record<string, Tensor> = {
      x: tensor(this.plan.dtype, batch.x, [batch.n, this.plan.features]),
      y: tensor(this.plan.dtype, batch.y, [batch.n, this.plan.targetWidth]),
    };
    for (const p of this.params()) feeds[p.name] = tensor(this.plan.dtype, p.value, p.shape);
    const out = await s.run(feeds);
    await s.release();
    return {
      loss: Number(out.loss.data[0]),
      objective: Number(out.objective.data[0]),
      grads: this.params().map((p) => ({ name: p.name, shape: p.shape, value: out[`${p.name}.grad`].data as FloatArray })),
    };
  }

  /** The trained model as an ONNX inference model (float32, dynamic batch). */
  exportModel(): Uint8Array {
    const { graph, params, input } = buildInferenceGraph(this.lab, this.plan.features);
    const initializers = new Map([...params].map(([name, v]) => {
      const p = this.params().find((q) => q.name === name)!;
      return [v, { dtype: 'float32' as const, shape: p.shape, data: p.value }];
    }));
    return modelBytes(graph, {
      initializers,
      dimNames: { [input.name]: { 0: 'batch' }, ...Object.fromEntries(graph.outputs.map((o) => [o.name, { 0: 'batch' }])) },
      docString: `Trained by DL Lab from ${this.lab.file}`,
      metadata: { source: this.lab.file, epochs: String(this.epochsDone), loss: this.lab.loss.name },
    });
  }

  async dispose(): Promise<void> {
    await this.sessions.train?.release();
    await this.sessions.eval?.release();
    this.sessions = {};
  }
}

function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
}

function concatArrays(parts: FloatArray[]): Float64Array {
  const out = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}
