// The meaning layer of the lab reader: turns parsed statements into a LabSpec, checking names, argument
// lists and value ranges. Every check reports and carries on, so one read finds as many mistakes as it can;
// a LabSpec is only produced when there were none.

import { LabError } from '../../engine/errors.js';
import type {
  ActivationName, ActivationSpec, DataName, DataSpec, DenseSpec, LayerSpec, InitName, InitSpec, LabSpec, LossName, LossSpec,
  ModelSpec, OptimizerName, OptimizerSpec, RegularizerSpec, ScheduleSpec, SourceRange, SplitSpec, TrainSpec,
} from '../../engine/spec.js';
import { parseStatements, STATEMENTS, type Arg, type Expr, type Statement, type StatementName } from './syntax.js';
import { denseLayers } from '../../engine/spec.js';
import { tokenize, tokenRange } from './tokenizer.js';

// ---------------------------------------------------------------------------------------------------------
// Name tables. Lookups are case-insensitive: keys are lower case.

export const DATA_NAMES: readonly DataName[] = ['spirals', 'moons', 'circles', 'xor', 'blobs', 'sine', 'mnist'];

/** A table lookup that ignores Object.prototype ('constructor', '__proto__' are not names). */
function own<T>(table: Record<string, T>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

const ACTIVATIONS: Record<string, ActivationName> = {
  relu: 'relu', leakyrelu: 'leakyrelu', leaky_relu: 'leakyrelu', elu: 'elu', selu: 'selu', gelu: 'gelu',
  sigmoid: 'sigmoid', 'σ': 'sigmoid', sigmoid_fast: 'sigmoid', tanh: 'tanh', tanh_fast: 'tanh', softplus: 'softplus',
  softmax: 'softmax', identity: 'identity',
};
const ACTIVATION_LIST = 'relu, leakyrelu, leakyrelu(alpha), elu, elu(alpha), selu, gelu, sigmoid (σ), tanh, softplus, softmax, identity';

const LOSSES: Record<string, LossName> = {
  mse: 'mse', mae: 'mae', huber: 'huber', bce: 'bce', crossentropy: 'crossentropy',
  // Lux.jl / PyTorch spellings, so code copied from there reads naturally.
  l1: 'mae', cross_entropy: 'crossentropy', logitcrossentropy: 'crossentropy', binarycrossentropy: 'bce',
  logitbinarycrossentropy: 'bce', binary_crossentropy: 'bce',
};
const LOSS_LIST = 'mse, mae, huber, huber(delta), bce, crossentropy';

/** Loss used when the file has no `loss` statement: what the data set's task calls for. */
const DEFAULT_LOSS: Record<DataName, LossName> = {
  spirals: 'crossentropy', blobs: 'crossentropy', mnist: 'crossentropy',
  moons: 'bce', circles: 'bce', xor: 'bce', sine: 'mse',
};

interface NumRule {
  integer?: boolean;
  min?: number;
  /** The minimum itself is excluded. */
  minOpen?: boolean;
  max?: number;
  maxOpen?: boolean;
}

/** A layer as far as it could be read; `passThrough` layers keep the width of the layer before them. */
interface LayerShape {
  layer?: LayerSpec;
  inputs?: number;
  outputs?: number;
  inExpr?: Expr;
  passThrough?: boolean;
}

const POSITIVE: NumRule = { min: 0, minOpen: true };
const NON_NEGATIVE: NumRule = { min: 0 };
const UNIT_OPEN: NumRule = { min: 0, max: 1, maxOpen: true }; // [0, 1): decay and momentum factors
const ANY: NumRule = {};

export type OptParam = 'lr' | 'momentum' | 'alpha' | 'rho' | 'beta1' | 'beta2' | 'eps' | 'centered' | 'weight_decay';

export interface OptimizerDef {
  /** Positional order, which is also the order torch.optim lists them. */
  params: OptParam[];
  defaults: Partial<Record<OptParam, number | boolean>>;
}

// Defaults are torch.optim's (SGD's lr is torch >= 2.2's 1e-3), except Momentum/Nesterov's momentum of 0.9:
// torch defaults it to 0, which would make them plain SGD.
export const OPTIMIZERS: Record<OptimizerName, OptimizerDef> = {
  sgd: { params: ['lr', 'weight_decay'], defaults: { lr: 0.001, weight_decay: 0 } },
  momentum: { params: ['lr', 'momentum', 'weight_decay'], defaults: { lr: 0.001, momentum: 0.9, weight_decay: 0 } },
  nesterov: { params: ['lr', 'momentum', 'weight_decay'], defaults: { lr: 0.001, momentum: 0.9, weight_decay: 0 } },
  adagrad: { params: ['lr', 'eps', 'weight_decay'], defaults: { lr: 0.01, eps: 1e-10, weight_decay: 0 } },
  rmsprop: {
    params: ['lr', 'alpha', 'momentum', 'centered', 'eps', 'weight_decay'],
    defaults: { lr: 0.01, alpha: 0.99, momentum: 0, centered: false, eps: 1e-8, weight_decay: 0 },
  },
  adadelta: { params: ['lr', 'rho', 'eps', 'weight_decay'], defaults: { lr: 1.0, rho: 0.9, eps: 1e-6, weight_decay: 0 } },
  adam: {
    params: ['lr', 'beta1', 'beta2', 'eps', 'weight_decay'],
    defaults: { lr: 0.001, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 0 },
  },
  adamw: {
    params: ['lr', 'weight_decay', 'beta1', 'beta2', 'eps'],
    defaults: { lr: 0.001, weight_decay: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8 },
  },
};
const OPTIMIZER_NAMES: Record<string, OptimizerName> = {
  sgd: 'sgd', descent: 'sgd', momentum: 'momentum', nesterov: 'nesterov', adagrad: 'adagrad', rmsprop: 'rmsprop',
  adadelta: 'adadelta', adam: 'adam', adamw: 'adamw',
};
const OPTIMIZER_LIST = 'SGD, Momentum, Nesterov, AdaGrad, RMSProp, AdaDelta, Adam, AdamW';

const OPT_RULES: Record<Exclude<OptParam, 'centered'>, NumRule> = {
  lr: POSITIVE, momentum: UNIT_OPEN, alpha: UNIT_OPEN, rho: UNIT_OPEN, beta1: UNIT_OPEN, beta2: UNIT_OPEN,
  eps: POSITIVE, weight_decay: NON_NEGATIVE,
};

const INIT_NAMES: Record<string, InitName> = {
  zeros: 'zeros', constant: 'constant', uniform: 'uniform', normal: 'normal', glorot_uniform: 'glorot_uniform',
  glorot_normal: 'glorot_normal', he_uniform: 'he_uniform', he_normal: 'he_normal', lecun_uniform: 'lecun_uniform',
  lecun_normal: 'lecun_normal', orthogonal: 'orthogonal', torch_default: 'torch_default',
  // PyTorch's names for the same schemes.
  xavier_uniform: 'glorot_uniform', xavier_normal: 'glorot_normal', kaiming_uniform: 'he_uniform', kaiming_normal: 'he_normal',
};
const INIT_LIST = 'zeros, constant(value), uniform(low, high), normal(mean, std), glorot_uniform, glorot_normal, he_uniform, '
  + 'he_normal, lecun_uniform, lecun_normal, orthogonal(gain), torch_default';

/** Arguments of the initialisers that take any, in positional order, with torch.nn.init's defaults. */
const INIT_PARAMS: Partial<Record<InitName, { key: 'value' | 'low' | 'high' | 'mean' | 'std' | 'gain'; rule: NumRule; default?: number }[]>> = {
  constant: [{ key: 'value', rule: ANY }],
  uniform: [{ key: 'low', rule: ANY, default: 0 }, { key: 'high', rule: ANY, default: 1 }],
  normal: [{ key: 'mean', rule: ANY, default: 0 }, { key: 'std', rule: POSITIVE, default: 1 }],
  orthogonal: [{ key: 'gain', rule: POSITIVE, default: 1 }],
};

const REGULARIZER_LIST = 'l2(λ), l1(λ), clip_norm(max), clip_value(max), max_norm(max), early_stopping(patience, min_delta, monitor)';
const SCHEDULE_LIST = 'constant, step(step_size, gamma), exponential(gamma), cosine(epochs, min_lr), warmup(steps)';

// ---------------------------------------------------------------------------------------------------------
// Messages

function describeRule(r: NumRule): { text: string; allowed: string } {
  const lo = r.min !== undefined ? `${r.minOpen ? '(' : '['}${r.min}` : '(-∞';
  const hi = r.max !== undefined ? `${r.max}${r.maxOpen ? ')' : ']'}` : '∞)';
  if (r.integer) {
    const min = r.min !== undefined && r.minOpen ? r.min + 1 : r.min;
    const max = r.max !== undefined && r.maxOpen ? r.max - 1 : r.max;
    if (min !== undefined && max !== undefined) return { text: `an integer from ${min} to ${max}`, allowed: `integers ${min}..${max}` };
    if (min !== undefined) return { text: `an integer of at least ${min}`, allowed: `integers >= ${min}` };
    return { text: 'an integer', allowed: 'integers' };
  }
  if (r.min !== undefined && r.max === undefined) {
    return r.minOpen
      ? { text: `a number greater than ${r.min}`, allowed: `> ${r.min}` }
      : { text: `a number of at least ${r.min}`, allowed: `>= ${r.min}` };
  }
  if (r.min === undefined && r.max === undefined) return { text: 'a number', allowed: 'any number' };
  return { text: `a number in ${lo}, ${hi}`, allowed: `${lo}, ${hi}` };
}

function fits(v: number, r: NumRule): boolean {
  if (!Number.isFinite(v)) return false;
  if (r.integer && !Number.isSafeInteger(v)) return false;
  if (r.min !== undefined && (r.minOpen ? v <= r.min : v < r.min)) return false;
  if (r.max !== undefined && (r.maxOpen ? v >= r.max : v > r.max)) return false;
  return true;
}

/** Edit distance counting a swap of neighbours as one edit (`modle` is one typo away from `model`). */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/** The candidate closest to a misspelt name, if it is close enough to be a likely typo. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  const w = word.toLowerCase();
  const limit = Math.max(1, Math.min(2, Math.floor(w.length / 3)));
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(w, c.toLowerCase());
    if (d < bestD) { best = c; bestD = d; }
  }
  return bestD <= limit ? best : undefined;
}

// ---------------------------------------------------------------------------------------------------------
// Argument binding

interface ParamList {
  /** Names filled by positional arguments, in order. */
  positional: readonly string[];
  /** Names accepted as `name=value` (shown when an unknown name is used). */
  keyword: readonly string[];
  /** Other accepted spellings of keyword names. */
  aliases?: Readonly<Record<string, string>>;
}

interface Callee {
  name: string;
  lower: string;
  nameRange: SourceRange;
  args: Arg[];
  isCall: boolean;
}

function callee(e: Expr): Callee | undefined {
  if (e.kind === 'name') return { name: e.name, lower: e.name.toLowerCase(), nameRange: e.range, args: [], isCall: false };
  if (e.kind === 'call') return { name: e.name, lower: e.name.toLowerCase(), nameRange: e.nameRange, args: e.args, isCall: true };
  return undefined;
}

class Reader {
  readonly errors: LabError[] = [];

  constructor(private readonly text: string, readonly file: string) {}

  error(message: string, range: SourceRange | undefined, found?: string, allowed?: string): void {
    this.errors.push(new LabError(message, range, found, allowed));
  }

  quote(e: Expr): string {
    return this.text.slice(e.start, e.end);
  }

  /** `unknown WHAT 'name' [context] (did you mean ...?)`; returns the suggestion. */
  unknown(what: string, name: string, range: SourceRange, candidates: readonly string[], allowed: string, context = ''): string | undefined {
    const guess = closest(name, candidates);
    this.error(`unknown ${what} '${name}'${context ? ` ${context}` : ''}${guess ? ` (did you mean '${guess}'?)` : ''}`, range, name, allowed);
    return guess;
  }

  /** Matches arguments to parameter names; reports unknown, repeated and misplaced arguments. */
  bind(what: string, args: Arg[], params: ParamList): Map<string, Expr> {
    const out = new Map<string, Expr>();
    let sawKeyword = false;
    let pos = 0;
    for (const a of args) {
      let name: string;
      let where: SourceRange;
      if (a.key) {
        sawKeyword = true;
        const k = a.key.name.toLowerCase();
        name = params.aliases?.[k] ?? k;
        where = a.key.range;
        if (!params.keyword.includes(name)) {
          const allowed = params.keyword.length > 0 ? params.keyword.join(', ') : 'none';
          this.unknown('argument', a.key.name, a.key.range, params.keyword, allowed, `for ${what}`);
          continue;
        }
      } else {
        where = a.range;
        if (sawKeyword) {
          this.error(`a positional argument cannot follow a named one in ${what}`, a.range, this.quote(a.value), 'name=value');
          continue;
        }
        if (pos >= params.positional.length) {
          if (params.positional.length === 0) {
            const allowed = params.keyword.length > 0 ? params.keyword.map((k) => `${k}=...`).join(', ') : 'no arguments';
            this.error(params.keyword.length > 0 ? `arguments of ${what} must be named` : `${what} takes no arguments`,
              a.range, this.quote(a.value), allowed);
          } else {
            const n = params.positional.length;
            this.error(`${what} takes at most ${n} positional argument${n === 1 ? '' : 's'}`, a.range, this.quote(a.value),
              params.positional.join(', '));
          }
          continue;
        }
        name = params.positional[pos++]!;
      }
      if (out.has(name)) {
        this.error(`${name} given twice in ${what}`, where, a.key ? a.key.name : this.quote(a.value), 'each argument once');
        continue;
      }
      out.set(name, a.value);
    }
    return out;
  }

  /** A number that must satisfy rule; undefined (after reporting) when it does not. */
  number(e: Expr, label: string, rule: NumRule): number | undefined {
    if (e.kind === 'number' && fits(e.value, rule)) return e.value;
    const { text, allowed } = describeRule(rule);
    this.error(`${label} must be ${text}`, e.range, this.quote(e), allowed);
    return undefined;
  }

  /** args.get(key) checked against rule, or fallback when absent (reporting `missing` if given and absent). */
  numberArg(args: Map<string, Expr>, key: string, rule: NumRule, fallback: number): number;
  numberArg(args: Map<string, Expr>, key: string, rule: NumRule, fallback?: number): number | undefined;
  numberArg(args: Map<string, Expr>, key: string, rule: NumRule, fallback?: number): number | undefined {
    const e = args.get(key);
    if (!e) return fallback;
    // A placeholder after an error: the spec is discarded whenever there are errors.
    return this.number(e, key, rule) ?? fallback ?? 0;
  }

  bool(e: Expr, label: string): boolean {
    if (e.kind === 'name' && /^(true|false)$/i.test(e.name)) return e.name.toLowerCase() === 'true';
    this.error(`${label} must be true or false`, e.range, this.quote(e), 'true, false');
    return false;
  }

  choice<T extends string>(e: Expr, label: string, values: readonly T[]): T | undefined {
    if (e.kind === 'name') {
      const v = values.find((x) => x === e.name.toLowerCase());
      if (v) return v;
      const guess = closest(e.name, values);
      const hint = guess ? ` (did you mean '${guess}'?)` : '';
      this.error(`${label} must be one of ${values.join(', ')}${hint}`, e.range, e.name, values.join(', '));
      return undefined;
    }
    this.error(`${label} must be one of ${values.join(', ')}`, e.range, this.quote(e), values.join(', '));
    return undefined;
  }

  /** The single value of a statement such as `loss mse`; reports missing, extra and named items. */
  single(s: Statement, example: string): Expr | undefined {
    const kw = s.keyword.toLowerCase();
    if (s.items.length === 0) {
      this.error(`${kw} needs a value, as in '${kw} ${example}'`, s.keywordRange, 'end of line', example);
      return undefined;
    }
    const first = s.items[0]!;
    if (first.key) {
      this.error(`${kw} takes a value, not a named argument`, first.key.range, first.key.name, example);
      return undefined;
    }
    for (const extra of s.items.slice(1)) {
      this.error(`${kw} takes one value`, extra.range, this.quote(extra.value), example);
    }
    return first.value;
  }

  /** Reports arguments given to something that takes none, such as `relu(2)`. */
  noArgs(c: Callee): void {
    if (c.args.length > 0) this.bind(c.name, c.args, { positional: [], keyword: [] });
  }

  // -------------------------------------------------------------------------------------------------------
  // Statements

  data(s: Statement): DataSpec | undefined {
    const e = this.single(s, 'spirals(samples=900, classes=3)');
    if (!e) return undefined;
    const c = callee(e);
    if (!c) {
      this.error('data needs a data set name', e.range, this.quote(e), DATA_NAMES.join(', '));
      return undefined;
    }
    const name = DATA_NAMES.find((d) => d === c.lower);
    if (!name) {
      this.unknown('data set', c.name, c.nameRange, DATA_NAMES, DATA_NAMES.join(', '));
      return undefined;
    }
    // Which arguments each data set takes, and their ranges, are the data module's to check.
    const args: Record<string, number> = {};
    const argRanges: Record<string, SourceRange> = {};
    for (const a of c.args) {
      if (!a.key) {
        this.error(`arguments of ${c.name} must be named`, a.range, this.quote(a.value), 'name=value, as in samples=900');
        continue;
      }
      const key = a.key.name.toLowerCase();
      if (Object.hasOwn(args, key)) {
        this.error(`${key} given twice in ${c.name}`, a.key.range, a.key.name, 'each argument once');
        continue;
      }
      const v = this.number(a.value, key, ANY);
      if (v === undefined) continue;
      args[key] = v;
      argRanges[key] = a.range;
    }
    return { name, args, argRanges, range: e.range };
  }

  split(s: Statement): SplitSpec | undefined {
    const e = this.single(s, 'holdout(validation=0.2)');
    if (!e) return undefined;
    const c = callee(e);
    if (c?.lower === 'none') {
      this.noArgs(c);
      return { kind: 'none', validation: 0, range: e.range };
    }
    if (c?.lower === 'holdout') {
      const args = this.bind(c.name, c.args, { positional: ['validation'], keyword: ['validation'] });
      const validation = this.numberArg(args, 'validation', { min: 0, minOpen: true, max: 1, maxOpen: true }, 0.2);
      return { kind: 'holdout', validation, range: e.range };
    }
    if (c) this.unknown('split', c.name, c.nameRange, ['holdout', 'none'], 'holdout(validation), none');
    else this.error('split must be holdout(validation) or none', e.range, this.quote(e), 'holdout(validation), none');
    return undefined;
  }

  model(s: Statement): ModelSpec | undefined {
    const e = this.single(s, 'Chain(Dense(2 => 32, relu), Dense(32 => 1))');
    if (!e) return undefined;
    const c = callee(e);
    let layerExprs: Expr[];
    if (c?.lower === 'chain') {
      layerExprs = [];
      for (const a of c.args) {
        if (a.key) this.error('Chain takes layers, not named arguments', a.key.range, a.key.name, 'Dense(...)');
        else layerExprs.push(a.value);
      }
      if (c.args.length === 0) {
        this.error('Chain needs at least one layer', e.range, this.quote(e), 'Dense(IN => OUT, activation)');
        return undefined;
      }
    } else if (c?.lower === 'dense') {
      layerExprs = [e]; // a single layer, as Lux also allows
    } else {
      if (c) this.unknown('model', c.name, c.nameRange, ['Chain', 'Dense'], 'Chain(...), Dense(...)');
      else this.error('model must be Chain(layers...)', e.range, this.quote(e), 'Chain(...), Dense(...)');
      return undefined;
    }

    const layers: LayerSpec[] = [];
    // Each layer's sizes as far as they could be read, so the shape check also runs next to broken layers.
    const counts = { dense: 0, dropout: 0 };
    const shapes = layerExprs.map((le) => (callee(le)?.lower === 'dropout' ? this.dropout(le, `dropout${++counts.dropout}`)
      : this.dense(le, `dense${++counts.dense}`)));
    for (const sh of shapes) if (sh.layer) layers.push(sh.layer);
    // Dropout passes its width through: carry the last known width across it.
    for (let i = 1; i < shapes.length; i++) {
      const cur = shapes[i]!;
      if (cur.passThrough) cur.inputs = cur.outputs = shapes[i - 1]!.outputs;
    }
    for (let i = 1; i < shapes.length; i++) {
      const prev = shapes[i - 1]!.outputs;
      const cur = shapes[i]!;
      if (cur.passThrough) continue;
      if (prev !== undefined && cur.inputs !== undefined && cur.inputs !== prev) {
        this.error(`layer ${i + 1} expects ${cur.inputs} inputs but layer ${i} gives ${prev}`, cur.inExpr!.range,
          String(cur.inputs), String(prev));
      }
    }
    if (layers.length < shapes.length) return undefined;
    return { layers, range: e.range };
  }

  private dropout(e: Expr, name: string): LayerShape {
    const c = callee(e)!;
    const args = this.bind(c.name, c.args, { positional: ['p'], keyword: ['p'], aliases: { rate: 'p' } });
    const pE = args.get('p');
    if (!pE) {
      this.error('Dropout needs its rate, as in Dropout(0.2)', e.range, this.quote(e), 'Dropout(p) with p from 0 to below 1');
      return { passThrough: true };
    }
    const rate = this.number(pE, 'the dropout rate p', { min: 0, max: 1, maxOpen: true });
    if (rate === undefined) return { passThrough: true };
    return { layer: { kind: 'dropout', name, rate, range: e.range }, passThrough: true };
  }

  private dense(e: Expr, name: string): LayerShape {
    const c = callee(e);
    if (!c || c.lower !== 'dense') {
      if (c) this.unknown('layer', c.name, c.nameRange, ['Dense', 'Dropout'], 'Dense(IN => OUT, activation), Dropout(p)');
      else this.error('expected a layer', e.range, this.quote(e), 'Dense(IN => OUT, activation), Dropout(p)');
      return {};
    }
    if (!c.isCall || c.args.length === 0 || c.args[0]!.key) {
      this.error('Dense needs its sizes first, as in Dense(2 => 32)', c.isCall ? e.range : c.nameRange, this.quote(e),
        'Dense(IN => OUT, activation)');
      return {};
    }
    const args = this.bind(c.name, c.args, {
      positional: ['IN => OUT', 'activation'],
      keyword: ['bias', 'init', 'init_bias'],
      aliases: { use_bias: 'bias', init_weight: 'init' }, // Lux.jl's keyword names
    });
    const sizes = args.get('IN => OUT')!;
    if (sizes.kind !== 'pair') {
      this.error('expected IN => OUT, as in Dense(2 => 32)', sizes.range, this.quote(sizes), 'IN => OUT');
      return {};
    }
    const SIZE: NumRule = { integer: true, min: 1, max: 65536 };
    const inputs = this.number(sizes.left, 'the number of inputs', SIZE);
    const outputs = this.number(sizes.right, 'the number of outputs', SIZE);
    const act = args.get('activation');
    const activation = act ? this.activation(act) : { name: 'identity' as const };
    const biasE = args.get('bias');
    const bias = biasE ? this.bool(biasE, 'bias') : true;
    const wE = args.get('init');
    const bE = args.get('init_bias');
    const weightInit = wE ? this.init(wE) : undefined;
    const biasInit = bE ? this.init(bE) : undefined;
    if (bE && biasE && !bias) this.error('init_bias given for a layer without bias', bE.range, this.quote(bE), 'bias=true, or no init_bias');
    if (inputs === undefined || outputs === undefined || !activation) return { inputs, outputs, inExpr: sizes.left };
    const layer: DenseSpec = { kind: 'dense', name, inputs, outputs, activation, bias, range: e.range };
    if (weightInit) layer.weightInit = weightInit;
    if (biasInit) layer.biasInit = biasInit;
    return { layer, inputs, outputs, inExpr: sizes.left };
  }

  private activation(e: Expr): ActivationSpec | undefined {
    const c = callee(e);
    const name = c ? own(ACTIVATIONS, c.lower) : undefined;
    if (!c || !name) {
      if (c) this.unknown('activation', c.name, c.nameRange, Object.keys(ACTIVATIONS), ACTIVATION_LIST);
      else this.error('expected an activation', e.range, this.quote(e), ACTIVATION_LIST);
      return undefined;
    }
    if (name === 'leakyrelu' || name === 'elu') {
      const args = this.bind(c.name, c.args, { positional: ['alpha'], keyword: ['alpha'] });
      // leakyrelu's slope may be 0 (plain relu); elu's alpha must be positive.
      const alpha = this.numberArg(args, 'alpha', name === 'elu' ? POSITIVE : NON_NEGATIVE, name === 'elu' ? 1 : 0.01);
      return { name, alpha };
    }
    this.noArgs(c);
    return { name };
  }

  init(e: Expr): InitSpec | undefined {
    const c = callee(e);
    const lower = c?.lower;
    if (c && lower === 'ones') {
      this.noArgs(c);
      return { name: 'constant', value: 1 };
    }
    const name = lower !== undefined ? own(INIT_NAMES, lower) : undefined;
    if (!c || !name) {
      if (c) this.unknown('initialiser', c.name, c.nameRange, Object.keys(INIT_NAMES), INIT_LIST);
      else this.error('expected an initialiser', e.range, this.quote(e), INIT_LIST);
      return undefined;
    }
    const params = INIT_PARAMS[name];
    if (!params) {
      this.noArgs(c);
      return { name };
    }
    const keys = params.map((p) => p.key);
    const args = this.bind(c.name, c.args, { positional: keys, keyword: keys });
    const spec: InitSpec = { name };
    for (const p of params) {
      const v = this.numberArg(args, p.key, p.rule, p.default);
      if (v === undefined) {
        this.error(`${c.name} needs ${p.key}, as in ${c.name}(0.1)`, e.range, this.quote(e), `${c.name}(${keys.join(', ')})`);
        return undefined;
      }
      spec[p.key] = v;
    }
    if (name === 'uniform' && spec.low! >= spec.high!) {
      const at = args.get('high') ?? args.get('low') ?? e;
      this.error('uniform needs low < high', at.range, this.quote(at), `high > ${spec.low}`);
    }
    return spec;
  }

  loss(s: Statement): LossSpec | undefined {
    const e = this.single(s, 'crossentropy');
    if (!e) return undefined;
    const c = callee(e);
    const name = c ? own(LOSSES, c.lower) : undefined;
    if (!c || !name) {
      if (c) this.unknown('loss', c.name, c.nameRange, Object.keys(LOSSES), LOSS_LIST);
      else this.error('expected a loss', e.range, this.quote(e), LOSS_LIST);
      return undefined;
    }
    if (name === 'huber') {
      const args = this.bind(c.name, c.args, { positional: ['delta'], keyword: ['delta'] });
      return { name, delta: this.numberArg(args, 'delta', POSITIVE, 1), range: e.range };
    }
    this.noArgs(c);
    return { name, range: e.range };
  }

  optimizer(s: Statement): OptimizerSpec | undefined {
    const e = this.single(s, 'Adam(lr=0.001)');
    if (!e) return undefined;
    const c = callee(e);
    const name = c ? own(OPTIMIZER_NAMES, c.lower) : undefined;
    if (!c || !name) {
      if (c) this.unknown('optimizer', c.name, c.nameRange, OPTIMIZER_LIST.split(', '), OPTIMIZER_LIST);
      else this.error('expected an optimizer', e.range, this.quote(e), OPTIMIZER_LIST);
      return undefined;
    }
    const def = OPTIMIZERS[name];
    const args = this.bind(c.name, c.args, { positional: def.params, keyword: def.params });
    const spec: OptimizerSpec = { name, lr: 0 };
    for (const p of def.params) {
      const d = def.defaults[p];
      if (p === 'centered') {
        const v = args.get(p);
        spec.centered = v ? this.bool(v, p) : d === true;
        continue;
      }
      // torch rejects Nesterov without momentum, so 0 is excluded there.
      const rule = name === 'nesterov' && p === 'momentum' ? { min: 0, minOpen: true, max: 1, maxOpen: true } : OPT_RULES[p];
      const v = this.numberArg(args, p, rule, typeof d === 'number' ? d : 0);
      switch (p) {
        case 'lr': spec.lr = v; break;
        case 'weight_decay': spec.weightDecay = v; break;
        default: spec[p] = v;
      }
    }
    spec.range = e.range;
    return spec;
  }

  regularize(s: Statement): RegularizerSpec[] | undefined {
    if (s.items.length === 0) {
      this.error('regularize needs at least one regularizer', s.keywordRange, 'end of line', REGULARIZER_LIST);
      return undefined;
    }
    const out: RegularizerSpec[] = [];
    const seen = new Set<string>();
    for (const item of s.items) {
      if (item.key) {
        this.error('regularize takes regularizers, not named arguments', item.key.range, item.key.name, REGULARIZER_LIST);
        continue;
      }
      const e = item.value;
      const c = callee(e);
      const kinds = ['l2', 'l1', 'clip_norm', 'clip_value', 'max_norm', 'early_stopping'] as const;
      const kind = c ? kinds.find((k) => k === c.lower) : undefined;
      if (!c || !kind) {
        if (c) this.unknown('regularizer', c.name, c.nameRange, kinds, REGULARIZER_LIST);
        else this.error('expected a regularizer', e.range, this.quote(e), REGULARIZER_LIST);
        continue;
      }
      if (seen.has(kind)) {
        this.error(`${kind} given twice in regularize`, c.nameRange, c.name, 'each regularizer once');
        continue;
      }
      seen.add(kind);
      const range = e.range;
      if (kind === 'early_stopping') {
        const keys = ['patience', 'min_delta', 'monitor'];
        const args = this.bind(c.name, c.args, { positional: keys, keyword: keys });
        const m = args.get('monitor');
        out.push({
          kind,
          patience: this.numberArg(args, 'patience', { integer: true, min: 1 }, 5),
          minDelta: this.numberArg(args, 'min_delta', NON_NEGATIVE, 0),
          monitor: (m ? this.choice(m, 'monitor', ['val_loss', 'val_acc'] as const) : undefined) ?? 'val_loss',
          range,
        });
        continue;
      }
      const isPenalty = kind === 'l1' || kind === 'l2';
      const key = isPenalty ? 'lambda' : 'max';
      const args = this.bind(c.name, c.args, { positional: [key], keyword: [key], aliases: isPenalty ? { 'λ': 'lambda' } : undefined });
      const v = this.numberArg(args, key, isPenalty ? NON_NEGATIVE : POSITIVE);
      if (v === undefined) {
        const example = isPenalty ? `${kind}(0.0001)` : `${kind}(1.0)`;
        this.error(`${kind} needs ${isPenalty ? 'a strength λ' : 'a maximum'}, as in ${example}`, range, this.quote(e), example);
        continue;
      }
      out.push(isPenalty ? { kind, lambda: v, range } : { kind, max: v, range });
    }
    return out;
  }

  schedule(s: Statement): ScheduleSpec | undefined {
    if (s.items.length === 0) {
      this.error("schedule needs a value, as in 'schedule cosine(min_lr=0.0001)'", s.keywordRange, 'end of line', SCHEDULE_LIST);
      return undefined;
    }
    let spec: ScheduleSpec | undefined;
    let warmup: number | undefined;
    for (const item of s.items) {
      if (item.key) {
        this.error('schedule takes schedules, not named arguments', item.key.range, item.key.name, SCHEDULE_LIST);
        continue;
      }
      const e = item.value;
      const c = callee(e);
      const kinds = ['constant', 'step', 'exponential', 'cosine', 'warmup'] as const;
      const kind = c ? kinds.find((k) => k === c.lower) : undefined;
      if (!c || !kind) {
        if (c) this.unknown('schedule', c.name, c.nameRange, kinds, SCHEDULE_LIST);
        else this.error('expected a schedule', e.range, this.quote(e), SCHEDULE_LIST);
        continue;
      }
      if (kind === 'warmup') {
        if (warmup !== undefined) {
          this.error('warmup given twice in schedule', c.nameRange, c.name, 'one warmup');
          continue;
        }
        const args = this.bind(c.name, c.args, { positional: ['steps'], keyword: ['steps'] });
        warmup = this.numberArg(args, 'steps', { integer: true, min: 1, max: 1e9 });
        if (warmup === undefined) {
          this.error('warmup needs a number of steps, as in warmup(steps=100)', e.range, this.quote(e), 'warmup(steps=N)');
          warmup = 0;
        }
        continue;
      }
      if (spec) {
        this.error('only one schedule can be given, plus an optional warmup', c.nameRange, c.name, SCHEDULE_LIST);
        continue;
      }
      const GAMMA: NumRule = { min: 0, minOpen: true, max: 1 };
      if (kind === 'constant') {
        this.noArgs(c);
        spec = { kind };
      } else if (kind === 'step') {
        const keys = ['step_size', 'gamma'];
        const args = this.bind(c.name, c.args, { positional: keys, keyword: keys });
        spec = {
          kind,
          stepSize: this.numberArg(args, 'step_size', { integer: true, min: 1, max: 100000 }, 10),
          gamma: this.numberArg(args, 'gamma', GAMMA, 0.1),
        };
      } else if (kind === 'exponential') {
        const args = this.bind(c.name, c.args, { positional: ['gamma'], keyword: ['gamma'] });
        spec = { kind, gamma: this.numberArg(args, 'gamma', GAMMA, 0.95) };
      } else {
        const keys = ['epochs', 'min_lr'];
        // torch's CosineAnnealingLR calls them T_max and eta_min.
        const args = this.bind(c.name, c.args, { positional: keys, keyword: keys, aliases: { t_max: 'epochs', eta_min: 'min_lr' } });
        spec = { kind, minLr: this.numberArg(args, 'min_lr', NON_NEGATIVE, 0) };
        const period = this.numberArg(args, 'epochs', { integer: true, min: 1, max: 100000 });
        if (period !== undefined) spec.stepSize = period;
      }
    }
    const out: ScheduleSpec = spec ?? { kind: 'constant' };
    out.warmupSteps = warmup ?? 0;
    out.range = s.bodyRange;
    return out;
  }

  /** `init NAME[(args)]`, or `init weight=NAME, bias=NAME`. */
  initStatement(s: Statement): { weight?: InitSpec; bias?: InitSpec } | undefined {
    if (s.items.length > 0 && s.items.every((i) => i.key)) {
      const args = this.bind('init', s.items, { positional: [], keyword: ['weight', 'bias'] });
      const w = args.get('weight');
      const b = args.get('bias');
      return { weight: w ? this.init(w) : undefined, bias: b ? this.init(b) : undefined };
    }
    const e = this.single(s, 'he_normal');
    if (!e) return undefined;
    return { weight: this.init(e) };
  }

  train(s: Statement): TrainSpec | undefined {
    if (s.items.length === 0) {
      this.error("train needs its settings, as in 'train epochs=40, batch=32, seed=1'", s.keywordRange, 'end of line',
        'epochs, batch, seed, mode');
      return undefined;
    }
    const keys = ['epochs', 'batch', 'seed', 'mode'];
    const args = this.bind('train', s.items, { positional: [], keyword: keys, aliases: { batch_size: 'batch' } });
    const m = args.get('mode');
    return {
      epochs: this.numberArg(args, 'epochs', { integer: true, min: 1, max: 100000 }, 20),
      batch: this.numberArg(args, 'batch', { integer: true, min: 1, max: 1000000 }, 32),
      seed: this.numberArg(args, 'seed', { integer: true, min: 0 }, 0),
      mode: (m ? this.choice(m, 'mode', ['epoch', 'step'] as const) : undefined) ?? 'epoch',
      range: s.bodyRange,
    };
  }
}

// ---------------------------------------------------------------------------------------------------------

export interface LabReadResult {
  spec?: LabSpec;
  errors: LabError[];
}

/** Reads a lab file, collecting every error it can find; the spec is only returned when there are none. */
export function readLab(text: string, file: string): LabReadResult {
  const { tokens, errors: tokenErrors } = tokenize(text, file);
  const r = new Reader(text, file);
  r.errors.push(...tokenErrors);
  const parsed = parseStatements(tokens, file, r.errors);

  const seen = new Map<StatementName, number>(); // statement -> line of its first occurrence
  const guessed = new Set<string>();
  let data: DataSpec | undefined;
  let split: SplitSpec | undefined;
  let model: ModelSpec | undefined;
  let loss: LossSpec | undefined;
  let optimizer: OptimizerSpec | undefined;
  let regularizers: RegularizerSpec[] | undefined;
  let schedule: ScheduleSpec | undefined;
  let init: { weight?: InitSpec; bias?: InitSpec } | undefined;
  let train: TrainSpec | undefined;

  for (const p of parsed) {
    if (!p.keyword) continue; // its syntax error is already reported
    const kwText = p.keyword.text;
    const kwRange = tokenRange(file, p.keyword);
    const kw = STATEMENTS.find((k) => k === kwText.toLowerCase());
    if (!kw) {
      const guess = r.unknown('statement', kwText, kwRange, STATEMENTS, STATEMENTS.join(', '));
      // A misspelt `modle` is reported once, not also as a missing `model`.
      if (guess) guessed.add(guess);
      continue;
    }
    const first = seen.get(kw);
    if (first !== undefined) {
      r.error(`${kw} given twice (first on line ${first})`, kwRange, kwText, `one ${kw} statement`);
      continue;
    }
    seen.set(kw, p.keyword.line);
    const s = p.statement;
    if (!s) continue;
    switch (kw) {
      case 'data': data = r.data(s); break;
      case 'split': split = r.split(s); break;
      case 'model': model = r.model(s); break;
      case 'loss': loss = r.loss(s); break;
      case 'optimizer': optimizer = r.optimizer(s); break;
      case 'regularize': regularizers = r.regularize(s); break;
      case 'schedule': schedule = r.schedule(s); break;
      case 'init': init = r.initStatement(s); break;
      case 'train': train = r.train(s); break;
    }
  }

  // Errors in reading order, as an editor lists them and the command line reports the first; missing
  // statements last, since a mistake elsewhere is usually their cause.
  const errors = r.errors.slice().sort((a, b) => (a.range?.line ?? 0) - (b.range?.line ?? 0) || (a.range?.column ?? 0) - (b.range?.column ?? 0));
  const start: SourceRange = { file, line: 1, column: 1, endLine: 1, endColumn: 1 };
  if (!seen.has('data') && !guessed.has('data')) {
    errors.push(new LabError("missing 'data' statement", start, undefined, `data ${DATA_NAMES.join(' | ')}(...)`));
  }
  if (!seen.has('model') && !guessed.has('model')) {
    errors.push(new LabError("missing 'model' statement", start, undefined, 'model Chain(Dense(IN => OUT, activation), ...)'));
  }
  if (errors.length > 0 || !data || !model) return { errors };

  if (init?.bias) {
    // The IR has no model-wide bias initialiser, so it is given to every layer that names none of its own.
    for (const layer of denseLayers(model)) if (!layer.biasInit) layer.biasInit = init.bias;
  }
  const spec: LabSpec = {
    file,
    data,
    split: split ?? { kind: 'holdout', validation: 0.2 },
    model,
    loss: loss ?? { name: DEFAULT_LOSS[data.name] },
    optimizer: optimizer ?? { name: 'adam', lr: 0.001, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 },
    regularizers: regularizers ?? [],
    schedule: schedule ?? { kind: 'constant', warmupSteps: 0 },
    train: train ?? { epochs: 20, batch: 32, seed: 0, mode: 'epoch' },
  };
  if (init?.weight) spec.init = init.weight;
  return { spec, errors };
}
