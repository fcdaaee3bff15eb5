// DL Lab's extension entry: registers everything through disposables and loads nothing heavy. Training,
// and with it onnxruntime, lives in a child process started on the first Train Model.
import * as vscode from 'vscode';
import { join } from 'node:path';
import { registerLabDiagnostics } from './lab-diagnostics.js';
import { registerLabCompletion } from './lab-completion.js';
import { TrainingController } from './training.js';
import { DashboardPanel, DASHBOARD_VIEW_TYPE } from './dashboard-panel.js';
import { RunHistoryProvider } from './run-history.js';
import { RunStore } from '../runs/store.js';
import { labReader } from '../readers/lab/index.js';
import { describeLayers } from '../runs/layers.js';
import { runMetric } from '../runs/format.js';
import type { DashboardState } from '../webview/dashboard/protocol.js';
import type { RunRecord } from '../runs/record.js';

export interface DlLabApi {
  /** For tests: the controller that runs training. */
  training: TrainingController;
  store: RunStore;
  activationMs: number;
}

export function activate(context: vscode.ExtensionContext): DlLabApi {
  const started = performance.now();
  const output = vscode.window.createOutputChannel('DL Lab');
  const storage = context.storageUri ?? context.globalStorageUri;
  const store = new RunStore(join(storage.fsPath, 'runs'));
  const training = new TrainingController(context, store, output);
  const activeIds = () => new Set(training.running ? [training.running.id] : []);
  const history = new RunHistoryProvider(store, () => training.running?.id);
  // The dashboard's Stop applies to the run it shows, and only while that run is the one training.
  const handlers = { stop: (runId: string) => training.running?.id === runId && training.stop() };

  context.subscriptions.push(
    output,
    training,
    vscode.window.registerTreeDataProvider('dlLab.runHistory', history),
    training.subscribe({
      onRunChanged: (run) => {
        history.refresh();
        DashboardPanel.current?.update(run, 'status');
      },
      onEpoch: (run) => DashboardPanel.current?.update(run, 'epoch'),
    }),
    vscode.window.registerWebviewPanelSerializer(DASHBOARD_VIEW_TYPE, {
      async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: DashboardState | undefined) {
        const p = DashboardPanel.revive(panel, context.extensionUri, state, handlers);
        // A comparison restores itself from the webview's state; a single run is refreshed from the store.
        const id = state?.compare ? undefined : state?.run?.id;
        const run = id ? (training.lastRun?.id === id ? training.lastRun : store.load(id, activeIds())) : undefined;
        if (run) p.showRun(run);
      },
    }),
    vscode.commands.registerCommand('dlLab.trainModel', (uri?: vscode.Uri) => trainCommand(context, training, uri)),
    vscode.commands.registerCommand('dlLab.stopTraining', () => {
      if (!training.stop()) void vscode.window.showInformationMessage('DL Lab: no model is training.');
    }),
    vscode.commands.registerCommand('dlLab.openDashboard', () => {
      const p = DashboardPanel.show(context.extensionUri, handlers);
      const run = training.lastRun ?? store.list()[0];
      if (run) p.showRun(run);
    }),
    vscode.commands.registerCommand('dlLab.openRun', (id?: string) => {
      const run = id ? (training.lastRun?.id === id ? training.lastRun : store.load(id, activeIds())) : undefined;
      if (!run) return vscode.window.showWarningMessage(`DL Lab: run ${id ?? ''} not found.`);
      DashboardPanel.show(context.extensionUri, handlers).showRun(run);
    }),
    vscode.commands.registerCommand('dlLab.compareRuns', (first?: RunRecord | string, second?: string) => compareCommand(context, store, handlers, first, second)),
    vscode.commands.registerCommand('dlLab.showRunHistory', () => vscode.commands.executeCommand('dlLab.runHistory.focus')),
    vscode.commands.registerCommand('dlLab.enableCuda', () => enableCudaCommand(context)),
    vscode.commands.registerCommand('dlLab.exportModel', (target?: vscode.Uri) => exportCommand(training, target)),
  );
  registerLabDiagnostics(context);
  registerLabCompletion(context);
  const activationMs = performance.now() - started;
  output.appendLine(`DL Lab activated in ${activationMs.toFixed(1)} ms`);
  return { training, store, activationMs };
}

export function deactivate(): void {}

async function pickLabFile(uri?: vscode.Uri): Promise<vscode.Uri | undefined> {
  if (uri) return uri;
  const active = vscode.window.activeTextEditor?.document;
  if (active?.languageId === 'dlab') return active.uri;
  const files = await vscode.workspace.findFiles('**/*.dlab', '**/node_modules/**', 200);
  if (files.length === 0) {
    void vscode.window.showErrorMessage('DL Lab: no lab file (.dlab) in this workspace. Create one, e.g. from the walkthrough.');
    return undefined;
  }
  if (files.length === 1) return files[0];
  const pick = await vscode.window.showQuickPick(files.map((f) => ({ label: vscode.workspace.asRelativePath(f), uri: f })), { placeHolder: 'Lab file to train' });
  return pick?.uri;
}

async function trainCommand(context: vscode.ExtensionContext, training: TrainingController, uri?: vscode.Uri): Promise<void> {
  const file = await pickLabFile(uri);
  if (!file) return;
  const doc = await vscode.workspace.openTextDocument(file);
  let text = doc.getText();
  const { errors, spec } = labReader.read(text, file.fsPath);
  if (errors.length > 0 || !spec) {
    void vscode.window.showErrorMessage(`DL Lab: ${vscode.workspace.asRelativePath(file)} has ${errors.length} problem(s): ${errors[0]?.format() ?? ''}`, 'Show Problems')
      .then((choice) => choice && vscode.commands.executeCommand('workbench.actions.view.problems'));
    return;
  }
  // What the file leaves open, asked for rather than silently defaulted.
  if (!spec.optimizer.range) {
    const pick = await vscode.window.showQuickPick([
      { label: 'Adam(lr=0.001)', description: 'adaptive; little tuning (default)' },
      { label: 'Momentum(lr=0.01, momentum=0.9)', description: 'SGD with momentum' },
      { label: 'SGD(lr=0.1)', description: 'plain stochastic gradient descent' },
      { label: 'RMSProp(lr=0.001)', description: 'adaptive, Hinton' },
      { label: 'AdamW(lr=0.001, weight_decay=0.01)', description: 'Adam with decoupled weight decay' },
    ], { placeHolder: `${vscode.workspace.asRelativePath(file)} names no optimizer: pick one for this run` });
    if (!pick) return;
    text += `\noptimizer ${pick.label}\n`;
  }
  let epochs: number | undefined;
  if (!spec.train.range) {
    const pick = await vscode.window.showQuickPick(['10', '20', '50', '100'].map((label) => ({ label, description: label === '20' ? 'default' : '' })),
      { placeHolder: 'The file has no train statement: how many epochs?' });
    if (!pick) return;
    epochs = Number(pick.label);
  }
  if (vscode.workspace.getConfiguration('dlLab').get<boolean>('openDashboardOnTrain', true)) {
    DashboardPanel.show(context.extensionUri, { stop: (runId: string) => training.running?.id === runId && training.stop() });
  }
  try {
    const pending = training.train({ uri: file, text, epochs, layers: describeLayers(spec), epochsPlanned: spec.train.epochs });
    const run = training.lastRun;
    if (run) DashboardPanel.current?.showRun(run);
    const result = await pending;
    if (result.status === 'failed' || result.status === 'crashed') {
      // Not awaited: the command is done; the message waits for the user on its own.
      void vscode.window.showErrorMessage(`DL Lab: training ${result.status}: ${result.error ?? ''}`, 'Open Dashboard', 'Retry').then((action) => {
        if (action === 'Retry') void vscode.commands.executeCommand('dlLab.trainModel', file);
        else if (action === 'Open Dashboard') void vscode.commands.executeCommand('dlLab.openRun', result.id);
      });
    }
  } catch (e) {
    void vscode.window.showErrorMessage(`DL Lab: ${e instanceof Error ? e.message : String(e)}`);
  }
}

async function exportCommand(training: TrainingController, to?: vscode.Uri): Promise<void> {
  const run = training.lastRun;
  if (!run || run.status === 'running' || run.epochs.length === 0) {
    void vscode.window.showInformationMessage('DL Lab: train a model first (DL Lab: Train Model), then export it.');
    return;
  }
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const name = (run.file.split('/').pop() ?? 'model').replace(/\.dlab$/, '') + '.onnx';
  const target = to ?? await vscode.window.showSaveDialog({ defaultUri: folder ? vscode.Uri.joinPath(folder, name) : undefined, filters: { ONNX: ['onnx'] }, saveLabel: 'Export' });
  if (!target) return;
  try {
    const bytes = await training.exportModel(target.fsPath);
    void vscode.window.showInformationMessage(`DL Lab: exported ${vscode.workspace.asRelativePath(target)} (${(bytes / 1024).toFixed(1)} KiB, ONNX opset 17).`);
  } catch (e) {
    void vscode.window.showErrorMessage(`DL Lab: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** onnxruntime-node's own install step for the CUDA provider: it downloads from NuGet, so it needs internet. */
async function enableCudaCommand(context: vscode.ExtensionContext): Promise<void> {
  const { cudaAvailable } = await import('../engine/providers.js');
  if (cudaAvailable()) {
    void vscode.window.showInformationMessage('DL Lab: the CUDA execution provider is installed and an NVIDIA GPU is visible; training uses it when dlLab.executionProvider is auto or cuda.');
    return;
  }
  const go = await vscode.window.showInformationMessage('Enable CUDA training?', {
    modal: true,
    detail: 'DL Lab trains on the CPU by default. With an NVIDIA GPU, its driver and CUDA 12, onnxruntime-node can run the training graphs on the GPU. '
      + 'This runs onnxruntime-node\'s own install step in a terminal, which downloads the CUDA provider (several hundred MB) from NuGet. '
      + 'Afterwards, reload the window; runs show the provider they used.',
  }, 'Install CUDA Provider');
  if (!go) return;
  const terminal = vscode.window.createTerminal({ name: 'DL Lab: CUDA provider', cwd: context.extensionPath });
  terminal.show();
  terminal.sendText('node node_modules/onnxruntime-node/script/install.js --onnxruntime-node-install=cuda12');
}

/** Two runs side by side: from the history's context menu (the first run given) or the palette (both picked). */
async function compareCommand(context: vscode.ExtensionContext, store: RunStore, handlers: { stop(runId: string): void },
  first?: RunRecord | string, secondId?: string): Promise<void> {
  const runs = store.list();
  if (runs.length < 2) {
    void vscode.window.showInformationMessage('DL Lab: comparing needs two runs; train another model first.');
    return;
  }
  const item = (r: RunRecord) => ({ label: r.file, description: `${runMetric(r)} · ${r.status.replace('_', ' ')} · ${new Date(r.startedAt).toLocaleString()}`, run: r });
  const byId = (id: string) => runs.find((r) => r.id === id);
  let a = typeof first === 'string' ? byId(first) : first ? byId(first.id) : undefined;
  a ??= (await vscode.window.showQuickPick(runs.map(item), { placeHolder: 'First run to compare' }))?.run;
  if (!a) return;
  const aId = a.id;
  let b = secondId ? byId(secondId) : undefined;
  b ??= (await vscode.window.showQuickPick(runs.filter((r) => r.id !== aId).map(item), { placeHolder: `Compare ${a.file} with…` }))?.run;
  if (!b) return;
  DashboardPanel.show(context.extensionUri, handlers).showCompare(a, b);
}
