// `npm run bench`: DL Lab (both trainer paths) against PyTorch CPU and tfjs on the same work, in one run:
// an MLP 784-128-10 (ReLU, softmax cross-entropy, SGD momentum 0.9, batch 64, float32) on the 10,000 MNIST
// digits, shuffled each epoch, last partial batch dropped. Prints samples/s, ratios and the fraction of the
// machine's matmul floor; writes .bench/results.json.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { Rng } from '../src/engine/random.ts';
import { makeDataset } from '../src/engine/data/index.ts';
import { Trainer } from '../src/engine/trainer.ts';
import type { LabSpec } from '../src/engine/spec.ts';

const EPOCHS = Number(process.env.BENCH_EPOCHS ?? 5);
const WARMUP = 1;
const BATCH = 64;

interface Result { peer: string; samplesPerSec: number; note?: string; [k: string]: unknown }

mkdirSync('.bench', { recursive: true });
const data = makeDataset({ name: 'mnist', args: { samples: 10000 } }, new Rng(0));
writeFileSync('.bench/mnist-x.f32', Buffer.from(data.x.buffer, data.x.byteOffset, data.x.byteLength));
writeFileSync('.bench/mnist-y.f32', Buffer.from(data.y.buffer, data.y.byteOffset, data.y.byteLength));

const lab: LabSpec = {
  file: 'bench', data: { name: 'mnist', args: { samples: 10000 } }, split: { kind: 'none', validation: 0 },
  model: { layers: [
    { kind: 'dense', name: 'dense1', inputs: 784, outputs: 128, activation: { name: 'relu' }, bias: true },
    { kind: 'dense', name: 'dense2', inputs: 128, outputs: 10, activation: { name: 'identity' }, bias: true },
  ] },
  loss: { name: 'crossentropy' }, optimizer: { name: 'momentum', lr: 0.01, momentum: 0.9 }, regularizers: [],
  schedule: { kind: 'constant' }, train: { epochs: EPOCHS + WARMUP, batch: BATCH, seed: 0, mode: 'epoch' },
};

async function dlLab(mode: 'epoch' | 'step', stats = true, statsEvery = 1): Promise<Result> {
  const t = await Trainer.create(lab, { mode, stats, statsEvery });
  let seconds = 0, samples = 0, loss = NaN, acc = NaN;
  for (let e = 0; e < EPOCHS + WARMUP; e++) {
    const started = performance.now();
    const r = (await t.trainEpoch())!;
    if (e >= WARMUP) {
      seconds += (performance.now() - started) / 1000;
      samples += t.plan.stepsPerEpoch * BATCH;
    }
    loss = r.trainLoss;
    acc = r.trainAcc!;
  }
  await t.dispose();
  return { peer: `dl-lab (${mode === 'epoch' ? 'Scan, one run per epoch' : 'one run per minibatch'}${stats ? (statsEvery > 1 ? `, statistics every ${statsEvery} steps` : '') : ', no statistics'})`, samplesPerSec: samples / seconds, finalLoss: loss, trainAcc: acc };
}

function peer(cmd: string, args: string[], label: string): Result | undefined {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 15 * 60 * 1000 });
  const line = r.stdout?.trim().split('\n').pop();
  if (r.status !== 0 || !line) {
    console.error(`[bench] ${label} failed: ${(r.stderr ?? '').trim().split('\n').slice(-3).join(' | ') || r.error?.message}`);
    return undefined;
  }
  const j = JSON.parse(line);
  return { ...j, peer: label };
}

// The machine is shared and noisy: alternate the peers over several rounds and keep each one's best.
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const best = new Map<string, Result>();
const keep = (r: Result | undefined) => {
  if (r && (!best.has(r.peer) || r.samplesPerSec > best.get(r.peer)!.samplesPerSec)) best.set(r.peer, r);
};
const python = existsSync('.bench/python') ? readFileSync('.bench/python', 'utf8').trim() : '/usr/bin/python3';
const torchSettings = [1, 2].map((threads) => ({ threads, label: `pytorch (threads=${threads}, interop=1)` }));
for (let round = 0; round < ROUNDS; round++) {
  keep(await dlLab('epoch'));
  keep(await dlLab('step'));
  keep(await dlLab('epoch', true, 10));
  keep(await dlLab('epoch', false));
  for (const { threads, label } of torchSettings) {
    if (threads > 1 && round > 0) continue; // oversubscribed: measured once to show why it is not used
    keep(peer(python, ['bench/peers/torch_mlp.py', '--data', '.bench/mnist', '--epochs', String(EPOCHS + WARMUP), '--warmup', String(WARMUP),
      '--batch', String(BATCH), '--threads', String(threads), '--interop', '1'], label));
  }
}
if (existsSync('bench/node_modules/@tensorflow/tfjs')) {
  for (const backend of ['cpu', 'wasm']) {
    keep(peer(process.execPath, ['bench/peers/tfjs_mlp.mjs', '--backend', backend, '--epochs', backend === 'cpu' ? '2' : '3',
      '--warmup', '1', '--batch', String(BATCH), '--threads', String(os.availableParallelism())], `tfjs-${backend}`));
  }
}
const results = [...best.values()];
const bestTorch = results.filter((r) => r.peer.startsWith('pytorch')).reduce<Result | undefined>((b, r) => (!b || r.samplesPerSec > b.samplesPerSec ? r : b), undefined);
const floor = peer(process.execPath, ['bench/floor.mjs'], 'matmul-floor') as (Result & { gflops: number; flopsPerSample: number }) | undefined;

const rows = results.map((r) => ({
  peer: r.peer,
  samplesPerSec: Math.round(r.samplesPerSec),
  vsPyTorch: bestTorch ? r.samplesPerSec / bestTorch.samplesPerSec : NaN,
  ofFloor: floor ? (r.samplesPerSec * floor.flopsPerSample) / (floor.gflops * 1e9) : NaN,
}));
const fmt = (x: number, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : '-');
console.log(`\nMLP 784-128-10, batch ${BATCH}, SGD momentum 0.9, float32, ${EPOCHS} timed epochs of 10,000 MNIST digits, best of ${ROUNDS} rounds`);
console.log(`machine: ${os.cpus()[0]?.model ?? '?'} × ${os.availableParallelism()}; matmul floor ${floor ? fmt(floor.gflops, 1) + ' GFLOP/s' : '-'}`);
console.log('| peer | samples/s | × best PyTorch | of matmul floor |');
console.log('|---|---:|---:|---:|');
for (const r of rows) console.log(`| ${r.peer} | ${r.samplesPerSec.toLocaleString('en')} | ${fmt(r.vsPyTorch)}× | ${fmt(100 * r.ofFloor, 0)}% |`);
writeFileSync('.bench/results.json', JSON.stringify({ date: new Date().toISOString(), epochs: EPOCHS, results, floor, rows }, null, 2));
