// Messages between the training dashboard webview and its host (src/extension). One file, both sides.
import type { RunRecord, EpochRecord, RunStatus } from '../../runs/record.js';

/** Host → webview. */
export type ToDashboard =
  /** Replace everything shown with this run (on open, on switching runs, after a reload). */
  | { type: 'run'; run: RunRecord }
  /** One more finished epoch of the run being shown. */
  | { type: 'epoch'; runId: string; epoch: EpochRecord }
  /** The run's status changed (finished, cancelled, failed...). */
  | { type: 'status'; runId: string; status: RunStatus; error?: string }
  /** Replace everything shown with these two runs side by side (A first, B second); a later 'run' ends the comparison. */
  | { type: 'compare'; runs: [RunRecord, RunRecord] };

/** Webview → host. */
export type FromDashboard =
  | { type: 'ready' }
  /** The user clicked a layer: reveal its line in the lab file. */
  | { type: 'revealLine'; file: string; line: number }
  | { type: 'stop'; runId: string };

/** What the webview keeps with vscode.setState so a reload restores it without the host. */
export interface DashboardState {
  run?: RunRecord;
  /** The two runs being compared, when a comparison is shown (then `run` is absent). */
  compare?: [RunRecord, RunRecord];
}
