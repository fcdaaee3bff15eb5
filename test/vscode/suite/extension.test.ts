// DL Lab inside a real VS Code (code-server): activation, commands, diagnostics, completion, a training run
// to a finished dashboard, cancellation, export and the run history.
import * as vscode from 'vscode';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { requestScreenshot } from '../screenshot.mjs';
import type { DlLabApi } from '../../../src/extension/extension.js';
import type { RunRecord } from '../../../src/runs/record.js';

export interface Tdd {
  suite(name: string, fn: () => void): void;
  test(name: string, fn: () => Promise<void> | void): void;
  suiteSetup(fn: () => Promise<void> | void): void;
}

const ID = 'dl-lab.dl-lab';
const dir = mkdtempSync(join(tmpdir(), 'dl-lab-it-'));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(f: () => T | undefined, what: string, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

function labFile(name: string, text: string): vscode.Uri {
  const p = join(dir, name);
  writeFileSync(p, text);
  return vscode.Uri.file(p);
}

export function registerExtensionTests({ suite, test, suiteSetup }: Tdd): void {
  let api: DlLabApi;

  suite('DL Lab in VS Code', () => {
    suiteSetup(async () => {
      const ext = vscode.extensions.getExtension<DlLabApi>(ID);
      assert.ok(ext, `${ID} is not installed in this VS Code`);
      api = await ext.activate();
    });

    test('activates without loading onnxruntime, and contributes its commands', async () => {
      const req = createRequire(__filename);
      const loaded = Object.keys(req.cache).filter((k) => k.includes('onnxruntime'));
      assert.deepEqual(loaded, [], 'onnxruntime must not load in the extension host');
      console.log(`DL Lab activation took ${api.activationMs.toFixed(1)} ms`);
      const commands = await vscode.commands.getCommands(true);
      for (const c of ['dlLab.trainModel', 'dlLab.stopTraining', 'dlLab.openDashboard', 'dlLab.exportModel', 'dlLab.showRunHistory']) {
        assert.ok(commands.includes(c), `${c} is registered`);
      }
    });

    test('a broken lab file shows its mistake in the Problems panel with the exact range', async () => {
      const uri = labFile('broken.dlab', 'data spirals\nmodel Chain(Dense(2 => 8, relu), Dense(16 => 3))\noptimiser Adam(lr=0.1)\n');
      const doc = await vscode.workspace.openTextDocument(uri);
      await vscode.window.showTextDocument(doc);
      const diags = await until(() => {
        const d = vscode.languages.getDiagnostics(uri);
        return d.length >= 2 ? d : undefined;
      }, 'diagnostics');
      const shape = diags.find((d) => /layer 2 expects 16 inputs but layer 1 gives 8/.test(d.message));
      assert.ok(shape, diags.map((d) => d.message).join('\n'));
      assert.equal(shape.range.start.line, 1);
      assert.equal(doc.getText(shape.range), '16');
      assert.ok(diags.some((d) => /unknown statement 'optimiser'.*did you mean 'optimizer'/.test(d.message)));
      await vscode.commands.executeCommand('workbench.actions.view.problems');
      await sleep(500);
      const shot = await requestScreenshot('problems-panel', { target: 'page' });
      assert.ok(existsSync(shot.path));
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    });

    test('completion suggests statements, optimisers and their arguments', async () => {
      const uri = labFile('complete.dlab', 'data spirals\noptimizer Adam(');
      const doc = await vscode.workspace.openTextDocument(uri);
      const at = async (line: number, ch: number) => ((await vscode.commands.executeCommand<vscode.CompletionList>(
        'vscode.executeCompletionItemProvider', doc.uri, new vscode.Position(line, ch))).items.map((i) => (typeof i.label === 'string' ? i.label : i.label.label)));
      assert.ok((await at(1, 15)).includes('beta2'));
      assert.ok((await at(0, 0)).includes('optimizer'));
    });

    test('Train Model trains the active lab file to a finished dashboard with non-empty charts', async () => {
      const folder = vscode.workspace.workspaceFolders?.[0];
      assert.ok(folder, 'the examples workspace is open');
      const uri = vscode.Uri.joinPath(folder.uri, 'spirals.dlab');
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
      await vscode.commands.executeCommand('dlLab.trainModel');
      const run = api.training.lastRun as RunRecord;
      assert.equal(run.status, 'completed', run.error);
      assert.equal(run.epochs.length, 40);
      assert.ok(run.epochs[39].valAcc! >= 0.95, `val acc ${run.epochs[39].valAcc}`);
      assert.equal(run.provider, 'cpu');
      const saved = api.store.load(run.id);
      assert.equal(saved?.epochs.length, 40);
      const shot = await requestScreenshot('dashboard-completed', { waitForText: 'Completed', timeoutMs: 30_000 });
      assert.match(shot.text ?? '', /dense1/);
      assert.match(shot.text ?? '', /Dense\(2 => 32, relu\)/);
    });

    test('Export Trained Model writes an ONNX file', async () => {
      const target = vscode.Uri.file(join(dir, 'spirals.onnx'));
      await vscode.commands.executeCommand('dlLab.exportModel', target);
      assert.ok(existsSync(target.fsPath), 'the .onnx file exists');
      assert.ok(readFileSync(target.fsPath).length > 1000);
    });

    test('Stop Training cancels a run and keeps the epochs it finished', async () => {
      const uri = labFile('long.dlab', 'data spirals(samples=3000)\nmodel Chain(Dense(2 => 64, relu), Dense(64 => 64, relu), Dense(64 => 3))\noptimizer Adam(lr=0.01)\ntrain epochs=5000, batch=16\n');
      const done = vscode.commands.executeCommand('dlLab.trainModel', uri);
      await until(() => (api.training.running && api.training.running.epochs.length >= 2 ? true : undefined), 'two epochs');
      await vscode.commands.executeCommand('dlLab.stopTraining');
      await done;
      const run = api.training.lastRun as RunRecord;
      assert.equal(run.status, 'cancelled');
      assert.ok(run.epochs.length >= 2 && run.epochs.length < 5000);
      assert.equal(api.store.load(run.id)?.epochs.length, run.epochs.length);
    });

    test('a model that does not fit its data fails with its place, and the editor carries on', async () => {
      const uri = labFile('misfit.dlab', 'data mnist(samples=100)\nmodel Chain(Dense(2 => 10))\noptimizer SGD(0.1)\ntrain epochs=2\n');
      await vscode.commands.executeCommand('dlLab.trainModel', uri);
      const run = api.training.lastRun as RunRecord;
      assert.equal(run.status, 'failed');
      assert.match(run.error ?? '', /misfit\.dlab:2:\d+: layer dense1 expects 2 inputs but data mnist gives 784 features/);
    });

    test('Show Run History lists the runs, newest first', async () => {
      await vscode.commands.executeCommand('dlLab.showRunHistory');
      const runs = api.store.list();
      assert.deepEqual(runs.slice(0, 3).map((r) => r.status), ['failed', 'cancelled', 'completed']);
      await sleep(500);
      await requestScreenshot('run-history', { target: 'page' });
    });
  });
}
