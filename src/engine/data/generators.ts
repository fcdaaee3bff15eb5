// Synthetic data sets. Each takes arguments already validated (see index.ts) and draws everything from
// `rng`. The noise draws are made whatever the noise level (0 included), so one seed gives the same
// underlying points at every noise setting and only the jitter's size changes. Samples come out shuffled.

import type { Rng } from '../random.js';
import type { Dataset } from './dataset.js';

/** `total` split over `k` groups as evenly as possible, the first groups taking the remainder. */
function balanced(total: number, k: number): number[] {
  const base = Math.floor(total / k);
  return Array.from({ length: k }, (_, j) => base + (j < total % k ? 1 : 0));
}

/** Points on [0, 1] like numpy's linspace(0, 1, n) (endpoint included). */
const frac = (i: number, n: number): number => (n > 1 ? i / (n - 1) : 0);

/** Shuffles the rows (so any prefix or minibatch mixes the classes) and wraps them up. */
function finish(
  name: string, x: Float32Array, y: Float32Array, inputShape: number[], task: Dataset['task'],
  classes: number, rng: Rng,
): Dataset {
  const features = inputShape.reduce((a, b) => a * b, 1);
  const n = y.length; // every generator here has targetWidth 1
  const perm = rng.permutation(n);
  const xs = new Float32Array(x.length);
  const ys = new Float32Array(n);
  for (let r = 0; r < n; r++) {
    const i = perm[r];
    xs.set(x.subarray(i * features, (i + 1) * features), r * features);
    ys[r] = y[i];
  }
  return { name, n, features, inputShape, x: xs, targetWidth: 1, y: ys, task, classes };
}

/**
 * CS231n-style spirals: arm j has radius r running 0→1 and angle 4r + 2πj/classes plus noise·N(0,1)
 * radians (CS231n spaces the arms 4 rad apart and jitters the angle by 0.2; even spacing keeps the arms
 * apart for any number of classes).
 */
export function spirals(samples: number, classes: number, noise: number, rng: Rng): Dataset {
  const x = new Float32Array(samples * 2);
  const y = new Float32Array(samples);
  let row = 0;
  balanced(samples, classes).forEach((count, j) => {
    for (let i = 0; i < count; i++, row++) {
      const r = frac(i, count);
      const t = 4 * r + (2 * Math.PI * j) / classes + rng.normal(0, noise);
      x[2 * row] = r * Math.sin(t);
      x[2 * row + 1] = r * Math.cos(t);
      y[row] = j;
    }
  });
  return finish('spirals', x, y, [2], 'multiclass', classes, rng);
}

/**
 * sklearn's make_moons: floor(n/2) points on the upper half circle (label 0), the rest on the lower half
 * circle shifted by (1, -0.5) (label 1), angles evenly spaced over [0, π], plus N(0, noise²) on each
 * coordinate.
 */
export function moons(samples: number, noise: number, rng: Rng): Dataset {
  const x = new Float32Array(samples * 2);
  const y = new Float32Array(samples);
  const nOut = Math.floor(samples / 2);
  const nIn = samples - nOut;
  for (let row = 0; row < samples; row++) {
    const inner = row >= nOut;
    const a = Math.PI * (inner ? frac(row - nOut, nIn) : frac(row, nOut));
    const px = inner ? 1 - Math.cos(a) : Math.cos(a);
    const py = inner ? 0.5 - Math.sin(a) : Math.sin(a);
    x[2 * row] = px + rng.normal(0, noise);
    x[2 * row + 1] = py + rng.normal(0, noise);
    y[row] = inner ? 1 : 0;
  }
  return finish('moons', x, y, [2], 'binary', 2, rng);
}

/**
 * sklearn's make_circles: floor(n/2) points evenly round the unit circle (label 0), the rest round a
 * circle of radius `factor` (label 1), angles from 0 with the endpoint 2π left out, plus N(0, noise²).
 */
export function circles(samples: number, noise: number, factor: number, rng: Rng): Dataset {
  const x = new Float32Array(samples * 2);
  const y = new Float32Array(samples);
  const nOut = Math.floor(samples / 2);
  const nIn = samples - nOut;
  for (let row = 0; row < samples; row++) {
    const inner = row >= nOut;
    const a = (2 * Math.PI * (inner ? row - nOut : row)) / (inner ? nIn : nOut);
    const rad = inner ? factor : 1;
    x[2 * row] = rad * Math.cos(a) + rng.normal(0, noise);
    x[2 * row + 1] = rad * Math.sin(a) + rng.normal(0, noise);
    y[row] = inner ? 1 : 0;
  }
  return finish('circles', x, y, [2], 'binary', 2, rng);
}

/**
 * XOR: equal numbers of points around the corners (1,1), (1,-1), (-1,-1), (-1,1), each coordinate jittered
 * by N(0, noise²). The label is the XOR of the corner's signs: 1 where sign(x)·sign(y) = -1, else 0. It
 * belongs to the corner, so with large noise some points stray across an axis, as in any blob data.
 */
export function xor(samples: number, noise: number, rng: Rng): Dataset {
  const corners = [[1, 1], [1, -1], [-1, -1], [-1, 1]];
  const x = new Float32Array(samples * 2);
  const y = new Float32Array(samples);
  let row = 0;
  balanced(samples, 4).forEach((count, c) => {
    const [cx, cy] = corners[c];
    for (let i = 0; i < count; i++, row++) {
      x[2 * row] = cx + rng.normal(0, noise);
      x[2 * row + 1] = cy + rng.normal(0, noise);
      y[row] = cx * cy < 0 ? 1 : 0;
    }
  });
  return finish('xor', x, y, [2], 'binary', 2, rng);
}

/** Gaussian blobs like sklearn's make_blobs: centres uniform in [-10, 10]^features, std `spread`. */
export function blobs(samples: number, classes: number, features: number, spread: number, rng: Rng): Dataset {
  const centres = Array.from({ length: classes }, () =>
    Array.from({ length: features }, () => rng.uniformRange(-10, 10)));
  const x = new Float32Array(samples * features);
  const y = new Float32Array(samples);
  let row = 0;
  balanced(samples, classes).forEach((count, j) => {
    for (let i = 0; i < count; i++, row++) {
      for (let f = 0; f < features; f++) x[row * features + f] = centres[j][f] + rng.normal(0, spread);
      y[row] = j;
    }
  });
  return finish('blobs', x, y, [features], 'multiclass', classes, rng);
}

/** Regression: x uniform in [-π, π), y = sin(x) + noise·N(0, 1). */
export function sine(samples: number, noise: number, rng: Rng): Dataset {
  const x = new Float32Array(samples);
  const y = new Float32Array(samples);
  for (let i = 0; i < samples; i++) {
    const v = rng.uniformRange(-Math.PI, Math.PI);
    x[i] = v;
    y[i] = Math.sin(v) + rng.normal(0, noise);
  }
  return finish('sine', x, y, [1], 'regression', 0, rng);
}
