// Problems for .dlab files as the user types: the same messages as the command line, with exact ranges, plus
// the static rules' warnings with their quick fixes.
import * as vscode from 'vscode';
import { labReader } from '../readers/lab/index.js';
import type { LabError } from '../engine/errors.js';
import type { SourceRange } from '../engine/spec.js';
import { checkLab } from '../engine/check.js';
import { staticFindings } from '../diagnostics/static-rules.js';
import type { Finding } from '../diagnostics/finding.js';

const toRange = (r: SourceRange | undefined) =>
  r ? new vscode.Range(r.line - 1, r.column - 1, r.endLine - 1, Math.max(r.endColumn - 1, r.column)) : new vscode.Range(0, 0, 0, 1);

export function toDiagnostic(e: LabError): vscode.Diagnostic {
  const details = [e.found !== undefined ? `found ${e.found}` : '', e.allowed !== undefined ? `allowed: ${e.allowed}` : ''].filter(Boolean).join('; ');
  const d = new vscode.Diagnostic(toRange(e.range), details ? `${e.message} (${details})` : e.message, vscode.DiagnosticSeverity.Error);
  d.source = 'DL Lab';
  return d;
}

function findingDiagnostic(f: Finding): vscode.Diagnostic {
  const severity = f.severity === 'error' ? vscode.DiagnosticSeverity.Error : f.severity === 'warning' ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Information;
  const d = new vscode.Diagnostic(toRange(f.range), f.message, severity);
  d.source = 'DL Lab';
  d.code = f.id;
  return d;
}

export function registerLabDiagnostics(context: vscode.ExtensionContext): vscode.DiagnosticCollection {
  const collection = vscode.languages.createDiagnosticCollection('dlab');
  const findings = new Map<string, Finding[]>();
  const timers = new Map<string, NodeJS.Timeout>();
  const check = (doc: vscode.TextDocument) => {
    if (doc.languageId !== 'dlab') return;
    const text = doc.getText();
    const { errors, spec } = labReader.read(text, doc.uri.fsPath);
    // Once the file parses, the checks that need its parts together (data arguments, widths, batch size).
    const combined = spec ? checkLab(spec) : undefined;
    const found = spec && !combined ? staticFindings(spec, text) : [];
    findings.set(doc.uri.toString(), found);
    collection.set(doc.uri, [...(combined ? [combined] : errors).map(toDiagnostic), ...found.map(findingDiagnostic)]);
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
    vscode.workspace.onDidCloseTextDocument((doc) => {
      collection.delete(doc.uri);
      findings.delete(doc.uri.toString());
    }),
    vscode.languages.registerCodeActionsProvider({ language: 'dlab' }, {
      provideCodeActions(doc, _range, ctx) {
        const mine = findings.get(doc.uri.toString()) ?? [];
        return ctx.diagnostics.filter((d) => d.source === 'DL Lab' && d.code).flatMap((d) => {
          const f = mine.find((m) => m.id === d.code);
          return (f?.fixes ?? []).map((fix, i) => {
            const action = new vscode.CodeAction(fix.title, vscode.CodeActionKind.QuickFix);
            action.diagnostics = [d];
            action.isPreferred = i === 0;
            action.edit = new vscode.WorkspaceEdit();
            for (const e of fix.edits) action.edit.replace(doc.uri, toRange(e.range), e.newText);
            return action;
          });
        });
      },
    }, { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] }),
    { dispose: () => timers.forEach(clearTimeout) },
  );
  return collection;
}
