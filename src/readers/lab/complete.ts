// Completion for lab files: what may come next at a position, from the same tables the parser checks
// against. Pure: the extension turns these into CompletionItems.
import { STATEMENTS } from './syntax.js';
import { OPTIMIZERS } from './parser.js';
import { DATA_ARGS } from '../../engine/data/index.js';

export type CompletionKind = 'keyword' | 'function' | 'value' | 'property' | 'class';

export interface LabCompletion {
  label: string;
  kind: CompletionKind;
  detail: string;
  /** VS Code snippet syntax (${1:placeholder}). */
  snippet: string;
}

const STATEMENT_SNIPPETS: Record<(typeof STATEMENTS)[number], [string, string]> = {
  data: ['data ${1:spirals}(${2:samples=900})', 'the data set to train on'],
  split: ['split holdout(validation=${1:0.2})', 'how to hold back validation data'],
  model: ['model Chain(Dense(${1:2} => ${2:32}, ${3:relu}), Dense(${2:32} => ${4:3}))', 'the network, as a Lux.jl Chain'],
  loss: ['loss ${1:crossentropy}', 'the loss to minimise'],
  optimizer: ['optimizer ${1:Adam}(lr=${2:0.001})', 'the optimiser and its hyper-parameters'],
  regularize: ['regularize ${1:l2(0.0001)}', 'penalties, clipping, constraints, early stopping'],
  schedule: ['schedule ${1:cosine}(min_lr=${2:0})', 'the learning-rate schedule'],
  init: ['init ${1:he_normal}', 'the weight initialiser for every layer'],
  train: ['train epochs=${1:20}, batch=${2:32}, seed=${3:0}', 'epochs, batch size and seed'],
};

const ACTIVATIONS: [string, string][] = [
  ['relu', 'max(0, x)'], ['leakyrelu', 'x, or 0.01·x below 0'], ['elu', 'x, or α(eˣ−1) below 0'], ['selu', 'self-normalising ELU'],
  ['gelu', 'x·Φ(x), exact'], ['sigmoid', '1/(1+e⁻ˣ)'], ['tanh', 'hyperbolic tangent'], ['softplus', 'log(1+eˣ)'],
  ['softmax', 'normalised exponentials (not with crossentropy, which applies it)'], ['identity', 'no activation (logits)'],
];
const LOSSES: [string, string][] = [
  ['crossentropy', 'softmax cross-entropy on logits, integer labels'], ['bce', 'binary cross-entropy on logits'],
  ['mse', 'mean squared error'], ['mae', 'mean absolute error'], ['huber(delta=${1:1.0})', 'Huber loss'],
];
const REGULARIZERS: [string, string][] = [
  ['l2(${1:0.0001})', 'adds λ·Σw² to the loss'], ['l1(${1:0.0001})', 'adds λ·Σ|w| to the loss'],
  ['clip_norm(${1:1.0})', 'clip the global gradient norm'], ['clip_value(${1:0.5})', 'clip each gradient entry'],
  ['max_norm(${1:3.0})', "cap each unit's incoming weight norm"], ['early_stopping(patience=${1:5})', 'stop when validation stops improving'],
];
const SCHEDULES: [string, string][] = [
  ['constant', 'the optimiser lr throughout'], ['step(step_size=${1:10}, gamma=${2:0.1})', 'decay every step_size epochs'],
  ['exponential(gamma=${1:0.95})', 'decay every epoch'], ['cosine(min_lr=${1:0})', 'cosine annealing over training'],
  ['warmup(steps=${1:100})', 'linear warm-up (after a schedule, with a comma)'],
];
const INITS = ['torch_default', 'glorot_uniform', 'glorot_normal', 'he_uniform', 'he_normal', 'lecun_uniform', 'lecun_normal',
  'orthogonal', 'zeros', 'constant(${1:0.1})', 'uniform(low=${1:-0.1}, high=${2:0.1})', 'normal(std=${1:0.01})'];

const strip = (snippet: string) => snippet.replace(/\$\{\d+:([^}]*)\}/g, '$1').replace(/\(.*$/, '');

function items(list: [string, string][], kind: CompletionKind): LabCompletion[] {
  return list.map(([snippet, detail]) => ({ label: strip(snippet), kind, detail, snippet }));
}

/** The statement a position belongs to (the nearest line at or above it that starts with a statement
 * keyword) and the statement's text up to the position, continued lines included. */
function statementAt(lines: string[], line: number, character: number): { keyword: string; before: string } | undefined {
  for (let i = line; i >= 0; i--) {
    const m = /^\s*([A-Za-z_]\w*)/.exec(lines[i]);
    if (m && (STATEMENTS as readonly string[]).includes(m[1].toLowerCase()) && (i === line || /^\S/.test(lines[i]))) {
      const before = [...lines.slice(i, line), (lines[line] ?? '').slice(0, character)].join('\n');
      return { keyword: m[1].toLowerCase(), before };
    }
  }
  return undefined;
}

/** Completions at 0-based `line` and `character`. */
export function completeLab(text: string, line: number, character: number): LabCompletion[] {
  const lines = text.split(/\r?\n/);
  const lineBefore = (lines[line] ?? '').slice(0, character);
  if (/^\w*$/.test(lineBefore)) {
    return STATEMENTS.map((s) => ({ label: s, kind: 'keyword' as const, detail: STATEMENT_SNIPPETS[s][1], snippet: STATEMENT_SNIPPETS[s][0] }));
  }
  const at = statementAt(lines, line, character);
  if (!at) return [];
  const { keyword: statement, before } = at;
  const afterKeyword = (kw: string) => new RegExp(`^\\s*${kw}\\s+\\w*$`, 'i').test(before);
  switch (statement) {
    case 'data':
      if (afterKeyword('data')) {
        return Object.entries(DATA_ARGS).map(([name, args]) => {
          const list = Object.entries(args);
          const snippet = `${name}(${list.map(([k, a], i) => `${k}=\${${i + 1}:${a.default}}`).join(', ')})`;
          return { label: name, kind: 'value', detail: list.map(([k, a]) => `${k}: ${a.doc}`).join('; '), snippet };
        });
      }
      return [];
    case 'loss': return afterKeyword('loss') ? items(LOSSES, 'value') : [];
    case 'optimizer': {
      if (afterKeyword('optimizer')) {
        const display: Record<string, string> = { sgd: 'SGD', momentum: 'Momentum', nesterov: 'Nesterov', adagrad: 'AdaGrad', rmsprop: 'RMSProp', adadelta: 'AdaDelta', adam: 'Adam', adamw: 'AdamW' };
        return Object.entries(OPTIMIZERS).map(([name, def]) => {
          const d = def.defaults as Record<string, number | boolean>;
          return { label: display[name], kind: 'function', detail: `torch defaults: ${def.params.map((p) => `${p}=${d[p]}`).join(', ')}`, snippet: `${display[name]}(lr=\${1:${d.lr}})` };
        });
      }
      const open = /optimizer\s+(\w+)\([^)]*$/i.exec(before);
      const def = open && Object.hasOwn(OPTIMIZERS, open[1].toLowerCase()) ? OPTIMIZERS[open[1].toLowerCase() as keyof typeof OPTIMIZERS] : undefined;
      if (def && /[(,]\s*\w*$/.test(before)) {
        const d = def.defaults as Record<string, number | boolean>;
        return def.params.map((p) => ({ label: p, kind: 'property', detail: `default ${d[p]}`, snippet: `${p}=\${1:${d[p]}}` }));
      }
      return [];
    }
    case 'regularize': return /(regularize\s+|,\s*)\w*$/i.test(before) ? items(REGULARIZERS, 'function') : [];
    case 'schedule': return /(schedule\s+|,\s*)\w*$/i.test(before) ? items(SCHEDULES, 'function') : [];
    case 'init': return afterKeyword('init') ? INITS.map((s) => ({ label: strip(s), kind: 'value' as const, detail: 'weight initialiser', snippet: s })) : [];
    case 'split': return afterKeyword('split') ? items([['holdout(validation=${1:0.2})', 'hold back a fraction'], ['none', 'train on everything']], 'value') : [];
    case 'train': return /(train\s+|,\s*)\w*$/i.test(before) ? items([['epochs=${1:20}', 'passes over the data'], ['batch=${1:32}', 'minibatch size'], ['seed=${1:0}', 'the run\'s random seed'], ['mode=${1|epoch,step|}', 'one run per epoch or per minibatch']], 'property') : [];
    case 'model': {
      if (/=>\s*\d+\s*,\s*\w*$/.test(before)) return items(ACTIVATIONS.map(([a, d]) => [a, d] as [string, string]), 'value');
      if (/(Chain\(|,)\s*\w*$/i.test(before) || afterKeyword('model')) {
        return items([['Dense(${1:32} => ${2:32}, ${3:relu})', 'fully connected layer'], ['Dropout(${1:0.2})', 'inverted dropout while training'], ['Chain(${1})', 'a sequence of layers']], 'class');
      }
      return [];
    }
  }
  return [];
}
