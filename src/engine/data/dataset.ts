// The in-memory data set every generator returns, and the ways of splitting one.

import { LabError } from '../errors.js';
import type { Rng } from '../random.js';
import type { SourceRange } from '../spec.js';

export interface Dataset {
  name: string;
  /** Number of samples. */
  n: number;
  /** Input width (flattened). */
  features: number;
  /** e.g. [2] or [28, 28]. */
  inputShape: number[];
  /** n*features, row-major. */
  x: Float32Array;
  /** 1 for class labels and for 1-D regression. */
  targetWidth: number;
  /** n*targetWidth; class labels stored as float integers 0..classes-1. */
  y: Float32Array;
  task: 'multiclass' | 'binary' | 'regression';
  /** 0 for regression, 2 for binary. */
  classes: number;
}

/** A copy of the samples `idx` (in that order). */
export function subset(ds: Dataset, idx: Int32Array): Dataset {
  const f = ds.features;
  const w = ds.targetWidth;
  const x = new Float32Array(idx.length * f);
  const y = new Float32Array(idx.length * w);
  for (let r = 0; r < idx.length; r++) {
    const i = idx[r];
    if (!(i >= 0 && i < ds.n)) throw new RangeError(`subset: index ${i} outside 0..${ds.n - 1}`);
    x.set(ds.x.subarray(i * f, (i + 1) * f), r * f);
    y.set(ds.y.subarray(i * w, (i + 1) * w), r * w);
  }
  return { ...ds, inputShape: [...ds.inputShape], n: idx.length, x, y };
}

/**
 * A shuffled split: round(n·validation) samples (at least 1, leaving at least 1 for training) go to
 * validation, the rest to training. Not stratified. `range` only locates errors.
 */
export function holdout(
  ds: Dataset,
  validation: number,
  rng: Rng,
  range?: SourceRange,
): { train: Dataset; validation: Dataset } {
  if (!(Number.isFinite(validation) && validation > 0 && validation < 1)) {
    throw new LabError('holdout: the validation fraction must lie strictly between 0 and 1', range,
      String(validation), 'a number greater than 0 and less than 1');
  }
  if (ds.n < 2) {
    throw new LabError(`holdout: ${ds.name} has too few samples to split`, range, `${ds.n} samples`, 'at least 2');
  }
  const nVal = Math.min(ds.n - 1, Math.max(1, Math.round(ds.n * validation)));
  const perm = rng.permutation(ds.n);
  return {
    train: subset(ds, perm.subarray(nVal)),
    validation: subset(ds, perm.subarray(0, nVal)),
  };
}
