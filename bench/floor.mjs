// The machine's matmul floor for `npm run bench`: the best float32 GFLOP/s that
// onnxruntime-node reaches on one large MatMul, i.e. what an MLP step could at most get from
// the same runtime on this machine. Builds a one-node ONNX model (opset 17, ir_version 8)
// Y = MatMul(A, B), both graph inputs (so nothing is constant-folded), with onnx-proto, runs
// it for several sizes and keeps the best.
//
// Usage: node bench/floor.mjs [--sizes 512,1024,1536,2048] [--threads T] [--seconds S]
// Prints ONE JSON line on stdout (progress goes to stderr):
//   {"peer":"matmul-floor","gflops":...,"size":n,"threads":T,"bySize":{...},"flopsPerSample":...}
//
// flopsPerSample: multiply-add FLOPs (2 per MAC) of one training sample of the MLP
// 784-128-10, counting only the matmuls (biases, ReLU, softmax, SGD updates are O(params)
// or O(activations) and left out):
//   forward   2·(784·128 + 128·10)                          = 203,264
//   backward  dW1 2·784·128 + dW2 2·128·10 + dX2 2·128·10   = 205,824
//             (no dX1: the input needs no gradient)
//   total                                                   = 409,088
import os from 'node:os';
import { parseArgs } from 'node:util';
import onnxProto from 'onnx-proto';
import * as ort from 'onnxruntime-node';

const IN = 784, HID = 128, OUT = 10;
const FWD_FLOPS = 2 * (IN * HID + HID * OUT);
const BWD_FLOPS = 2 * IN * HID + 2 * HID * OUT + 2 * HID * OUT;
const FLOPS_PER_SAMPLE = FWD_FLOPS + BWD_FLOPS; // 409,088

const { values: a } = parseArgs({
  options: {
    sizes: { type: 'string', default: '512,1024,1536,2048,3072' },
    threads: { type: 'string', default: String(os.availableParallelism()) },
    seconds: { type: 'string', default: '1.5' }, // timing budget per size
  },
});
const sizes = a.sizes.split(',').map(Number).filter((n) => n > 0);
const threads = Math.max(1, +a.threads);
const budgetMs = +a.seconds * 1000;

const { onnx } = onnxProto;
const FLOAT = onnx.TensorProto.DataType.FLOAT;

function matmulModel(n) {
  const vi = (name) => ({
    name,
    type: { tensorType: { elemType: FLOAT, shape: { dim: [{ dimValue: n }, { dimValue: n }] } } },
  });
  const model = onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    producerName: 'dl-lab-bench',
    graph: {
      name: `matmul_${n}`,
      node: [{ opType: 'MatMul', input: ['A', 'B'], output: ['Y'], name: 'mm' }],
      input: [vi('A'), vi('B')],
      output: [vi('Y')],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

function randomMatrix(n, seed) {
  const m = new Float32Array(n * n);
  let s = seed >>> 0;
  for (let i = 0; i < m.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    m[i] = s / 4294967296 - 0.5;
  }
  return m;
}

const bySize = {};
let best = { gflops: 0, size: 0 };
for (const n of sizes) {
  const session = await ort.InferenceSession.create(matmulModel(n), {
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionProviders: ['cpu'],
  });
  const feeds = {
    A: new ort.Tensor('float32', randomMatrix(n, 1), [n, n]),
    B: new ort.Tensor('float32', randomMatrix(n, 2), [n, n]),
  };
  const flops = 2 * n * n * n;
  await session.run(feeds); // warm-up: allocations, packing, thread pool spin-up
  let bestMs = Infinity, runs = 0;
  const start = performance.now();
  while (runs < 3 || (performance.now() - start < budgetMs && runs < 200)) {
    const t0 = performance.now();
    await session.run(feeds);
    bestMs = Math.min(bestMs, performance.now() - t0);
    runs++;
  }
  await session.release();
  const gflops = flops / bestMs / 1e6;
  bySize[n] = +gflops.toFixed(2);
  console.error(`[floor] ${n}x${n} @ ${n}x${n}: best of ${runs} runs ${bestMs.toFixed(2)} ms = ${gflops.toFixed(1)} GFLOP/s`);
  if (gflops > best.gflops) best = { gflops, size: n };
}

process.stdout.write(JSON.stringify({
  peer: 'matmul-floor',
  gflops: +best.gflops.toFixed(2),
  size: best.size,
  threads,
  bySize,
  flopsPerSample: FLOPS_PER_SAMPLE,
  flopsPerSampleForward: FWD_FLOPS,
  flopsPerSampleBackward: BWD_FLOPS,
}) + '\n');
