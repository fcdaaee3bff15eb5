// Runs training in a child process, streams its epochs into the run store, the dashboard, a cancellable
// progress notification and the status bar. The editor never waits on training, and survives the worker.
import * as vscode from 'vscode';
import { fork, type ChildProcess } from 'node:child_process';
import { basename } from 'node:path';
import type { FromWorker, ToWorker } from '../worker/protocol.js';
import type { LayerInfo, RunRecord, RunStatus } from '../runs/record.js';
import { RunStore, newRunId } from '../runs/store.js';
import { resolveProvider } from '../engine/providers.js';
import { statementsOf } from '../runs/config.js';

export interface TrainingEvents {
  onRunChanged(run: RunRecord): void;
  onEpoch(run: RunRecord): void;
}

export interface TrainInput {
  uri: vscode.Uri;
  text: string;
  epochs?: number;
  /** Known from parsing before the worker starts, so a run that fails early still shows its model. */
  layers?: LayerInfo[];
  epochsPlanned?: number;
}

export class TrainingController implements vscode.Disposable {
  private worker: ChildProcess | undefined;
  private current: RunRecord | undefined;
  private cancel: (() => void) | undefined;
  private readonly statusBar: vscode.StatusBarItem;
  private readonly listeners = new Set<TrainingEvents>();
  /** The one export in flight: settled by the worker's answer, its error, or its exit. */
  private pendingExport: { resolve(bytes: number): void; reject(e: Error): void } | undefined;

  constructor(private readonly context: vscode.ExtensionContext, readonly store: RunStore, private readonly output: vscode.OutputChannel) {
    this.statusBar = vscode.window.createStatusBarItem('dlLab.training', vscode.StatusBarAlignment.Left, 10);
    this.statusBar.name = 'DL Lab Training';
    this.statusBar.command = 'dlLab.openDashboard';
  }

  subscribe(l: TrainingEvents): vscode.Disposable {
    this.listeners.add(l);
    return { dispose: () => this.listeners.delete(l) };
  }

  get running(): RunRecord | undefined {
    return this.current?.status === 'running' ? this.current : undefined;
  }

  get lastRun(): RunRecord | undefined {
    return this.current;
  }

  /** The training process's pid (for diagnostics and tests), while one is alive. */
  get workerPid(): number | undefined {
    return this.worker?.pid;
  }

  /** Starts a run and resolves when it ends (completed, stopped, failed or crashed). */
  async train(input: TrainInput): Promise<RunRecord> {
    if (this.running) throw new Error('A model is already training: stop it first (DL Lab: Stop Training).');
    this.killWorker();
    const config = vscode.workspace.getConfiguration('dlLab');
    const providerSetting = config.get<'auto' | 'cpu' | 'cuda'>('executionProvider', 'auto');
    const threads = config.get<number>('threads', 0) || undefined;
    const statsEvery = Math.max(1, config.get<number>('statisticsInterval', 1));
    const run: RunRecord = {
      id: newRunId(), file: vscode.workspace.asRelativePath(input.uri), startedAt: new Date().toISOString(), status: 'running',
      provider: resolveProvider(providerSetting), config: statementsOf(input.text), layers: input.layers ?? [], epochsPlanned: input.epochs ?? input.epochsPlanned ?? 0, epochs: [],
    };
    this.current = run;
    this.store.save(run);
    this.emit((l) => l.onRunChanged(run));

    const worker = fork(this.context.asAbsolutePath('dist/worker.cjs'), [], {
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      execArgv: [],
      // Desktop VS Code's extension host is Electron: run the child as plain Node.
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    });
    this.worker = worker;
    worker.stdout?.on('data', (d) => this.output.append(String(d)));
    worker.stderr?.on('data', (d) => this.output.append(String(d)));

    const done = new Promise<RunRecord>((resolve) => {
      const finish = (status: RunStatus, error?: string) => {
        if (run.status !== 'running') return;
        run.status = status;
        run.finishedAt = new Date().toISOString();
        if (error) run.error = error;
        this.store.save(run);
        this.updateStatusBar(run);
        this.emit((l) => l.onRunChanged(run));
        resolve(run);
      };
      worker.on('message', (m: FromWorker) => {
        if (m.type === 'started') {
          run.provider = m.provider;
          run.layers = m.layers;
          run.epochsPlanned = m.epochs;
          if (m.message) void vscode.window.showWarningMessage(`DL Lab: ${m.message}`);
          this.store.save(run);
          this.emit((l) => l.onRunChanged(run));
        } else if (m.type === 'epoch') {
          run.epochs.push(m.record);
          this.store.save(run);
          this.updateStatusBar(run);
          this.emit((l) => l.onEpoch(run));
        } else if (m.type === 'finished') finish(m.status);
        else if (m.type === 'error') {
          this.output.appendLine(m.message);
          if (this.pendingExport && run.status !== 'running') this.settleExport(new Error(m.message));
          else finish('failed', m.message);
        } else if (m.type === 'exported') this.settleExport(m.bytes);
        else if (m.type === 'log') this.output.appendLine(m.message);
      });
      worker.on('exit', (code, signal) => {
        if (this.worker === worker) this.worker = undefined;
        this.settleExport(new Error('the training process ended before the export finished'));
        finish('crashed', `the training process exited unexpectedly (${signal ?? `code ${code}`}); ${run.epochs.length} finished epochs are kept`);
      });
      // A fork that cannot start, or a message sent into a channel that just closed.
      worker.on('error', (e) => finish('crashed', `the training process failed: ${e.message}; ${run.epochs.length} finished epochs are kept`));
    });

    const message: ToWorker = { type: 'train', file: input.uri.fsPath, text: input.text, provider: run.provider as 'cpu' | 'cuda', threads, statsEvery, epochs: input.epochs };
    worker.send(message, (e) => e && this.output.appendLine(`could not start training: ${e.message}`));
    this.updateStatusBar(run);

    void vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `DL Lab: training ${basename(input.uri.fsPath)}`, cancellable: true },
      async (progress, token) => {
        token.onCancellationRequested(() => this.stop());
        let reported = 0;
        const sub = this.subscribe({
          onRunChanged: () => {},
          onEpoch: (r) => {
            const e = r.epochs[r.epochs.length - 1];
            const pct = r.epochsPlanned ? (100 * r.epochs.length) / r.epochsPlanned : 0;
            progress.report({ increment: pct - reported, message: `epoch ${e.epoch}/${r.epochsPlanned} · loss ${e.trainLoss.toFixed(4)}${e.valAcc !== null ? ` · val acc ${(100 * e.valAcc).toFixed(1)}%` : ''}` });
            reported = pct;
          },
        });
        await done;
        sub.dispose();
      });
    this.cancel = () => worker.connected && worker.send({ type: 'stop' } satisfies ToWorker, () => {});
    return done;
  }

  stop(): boolean {
    if (!this.running || !this.cancel) return false;
    this.cancel();
    return true;
  }

  /** Asks the worker that trained the last run to write it as ONNX. */
  exportModel(path: string): Promise<number> {
    const worker = this.worker;
    if (!worker || !worker.connected || !this.current || this.current.status === 'running' || this.current.epochs.length === 0) {
      return Promise.reject(new Error('No trained model to export: train one first (DL Lab: Train Model).'));
    }
    if (this.pendingExport) return Promise.reject(new Error('An export is already being written; try again when it is done.'));
    return new Promise((resolve, reject) => {
      this.pendingExport = { resolve, reject };
      worker.send({ type: 'export', path } satisfies ToWorker, (e) => e && this.settleExport(e));
    });
  }

  private settleExport(result: number | Error): void {
    const p = this.pendingExport;
    this.pendingExport = undefined;
    if (!p) return;
    if (typeof result === 'number') p.resolve(result);
    else p.reject(result);
  }

  private updateStatusBar(run: RunRecord): void {
    const last = run.epochs[run.epochs.length - 1];
    const metrics = last ? ` · loss ${last.trainLoss.toFixed(3)}${last.valAcc !== null ? ` · val ${(100 * last.valAcc).toFixed(1)}%` : ''}` : '';
    if (run.status === 'running') {
      this.statusBar.text = `$(sync~spin) DL Lab ${run.epochs.length}/${run.epochsPlanned || '?'}${metrics}`;
      this.statusBar.tooltip = `Training ${run.file} on ${run.provider.toUpperCase()}: click for the dashboard`;
    } else {
      const icon = run.status === 'completed' || run.status === 'early_stopped' ? '$(check)' : run.status === 'cancelled' ? '$(debug-stop)' : '$(error)';
      this.statusBar.text = `${icon} DL Lab${metrics}`;
      this.statusBar.tooltip = `${run.file}: ${run.status.replace('_', ' ')}${run.error ? ` — ${run.error}` : ''} (${run.provider.toUpperCase()})`;
    }
    this.statusBar.show();
  }

  private emit(f: (l: TrainingEvents) => void): void {
    for (const l of this.listeners) f(l);
  }

  private killWorker(): void {
    if (this.worker) {
      this.settleExport(new Error('a new training run replaced the model being exported'));
      this.worker.removeAllListeners('exit');
      this.worker.removeAllListeners('error');
      this.worker.kill();
      this.worker = undefined;
    }
  }

  dispose(): void {
    this.stop();
    this.killWorker();
    this.statusBar.dispose();
  }
}
