// The training dashboard's page. Pure (no vscode import) so tests and the preview harness can render it.
//
// CSP: no 'unsafe-inline' for styles. uPlot only styles its elements through the CSSOM (el.style.x = ...),
// which style-src does not govern; style attributes in markup and <style> elements would be blocked, so
// the page has neither and the script builds its DOM without them. test/webview/preview.mjs fails on any
// CSP violation in Chromium.

export interface DashboardHtmlOptions {
  /** webview.asWebviewUri of media/dashboard/dashboard.js, as a string. */
  scriptUri: string;
  /** webview.asWebviewUri of media/dashboard/dashboard.css, as a string. */
  styleUri: string;
  /** webview.cspSource. */
  cspSource: string;
  /** A fresh random nonce per render (letters, digits, + / = _ -). */
  nonce: string;
}

export function dashboardHtml(opts: DashboardHtmlOptions): string {
  const { scriptUri, styleUri, cspSource, nonce } = opts;
  // Both end up inside the policy: a semicolon, comma or stray quote there would change it. cspSource is a list
  // of sources, e.g. "'self' https://*.vscode-cdn.net" in current VS Code.
  if (!/^[A-Za-z0-9+/=_-]+$/.test(nonce)) throw new Error(`dashboardHtml: unsafe nonce '${nonce}'`);
  const sources = cspSource.trim().split(/\s+/);
  if (!cspSource.trim() || !sources.every((s) => /^'self'$/.test(s) || /^[A-Za-z0-9*.:/+_-]+$/.test(s))) {
    throw new Error(`dashboardHtml: unsafe cspSource '${cspSource}'`);
  }
  const csp = [
    "default-src 'none'",
    `img-src ${cspSource} data:`,
    `style-src ${cspSource}`,
    `font-src ${cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${attr(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${attr(styleUri)}">
<title>DL Lab: Training</title>
</head>
<body>
<div id="app" class="app"></div>
<script nonce="${attr(nonce)}" src="${attr(scriptUri)}"></script>
</body>
</html>
`;
}

function attr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
