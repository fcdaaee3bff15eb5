// onnxruntime-node sessions: the CPU by default, CUDA when asked for and present.
import * as ort from 'onnxruntime-node';
import os from 'node:os';
import type { DType } from './ir.js';

export type Provider = 'cpu' | 'cuda';

export interface SessionOptions {
  provider?: Provider;
  /** Intra-op threads; default: the machine's cores. */
  threads?: number;
  /** Called with a message when the requested provider is unavailable and the CPU is used instead. */
  onFallback?: (message: string) => void;
}

export interface Session {
  readonly provider: Provider;
  run(feeds: Record<string, ort.Tensor>): Promise<Record<string, ort.Tensor>>;
  release(): Promise<void>;
}

export async function createSession(model: Uint8Array, opts: SessionOptions = {}): Promise<Session> {
  const base: ort.InferenceSession.SessionOptions = {
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
    intraOpNumThreads: opts.threads ?? Math.max(1, os.availableParallelism()),
    interOpNumThreads: 1,
  };
  let provider: Provider = 'cpu';
  let session: ort.InferenceSession | undefined;
  if (opts.provider === 'cuda') {
    try {
      session = await ort.InferenceSession.create(model, { ...base, executionProviders: ['cuda', 'cpu'] });
      provider = 'cuda';
    } catch (e) {
      opts.onFallback?.(`CUDA execution provider unavailable (${firstLine(e)}); training on the CPU. ` +
        'Install it with `npm rebuild onnxruntime-node --onnxruntime-node-install=cuda12` on a machine with CUDA 12.');
    }
  }
  session ??= await ort.InferenceSession.create(model, { ...base, executionProviders: ['cpu'] });
  const s = session;
  return {
    provider,
    run: (feeds) => s.run(feeds) as Promise<Record<string, ort.Tensor>>,
    release: () => s.release(),
  };
}

function firstLine(e: unknown): string {
  return String(e instanceof Error ? e.message : e).split('\n')[0].slice(0, 200);
}

export function tensor(dtype: DType, data: Float32Array | Float64Array | ArrayLike<number>, shape: readonly number[]): ort.Tensor {
  if (dtype === 'float32') return new ort.Tensor('float32', data instanceof Float32Array ? data : Float32Array.from(data), shape);
  if (dtype === 'float64') return new ort.Tensor('float64', data instanceof Float64Array ? data : Float64Array.from(data), shape);
  throw new Error(`tensor: unsupported feed dtype ${dtype}`);
}

export { ort };
