// A training run as it is saved and shown: what was trained, on what, and every epoch as it finished.
import type { EpochRecord } from '../engine/trainer.js';

export type { EpochRecord, LayerStats } from '../engine/trainer.js';

export type RunStatus = 'running' | 'completed' | 'early_stopped' | 'cancelled' | 'failed' | 'crashed';

export interface LayerInfo {
  name: string;
  kind: 'dense' | 'dropout';
  /** e.g. "Dense(2 => 32, relu)" */
  description: string;
  /** Output shape without the batch dimension. */
  outputShape: number[];
  parameters: number;
  line: number | null;
}

export interface RunRecord {
  id: string;
  /** Lab file (workspace-relative where possible). */
  file: string;
  startedAt: string;
  finishedAt?: string;
  status: RunStatus;
  provider: string;
  /** The lab's statements as the user wrote them, for "config" in the history. */
  config: Record<string, string>;
  layers: LayerInfo[];
  epochsPlanned: number;
  epochs: EpochRecord[];
  /** Why it failed, in words, when it did. */
  error?: string;
}
