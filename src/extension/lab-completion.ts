// Completion in .dlab files, from the reader's own tables.
import * as vscode from 'vscode';
import { completeLab, type CompletionKind } from '../readers/lab/complete.js';

const KINDS: Record<CompletionKind, vscode.CompletionItemKind> = {
  keyword: vscode.CompletionItemKind.Keyword,
  function: vscode.CompletionItemKind.Function,
  value: vscode.CompletionItemKind.EnumMember,
  property: vscode.CompletionItemKind.Property,
  class: vscode.CompletionItemKind.Class,
};

export function registerLabCompletion(context: vscode.ExtensionContext): void {
  context.subscriptions.push(vscode.languages.registerCompletionItemProvider({ language: 'dlab' }, {
    provideCompletionItems(doc, pos) {
      return completeLab(doc.getText(), pos.line, pos.character).map((c) => {
        const item = new vscode.CompletionItem(c.label, KINDS[c.kind]);
        item.detail = c.detail;
        item.insertText = new vscode.SnippetString(c.snippet);
        return item;
      });
    },
  }, ' ', '(', ',', '='));
}
