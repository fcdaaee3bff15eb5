// The data-set catalogue: each data set's arguments with defaults and limits, validation of what the
// user wrote, and makeDataset, which builds the data a DataSpec names.

import { LabError } from '../errors.js';
import type { Rng } from '../random.js';
import type { DataName, DataSpec } from '../spec.js';
import type { Dataset } from './dataset.js';
import { blobs, circles, moons, sine, spirals, xor } from './generators.js';
import { mnist } from './mnist.js';

export type { Dataset } from './dataset.js';
export { holdout, subset } from './dataset.js';

export interface DataArg {
  default: number;
  /** Inclusive bounds. */
  min: number;
  max: number;
  integer: boolean;
  doc: string;
}

const samples = (dflt: number, doc = 'number of samples in all'): DataArg =>
  ({ default: dflt, min: 10, max: 100000, integer: true, doc });
const noise = (dflt: number, max: number, doc: string): DataArg =>
  ({ default: dflt, min: 0, max, integer: false, doc });

export const DATA_ARGS: Record<DataName, Record<string, DataArg>> = {
  spirals: {
    samples: samples(300),
    classes: { default: 3, min: 2, max: 10, integer: true, doc: 'number of spiral arms (classes)' },
    noise: noise(0.1, 1, 'std of the angle jitter, in radians'),
  },
  moons: {
    samples: samples(200),
    noise: noise(0.1, 1, 'std of the Gaussian noise added to each coordinate'),
  },
  circles: {
    samples: samples(200),
    noise: noise(0.05, 1, 'std of the Gaussian noise added to each coordinate'),
    factor: { default: 0.5, min: 0, max: 0.99, integer: false, doc: 'radius of the inner circle (the outer is 1)' },
  },
  xor: {
    samples: samples(200),
    noise: noise(0.1, 1, 'std of the Gaussian noise around each corner'),
  },
  blobs: {
    samples: samples(300),
    classes: { default: 3, min: 2, max: 10, integer: true, doc: 'number of blobs (classes)' },
    features: { default: 2, min: 1, max: 100, integer: true, doc: 'input dimensions' },
    spread: { default: 1, min: 0, max: 10, integer: false, doc: 'std of each blob; centres lie in [-10, 10]' },
  },
  sine: {
    samples: samples(200),
    noise: noise(0.1, 2, 'std of the Gaussian noise added to sin(x)'),
  },
  mnist: {
    samples: { default: 10000, min: 10, max: 10000, integer: true, doc: 'number of 28×28 digit images (the package holds 10 000)' },
  },
};

export const DATA_NAMES = Object.keys(DATA_ARGS) as DataName[];

/** "an integer from 10 to 100000" / "a number from 0 to 1". */
export function describeArg(a: DataArg): string {
  return `${a.integer ? 'an integer' : 'a number'} from ${a.min} to ${a.max}`;
}

/** The spec's arguments checked against DATA_ARGS, with defaults filled in. Throws LabError. */
export function resolveDataArgs(spec: DataSpec): Record<string, number> {
  const table: Record<string, DataArg> | undefined = Object.hasOwn(DATA_ARGS, spec.name)
    ? DATA_ARGS[spec.name]
    : undefined;
  if (!table) {
    throw new LabError(`unknown data set '${spec.name}'`, spec.range, String(spec.name), DATA_NAMES.join(', '));
  }
  const out: Record<string, number> = {};
  for (const [key, a] of Object.entries(table)) out[key] = a.default;
  for (const [key, value] of Object.entries(spec.args)) {
    const range = spec.argRanges?.[key] ?? spec.range;
    const a = Object.hasOwn(table, key) ? table[key] : undefined;
    if (!a) {
      const names = Object.keys(table);
      throw new LabError(`data set ${spec.name} has no argument '${key}'`, range, key,
        names.length ? names.join(', ') : 'no arguments');
    }
    const ok = typeof value === 'number' && Number.isFinite(value) && value >= a.min && value <= a.max &&
      (!a.integer || Number.isInteger(value));
    if (!ok) {
      throw new LabError(`data set ${spec.name}: argument ${key} is out of range`, range, String(value), describeArg(a));
    }
    out[key] = value;
  }
  return out;
}

/** What a data set will look like, from its arguments alone (no samples drawn): for checks as the user types. */
export function dataShape(spec: DataSpec): Pick<Dataset, 'n' | 'features' | 'targetWidth' | 'task' | 'classes'> {
  const a = resolveDataArgs(spec);
  const n = a.samples;
  switch (spec.name) {
    case 'spirals': return { n, features: 2, targetWidth: 1, task: 'multiclass', classes: a.classes };
    case 'blobs': return { n, features: a.features, targetWidth: 1, task: 'multiclass', classes: a.classes };
    case 'moons': case 'circles': case 'xor': return { n, features: 2, targetWidth: 1, task: 'binary', classes: 2 };
    case 'sine': return { n, features: 1, targetWidth: 1, task: 'regression', classes: 0 };
    case 'mnist': return { n, features: 784, targetWidth: 1, task: 'multiclass', classes: 10 };
  }
}

/** Builds the data set `spec` names, drawing all randomness from `rng`. Throws LabError on bad arguments. */
export function makeDataset(spec: DataSpec, rng: Rng): Dataset {
  const a = resolveDataArgs(spec);
  switch (spec.name) {
    case 'spirals': return spirals(a.samples, a.classes, a.noise, rng);
    case 'moons': return moons(a.samples, a.noise, rng);
    case 'circles': return circles(a.samples, a.noise, a.factor, rng);
    case 'xor': return xor(a.samples, a.noise, rng);
    case 'blobs': return blobs(a.samples, a.classes, a.features, a.spread, rng);
    case 'sine': return sine(a.samples, a.noise, rng);
    case 'mnist': return mnist(a.samples, rng);
  }
}
