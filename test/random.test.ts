import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../src/engine/random.js';

const draws = (r: Rng, n: number, f: (r: Rng) => number): number[] => Array.from({ length: n }, () => f(r));

function meanVar(a: ArrayLike<number>): { mean: number; variance: number } {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  const mean = s / a.length;
  let v = 0;
  for (let i = 0; i < a.length; i++) v += (a[i] - mean) ** 2;
  return { mean, variance: v / a.length };
}

test('matches the reference xoshiro128** seeded by splitmix64 (pinned across machines)', () => {
  // From the C reference implementation with state = splitmix64 outputs for key 42 and 42 + gamma.
  const expected = [1776835114, 4165204688, 17111135, 2317295270, 2792088233, 2554630222, 2940343271, 2244566231];
  assert.deepEqual(draws(new Rng(42), 8, (r) => r.uint32()), expected);
});

test('same seed gives the same sequence; different seeds differ', () => {
  const a = draws(new Rng(7), 1000, (r) => r.uniform());
  const b = draws(new Rng(7), 1000, (r) => r.uniform());
  const c = draws(new Rng(8), 1000, (r) => r.uniform());
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
  assert.ok(a.filter((v, i) => v === c[i]).length < 5);
  // Fractional and negative seeds are valid and distinct.
  assert.notDeepEqual(draws(new Rng(0.5), 10, (r) => r.uint32()), draws(new Rng(0), 10, (r) => r.uint32()));
  assert.notDeepEqual(draws(new Rng(-1), 10, (r) => r.uint32()), draws(new Rng(1), 10, (r) => r.uint32()));
  assert.throws(() => new Rng(NaN), RangeError);
});

test('uniform is in [0, 1) with mean 1/2 and variance 1/12', () => {
  const a = draws(new Rng(1), 100000, (r) => r.uniform());
  assert.ok(a.every((v) => v >= 0 && v < 1));
  const { mean, variance } = meanVar(a);
  assert.ok(Math.abs(mean - 0.5) < 0.005, `mean ${mean}`);
  assert.ok(Math.abs(variance - 1 / 12) < 0.002, `variance ${variance}`);
  // More than 32 bits: some values need the low bits.
  assert.ok(a.some((v) => v * 2 ** 32 !== Math.floor(v * 2 ** 32)));
  const b = draws(new Rng(2), 10000, (r) => r.uniformRange(-3, 5));
  assert.ok(b.every((v) => v >= -3 && v < 5));
  assert.ok(Math.abs(meanVar(b).mean - 1) < 0.1);
});

test('normal has the requested mean and std', () => {
  const z = draws(new Rng(3), 100000, (r) => r.normal());
  const s = meanVar(z);
  assert.ok(Math.abs(s.mean) < 0.015, `mean ${s.mean}`);
  assert.ok(Math.abs(Math.sqrt(s.variance) - 1) < 0.015, `std ${Math.sqrt(s.variance)}`);
  const w = meanVar(draws(new Rng(4), 100000, (r) => r.normal(3, 2)));
  assert.ok(Math.abs(w.mean - 3) < 0.03, `mean ${w.mean}`);
  assert.ok(Math.abs(Math.sqrt(w.variance) - 2) < 0.03, `std ${Math.sqrt(w.variance)}`);
  // Tails: about 4.55% beyond 2 sigma.
  const tail = z.filter((v) => Math.abs(v) > 2).length / z.length;
  assert.ok(Math.abs(tail - 0.0455) < 0.004, `tail ${tail}`);
});

test('int is uniform over [0, n)', () => {
  const r = new Rng(5);
  const counts = new Array<number>(10).fill(0);
  for (let i = 0; i < 100000; i++) {
    const k = r.int(10);
    assert.ok(Number.isInteger(k) && k >= 0 && k < 10);
    counts[k]++;
  }
  for (const c of counts) assert.ok(Math.abs(c - 10000) < 400, `counts ${counts}`);
  assert.equal(new Rng(5).int(1), 0);
  assert.throws(() => r.int(0), RangeError);
  assert.throws(() => r.int(2.5), RangeError);
});

test('permutation is a permutation, and a different one per seed', () => {
  const n = 1000;
  const p = new Rng(6).permutation(n);
  assert.equal(p.length, n);
  assert.deepEqual(Array.from(p).sort((a, b) => a - b), Array.from({ length: n }, (_, i) => i));
  assert.ok(p.some((v, i) => v !== i));
  assert.deepEqual(p, new Rng(6).permutation(n));
  assert.notDeepEqual(p, new Rng(7).permutation(n));
  // Every position is equally likely to receive each element: check position 0 over many shuffles of 4.
  const r = new Rng(8);
  const first = [0, 0, 0, 0];
  for (let i = 0; i < 40000; i++) first[r.permutation(4)[0]]++;
  for (const c of first) assert.ok(Math.abs(c - 10000) < 400, `first ${first}`);
  const a = Int32Array.from([5, 5, 1, 9, 2]);
  new Rng(9).shuffleInPlace(a);
  assert.deepEqual(Array.from(a).sort((x, y) => x - y), [1, 2, 5, 5, 9]);
  assert.equal(new Rng(1).permutation(0).length, 0);
});

test('fork gives independent streams that do not depend on the parent having drawn', () => {
  const parent = new Rng(11);
  const f1 = draws(parent.fork(1), 100, (r) => r.uint32());
  draws(parent, 500, (r) => r.uniform());
  assert.deepEqual(draws(parent.fork(1), 100, (r) => r.uint32()), f1, 'fork must not depend on parent use');
  assert.deepEqual(draws(new Rng(11).fork(1), 100, (r) => r.uint32()), f1);
  assert.notDeepEqual(draws(parent.fork(2), 100, (r) => r.uint32()), f1);
  assert.notDeepEqual(draws(new Rng(12).fork(1), 100, (r) => r.uint32()), f1);
  assert.notDeepEqual(draws(new Rng(11), 100, (r) => r.uint32()), f1);
  assert.notDeepEqual(draws(parent.fork(1).fork(1), 100, (r) => r.uint32()), f1);
  // Streams are uncorrelated.
  const a = draws(new Rng(13).fork(1), 50000, (r) => r.uniform() - 0.5);
  const b = draws(new Rng(13).fork(2), 50000, (r) => r.uniform() - 0.5);
  const corr = a.reduce((s, v, i) => s + v * b[i], 0) / (50000 / 12);
  assert.ok(Math.abs(corr) < 0.02, `correlation ${corr}`);
});
