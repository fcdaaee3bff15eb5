// The training dashboard: one webview panel, created or revealed, revived after a window reload.
import * as vscode from 'vscode';
import { randomBytes } from 'node:crypto';
import { dashboardHtml } from '../webview/dashboard/html.js';
import type { FromDashboard, ToDashboard, DashboardState } from '../webview/dashboard/protocol.js';
import type { RunRecord } from '../runs/record.js';

export const DASHBOARD_VIEW_TYPE = 'dlLab.dashboard';

export class DashboardPanel implements vscode.Disposable {
  private static instance: DashboardPanel | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private ready = false;
  private queue: ToDashboard[] = [];
  private runId: string | undefined;

  private constructor(private readonly panel: vscode.WebviewPanel, private readonly extensionUri: vscode.Uri,
    private readonly handlers: { stop(runId: string): void }) {
    panel.webview.options = { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'media')] };
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'icon.png');
    panel.webview.html = this.html();
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((m: FromDashboard) => this.receive(m)),
    );
  }

  static get current(): DashboardPanel | undefined {
    return DashboardPanel.instance;
  }

  static show(extensionUri: vscode.Uri, handlers: { stop(runId: string): void }): DashboardPanel {
    if (DashboardPanel.instance) {
      DashboardPanel.instance.panel.reveal(undefined, true);
      return DashboardPanel.instance;
    }
    const panel = vscode.window.createWebviewPanel(DASHBOARD_VIEW_TYPE, 'DL Lab: Training', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      { enableScripts: true, retainContextWhenHidden: true, localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'media')] });
    DashboardPanel.instance = new DashboardPanel(panel, extensionUri, handlers);
    return DashboardPanel.instance;
  }

  /** After a window reload: the webview restores its own state; the host re-attaches to it. */
  static revive(panel: vscode.WebviewPanel, extensionUri: vscode.Uri, state: DashboardState | undefined, handlers: { stop(runId: string): void }): DashboardPanel {
    DashboardPanel.instance?.dispose();
    DashboardPanel.instance = new DashboardPanel(panel, extensionUri, handlers);
    DashboardPanel.instance.runId = state?.run?.id;
    return DashboardPanel.instance;
  }

  get shownRunId(): string | undefined {
    return this.runId;
  }

  showRun(run: RunRecord): void {
    this.runId = run.id;
    this.panel.title = `DL Lab: ${run.file.split('/').pop()}`;
    this.post({ type: 'run', run });
  }

  /** Two runs side by side; live updates of single runs no longer apply until showRun. */
  showCompare(a: RunRecord, b: RunRecord): void {
    this.runId = undefined;
    this.panel.title = 'DL Lab: Compare Runs';
    this.post({ type: 'compare', runs: [a, b] });
  }

  /** A live update of the run being shown (ignored for other runs). */
  update(run: RunRecord, kind: 'epoch' | 'status'): void {
    if (run.id !== this.runId) return;
    if (kind === 'epoch') this.post({ type: 'epoch', runId: run.id, epoch: run.epochs[run.epochs.length - 1] });
    else this.post({ type: 'run', run });
  }

  private post(m: ToDashboard): void {
    if (this.ready) void this.panel.webview.postMessage(m);
    else this.queue.push(m);
  }

  private receive(m: FromDashboard): void {
    if (m.type === 'ready') {
      this.ready = true;
      for (const q of this.queue.splice(0)) void this.panel.webview.postMessage(q);
    } else if (m.type === 'stop') this.handlers.stop(m.runId);
    else if (m.type === 'revealLine') void revealLine(m.file, m.line);
  }

  private html(): string {
    const w = this.panel.webview;
    const media = (...p: string[]) => w.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'media', ...p)).toString();
    return dashboardHtml({
      scriptUri: media('dashboard', 'dashboard.js'), styleUri: media('dashboard', 'dashboard.css'),
      cspSource: w.cspSource, nonce: randomBytes(16).toString('base64'),
    });
  }

  dispose(): void {
    if (DashboardPanel.instance === this) DashboardPanel.instance = undefined;
    this.panel.dispose();
    while (this.disposables.length) this.disposables.pop()?.dispose();
  }
}

async function revealLine(file: string, line: number): Promise<void> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  const uri = file.startsWith('/') || !folder ? vscode.Uri.file(file) : vscode.Uri.joinPath(folder.uri, file);
  const doc = await vscode.workspace.openTextDocument(uri);
  const pos = new vscode.Position(Math.max(0, line - 1), 0);
  await vscode.window.showTextDocument(doc, { selection: new vscode.Range(pos, pos), viewColumn: vscode.ViewColumn.One });
}
