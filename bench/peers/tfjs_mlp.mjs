// tfjs peer for `npm run bench`: MLP 784-128-10 trained with SGD+momentum.
//
// Usage: node bench/peers/tfjs_mlp.mjs --backend cpu|wasm --epochs E --warmup 1 --batch 64
//                                      --threads T [--data .bench/mnist]
// Reads <data>-x.f32 (N x 784 float32 LE) and <data>-y.f32 (N float32 labels 0..9).
// Prints ONE JSON line on stdout (everything else goes to stderr):
//   {"peer":"tfjs-cpu"|"tfjs-wasm","threads":T,"samplesPerSec":...,"finalLoss":...,"trainAcc":...,"tfjs":version}
// --epochs counts every epoch, warmup included; only the epochs after the first `warmup` are
// timed. finalLoss: mean batch loss over the last epoch; trainAcc: final model on all N.
// Fast path: the data set is one tensor made once; each epoch does one gather with a shuffled
// index and one split into batches; the step is optimizer.minimize() with the loss summed on
// the backend (no per-step readback).
// Threads: the cpu backend is plain single-threaded JS. The wasm backend's threaded build
// (XNNPACK pthreads) is switched off in Node by tfjs itself: WASM_HAS_MULTITHREAD_SUPPORT is
// hard-wired to false when IS_NODE (tfjs issue #3830), so the non-threaded SIMD build runs
// and threads is reported as 1 whatever --threads asks for. (Forcing the flag on fails: the
// Emscripten pthread pool does `new worker_threads.Worker("blob:nodedata:...")`, which Node
// rejects with ERR_WORKER_PATH.)
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values: a } = parseArgs({
  options: {
    backend: { type: 'string', default: 'cpu' },
    data: { type: 'string', default: '.bench/mnist' },
    epochs: { type: 'string', default: '2' },
    warmup: { type: 'string', default: '1' },
    batch: { type: 'string', default: '64' },
    threads: { type: 'string', default: '1' },
    seed: { type: 'string', default: '0' },
  },
});
const backend = a.backend;
const epochs = +a.epochs, warmup = +a.warmup, B = +a.batch, threadsAsked = +a.threads;
if (backend !== 'cpu' && backend !== 'wasm') fail(`--backend must be cpu or wasm, got ${backend}`);
if (!(epochs > warmup)) fail(`--epochs (${epochs}) must exceed --warmup (${warmup})`);

function fail(msg) {
  console.error(`tfjs_mlp: ${msg}`);
  process.exit(1);
}

// tfjs greets Node users on console; keep stdout for the one JSON line.
const out = (s) => process.stdout.write(s + '\n');
console.log = (...args) => console.error(...args);
console.info = (...args) => console.error(...args);

const tf = await import('@tensorflow/tfjs');
let threads = 1;
let note;
if (backend === 'wasm') {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  const mt = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
  if (mt) wasm.setThreadsCount(threadsAsked);
  else if (threadsAsked > 1) note = 'tfjs-backend-wasm has no multi-threading in Node (WASM_HAS_MULTITHREAD_SUPPORT=false); ran 1 thread';
  if (!(await tf.setBackend('wasm'))) fail('wasm backend failed to initialise');
  await tf.ready();
  threads = mt ? wasm.getThreadsCount() : 1;
} else {
  if (!(await tf.setBackend('cpu'))) fail('cpu backend failed to initialise');
  await tf.ready();
  if (threadsAsked > 1) note = 'the tfjs cpu backend is single-threaded JS; ran 1 thread';
}

// ---- data -------------------------------------------------------------------
const f32 = (p) => {
  const buf = readFileSync(p);
  return new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
};
const xs = f32(`${a.data}-x.f32`);
const ysF = f32(`${a.data}-y.f32`);
const N = ysF.length;
if (xs.length !== N * 784) fail(`${a.data}-x.f32 has ${xs.length} floats, expected ${N}*784`);
const labels = Int32Array.from(ysF);
const X = tf.tensor2d(xs, [N, 784], 'float32');
const Y = tf.tidy(() => tf.oneHot(tf.tensor1d(labels, 'int32'), 10).toFloat());
const nb = Math.floor(N / B); // drop the last partial batch
const used = nb * B;

// ---- model ------------------------------------------------------------------
const model = tf.sequential({
  layers: [
    tf.layers.dense({ inputShape: [784], units: 128, activation: 'relu' }),
    tf.layers.dense({ units: 10 }),
  ],
});
const optimizer = tf.train.momentum(0.01, 0.9);
const lossFn = (xb, yb) => tf.losses.softmaxCrossEntropy(yb, model.apply(xb, { training: true }));

let seed = (+a.seed >>> 0) || 0x9e3779b9;
const rand = () => {
  seed ^= seed << 13; seed >>>= 0; seed ^= seed >>> 17; seed ^= seed << 5; seed >>>= 0;
  return seed / 4294967296;
};
const perm = new Int32Array(N).map((_, i) => i);

/** One epoch; returns a scalar tensor holding the mean batch loss (not read back). */
function epoch() {
  for (let i = N - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const t = perm[i]; perm[i] = perm[j]; perm[j] = t;
  }
  const [xbs, ybs] = tf.tidy(() => {
    const idx = tf.tensor1d(perm.subarray(0, used), 'int32');
    return [tf.split(tf.gather(X, idx), nb), tf.split(tf.gather(Y, idx), nb)];
  });
  let sum = tf.scalar(0);
  for (let i = 0; i < nb; i++) {
    const cost = optimizer.minimize(() => lossFn(xbs[i], ybs[i]), true);
    const next = tf.add(sum, cost);
    sum.dispose(); cost.dispose(); xbs[i].dispose(); ybs[i].dispose();
    sum = next;
  }
  const mean = tf.div(sum, nb);
  sum.dispose();
  return mean;
}

let last = null;
for (let e = 0; e < warmup; e++) {
  last?.dispose();
  last = epoch();
}
await last.data(); // drain anything queued before the clock starts
const timed = epochs - warmup;
const t0 = performance.now();
for (let e = 0; e < timed; e++) {
  last?.dispose();
  last = epoch();
}
const finalLoss = (await last.data())[0];
const seconds = (performance.now() - t0) / 1000;

// ---- accuracy on all N ------------------------------------------------------
const pred = tf.tidy(() => model.predict(X, { batchSize: 1024 }).argMax(1));
const p = await pred.data();
let correct = 0;
for (let i = 0; i < N; i++) if (p[i] === labels[i]) correct++;

const res = {
  peer: `tfjs-${backend}`,
  threads,
  samplesPerSec: (timed * used) / seconds,
  finalLoss,
  trainAcc: correct / N,
  tfjs: tf.version.tfjs,
  timedEpochs: timed,
  samplesPerEpoch: used,
  seconds,
};
if (note) res.note = note;
out(JSON.stringify(res));
