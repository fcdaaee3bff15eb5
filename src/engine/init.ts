// Parameter initialisers, following torch.nn.init's formulas so a lab matches what the same model would
// start from in PyTorch (in distribution; the random streams differ). Weights use PyTorch's [out, in]
// row-major layout.

import { LabError } from './errors.js';
import type { InitName, InitSpec, SourceRange } from './spec.js';
import type { Rng } from './random.js';

export const INIT_NAMES: readonly InitName[] = [
  'zeros', 'constant', 'uniform', 'normal', 'glorot_uniform', 'glorot_normal', 'he_uniform', 'he_normal',
  'lecun_uniform', 'lecun_normal', 'orthogonal', 'torch_default',
];

/** The InitSpec fields each initialiser reads (for the lab-file parser's errors and completion). */
export const INIT_ARGS: Record<InitName, string[]> = {
  zeros: [],
  constant: ['value'],
  uniform: ['low', 'high'],
  normal: ['mean', 'std'],
  glorot_uniform: [],
  glorot_normal: [],
  he_uniform: [],
  he_normal: [],
  lecun_uniform: [],
  lecun_normal: [],
  orthogonal: ['gain'],
  torch_default: [],
};

function fail(message: string, range: SourceRange | undefined, found?: string, allowed?: string): never {
  throw new LabError(message, range, found, allowed);
}

/** A finite argument, or its default; `required` arguments have no default. */
function arg(spec: InitSpec, key: 'value' | 'low' | 'high' | 'mean' | 'std' | 'gain', dflt: number | undefined,
  range: SourceRange | undefined): number {
  const v = spec[key];
  if (v === undefined) {
    if (dflt === undefined) fail(`init ${spec.name} needs ${key}`, range, 'nothing', `${key}=<number>`);
    return dflt;
  }
  if (!Number.isFinite(v)) fail(`init ${spec.name}: ${key} must be a finite number`, range, String(v), 'a finite number');
  return v;
}

function fillUniform(out: Float64Array, lo: number, hi: number, rng: Rng): void {
  for (let i = 0; i < out.length; i++) out[i] = rng.uniformRange(lo, hi);
}

function fillNormal(out: Float64Array, mean: number, std: number, rng: Rng): void {
  for (let i = 0; i < out.length; i++) out[i] = rng.normal(mean, std);
}

/**
 * Fresh values for one parameter tensor. `fanIn`/`fanOut` are the layer's (torch's
 * _calculate_fan_in_and_fan_out of the weight); for a bias the caller passes the same fans as its weight.
 * `undefined` means torch_default, what nn.Linear does: U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for both the
 * weight (kaiming_uniform_ with a=sqrt(5) reduces to this) and the bias. `range` only locates errors.
 */
export function initialise(
  spec: InitSpec | undefined,
  shape: readonly number[],
  role: 'weight' | 'bias',
  fanIn: number,
  fanOut: number,
  rng: Rng,
  range?: SourceRange,
): Float64Array {
  let numel = 1;
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new RangeError(`initialise: bad shape [${shape.join(', ')}]`);
    numel *= d;
  }
  const out = new Float64Array(numel);
  const s: InitSpec = spec ?? { name: 'torch_default' };
  const needFan = (f: number, what: string): number => {
    if (!(f > 0)) throw new RangeError(`initialise ${s.name} (${role}): ${what} must be positive, got ${f}`);
    return f;
  };

  switch (s.name) {
    case 'zeros':
      return out;
    case 'constant':
      return out.fill(arg(s, 'value', undefined, range));
    case 'uniform': {
      const lo = arg(s, 'low', 0, range);
      const hi = arg(s, 'high', 1, range);
      if (lo > hi) fail('init uniform: low must not exceed high', range, `low=${lo}, high=${hi}`, 'low <= high');
      fillUniform(out, lo, hi, rng);
      return out;
    }
    case 'normal': {
      const mean = arg(s, 'mean', 0, range);
      const std = arg(s, 'std', 1, range);
      if (std < 0) fail('init normal: std must not be negative', range, String(std), 'a number >= 0');
      fillNormal(out, mean, std, rng);
      return out;
    }
    case 'glorot_uniform': {
      const b = Math.sqrt(6 / (needFan(fanIn, 'fan_in') + needFan(fanOut, 'fan_out')));
      fillUniform(out, -b, b, rng);
      return out;
    }
    case 'glorot_normal':
      fillNormal(out, 0, Math.sqrt(2 / (needFan(fanIn, 'fan_in') + needFan(fanOut, 'fan_out'))), rng);
      return out;
    case 'he_uniform': {
      const b = Math.sqrt(6 / needFan(fanIn, 'fan_in'));
      fillUniform(out, -b, b, rng);
      return out;
    }
    case 'he_normal':
      fillNormal(out, 0, Math.sqrt(2 / needFan(fanIn, 'fan_in')), rng);
      return out;
    case 'lecun_uniform': {
      const b = Math.sqrt(3 / needFan(fanIn, 'fan_in'));
      fillUniform(out, -b, b, rng);
      return out;
    }
    case 'lecun_normal':
      fillNormal(out, 0, Math.sqrt(1 / needFan(fanIn, 'fan_in')), rng);
      return out;
    case 'torch_default': {
      // torch skips the bias draw (leaves bound 0) when fan_in is 0; do the same rather than divide by 0.
      const b = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
      fillUniform(out, -b, b, rng);
      return out;
    }
    case 'orthogonal': {
      const gain = arg(s, 'gain', 1, range);
      if (shape.length < 2) {
        fail(`init orthogonal needs a matrix, but the ${role} has shape [${shape.join(', ')}]`, range,
          `${shape.length}-D ${role}`, 'a weight with 2 or more dimensions (give the bias another init)');
      }
      orthogonal(out, shape[0], numel / shape[0], gain, rng);
      return out;
    }
    default: {
      const name: string = (s as { name: string }).name;
      return fail(`unknown initialiser '${name}'`, range, name, INIT_NAMES.join(', '));
    }
  }
}

/**
 * torch.nn.init.orthogonal_: draw a rows×cols standard normal matrix, transpose it if it is wide, take
 * its reduced QR, multiply Q's columns by sign(diag R) (which makes the result unique and uniformly
 * (Haar) distributed), transpose back and scale by gain. Rows are orthonormal when rows <= cols, columns
 * otherwise.
 */
function orthogonal(out: Float64Array, rows: number, cols: number, gain: number, rng: Rng): void {
  if (rows === 0 || cols === 0) return;
  const flat = new Float64Array(rows * cols);
  for (let i = 0; i < flat.length; i++) flat[i] = rng.normal();
  const wide = rows < cols;
  const m = wide ? cols : rows; // tall matrix A, m >= n
  const n = wide ? rows : cols;
  // Column j of A: column j of `flat` when tall, row j when wide (that is the transpose).
  const a: Float64Array[] = [];
  for (let j = 0; j < n; j++) {
    const c = new Float64Array(m);
    for (let i = 0; i < m; i++) c[i] = wide ? flat[j * cols + i] : flat[i * cols + j];
    a.push(c);
  }

  // Householder QR: reflector k maps A[k:, k] onto a multiple of e_k; unit vectors kept in v[k].
  const v: Float64Array[] = [];
  const rDiag = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const x = a[k];
    let norm2 = 0;
    for (let i = k; i < m; i++) norm2 += x[i] * x[i];
    const norm = Math.sqrt(norm2);
    // Reflect to -sign(x_k)·|x| so v = x - alpha·e_k does not cancel.
    const alpha = x[k] >= 0 ? -norm : norm;
    const vk = new Float64Array(m);
    for (let i = k; i < m; i++) vk[i] = x[i];
    vk[k] -= alpha;
    let vn2 = 0;
    for (let i = k; i < m; i++) vn2 += vk[i] * vk[i];
    if (vn2 > 0) {
      const inv = 1 / Math.sqrt(vn2);
      for (let i = k; i < m; i++) vk[i] *= inv;
      for (let j = k + 1; j < n; j++) {
        const c = a[j];
        let dot = 0;
        for (let i = k; i < m; i++) dot += vk[i] * c[i];
        dot *= 2;
        for (let i = k; i < m; i++) c[i] -= dot * vk[i];
      }
      rDiag[k] = alpha;
    } else {
      rDiag[k] = x[k]; // nothing to reflect (zero column below the diagonal)
    }
    v.push(vk);
  }

  // Q's column j = H_0 ··· H_{n-1} e_j, times sign(R_jj). torch would zero a column whose R_jj is exactly
  // 0; that has probability 0, and keeping the column is the safer choice.
  for (let j = 0; j < n; j++) {
    const q = new Float64Array(m);
    q[j] = 1;
    for (let k = Math.min(j, n - 1); k >= 0; k--) {
      // H_k leaves e_j alone for k > j (v_k is zero above row k), so start at k = j.
      const vk = v[k];
      let dot = 0;
      for (let i = k; i < m; i++) dot += vk[i] * q[i];
      dot *= 2;
      if (dot !== 0) for (let i = k; i < m; i++) q[i] -= dot * vk[i];
    }
    const sg = (rDiag[j] < 0 ? -1 : 1) * gain;
    // Column j of Q is row j of the result when wide (transposed back), column j when tall.
    for (let i = 0; i < m; i++) {
      if (wide) out[j * cols + i] = q[i] * sg;
      else out[i * cols + j] = q[i] * sg;
    }
  }
}
