import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LabError } from '../src/engine/errors.js';
import { Rng } from '../src/engine/random.js';
import { DATA_ARGS, DATA_NAMES, holdout, makeDataset, resolveDataArgs, subset, type Dataset } from '../src/engine/data/index.js';
import type { DataName, DataSpec, SourceRange } from '../src/engine/spec.js';

const make = (name: DataName, args: Record<string, number> = {}, seed = 1): Dataset =>
  makeDataset({ name, args }, new Rng(seed));

function classCounts(ds: Dataset): number[] {
  const c = new Array<number>(ds.classes).fill(0);
  for (const v of ds.y) {
    assert.ok(Number.isInteger(v) && v >= 0 && v < ds.classes, `${ds.name}: label ${v}`);
    c[v]++;
  }
  return c;
}

function checkShape(ds: Dataset, n: number, inputShape: number[]): void {
  assert.equal(ds.n, n, ds.name);
  assert.deepEqual(ds.inputShape, inputShape, ds.name);
  assert.equal(ds.features, inputShape.reduce((a, b) => a * b, 1));
  assert.equal(ds.x.length, n * ds.features);
  assert.equal(ds.targetWidth, 1);
  assert.equal(ds.y.length, n);
  assert.ok(ds.x.every(Number.isFinite) && ds.y.every(Number.isFinite), `${ds.name}: non-finite values`);
}

test('classification generators: shape, labels, balance, shuffled', () => {
  const cases: [DataName, Record<string, number>, number, number, Dataset['task'], number[]][] = [
    ['spirals', {}, 300, 3, 'multiclass', [2]],
    ['spirals', { samples: 101, classes: 5 }, 101, 5, 'multiclass', [2]],
    ['moons', {}, 200, 2, 'binary', [2]],
    ['moons', { samples: 51 }, 51, 2, 'binary', [2]],
    ['circles', {}, 200, 2, 'binary', [2]],
    ['xor', { samples: 202 }, 202, 2, 'binary', [2]],
    ['blobs', {}, 300, 3, 'multiclass', [2]],
    ['blobs', { samples: 400, classes: 4, features: 7 }, 400, 4, 'multiclass', [7]],
  ];
  for (const [name, args, n, classes, task, shape] of cases) {
    const ds = make(name, args);
    assert.equal(ds.name, name);
    checkShape(ds, n, shape);
    assert.equal(ds.task, task);
    assert.equal(ds.classes, classes);
    const counts = classCounts(ds);
    assert.ok(Math.max(...counts) - Math.min(...counts) <= 1, `${name} ${JSON.stringify(args)}: counts ${counts}`);
    // Shuffled: the first tenth holds more than one class.
    assert.ok(new Set(ds.y.subarray(0, Math.ceil(n / 10))).size > 1, `${name}: not shuffled`);
  }
});

test('sine is a regression set with x in [-π, π] and y = sin(x) at noise 0', () => {
  const ds = make('sine', { noise: 0, samples: 500 });
  checkShape(ds, 500, [1]);
  assert.equal(ds.task, 'regression');
  assert.equal(ds.classes, 0);
  for (let i = 0; i < ds.n; i++) {
    assert.ok(ds.x[i] >= -Math.PI - 1e-6 && ds.x[i] <= Math.PI + 1e-6);
    assert.ok(Math.abs(ds.y[i] - Math.sin(ds.x[i])) < 1e-6);
  }
  const noisy = make('sine', { noise: 0.5, samples: 5000 });
  let q = 0;
  for (let i = 0; i < noisy.n; i++) q += (noisy.y[i] - Math.sin(noisy.x[i])) ** 2;
  assert.ok(Math.abs(Math.sqrt(q / noisy.n) - 0.5) < 0.02);
});

test('every generator is deterministic per seed and differs across seeds', () => {
  for (const name of DATA_NAMES) {
    const args: Record<string, number> = name === 'mnist' ? { samples: 200 } : {};
    const a = make(name, args, 5);
    const b = make(name, args, 5);
    const c = make(name, args, 6);
    assert.deepEqual(a.x, b.x, name);
    assert.deepEqual(a.y, b.y, name);
    assert.notDeepEqual(a.x, c.x, name);
  }
});

test('moons and circles with noise 0 lie on their curves', () => {
  const m = make('moons', { noise: 0, samples: 301 });
  for (let i = 0; i < m.n; i++) {
    const x = m.x[2 * i];
    const y = m.x[2 * i + 1];
    if (m.y[i] === 0) {
      assert.ok(Math.abs(Math.hypot(x, y) - 1) < 1e-6 && y >= -1e-7, `outer moon point ${x},${y}`);
    } else {
      assert.ok(Math.abs(Math.hypot(x - 1, y - 0.5) - 1) < 1e-6 && y <= 0.5 + 1e-7, `inner moon point ${x},${y}`);
    }
  }
  const c = make('circles', { noise: 0, factor: 0.3 });
  for (let i = 0; i < c.n; i++) {
    const r = Math.hypot(c.x[2 * i], c.x[2 * i + 1]);
    assert.ok(Math.abs(r - (c.y[i] === 0 ? 1 : 0.3)) < 1e-6, `circle point radius ${r}, label ${c.y[i]}`);
  }
  // With noise the points leave the curve by about the noise std.
  const nm = make('moons', { noise: 0.2, samples: 2000 });
  let off = 0;
  for (let i = 0; i < nm.n; i++) {
    const x = nm.x[2 * i];
    const y = nm.x[2 * i + 1];
    off += nm.y[i] === 0 ? Math.abs(Math.hypot(x, y) - 1) : Math.abs(Math.hypot(x - 1, y - 0.5) - 1);
  }
  assert.ok(off / nm.n > 0.1 && off / nm.n < 0.25, `mean distance from curve ${off / nm.n}`);
});

test('xor labels are the XOR of the quadrant signs; spirals stay in the unit disc', () => {
  const ds = make('xor', { noise: 0.1, samples: 400 });
  for (let i = 0; i < ds.n; i++) {
    const x = ds.x[2 * i];
    const y = ds.x[2 * i + 1];
    assert.equal(ds.y[i], Math.sign(x) * Math.sign(y) < 0 ? 1 : 0);
    assert.ok(Math.abs(Math.abs(x) - 1) < 0.6 && Math.abs(Math.abs(y) - 1) < 0.6);
  }
  const s = make('spirals', { noise: 0 });
  for (let i = 0; i < s.n; i++) assert.ok(Math.hypot(s.x[2 * i], s.x[2 * i + 1]) <= 1 + 1e-6);
});

test('blobs cluster around one centre per class with std = spread', () => {
  const ds = make('blobs', { samples: 3000, classes: 3, features: 2, spread: 0.5 });
  for (let k = 0; k < 3; k++) {
    const pts: number[][] = [];
    for (let i = 0; i < ds.n; i++) if (ds.y[i] === k) pts.push([ds.x[2 * i], ds.x[2 * i + 1]]);
    for (let f = 0; f < 2; f++) {
      const mean = pts.reduce((s, p) => s + p[f], 0) / pts.length;
      assert.ok(Math.abs(mean) <= 10.1, `centre ${mean}`);
      const std = Math.sqrt(pts.reduce((s, p) => s + (p[f] - mean) ** 2, 0) / pts.length);
      assert.ok(Math.abs(std - 0.5) < 0.04, `class ${k} feature ${f}: std ${std}`);
    }
  }
});

test('mnist: 10000 28×28 digits, 10 roughly balanced classes, values in [0, 1]', () => {
  const ds = make('mnist');
  checkShape(ds, 10000, [28, 28]);
  assert.equal(ds.features, 784);
  assert.equal(ds.task, 'multiclass');
  assert.equal(ds.classes, 10);
  const counts = classCounts(ds);
  for (const c of counts) assert.ok(c > 800 && c < 1200, `counts ${counts}`);
  let lo = Infinity;
  let hi = -Infinity;
  let sum = 0;
  for (const v of ds.x) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
    sum += v;
  }
  assert.equal(lo, 0);
  assert.equal(hi, 1);
  // Mostly background: MNIST's mean intensity is about 0.13.
  assert.ok(sum / ds.x.length > 0.08 && sum / ds.x.length < 0.2, `mean ${sum / ds.x.length}`);
  // Each image has ink, and its border pixels are blank.
  for (let i = 0; i < ds.n; i += 97) {
    const img = ds.x.subarray(i * 784, (i + 1) * 784);
    assert.ok(img.some((v) => v > 0.5));
    assert.equal(img[0] + img[27] + img[783], 0);
  }
  const small = make('mnist', { samples: 500 }, 3);
  checkShape(small, 500, [28, 28]);
  assert.ok(classCounts(small).every((c) => c > 20));
});

test('subset and holdout', () => {
  const n = 200;
  const base: Dataset = {
    name: 'ids', n, features: 2, inputShape: [2], targetWidth: 1, task: 'regression', classes: 0,
    x: Float32Array.from({ length: 2 * n }, (_, i) => Math.floor(i / 2)),
    y: Float32Array.from({ length: n }, (_, i) => -i),
  };
  const s = subset(base, Int32Array.from([5, 0, 5]));
  assert.deepEqual(Array.from(s.x), [5, 5, 0, 0, 5, 5]);
  assert.deepEqual(Array.from(s.y), [-5, -0, -5]);
  assert.equal(s.n, 3);

  const { train, validation } = holdout(base, 0.2, new Rng(1));
  assert.equal(validation.n, 40);
  assert.equal(train.n, 160);
  const ids = (d: Dataset): number[] => Array.from({ length: d.n }, (_, i) => d.x[2 * i]);
  for (const d of [train, validation]) {
    for (let i = 0; i < d.n; i++) assert.equal(d.y[i], -d.x[2 * i], 'x and y rows stay together');
  }
  const tr = new Set(ids(train));
  assert.equal(tr.size, 160);
  assert.ok(ids(validation).every((i) => !tr.has(i)), 'train and validation overlap');
  assert.equal(new Set([...ids(train), ...ids(validation)]).size, n);
  assert.ok(ids(validation).some((v, i) => v !== i), 'validation is not shuffled');
  assert.deepEqual(holdout(base, 0.2, new Rng(1)).validation.x, validation.x);
  assert.equal(holdout(base, 0.001, new Rng(1)).validation.n, 1);
  assert.equal(holdout(base, 0.999, new Rng(1)).train.n, 1);
  for (const bad of [0, 1, -0.5, NaN]) {
    assert.throws(() => holdout(base, bad, new Rng(1)), (e: unknown) => e instanceof LabError && e.found === String(bad));
  }
});

test('bad data arguments throw LabError naming the data set and argument, with found/allowed', () => {
  const where = (line: number): SourceRange => ({ file: 'x.dlab', line, column: 1, endLine: line, endColumn: 5 });
  const check = (spec: DataSpec, found: string, allowed: string, range: SourceRange | undefined, words: string[]): void => {
    assert.throws(() => makeDataset(spec, new Rng(1)), (e: unknown) => {
      assert.ok(e instanceof LabError, String(e));
      assert.equal(e.found, found);
      assert.equal(e.allowed, allowed);
      assert.equal(e.range, range);
      for (const w of words) assert.ok(e.message.includes(w), `'${e.message}' lacks '${w}'`);
      return true;
    });
  };
  const specRange = where(1);
  const argRange = where(2);
  check({ name: 'spirals', args: { samples: 5 }, range: specRange, argRanges: { samples: argRange } },
    '5', 'an integer from 10 to 100000', argRange, ['spirals', 'samples']);
  check({ name: 'spirals', args: { classes: 2.5 }, range: specRange },
    '2.5', 'an integer from 2 to 10', specRange, ['spirals', 'classes']);
  check({ name: 'moons', args: { noise: -0.1 } }, '-0.1', 'a number from 0 to 1', undefined, ['moons', 'noise']);
  check({ name: 'circles', args: { factor: 1 } }, '1', 'a number from 0 to 0.99', undefined, ['circles', 'factor']);
  check({ name: 'mnist', args: { samples: 20000 } }, '20000', 'an integer from 10 to 10000', undefined, ['mnist', 'samples']);
  check({ name: 'blobs', args: { spread: NaN } }, 'NaN', 'a number from 0 to 10', undefined, ['blobs', 'spread']);
  check({ name: 'xor', args: { classes: 3 }, argRanges: { classes: argRange } },
    'classes', 'samples, noise', argRange, ['xor', 'classes']);
  check({ name: 'nope' as DataName, args: {}, range: specRange }, 'nope', DATA_NAMES.join(', '), specRange, ['nope']);
});

test('DATA_ARGS defaults are valid and fill in omitted arguments', () => {
  for (const name of DATA_NAMES) {
    for (const [arg, a] of Object.entries(DATA_ARGS[name])) {
      assert.ok(a.min <= a.default && a.default <= a.max, `${name}.${arg}`);
      assert.ok(!a.integer || Number.isInteger(a.default));
      assert.ok(a.doc.length > 0);
    }
  }
  assert.deepEqual(resolveDataArgs({ name: 'spirals', args: { noise: 0.3 } }), { samples: 300, classes: 3, noise: 0.3 });
  assert.deepEqual(resolveDataArgs({ name: 'circles', args: {} }), { samples: 200, noise: 0.05, factor: 0.5 });
});
