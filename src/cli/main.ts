// `dl-lab`: the command line over the engine. A user's mistake prints one `file:line:column: message` line
// and exits with 2; epochs already finished are printed as they finish, so nothing is lost on failure.
import { parseArgs } from 'node:util';
import { accessSync, constants, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { LabError } from '../engine/errors.js';
import { parseLab } from '../readers/lab/index.js';
import { Trainer, type EpochRecord } from '../engine/trainer.js';
import type { LabSpec } from '../engine/spec.js';
import { renderProgress, type Progress } from './progress.js';

const USAGE = `usage:
  dl-lab train FILE [--epochs N] [--seed S] [--provider cpu|cuda] [--mode epoch|step] [--threads N]
                    [--stats-every N] [--export out.onnx] [--json]
  dl-lab grads FILE --out grads.json [--seed S] [--dtype float32|float64]`;

export class UsageError extends Error {}

interface Io {
  out: (line: string) => void;
  err: (line: string) => void;
  isTTY: boolean;
}

const defaultIo: Io = {
  out: (l) => process.stdout.write(l + '\n'),
  err: (l) => process.stderr.write(l + '\n'),
  isTTY: Boolean(process.stderr.isTTY),
};

export async function main(argv: string[], io: Io = defaultIo, signal?: AbortSignal): Promise<number> {
  try {
    const [command, ...rest] = argv;
    if (command === 'train') return await train(rest, io, signal);
    if (command === 'grads') return await grads(rest, io);
    if (command === '--help' || command === '-h' || command === 'help') {
      io.out(USAGE);
      return 0;
    }
    throw new UsageError(command ? `unknown command '${command}'; allowed: train, grads` : 'no command given');
  } catch (e) {
    if (e instanceof LabError) {
      io.err(e.format());
      return 2;
    }
    if (e instanceof UsageError) {
      io.err(`dl-lab: ${e.message}\n${USAGE}`);
      return 2;
    }
    io.err(`dl-lab: internal error: ${e instanceof Error ? e.message : String(e)}`);
    if (process.env.DL_LAB_DEBUG && e instanceof Error) io.err(e.stack ?? '');
    return 1;
  }
}

function parse(args: string[], options: Record<string, { type: 'string' | 'boolean' }>) {
  try {
    const { values, positionals } = parseArgs({ args, options, allowPositionals: true, strict: true });
    const str = (k: string) => (typeof values[k] === 'string' ? (values[k] as string) : undefined);
    return { str, flag: (k: string) => values[k] === true, positionals };
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }
}

function readLab(file: string | undefined): LabSpec {
  if (!file) throw new UsageError('no lab file given');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new LabError(code === 'ENOENT' ? 'no such file' : `cannot read the file (${code ?? String(e)})`,
      { file, line: 1, column: 1, endLine: 1, endColumn: 1 }, file, 'a readable .dlab file');
  }
  return parseLab(text, file);
}

/** Fails before training, not after it, when --export names a place that cannot be written. */
function checkWritable(path: string): void {
  try {
    accessSync(dirname(resolve(path)), constants.W_OK);
  } catch {
    throw new UsageError(`--export ${path}: the folder ${dirname(resolve(path))} does not exist or is not writable`);
  }
}

function intOption(name: string, v: string | undefined, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name} must be an integer from ${min} to ${max}; found '${v}'`);
  return n;
}

function choice<T extends string>(name: string, v: string | undefined, allowed: readonly T[]): T | undefined {
  if (v === undefined) return undefined;
  if (!allowed.includes(v as T)) throw new UsageError(`--${name} must be one of ${allowed.join(', ')}; found '${v}'`);
  return v as T;
}

async function train(args: string[], io: Io, signal?: AbortSignal): Promise<number> {
  const { str, flag, positionals } = parse(args, {
    epochs: { type: 'string' }, seed: { type: 'string' }, provider: { type: 'string' }, mode: { type: 'string' },
    threads: { type: 'string' }, export: { type: 'string' }, json: { type: 'boolean' }, 'stats-every': { type: 'string' },
  });
  const lab = readLab(positionals[0]);
  const exportPath = str('export');
  if (exportPath) checkWritable(exportPath);
  const trainer = await Trainer.create(lab, {
    epochs: intOption('epochs', str('epochs'), 1, 100000),
    seed: intOption('seed', str('seed'), 0, 2 ** 31 - 1),
    provider: choice('provider', str('provider'), ['cpu', 'cuda'] as const),
    mode: choice('mode', str('mode'), ['epoch', 'step'] as const),
    threads: intOption('threads', str('threads'), 1, 1024),
    statsEvery: intOption('stats-every', str('stats-every'), 1, 1_000_000),
    onFallback: (m) => io.err(`dl-lab: ${m}`),
  });
  const json = flag('json');
  const records: EpochRecord[] = [];
  let status: 'completed' | 'interrupted' | 'early_stopped' | 'failed' = 'completed';
  let failure: string | undefined;
  const progress: Progress | undefined = json ? undefined : renderProgress(io, trainer.epochs, lab.file);
  try {
    for await (const rec of trainer.run(signal)) {
      records.push(rec);
      if (json) io.out(JSON.stringify(rec));
      else progress?.update(rec);
    }
    if (signal?.aborted) status = 'interrupted';
    else if (trainer.earlyStop) status = 'early_stopped';
  } catch (e) {
    status = 'failed';
    failure = e instanceof Error ? e.message : String(e);
  } finally {
    progress?.stop();
  }
  const final = records[records.length - 1];
  const summary = { final: final ?? null, status, epochs: records.length, provider: trainer.provider, ...(trainer.earlyStop ? { earlyStop: trainer.earlyStop } : {}), ...(failure ? { error: failure } : {}) };
  if (json) io.out(JSON.stringify(summary));
  else io.out(describe(summary.status, final, trainer));
  try {
    if (exportPath && records.length > 0) {
      writeFileSync(exportPath, trainer.exportModel());
      io.err(`dl-lab: wrote ${exportPath} (${status === 'completed' ? 'trained' : `${status} after ${records.length} epochs`})`);
    }
  } catch (e) {
    io.err(`dl-lab: could not write ${exportPath}: ${e instanceof Error ? e.message : String(e)}`);
    failure ??= 'export failed';
  } finally {
    await trainer.dispose();
  }
  if (failure) {
    io.err(`dl-lab: training failed after ${records.length} epochs: ${failure}`);
    return 1;
  }
  return status === 'interrupted' ? 130 : 0;
}

function describe(status: string, r: EpochRecord | undefined, t: Trainer): string {
  if (!r) return `${status}: no epoch finished`;
  const pct = (v: number | null) => (v === null ? '-' : `${(100 * v).toFixed(2)}%`);
  const early = t.earlyStop ? ` (early stop at epoch ${t.earlyStop.epoch}; best epoch ${t.earlyStop.bestEpoch} restored)` : '';
  return `${status}${early}: epoch ${r.epoch}: loss ${r.trainLoss.toFixed(4)} acc ${pct(r.trainAcc)} · ` +
    `val loss ${r.valLoss?.toFixed(4) ?? '-'} val acc ${pct(r.valAcc)}`;
}

async function grads(args: string[], io: Io): Promise<number> {
  const { str, positionals } = parse(args, { out: { type: 'string' }, seed: { type: 'string' }, dtype: { type: 'string' } });
  const outPath = str('out');
  if (!outPath) throw new UsageError('grads needs --out FILE');
  const lab = readLab(positionals[0]);
  const dtype = choice('dtype', str('dtype'), ['float32', 'float64'] as const) ?? 'float32';
  const trainer = await Trainer.create(lab, { seed: intOption('seed', str('seed'), 0, 2 ** 31 - 1), dtype, mode: 'step' });
  const batch = trainer.firstBatch();
  const r = await trainer.gradients(batch);
  const { features, targetWidth } = trainer.plan;
  const params = trainer.params();
  const doc = {
    file: lab.file, seed: trainer.plan.seed, dtype,
    loss: r.loss,
    ...(r.objective !== r.loss ? { objective: r.objective } : {}),
    inputs: { shape: [batch.n, features], data: nest(batch.x, [batch.n, features]) },
    targets: { shape: [batch.n, targetWidth], data: nest(batch.y, [batch.n, targetWidth]) },
    parameters: params.map((p, i) => ({ name: p.name, shape: p.shape, value: nest(p.value, p.shape), grad: nest(r.grads[i].value, p.shape) })),
  };
  writeFileSync(outPath, JSON.stringify(doc));
  io.out(`loss ${r.loss} on the first minibatch of ${batch.n}; gradients of ${params.length} tensors written to ${outPath}`);
  await trainer.dispose();
  return 0;
}

/** Flat row-major values as nested arrays of `shape`, so `torch.tensor(value)` reads them as they are. */
export function nest(flat: ArrayLike<number>, shape: readonly number[]): unknown {
  if (shape.length <= 1) return Array.from(flat);
  const inner = shape.slice(1).reduce((a, b) => a * b, 1);
  return Array.from({ length: shape[0] }, (_, i) => nest(Array.prototype.slice.call(flat, i * inner, (i + 1) * inner), shape.slice(1)));
}
