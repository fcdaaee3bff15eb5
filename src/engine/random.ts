// Seeded pseudo-random numbers: xoshiro128** on 32-bit integers, its state filled by splitmix64. Only
// integer operations (Math.imul, shifts, xor) feed the state, so a seed gives the same sequence on every
// machine and Node version; doubles appear only when a draw is turned into a float.

const MASK64 = (1n << 64n) - 1n;

/** One splitmix64 step: the output for state `x` (the state itself advances by the golden gamma). */
function splitmix64(x: bigint): bigint {
  let z = (x + 0x9e3779b97f4a7c15n) & MASK64;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64;
  return z ^ (z >> 31n);
}

/** A 64-bit key for any finite number: integers map to themselves (mod 2^64), others to their IEEE bits. */
function keyOf(x: number): bigint {
  if (!Number.isFinite(x)) throw new RangeError(`Rng: seed/stream must be a finite number, got ${x}`);
  if (Number.isInteger(x)) return BigInt.asUintN(64, BigInt(x));
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  // The xor keeps fractional seeds apart from the integers whose value equals their bit pattern.
  return view.getBigUint64(0) ^ 0x5851f42d4c957f2dn;
}

const rotl = (x: number, k: number): number => (x << k) | (x >>> (32 - k));

const TWO_PI = 2 * Math.PI;
const TWO_POW_32 = 4294967296;

export class Rng {
  private key = 0n;
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;
  /** The second Box–Muller value, or NaN when none is waiting. */
  private spare = NaN;

  constructor(seed: number) {
    this.reset(keyOf(seed));
  }

  private reset(key: bigint): void {
    this.key = key;
    const a = splitmix64(key);
    const b = splitmix64(key + 0x9e3779b97f4a7c15n);
    this.s0 = Number(a & 0xffffffffn) | 0;
    this.s1 = Number(a >> 32n) | 0;
    this.s2 = Number(b & 0xffffffffn) | 0;
    this.s3 = Number(b >> 32n) | 0;
    // xoshiro must not start from all zeros (it would stay there); splitmix64 practically never gives it.
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
    this.spare = NaN;
  }

  /** The next raw 32-bit output, as an unsigned integer in [0, 2^32). */
  uint32(): number {
    const s0 = this.s0;
    const s1 = this.s1;
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    let s2 = this.s2 ^ s0;
    let s3 = this.s3 ^ s1;
    this.s1 = s1 ^ s2;
    this.s0 = s0 ^ s3;
    s2 ^= t;
    s3 = rotl(s3, 11);
    this.s2 = s2;
    this.s3 = s3;
    return result;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  uniform(): number {
    const hi = this.uint32() >>> 5; // 27 bits
    const lo = this.uint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform in [lo, hi). */
  uniformRange(lo: number, hi: number): number {
    return lo + (hi - lo) * this.uniform();
  }

  /** Gaussian by Box–Muller; each pair of uniforms gives two values, the second is kept for the next call. */
  normal(mean = 0, std = 1): number {
    let z: number;
    if (!Number.isNaN(this.spare)) {
      z = this.spare;
      this.spare = NaN;
    } else {
      const u1 = 1 - this.uniform(); // in (0, 1], so the log is finite
      const u2 = this.uniform();
      const r = Math.sqrt(-2 * Math.log(u1));
      z = r * Math.cos(TWO_PI * u2);
      this.spare = r * Math.sin(TWO_PI * u2);
    }
    return mean + std * z;
  }

  /** Uniform integer in [0, n), without modulo bias. */
  int(n: number): number {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`Rng.int: n must be a positive integer, got ${n}`);
    if (n > TWO_POW_32) return Math.floor(this.uniform() * n);
    // Reject the top partial block of 2^32 so every residue is equally likely.
    const limit = TWO_POW_32 - (TWO_POW_32 % n);
    let u = this.uint32();
    while (u >= limit) u = this.uint32();
    return u % n;
  }

  /** A uniformly random permutation of 0..n-1. */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    this.shuffleInPlace(p);
    return p;
  }

  /** Fisher–Yates shuffle. */
  shuffleInPlace(a: Int32Array): void {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }

  /**
   * An independent generator derived from this one's seed and `stream` only (not from how many numbers
   * this one has drawn), so data, initialisation and shuffling can each take a stream without disturbing
   * the others. Forks of forks are distinct from forks of the parent.
   */
  fork(stream: number): Rng {
    const child = new Rng(0);
    child.reset(splitmix64(this.key ^ splitmix64(keyOf(stream) ^ 0xd1b54a32d192ed03n)));
    return child;
  }
}
