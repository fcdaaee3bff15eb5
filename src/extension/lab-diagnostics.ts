// Problems for .dlab files as the user types: the same messages as the command line, with exact ranges.
import * as vscode from 'vscode';
import { labReader } from '../readers/lab/index.js';
import type { LabError } from '../engine/errors.js';
import { checkLab } from '../engine/check.js';

export function toDiagnostic(e: LabError): vscode.Diagnostic {
  const r = e.range;
  const range = r ? new vscode.Range(r.line - 1, r.column - 1, r.endLine - 1, Math.max(r.endColumn - 1, r.column)) : new vscode.Range(0, 0, 0, 1);
  const details = [e.found !== undefined ? `found ${e.found}` : '', e.allowed !== undefined ? `allowed: ${e.allowed}` : ''].filter(Boolean).join('; ');
  const d = new vscode.Diagnostic(range, details ? `${e.message} (${details})` : e.message, vscode.DiagnosticSeverity.Error);
  d.source = 'DL Lab';
  return d;
}

export function registerLabDiagnostics(context: vscode.ExtensionContext): vscode.DiagnosticCollection {
  const collection = vscode.languages.createDiagnosticCollection('dlab');
  const timers = new Map<string, NodeJS.Timeout>();
  const check = (doc: vscode.TextDocument) => {
    if (doc.languageId !== 'dlab') return;
    const { errors, spec } = labReader.read(doc.getText(), doc.uri.fsPath);
    // Once the file parses, the checks that need its parts together (data arguments, widths, batch size).
    const combined = spec ? checkLab(spec) : undefined;
    collection.set(doc.uri, (combined ? [combined] : errors).map(toDiagnostic));
  };
  const later = (doc: vscode.TextDocument) => {
    const key = doc.uri.toString();
    clearTimeout(timers.get(key));
    timers.set(key, setTimeout(() => check(doc), 150));
  };
  vscode.workspace.textDocuments.forEach(check);
  context.subscriptions.push(
    collection,
    vscode.workspace.onDidOpenTextDocument(check),
    vscode.workspace.onDidChangeTextDocument((e) => later(e.document)),
    vscode.workspace.onDidCloseTextDocument((doc) => collection.delete(doc.uri)),
    { dispose: () => timers.forEach(clearTimeout) },
  );
  return collection;
}
