import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { LabError } from '../src/engine/errors.js';
import { labReader, parseLab, tokenize } from '../src/readers/lab/index.js';
import { readerFor } from '../src/readers/reader.js';
import { denseLayers } from '../src/engine/spec.js';

const FILE = 'lab.dlab';

const FULL = `# comments start with #
data      spirals(samples=900, classes=3, noise=0.1)
split     holdout(validation=0.2)
model     Chain(Dense(2 => 32, relu), Dense(32 => 32, relu),
                Dense(32 => 3))
loss      crossentropy
optimizer Adam(lr=0.01)
regularize l2(0.0001), clip_norm(1.0)
schedule  cosine(min_lr=0.0001), warmup(steps=100)
init      he_normal
train     epochs=40, batch=32, seed=1
`;

const MINIMAL = 'data spirals\nmodel Chain(Dense(2 => 3))\n';

/** The errors of a file; fails if it unexpectedly parses. */
function errorsOf(text: string): LabError[] {
  const r = labReader.read(text, FILE);
  assert.ok(r.errors.length > 0, 'expected errors');
  assert.equal(r.spec, undefined);
  return r.errors;
}

/** The first error of a file, as the command line reports it. */
function firstError(text: string): LabError {
  try {
    parseLab(text, FILE);
  } catch (e) {
    assert.ok(e instanceof LabError);
    return e;
  }
  assert.fail('expected an error');
}

function at(e: LabError): string {
  return `${e.range?.line}:${e.range?.column}-${e.range?.endLine}:${e.range?.endColumn}`;
}

/** A minimal file with one more statement. */
const withLine = (line: string): string => `${MINIMAL}${line}\n`;

test('a full lab file reads into the expected LabSpec', () => {
  const spec = parseLab(FULL, FILE);
  assert.equal(spec.file, FILE);
  assert.deepEqual({ name: spec.data.name, args: spec.data.args }, { name: 'spirals', args: { samples: 900, classes: 3, noise: 0.1 } });
  assert.deepEqual(spec.data.argRanges?.['classes'], { file: FILE, line: 2, column: 32, endLine: 2, endColumn: 41 });
  assert.deepEqual(spec.data.range, { file: FILE, line: 2, column: 11, endLine: 2, endColumn: 53 });
  assert.equal(spec.split.kind, 'holdout');
  assert.equal(spec.split.validation, 0.2);

  const layers = denseLayers(spec.model);
  assert.deepEqual(layers.map((l) => [l.name, l.inputs, l.outputs, l.activation.name, l.bias]), [
    ['dense1', 2, 32, 'relu', true],
    ['dense2', 32, 32, 'relu', true],
    ['dense3', 32, 3, 'identity', true],
  ]);
  assert.deepEqual(layers[0]!.range, { file: FILE, line: 4, column: 17, endLine: 4, endColumn: 37 });
  assert.deepEqual(layers[1]!.range, { file: FILE, line: 4, column: 39, endLine: 4, endColumn: 60 });
  assert.deepEqual(layers[2]!.range, { file: FILE, line: 5, column: 17, endLine: 5, endColumn: 31 });
  assert.deepEqual(spec.model.range, { file: FILE, line: 4, column: 11, endLine: 5, endColumn: 32 });
  assert.equal(layers[0]!.weightInit, undefined);

  assert.equal(spec.loss.name, 'crossentropy');
  assert.deepEqual(
    { ...spec.optimizer, range: undefined },
    { name: 'adam', lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, range: undefined },
  );
  assert.deepEqual(spec.regularizers.map((r) => ({ ...r, range: undefined })), [
    { kind: 'l2', lambda: 0.0001, range: undefined },
    { kind: 'clip_norm', max: 1, range: undefined },
  ]);
  assert.deepEqual(spec.regularizers[1]!.range, { file: FILE, line: 8, column: 24, endLine: 8, endColumn: 38 });
  assert.equal(spec.schedule.kind, 'cosine');
  assert.equal(spec.schedule.stepSize, undefined);
  assert.equal(spec.schedule.minLr, 0.0001);
  assert.equal(spec.schedule.warmupSteps, 100);
  assert.deepEqual(spec.init, { name: 'he_normal' });
  assert.deepEqual({ ...spec.train, range: undefined }, { epochs: 40, batch: 32, seed: 1, mode: 'epoch', range: undefined });
});

test('defaults fill in missing statements', () => {
  const spec = parseLab(MINIMAL, FILE);
  assert.deepEqual(spec.split, { kind: 'holdout', validation: 0.2 });
  assert.deepEqual(spec.loss, { name: 'crossentropy' });
  assert.deepEqual(spec.optimizer, { name: 'adam', lr: 0.001, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 });
  assert.deepEqual(spec.regularizers, []);
  assert.deepEqual(spec.schedule, { kind: 'constant', warmupSteps: 0 });
  assert.equal(spec.init, undefined);
  assert.deepEqual(spec.train, { epochs: 20, batch: 32, seed: 0, mode: 'epoch' });
  assert.deepEqual(spec.data.args, {});

  const loss = (data: string): string => parseLab(`data ${data}\nmodel Dense(2 => 1)`, FILE).loss.name;
  assert.equal(loss('blobs'), 'crossentropy');
  assert.equal(loss('mnist'), 'crossentropy');
  assert.equal(loss('moons'), 'bce');
  assert.equal(loss('circles'), 'bce');
  assert.equal(loss('xor'), 'bce');
  assert.equal(loss('sine'), 'mse');
});

test('multi-line models, comments and CRLF line ends', () => {
  const text = [
    '# a comment line',
    'data moons(samples=200)   # trailing comment',
    '',
    'model Chain(',
    '  Dense(2 => 16, tanh),   # first',
    '  # a whole-line comment inside the chain',
    '  Dense(16 => 8,',
    '        leakyrelu(0.2), bias=false,',
    '        init=kaiming_normal),',
    '  Dense(8 => 1, σ),',
    ')',
    'train epochs=3',
  ].join('\r\n');
  const spec = parseLab(text, FILE);
  const [a, b, c] = denseLayers(spec.model);
  assert.deepEqual(a!.activation, { name: 'tanh' });
  assert.deepEqual(b!.activation, { name: 'leakyrelu', alpha: 0.2 });
  assert.equal(b!.bias, false);
  assert.deepEqual(b!.weightInit, { name: 'he_normal' });
  assert.deepEqual(c!.activation, { name: 'sigmoid' });
  assert.deepEqual(b!.range, { file: FILE, line: 7, column: 3, endLine: 9, endColumn: 29 });
  assert.deepEqual(spec.model.range, { file: FILE, line: 4, column: 7, endLine: 11, endColumn: 2 });
  assert.equal(spec.train.epochs, 3);
  assert.equal(spec.loss.name, 'bce');
});

test('activations with and without arguments, Lux keyword names', () => {
  const spec = parseLab(withLine('').replace('Dense(2 => 3)',
    'Dense(2 => 3, leakyrelu), Dense(3 => 3, elu), Dense(3 => 3, elu(alpha=0.5)), Dense(3 => 3, gelu, use_bias=false), '
    + 'Dense(3 => 2, softmax, init_weight=orthogonal(gain=2), init_bias=constant(0.1))'), FILE);
  const layers = denseLayers(spec.model);
  assert.deepEqual(layers.map((l) => l.activation), [
    { name: 'leakyrelu', alpha: 0.01 }, { name: 'elu', alpha: 1 }, { name: 'elu', alpha: 0.5 }, { name: 'gelu' }, { name: 'softmax' },
  ]);
  assert.equal(layers[3]!.bias, false);
  assert.deepEqual(layers[4]!.weightInit, { name: 'orthogonal', gain: 2 });
  assert.deepEqual(layers[4]!.biasInit, { name: 'constant', value: 0.1 });
});

test('optimizer arguments by position, by name, with defaults, case-insensitive', () => {
  const opt = (s: string) => {
    const o = parseLab(withLine(`optimizer ${s}`), FILE).optimizer;
    delete o.range;
    return o;
  };
  assert.deepEqual(opt('SGD(0.1)'), { name: 'sgd', lr: 0.1, weightDecay: 0 });
  assert.deepEqual(opt('sgd'), { name: 'sgd', lr: 0.001, weightDecay: 0 });
  assert.deepEqual(opt('Momentum(0.05, momentum=0.8)'), { name: 'momentum', lr: 0.05, momentum: 0.8, weightDecay: 0 });
  assert.deepEqual(opt('NESTEROV(0.05)'), { name: 'nesterov', lr: 0.05, momentum: 0.9, weightDecay: 0 });
  assert.deepEqual(opt('AdaGrad()'), { name: 'adagrad', lr: 0.01, eps: 1e-10, weightDecay: 0 });
  assert.deepEqual(opt('RMSProp(0.001, 0.9, centered=true)'),
    { name: 'rmsprop', lr: 0.001, alpha: 0.9, momentum: 0, centered: true, eps: 1e-8, weightDecay: 0 });
  assert.deepEqual(opt('AdaDelta(rho=0.95)'), { name: 'adadelta', lr: 1, rho: 0.95, eps: 1e-6, weightDecay: 0 });
  assert.deepEqual(opt('adam(1e-3, 0.8, 0.99, 1e-7, 0.1)'), { name: 'adam', lr: 0.001, beta1: 0.8, beta2: 0.99, eps: 1e-7, weightDecay: 0.1 });
  assert.deepEqual(opt('AdamW(lr=3e-4)'), { name: 'adamw', lr: 3e-4, weightDecay: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8 });
  assert.deepEqual(opt('AdamW(0.01, 0.05)'), { name: 'adamw', lr: 0.01, weightDecay: 0.05, beta1: 0.9, beta2: 0.999, eps: 1e-8 });
  assert.deepEqual(opt('SGD(0.1, weight_decay=0.001)'), { name: 'sgd', lr: 0.1, weightDecay: 0.001 });
});

test('split, loss, regularize, schedule, init and train variants', () => {
  const read = (line: string) => parseLab(withLine(line), FILE);
  assert.deepEqual({ ...read('split none').split, range: undefined }, { kind: 'none', validation: 0, range: undefined });
  assert.equal(read('split holdout(0.1)').split.validation, 0.1);
  assert.equal(read('split holdout').split.validation, 0.2);
  assert.deepEqual({ ...read('loss huber').loss, range: undefined }, { name: 'huber', delta: 1, range: undefined });
  assert.equal(read('loss huber(delta=0.5)').loss.delta, 0.5);
  assert.equal(read('loss MSE').loss.name, 'mse');
  assert.deepEqual(read('regularize l1(λ=0.01), clip_value(0.5), max_norm(max=3), early_stopping(patience=10, monitor=val_acc)')
    .regularizers.map((r) => ({ ...r, range: undefined })), [
    { kind: 'l1', lambda: 0.01, range: undefined },
    { kind: 'clip_value', max: 0.5, range: undefined },
    { kind: 'max_norm', max: 3, range: undefined },
    { kind: 'early_stopping', patience: 10, minDelta: 0, monitor: 'val_acc', range: undefined },
  ]);
  const sched = (s: string) => ({ ...read(`schedule ${s}`).schedule, range: undefined });
  assert.deepEqual(sched('step'), { kind: 'step', stepSize: 10, gamma: 0.1, warmupSteps: 0, range: undefined });
  assert.deepEqual(sched('step(5, 0.5)'), { kind: 'step', stepSize: 5, gamma: 0.5, warmupSteps: 0, range: undefined });
  assert.deepEqual(sched('exponential'), { kind: 'exponential', gamma: 0.95, warmupSteps: 0, range: undefined });
  assert.deepEqual(sched('cosine(epochs=30)'), { kind: 'cosine', minLr: 0, stepSize: 30, warmupSteps: 0, range: undefined });
  assert.deepEqual(sched('warmup(50)'), { kind: 'constant', warmupSteps: 50, range: undefined });
  assert.deepEqual(read('init normal(std=0.02)').init, { name: 'normal', mean: 0, std: 0.02 });
  assert.deepEqual(read('init uniform(-0.1, 0.1)').init, { name: 'uniform', low: -0.1, high: 0.1 });
  assert.deepEqual(read('init xavier_uniform').init, { name: 'glorot_uniform' });
  const both = read('init weight=glorot_normal, bias=zeros');
  assert.deepEqual(both.init, { name: 'glorot_normal' });
  assert.deepEqual(denseLayers(both.model)[0]!.biasInit, { name: 'zeros' });
  assert.deepEqual({ ...read('train mode=step, seed=7').train, range: undefined }, { epochs: 20, batch: 32, seed: 7, mode: 'step', range: undefined });
});

test('unknown statement: position, suggestion, found and allowed', () => {
  const e = firstError(withLine('optimiser Adam(lr=0.01)'));
  assert.equal(at(e), '3:1-3:10');
  assert.equal(e.message, "unknown statement 'optimiser' (did you mean 'optimizer'?)");
  assert.equal(e.found, 'optimiser');
  assert.equal(e.allowed, 'data, split, model, loss, optimizer, regularize, schedule, init, train');
  assert.equal(e.format(), `${FILE}:3:1: unknown statement 'optimiser' (did you mean 'optimizer'?); found optimiser; `
    + 'allowed: data, split, model, loss, optimizer, regularize, schedule, init, train');
  assert.equal(firstError(withLine('frobnicate 3')).message, "unknown statement 'frobnicate'");
});

test('a misspelt required statement is not also reported as missing', () => {
  const errors = errorsOf('data spirals\nmodle Chain(Dense(2 => 3))');
  assert.equal(errors.length, 1);
  assert.match(errors[0]!.message, /did you mean 'model'/);
  const missing = errorsOf('data spirals\n');
  assert.equal(missing.length, 1);
  assert.equal(missing[0]!.message, "missing 'model' statement");
  assert.equal(at(missing[0]!), '1:1-1:1');
});

test('numbers out of range give the range and what was found', () => {
  const e = firstError(withLine('optimizer Adam(lr=-1)'));
  assert.equal(e.message, 'lr must be a number greater than 0');
  assert.equal(e.found, '-1');
  assert.equal(e.allowed, '> 0');
  assert.equal(at(e), '3:19-3:21');

  const cases: [string, string, string, string][] = [
    ['optimizer Adam(0.1, 1.0)', 'beta1 must be a number in [0, 1)', '1.0', '3:21'],
    ['optimizer Momentum(0.1, momentum=-0.5)', 'momentum must be a number in [0, 1)', '-0.5', '3:34'],
    ['optimizer Adam(eps=0)', 'eps must be a number greater than 0', '0', '3:20'],
    ['optimizer SGD(0.1, weight_decay=-1e-3)', 'weight_decay must be a number of at least 0', '-1e-3', '3:33'],
    ['optimizer AdaDelta(rho=1)', 'rho must be a number in [0, 1)', '1', '3:24'],
    ['optimizer Nesterov(0.1, momentum=0)', 'momentum must be a number in (0, 1)', '0', '3:34'],
    ['train epochs=0', 'epochs must be an integer from 1 to 100000', '0', '3:14'],
    ['train batch=2000000', 'batch must be an integer from 1 to 1000000', '2000000', '3:13'],
    ['train seed=-1', 'seed must be an integer of at least 0', '-1', '3:12'],
    ['split holdout(validation=1)', 'validation must be a number in (0, 1)', '1', '3:26'],
    ['regularize l2(-0.1)', 'lambda must be a number of at least 0', '-0.1', '3:15'],
    ['regularize clip_norm(0)', 'max must be a number greater than 0', '0', '3:22'],
    ['regularize early_stopping(patience=0)', 'patience must be an integer of at least 1', '0', '3:36'],
    ['optimizer Adam(lr=fast)', 'lr must be a number greater than 0', 'fast', '3:19'],
  ];
  for (const [line, message, found, pos] of cases) {
    const err = firstError(withLine(line));
    assert.equal(err.message, message, line);
    assert.equal(err.found, found, line);
    assert.equal(`${err.range?.line}:${err.range?.column}`, pos, line);
  }
  const big = firstError('data spirals\nmodel Chain(Dense(2 => 70000))');
  assert.equal(big.message, 'the number of outputs must be an integer from 1 to 65536');
  assert.equal(big.allowed, 'integers 1..65536');
  assert.equal(at(big), '2:24-2:29');
});

test('integer arguments reject fractions', () => {
  const e = firstError(withLine('train epochs=2.5, batch=32'));
  assert.equal(e.message, 'epochs must be an integer from 1 to 100000');
  assert.equal(e.found, '2.5');
  assert.equal(e.allowed, 'integers 1..100000');
  assert.equal(at(e), '3:14-3:17');
  const d = firstError('data spirals\nmodel Chain(Dense(2.5 => 3))');
  assert.equal(d.message, 'the number of inputs must be an integer from 1 to 65536');
  assert.equal(at(d), '2:19-2:22');
});

test('unknown argument names list the allowed names', () => {
  const e = firstError(withLine('optimizer Adam(lr=0.01, beta=0.9)'));
  assert.equal(e.message, "unknown argument 'beta' for Adam (did you mean 'beta1'?)");
  assert.equal(e.found, 'beta');
  assert.equal(e.allowed, 'lr, beta1, beta2, eps, weight_decay');
  assert.equal(at(e), '3:25-3:29');
  const t = firstError(withLine('train epochs=3, batchsize=8'));
  assert.equal(t.allowed, 'epochs, batch, seed, mode');
  assert.equal(at(t), '3:17-3:26');
  const d = firstError('data spirals\nmodel Chain(Dense(2 => 3, relu, biass=false))');
  assert.equal(d.message, "unknown argument 'biass' for Dense (did you mean 'bias'?)");
  assert.equal(d.allowed, 'bias, init, init_bias');
});

test('shape mismatch points at the offending layer input', () => {
  const text = 'data spirals\nmodel Chain(Dense(2 => 32, relu),\n            Dense(16 => 3))';
  const e = firstError(text);
  assert.equal(e.message, 'layer 2 expects 16 inputs but layer 1 gives 32');
  assert.equal(e.found, '16');
  assert.equal(e.allowed, '32');
  assert.equal(at(e), '3:19-3:21');
});

test('unbalanced parentheses point at the opening one', () => {
  const e = firstError('data spirals(samples=9\nmodel Chain(Dense(2 => 3))');
  assert.equal(e.message, "unclosed '(' (missing ')')");
  assert.equal(at(e), '1:13-1:14');
  assert.equal(e.found, '(');
  // The statement after the broken one is still read: no "missing model" error.
  assert.equal(errorsOf('data spirals(samples=9\nmodel Chain(Dense(2 => 3))').length, 1);

  const multi = firstError('data spirals\nmodel Chain(Dense(2 => 3, relu),\n  Dense(3 => 1)\n');
  assert.equal(at(multi), '2:12-2:13');

  const extra = firstError('data spirals)\nmodel Chain(Dense(2 => 3))');
  assert.equal(extra.message, "unmatched ')'");
  assert.equal(at(extra), '1:13-1:14');
});

test('syntax errors: missing values, stray characters, bad separators', () => {
  const v = firstError(withLine('train epochs='));
  assert.equal(v.message, "expected a value after 'epochs='");
  assert.equal(v.found, 'end of line');
  assert.equal(at(v), '3:14-3:14');
  const c = firstError(withLine('loss mse mae'));
  assert.equal(c.message, "expected ',' or end of line");
  assert.equal(c.found, 'mae');
  assert.equal(at(c), '3:10-3:13');
  const s = firstError(withLine('loss mse @'));
  assert.equal(s.message, "unexpected character '@'");
  assert.equal(at(s), '3:10-3:11');
  const n = firstError(withLine('train epochs=3x'));
  assert.equal(n.message, "malformed number '3x'");
});

test('names and values: unknown names suggest the closest, wrong kinds of value', () => {
  const cases: [string, string, string][] = [
    ['data spiral', "unknown data set 'spiral' (did you mean 'spirals'?)", '1:6'],
    ['model Chain(Dense(2 => 3, reluu))', "unknown activation 'reluu' (did you mean 'relu'?)", '2:27'],
    ['model Chain(Dense(2 => 3), Conv(3))', "unknown layer 'Conv'", '2:28'],
    ['model Chain(Dense(relu))', 'expected IN => OUT, as in Dense(2 => 32)', '2:19'],
    ['model Chain(Dense(2 => 3, relu(2)))', 'relu takes no arguments', '2:32'],
    ['model Chain(Dense(2 => 3, bias=no))', 'bias must be true or false', '2:32'],
    ['optimizer Adm(0.1)', "unknown optimizer 'Adm' (did you mean 'Adam'?)", '3:11'],
    ['loss crossentrpy', "unknown loss 'crossentrpy' (did you mean 'crossentropy'?)", '3:6'],
    ['loss mse, mae', 'loss takes one value', '3:11'],
    ['regularize l3(0.1)', "unknown regularizer 'l3' (did you mean 'l2'?)", '3:12'],
    ['regularize l2', 'l2 needs a strength λ, as in l2(0.0001)', '3:12'],
    ['regularize l2(0.1), l2(0.2)', 'l2 given twice in regularize', '3:21'],
    ['regularize early_stopping(monitor=val_los)', "monitor must be one of val_loss, val_acc (did you mean 'val_loss'?)", '3:35'],
    ['schedule cosine, step', 'only one schedule can be given, plus an optional warmup', '3:18'],
    ['schedule warmup', 'warmup needs a number of steps, as in warmup(steps=100)', '3:10'],
    ['init he_norml', "unknown initialiser 'he_norml' (did you mean 'he_normal'?)", '3:6'],
    ['init uniform(1, 0)', 'uniform needs low < high', '3:17'],
    ['train 30', 'arguments of train must be named', '3:7'],
    ['train mode=fast', 'mode must be one of epoch, step', '3:12'],
    ['optimizer Adam(lr=0.1, 0.9)', 'a positional argument cannot follow a named one in Adam', '3:24'],
    ['optimizer SGD(0.1, 0.2, 0.3)', 'SGD takes at most 2 positional arguments', '3:25'],
    ['optimizer Adam(0.1, lr=0.2)', 'lr given twice in Adam', '3:21'],
    ['loss mse\nloss mae', 'loss given twice (first on line 3)', '4:1'],
  ];
  for (const [line, message, pos] of cases) {
    const text = line.startsWith('data') ? `${line}\nmodel Dense(2 => 3)` : line.startsWith('model') ? `data spirals\n${line}` : withLine(line);
    const e = firstError(text);
    assert.equal(e.message, message, line);
    assert.equal(`${e.range?.line}:${e.range?.column}`, pos, line);
  }
});

test('read reports every mistake in a file, in source order', () => {
  const text = [
    'data spirals(samples=900)',
    'optimiser Adam(lr=0.01)',
    'model Chain(Dense(2 => 32, relu), Dense(16 => 3))',
    'train epochs=2.5, batch=32, sed=1',
    'optimizer Adam(lr=-1)',
  ].join('\n');
  const errors = errorsOf(text);
  assert.deepEqual(errors.map((e) => `${e.range?.line}:${e.range?.column} ${e.message}`), [
    "2:1 unknown statement 'optimiser' (did you mean 'optimizer'?)",
    '3:41 layer 2 expects 16 inputs but layer 1 gives 32',
    '4:14 epochs must be an integer from 1 to 100000',
    "4:29 unknown argument 'sed' for train (did you mean 'seed'?)",
    '5:19 lr must be a number greater than 0',
  ]);
  // parseLab throws the first of them.
  assert.equal(firstError(text).message, errors[0]!.message);
});

test('tokenizer: numbers, arrows and exact positions', () => {
  const { tokens, errors } = tokenize('x=1e-3, -2 => .5 # c\n  (y)', FILE);
  assert.deepEqual(errors, []);
  assert.deepEqual(tokens.map((t) => [t.kind, t.text, t.line, t.column, t.endColumn]), [
    ['ident', 'x', 1, 1, 2],
    ['equals', '=', 1, 2, 3],
    ['number', '1e-3', 1, 3, 7],
    ['comma', ',', 1, 7, 8],
    ['number', '-2', 1, 9, 11],
    ['arrow', '=>', 1, 12, 14],
    ['number', '.5', 1, 15, 17],
    ['newline', '\n', 1, 21, 22],
    ['lparen', '(', 2, 3, 4],
    ['ident', 'y', 2, 4, 5],
    ['rparen', ')', 2, 5, 6],
    ['eof', '', 2, 6, 6],
  ]);
  assert.equal(tokens[2]!.value, 0.001);
  assert.equal(tokens[4]!.value, -2);
});

test('readerFor picks the lab reader by extension', () => {
  assert.equal(readerFor('examples/spirals.dlab'), labReader);
  assert.equal(readerFor('X.DLAB'), labReader);
  assert.equal(readerFor('model.jl'), undefined);
  assert.deepEqual(labReader.languageIds, ['dlab']);
});

test('the grammar and language configuration parse, and their regexes compile in JavaScript', () => {
  const root = new URL('../syntaxes/', import.meta.url);
  const grammar = JSON.parse(readFileSync(new URL('dlab.tmLanguage.json', root), 'utf8')) as Record<string, unknown>;
  assert.equal(grammar['scopeName'], 'source.dlab');
  const regexes: string[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) { v.forEach(walk); return; }
    if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if ((k === 'match' || k === 'begin' || k === 'end' || k === 'while') && typeof x === 'string') regexes.push(x);
        else walk(x);
      }
    }
  };
  walk(grammar);
  assert.ok(regexes.length >= 10);
  for (const r of regexes) assert.doesNotThrow(() => new RegExp(r), r);

  // Spot checks of what the rules match.
  const repo = grammar['repository'] as Record<string, { match?: string }>;
  const statement = new RegExp(repo['statement']!.match!);
  assert.ok(statement.test('optimizer Adam(lr=0.01)'));
  assert.ok(!statement.test('        init=he_normal)'));
  const number = new RegExp(`^(?:${repo['number']!.match!})$`);
  for (const n of ['1', '-0.5', '1e-3', '.5', '2.']) assert.ok(number.test(n), n);
  const kwarg = new RegExp(repo['keyword-argument']!.match!);
  assert.equal(kwarg.exec('Adam(lr=0.01)')?.[1], 'lr');
  assert.equal(kwarg.exec('Dense(2 => 3)'), null);

  const config = JSON.parse(readFileSync(new URL('dlab.language-configuration.json', root), 'utf8')) as {
    comments: { lineComment: string };
    brackets: string[][];
    indentationRules: Record<string, string>;
  };
  assert.equal(config.comments.lineComment, '#');
  assert.deepEqual(config.brackets, [['(', ')']]);
  for (const r of Object.values(config.indentationRules)) assert.doesNotThrow(() => new RegExp(r));
});
