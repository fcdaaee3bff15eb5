// Throwaway extension for the harness's own proof: one command that shows a message and a webview saying "hello".
const vscode = require('vscode');

exports.activate = (context) => {
  context.subscriptions.push(
    vscode.commands.registerCommand('dlLabSample.hello', () => {
      // Not awaited: the promise settles only when the notification is dismissed.
      vscode.window.showInformationMessage('Hello from the DL Lab sample');
      const panel = vscode.window.createWebviewPanel('dlLabSample', 'DL Lab Sample', vscode.ViewColumn.One, {});
      panel.webview.html = '<!DOCTYPE html><html><body><h1>hello</h1></body></html>';
      return panel.title;
    }),
  );
  return { ping: () => 'pong' };
};

exports.deactivate = () => {};
