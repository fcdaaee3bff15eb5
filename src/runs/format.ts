// How a run is summed up in one phrase (history, quick picks).
import type { RunRecord } from './record.js';

/** "val acc 98.9%" for classification, "loss 0.0123" otherwise, from the last finished epoch. */
export function runMetric(run: RunRecord): string {
  const last = run.epochs[run.epochs.length - 1];
  if (!last) return 'no epoch';
  return last.valAcc !== null ? `val acc ${(100 * last.valAcc).toFixed(1)}%` : `loss ${(last.valLoss ?? last.trainLoss).toFixed(4)}`;
}
