import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LabError } from '../src/engine/errors.js';
import { INIT_ARGS, INIT_NAMES, initialise } from '../src/engine/init.js';
import { Rng } from '../src/engine/random.js';
import type { InitName } from '../src/engine/spec.js';

const OUT = 256;
const IN = 512;

function stats(a: Float64Array): { mean: number; std: number; maxAbs: number } {
  let s = 0;
  let m = 0;
  for (const v of a) {
    s += v;
    m = Math.max(m, Math.abs(v));
  }
  const mean = s / a.length;
  let q = 0;
  for (const v of a) q += (v - mean) ** 2;
  return { mean, std: Math.sqrt(q / a.length), maxAbs: m };
}

const weight = (name: InitName, seed = 1): Float64Array =>
  initialise({ name }, [OUT, IN], 'weight', IN, OUT, new Rng(seed));

test('uniform schemes: bound and std match torch.nn.init', () => {
  const bounds: [InitName, number][] = [
    ['glorot_uniform', Math.sqrt(6 / (IN + OUT))],
    ['he_uniform', Math.sqrt(6 / IN)],
    ['lecun_uniform', Math.sqrt(3 / IN)],
    ['torch_default', 1 / Math.sqrt(IN)],
  ];
  for (const [name, bound] of bounds) {
    const w = weight(name);
    assert.equal(w.length, OUT * IN);
    const s = stats(w);
    assert.ok(s.maxAbs <= bound, `${name}: max ${s.maxAbs} > bound ${bound}`);
    assert.ok(s.maxAbs > 0.999 * bound, `${name}: max ${s.maxAbs} well inside bound ${bound}`);
    assert.ok(Math.abs(s.std / (bound / Math.sqrt(3)) - 1) < 0.01, `${name}: std ${s.std}`);
    assert.ok(Math.abs(s.mean) < 0.01 * bound, `${name}: mean ${s.mean}`);
  }
});

test('normal schemes: std matches torch.nn.init', () => {
  const stds: [InitName, number][] = [
    ['glorot_normal', Math.sqrt(2 / (IN + OUT))],
    ['he_normal', Math.sqrt(2 / IN)],
    ['lecun_normal', Math.sqrt(1 / IN)],
  ];
  for (const [name, std] of stds) {
    const s = stats(weight(name));
    assert.ok(Math.abs(s.std / std - 1) < 0.01, `${name}: std ${s.std}, want ${std}`);
    assert.ok(Math.abs(s.mean) < 0.01 * std, `${name}: mean ${s.mean}`);
    assert.ok(s.maxAbs > 3.5 * std, `${name}: no tails (max ${s.maxAbs})`);
  }
});

test('undefined means torch_default for weights and biases (nn.Linear)', () => {
  const w = initialise(undefined, [OUT, IN], 'weight', IN, OUT, new Rng(3));
  assert.deepEqual(w, initialise({ name: 'torch_default' }, [OUT, IN], 'weight', IN, OUT, new Rng(3)));
  const b = initialise(undefined, [OUT], 'bias', IN, OUT, new Rng(4));
  assert.equal(b.length, OUT);
  const s = stats(b);
  assert.ok(s.maxAbs <= 1 / Math.sqrt(IN) && s.maxAbs > 0.9 / Math.sqrt(IN), `bias max ${s.maxAbs}`);
});

test('zeros, constant, uniform and normal with arguments', () => {
  assert.ok(initialise({ name: 'zeros' }, [3, 4], 'weight', 4, 3, new Rng(1)).every((v) => v === 0));
  assert.ok(initialise({ name: 'constant', value: 0.25 }, [5], 'bias', 4, 5, new Rng(1)).every((v) => v === 0.25));
  const u = stats(initialise({ name: 'uniform' }, [OUT, IN], 'weight', IN, OUT, new Rng(2)));
  assert.ok(Math.abs(u.mean - 0.5) < 0.005 && Math.abs(u.std - Math.sqrt(1 / 12)) < 0.003);
  const u2 = initialise({ name: 'uniform', low: -2, high: -1 }, [1000], 'bias', 1, 1000, new Rng(2));
  assert.ok(u2.every((v) => v >= -2 && v < -1));
  const n = stats(initialise({ name: 'normal' }, [OUT, IN], 'weight', IN, OUT, new Rng(3)));
  assert.ok(Math.abs(n.mean) < 0.01 && Math.abs(n.std - 1) < 0.01, `normal ${n.mean} ${n.std}`);
  const n2 = stats(initialise({ name: 'normal', mean: 2, std: 0.5 }, [OUT, IN], 'weight', IN, OUT, new Rng(3)));
  assert.ok(Math.abs(n2.mean - 2) < 0.005 && Math.abs(n2.std - 0.5) < 0.005, `normal ${n2.mean} ${n2.std}`);
});

test('deterministic per seed, different across seeds', () => {
  for (const name of INIT_NAMES) {
    if (name === 'zeros' || name === 'constant') continue;
    const a = initialise({ name }, [8, 16], 'weight', 16, 8, new Rng(5));
    assert.deepEqual(a, initialise({ name }, [8, 16], 'weight', 16, 8, new Rng(5)), name);
    assert.notDeepEqual(a, initialise({ name }, [8, 16], 'weight', 16, 8, new Rng(6)), name);
  }
});

/** Max |G - c·I| where G = W·Wᵀ (rowsOrth) or Wᵀ·W, for W rows×cols. */
function orthError(w: Float64Array, rows: number, cols: number, rowsOrth: boolean, c = 1): number {
  let err = 0;
  const k = rowsOrth ? rows : cols;
  const len = rowsOrth ? cols : rows;
  const at = (i: number, t: number): number => (rowsOrth ? w[i * cols + t] : w[t * cols + i]);
  for (let i = 0; i < k; i++) {
    for (let j = i; j < k; j++) {
      let s = 0;
      for (let t = 0; t < len; t++) s += at(i, t) * at(j, t);
      err = Math.max(err, Math.abs(s - (i === j ? c : 0)));
    }
  }
  return err;
}

test('orthogonal: W·Wᵀ = I when out <= in, Wᵀ·W = I when out > in, scaled by gain²', () => {
  const wide = initialise({ name: 'orthogonal' }, [OUT, IN], 'weight', IN, OUT, new Rng(7));
  assert.ok(orthError(wide, OUT, IN, true) < 1e-10, `wide error ${orthError(wide, OUT, IN, true)}`);
  // Rows are unit vectors in 512 dimensions, so entries have std about 1/sqrt(512).
  assert.ok(Math.abs(stats(wide).std * Math.sqrt(IN) - 1) < 0.01);
  const tall = initialise({ name: 'orthogonal' }, [IN, OUT], 'weight', OUT, IN, new Rng(8));
  assert.ok(orthError(tall, IN, OUT, false) < 1e-10, `tall error ${orthError(tall, IN, OUT, false)}`);
  const square = initialise({ name: 'orthogonal', gain: 2 }, [64, 64], 'weight', 64, 64, new Rng(9));
  assert.ok(orthError(square, 64, 64, true, 4) < 1e-10);
  assert.ok(orthError(square, 64, 64, false, 4) < 1e-10);
  // Haar-distributed, not biased towards the identity or any sign pattern.
  const s = initialise({ name: 'orthogonal' }, [64, 64], 'weight', 64, 64, new Rng(10));
  let trace = 0;
  for (let i = 0; i < 64; i++) trace += s[i * 64 + i];
  assert.ok(Math.abs(trace) < 5, `trace ${trace}`);
});

test('orthogonal on a bias (1-D) throws a LabError', () => {
  assert.throws(
    () => initialise({ name: 'orthogonal' }, [OUT], 'bias', IN, OUT, new Rng(1)),
    (e: unknown) => e instanceof LabError && /orthogonal/.test(e.message) && e.found === '1-D bias',
  );
});

test('bad arguments throw LabError with found/allowed', () => {
  const range = { file: 'a.dlab', line: 3, column: 5, endLine: 3, endColumn: 9 };
  assert.throws(
    () => initialise({ name: 'normal', std: -1 }, [2, 2], 'weight', 2, 2, new Rng(1), range),
    (e: unknown) => e instanceof LabError && e.found === '-1' && e.allowed === 'a number >= 0' && e.range === range,
  );
  assert.throws(
    () => initialise({ name: 'uniform', low: 1, high: 0 }, [2, 2], 'weight', 2, 2, new Rng(1)),
    (e: unknown) => e instanceof LabError && e.allowed === 'low <= high',
  );
  assert.throws(
    () => initialise({ name: 'constant' }, [2], 'bias', 2, 2, new Rng(1)),
    (e: unknown) => e instanceof LabError && /value/.test(e.message),
  );
  assert.throws(
    () => initialise({ name: 'normal', mean: Infinity }, [2], 'bias', 2, 2, new Rng(1)),
    (e: unknown) => e instanceof LabError && e.found === 'Infinity',
  );
  assert.throws(
    () => initialise({ name: 'bogus' as InitName }, [2], 'bias', 2, 2, new Rng(1)),
    (e: unknown) => e instanceof LabError && e.found === 'bogus' && e.allowed?.includes('glorot_uniform') === true,
  );
});

test('INIT_ARGS covers every initialiser', () => {
  assert.deepEqual(Object.keys(INIT_ARGS).sort(), [...INIT_NAMES].sort());
  assert.deepEqual(INIT_ARGS.uniform, ['low', 'high']);
  assert.deepEqual(INIT_ARGS.orthogonal, ['gain']);
});

/** Modified Gram–Schmidt of `vecs` (each a vector): orthonormal vectors with positive diagonal R. */
function gramSchmidt(vecs: number[][]): number[][] {
  const q: number[][] = [];
  for (const v0 of vecs) {
    const v = [...v0];
    for (const u of q) {
      const d = v.reduce((s, x, i) => s + x * u[i], 0);
      for (let i = 0; i < v.length; i++) v[i] -= d * u[i];
    }
    const norm = Math.sqrt(v.reduce((s, x) => s + x * x, 0));
    q.push(v.map((x) => x / norm));
  }
  return q;
}

test('orthogonal equals torch: Q of the normal matrix with sign(diag R) making R positive', () => {
  for (const [rows, cols] of [[6, 10], [10, 6], [7, 7]]) {
    const rng = new Rng(21);
    const flat = Array.from({ length: rows * cols }, () => rng.normal());
    const w = initialise({ name: 'orthogonal', gain: 1.5 }, [rows, cols], 'weight', cols, rows, new Rng(21));
    if (rows < cols) {
      // Wide: torch orthonormalises the rows (QR of the transpose); square and tall: the columns.
      const q = gramSchmidt(Array.from({ length: rows }, (_, i) => flat.slice(i * cols, (i + 1) * cols)));
      for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) {
        assert.ok(Math.abs(w[i * cols + j] - 1.5 * q[i][j]) < 1e-12, `${rows}x${cols} at ${i},${j}`);
      }
    } else {
      const q = gramSchmidt(Array.from({ length: cols }, (_, j) => Array.from({ length: rows }, (_, i) => flat[i * cols + j])));
      for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) {
        assert.ok(Math.abs(w[i * cols + j] - 1.5 * q[j][i]) < 1e-12, `${rows}x${cols} at ${i},${j}`);
      }
    }
  }
});
