// The Run History view: every run saved in this workspace, newest first; click to open it in the dashboard.
import * as vscode from 'vscode';
import type { RunRecord } from '../runs/record.js';
import type { RunStore } from '../runs/store.js';
import { runMetric } from '../runs/format.js';

const ICONS: Record<RunRecord['status'], string> = {
  running: 'sync~spin', completed: 'pass', early_stopped: 'pass-filled', cancelled: 'debug-stop', failed: 'error', crashed: 'warning',
};

export class RunHistoryProvider implements vscode.TreeDataProvider<RunRecord> {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(private readonly store: RunStore, private readonly activeId: () => string | undefined) {}

  refresh(): void {
    this.changed.fire();
  }

  getChildren(element?: RunRecord): RunRecord[] {
    if (element) return [];
    const active = this.activeId();
    return this.store.list(new Set(active ? [active] : []));
  }

  getTreeItem(run: RunRecord): vscode.TreeItem {
    const last = run.epochs[run.epochs.length - 1];
    const item = new vscode.TreeItem(run.file.split('/').pop() ?? run.file, vscode.TreeItemCollapsibleState.None);
    item.id = run.id;
    item.description = `${runMetric(run)} · ${run.epochs.length}/${run.epochsPlanned} epochs · ${new Date(run.startedAt).toLocaleString()}`;
    item.iconPath = new vscode.ThemeIcon(ICONS[run.status]);
    const config = Object.entries(run.config).map(([k, v]) => `${k} ${v}`).join('\n');
    const seconds = last ? run.epochs.reduce((s, e) => s + e.seconds, 0).toFixed(1) : '0';
    item.tooltip = new vscode.MarkdownString(`**${run.file}** — ${run.status.replace('_', ' ')} on ${run.provider.toUpperCase()}, ${seconds} s of training` +
      `${run.error ? `\n\n${run.error}` : ''}\n\n\`\`\`\n${config}\n\`\`\``);
    item.contextValue = 'dlLab.run';
    item.command = { command: 'dlLab.openRun', title: 'Open in Dashboard', arguments: [run.id] };
    return item;
  }
}
