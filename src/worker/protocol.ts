// Messages between the extension host and the training worker (a child process, so that a blocking
// session.run or a native crash never takes the editor down).
import type { EpochRecord, EarlyStop } from '../engine/trainer.js';
import type { SourceRange } from '../engine/spec.js';
import type { LayerInfo } from '../runs/record.js';

export interface TrainRequest {
  type: 'train';
  file: string;
  text: string;
  provider: 'cpu' | 'cuda';
  threads?: number;
  statsEvery?: number;
  epochs?: number;
  seed?: number;
}

export type ToWorker =
  | TrainRequest
  | { type: 'stop' }
  | { type: 'export'; path: string }
  | { type: 'exit' };

export type FromWorker =
  | { type: 'started'; provider: string; layers: LayerInfo[]; epochs: number; message?: string }
  | { type: 'epoch'; record: EpochRecord }
  | { type: 'finished'; status: 'completed' | 'early_stopped' | 'cancelled'; earlyStop?: EarlyStop }
  /** A mistake in the lab file (with where), or a failure of the engine (without). */
  | { type: 'error'; message: string; range?: SourceRange; userError: boolean }
  | { type: 'exported'; path: string; bytes: number }
  | { type: 'log'; message: string };
