// Throwaway preview of the training dashboard webview: builds the bundle, serves the real page (dashboardHtml,
// same CSP) from 127.0.0.1 with acquireVsCodeApi stubbed and VS Code's theme variables set, feeds it runs as
// the host would, checks it and takes screenshots into test/webview/.artifacts/.
//
//   node test/webview/preview.mjs
//
// Needs playwright-core (npm install --no-save playwright-core) and Chromium at /usr/bin/chromium (or
// $CHROMIUM). Exits non-zero when a chart is blank, the console shows an error (CSP violations included),
// the page requests anything but its own files, or a message to the host is missing.
import { build } from 'esbuild';
import { createServer } from 'node:http';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const art = join(here, '.artifacts');
const site = join(art, 'site');
const chromiumPath = process.env.CHROMIUM ?? '/usr/bin/chromium';
const problems = [];
let cspExpected = 0; // violations the CSP self-test provokes on purpose
let cspSeen = 0;
const problem = (msg) => {
  problems.push(msg);
  console.error(`PROBLEM: ${msg}`);
};

// ---- build ---------------------------------------------------------------------------------------------------

rmSync(art, { recursive: true, force: true });
mkdirSync(site, { recursive: true });
writeFileSync(join(art, '.gitignore'), '*\n'); // screenshots and bundles are never committed
// The same options as the lead's command: npx esbuild src/webview/dashboard/main.ts --bundle --format=iife
// --platform=browser --outfile=media/dashboard/dashboard.js
await build({
  entryPoints: [join(root, 'src/webview/dashboard/main.ts')],
  bundle: true, format: 'iife', platform: 'browser',
  outfile: join(site, 'media/dashboard/dashboard.js'), logLevel: 'warning',
});
if (!existsSync(join(site, 'media/dashboard/dashboard.css'))) problem('esbuild emitted no dashboard.css next to dashboard.js');
await build({
  entryPoints: [join(root, 'src/webview/dashboard/html.ts')],
  bundle: true, format: 'esm', platform: 'node', outfile: join(art, 'html.mjs'), logLevel: 'warning',
});
const { dashboardHtml } = await import(pathToFileURL(join(art, 'html.mjs')).href);

// ---- themes (values from VS Code's Dark Modern and Light Modern) ---------------------------------------------

const common = {
  '--vscode-font-family': '-apple-system, BlinkMacSystemFont, "Segoe WPC", "Segoe UI", "Ubuntu", "Droid Sans", sans-serif',
  '--vscode-font-size': '13px',
  '--vscode-font-weight': 'normal',
  '--vscode-editor-font-family': '"Droid Sans Mono", "monospace", monospace',
  '--vscode-editor-font-size': '14px',
};
const THEMES = {
  dark: {
    bodyClass: 'vscode-dark',
    vars: {
      ...common,
      '--vscode-editor-background': '#1f1f1f',
      '--vscode-foreground': '#cccccc',
      '--vscode-descriptionForeground': '#9d9d9d',
      '--vscode-errorForeground': '#f85149',
      '--vscode-charts-foreground': '#cccccc',
      '--vscode-charts-lines': 'rgba(204, 204, 204, 0.5)',
      '--vscode-charts-blue': '#3794ff',
      '--vscode-charts-orange': '#d18616',
      '--vscode-charts-green': '#89d185',
      '--vscode-charts-red': '#f14c4c',
      '--vscode-charts-purple': '#b180d7',
      '--vscode-charts-yellow': '#cca700',
      '--vscode-panel-border': '#2b2b2b',
      '--vscode-badge-background': '#616161',
      '--vscode-badge-foreground': '#f8f8f8',
      '--vscode-button-background': '#0078d4',
      '--vscode-button-foreground': '#ffffff',
      '--vscode-button-hoverBackground': '#026ec1',
      '--vscode-button-border': 'rgba(255, 255, 255, 0.07)',
      '--vscode-focusBorder': '#0078d4',
      '--vscode-textLink-foreground': '#4daafc',
      '--vscode-textLink-activeForeground': '#4daafc',
      '--vscode-list-hoverBackground': '#2a2d2e',
      '--vscode-inputValidation-errorBackground': '#5a1d1d',
      '--vscode-inputValidation-errorBorder': '#be1100',
    },
  },
  light: {
    bodyClass: 'vscode-light',
    vars: {
      ...common,
      '--vscode-editor-background': '#ffffff',
      '--vscode-foreground': '#3b3b3b',
      '--vscode-descriptionForeground': '#3b3b3b',
      '--vscode-errorForeground': '#f85149',
      '--vscode-charts-foreground': '#616161',
      '--vscode-charts-lines': 'rgba(97, 97, 97, 0.5)',
      '--vscode-charts-blue': '#1a85ff',
      '--vscode-charts-orange': '#d18616',
      '--vscode-charts-green': '#388a34',
      '--vscode-charts-red': '#e51400',
      '--vscode-charts-purple': '#652d90',
      '--vscode-charts-yellow': '#bf8803',
      '--vscode-panel-border': '#e5e5e5',
      '--vscode-badge-background': '#cccccc',
      '--vscode-badge-foreground': '#3b3b3b',
      '--vscode-button-background': '#005fb8',
      '--vscode-button-foreground': '#ffffff',
      '--vscode-button-hoverBackground': '#0258a8',
      '--vscode-button-border': 'rgba(0, 0, 0, 0.1)',
      '--vscode-focusBorder': '#005fb8',
      '--vscode-textLink-foreground': '#005fb8',
      '--vscode-textLink-activeForeground': '#005fb8',
      '--vscode-list-hoverBackground': '#f2f2f2',
      '--vscode-inputValidation-errorBackground': '#f2dede',
      '--vscode-inputValidation-errorBorder': '#be1100',
    },
  },
};
const seriesColours = (theme) =>
  ['blue', 'orange', 'green', 'purple', 'red', 'yellow'].map((c) => THEMES[theme].vars[`--vscode-charts-${c}`]);

// ---- runs ----------------------------------------------------------------------------------------------------

function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296 - 0.5;
  };
}
const bump = (t, peak) => (t / peak) * Math.exp(1 - t / peak);
const sat = (t, tau) => 1 - Math.exp(-t / tau);

/** The spirals example (2-32-32-3 ReLU MLP, Adam, cosine schedule), numbers shaped like a real run's. */
function spiralsRun(status = 'running') {
  const n = rng(7);
  const epochs = [];
  const lr0 = 0.01, lrMin = 0.0005, E = 40;
  for (let e = 1; e <= E; e++) {
    const t = e - 1;
    const lr = lrMin + 0.5 * (lr0 - lrMin) * (1 + Math.cos((Math.PI * t) / E));
    const trainLoss = 0.018 + 0.87 * Math.exp(-t / 4.5) + 0.006 * Math.abs(n());
    const valLoss = 0.024 + 0.74 * Math.exp(-t / 4.2) + 0.00015 * Math.max(0, t - 18) ** 1.5 + 0.008 * Math.abs(n());
    const trainAcc = Math.min(1, 0.995 - 0.41 * Math.exp(-t / 4) + 0.004 * n());
    const valAcc = Math.min(1, 0.985 - 0.40 * Math.exp(-t / 3.8) + 0.008 * n());
    const f = (v, k = 0.12) => v * (1 + k * n());
    const layer = (name, line, g, w, u, m, s, z) => ({
      name, line, gradNorm: f(g), weightNorm: w, updateRatio: f(u * (lr / lr0), 0.08), actMean: m, actStd: s, zeroFrac: z, satFrac: 0,
    });
    epochs.push({
      epoch: e, trainLoss, trainAcc, valLoss, valAcc, lr, seconds: 0.0045 + 0.001 * Math.abs(n()),
      layers: [
        layer('dense1', 4, 0.12 + 0.25 * bump(t, 15), 3.8 + 5.7 * sat(t, 15), 0.0012 + 0.015 * Math.exp(-t / 6),
          0.26 + 0.1 * sat(t, 8), 0.31 + 0.17 * sat(t, 8), f(0.40 + 0.05 * sat(t, 10), 0.02)),
        layer('dense2', 5, 0.3 * Math.exp(-t / 35) + 0.05 * bump(t, 10), 4.4 + 15.2 * sat(t, 12), 0.0019 + 0.04 * Math.exp(-t / 5),
          0.19 + 0.45 * sat(t, 9), 0.25 + 0.87 * sat(t, 10), f(0.46 + 0.11 * sat(t, 12), 0.02)),
        layer('dense3', 6, 0.35 * Math.exp(-t / 20) + 0.02, 1.6 + 4.9 * sat(t, 10), 0.0013 + 0.04 * Math.exp(-t / 5),
          -0.01 - 2.7 * sat(t, 10), 0.46 + 7.9 * sat(t, 11), 0),
      ],
    });
  }
  const startedAt = new Date(Date.now() - 3_000);
  return {
    id: '20261126-101500-ab12',
    file: 'examples/spirals.dlab',
    startedAt: startedAt.toISOString(),
    ...(status === 'running' ? {} : { finishedAt: new Date(startedAt.getTime() + 1_400).toISOString() }),
    status,
    provider: 'cpu',
    config: {
      data: 'spirals(samples=900, classes=3, noise=0.1)',
      split: 'holdout(validation=0.2)',
      model: 'Chain(Dense(2 => 32, relu), Dense(32 => 32, relu), Dense(32 => 3))',
      loss: 'crossentropy',
      optimizer: 'Adam(lr=0.01)',
      schedule: 'cosine(min_lr=0.0005)',
      train: 'epochs=40, batch=32, seed=1',
    },
    layers: [
      { name: 'dense1', kind: 'dense', description: 'Dense(2 => 32, relu)', outputShape: [32], parameters: 96, line: 4 },
      { name: 'dense2', kind: 'dense', description: 'Dense(32 => 32, relu)', outputShape: [32], parameters: 1056, line: 5 },
      { name: 'dense3', kind: 'dense', description: 'Dense(32 => 3)', outputShape: [3], parameters: 99, line: 6 },
    ],
    epochsPlanned: E,
    epochs,
  };
}

/** The spirals example again with SGD instead of Adam: learns slower, stops early at epoch 51 of 60. */
function spiralsSgdRun() {
  const base = spiralsRun('completed');
  const n = rng(23);
  const epochs = [];
  const lr0 = 0.05, lrMin = 0.0005, E = 60, stopAt = 51;
  for (let e = 1; e <= stopAt; e++) {
    const t = e - 1;
    const lr = lrMin + 0.5 * (lr0 - lrMin) * (1 + Math.cos((Math.PI * t) / E));
    const trainLoss = 0.05 + 1.02 * Math.exp(-t / 11) + 0.01 * Math.abs(n());
    const valLoss = 0.062 + 0.9 * Math.exp(-t / 10.5) + 0.012 * Math.abs(n());
    const trainAcc = Math.min(1, 0.975 - 0.6 * Math.exp(-t / 9) + 0.006 * n());
    const valAcc = Math.min(1, 0.962 - 0.58 * Math.exp(-t / 8.5) + 0.01 * n());
    const f = (v, k = 0.15) => v * (1 + k * n());
    const layer = (name, line, g, w, u, m, s, z) => ({
      name, line, gradNorm: f(g), weightNorm: w, updateRatio: f(u * (lr / lr0), 0.08), actMean: m, actStd: s, zeroFrac: z, satFrac: 0,
    });
    epochs.push({
      epoch: e, trainLoss, trainAcc, valLoss, valAcc, lr, seconds: 0.003 + 0.0006 * Math.abs(n()),
      layers: [
        layer('dense1', 4, 0.5 * Math.exp(-t / 25) + 0.2 * bump(t, 20), 3.8 + 4.1 * sat(t, 25), 0.002 + 0.01 * Math.exp(-t / 12),
          0.26 + 0.08 * sat(t, 20), 0.31 + 0.12 * sat(t, 20), f(0.42, 0.02)),
        layer('dense2', 5, 0.7 * Math.exp(-t / 22) + 0.08, 4.4 + 9.5 * sat(t, 25), 0.002 + 0.02 * Math.exp(-t / 12),
          0.19 + 0.3 * sat(t, 20), 0.25 + 0.5 * sat(t, 20), f(0.48, 0.02)),
        layer('dense3', 6, 0.8 * Math.exp(-t / 18) + 0.05, 1.6 + 3.2 * sat(t, 20), 0.002 + 0.02 * Math.exp(-t / 12),
          -0.01 - 1.9 * sat(t, 20), 0.46 + 5.1 * sat(t, 22), 0),
      ],
    });
  }
  const startedAt = new Date(Date.now() - 120_000);
  return {
    ...base,
    id: '20261126-103000-ef56',
    startedAt: startedAt.toISOString(),
    finishedAt: new Date(startedAt.getTime() + 1_900).toISOString(),
    status: 'early_stopped',
    config: {
      ...base.config,
      optimizer: 'SGD(lr=0.05, momentum=0.9)',
      train: 'epochs=60, batch=32, seed=1',
      regularize: 'early_stopping(patience=5, monitor=val_loss)',
    },
    epochsPlanned: E,
    epochs,
  };
}

/** A tanh regression with dropout and no validation that diverged: no accuracy, NaN at the end, an error. */
function regressionRun() {
  const n = rng(11);
  const epochs = [];
  for (let e = 1; e <= 12; e++) {
    const t = e - 1;
    const blow = t >= 9 ? 10 ** (t - 8) : 1;
    const bad = e === 12;
    const layer = (name, line, g, u, m, s, satFrac) => ({
      name, line, gradNorm: bad ? NaN : g * blow * (1 + 0.1 * n()), weightNorm: 2 + 0.3 * t * blow, updateRatio: bad ? NaN : u * blow,
      actMean: m, actStd: s, zeroFrac: 0, satFrac: Math.min(1, satFrac),
    });
    epochs.push({
      epoch: e, trainLoss: bad ? NaN : 0.5 * Math.exp(-t / 3) + 0.02 + (t >= 9 ? 0.3 * blow : 0), trainAcc: null, valLoss: null, valAcc: null,
      lr: 0.3, seconds: 0.012,
      layers: [
        layer('dense1', 3, 0.8, 0.02, 0.05 * t, 0.6 + 0.02 * t, 0.05 + 0.06 * t),
        layer('dense2', 5, 0.5, 0.03, -0.02 * t, 0.5 + 0.03 * t, 0.1 + 0.08 * t),
        layer('dense3', 6, 0.3, 0.03, 0.1, 0.7, 0),
      ],
    });
  }
  return {
    id: '20261126-111500-cd34', file: 'labs/sine-regression.dlab', startedAt: new Date(Date.now() - 60_000).toISOString(),
    finishedAt: new Date(Date.now() - 58_000).toISOString(), status: 'failed', provider: 'cuda', config: { loss: 'mse', optimizer: 'SGD(lr=0.3)' },
    layers: [
      { name: 'dense1', kind: 'dense', description: 'Dense(1 => 16, tanh)', outputShape: [16], parameters: 32, line: 3 },
      { name: 'dropout1', kind: 'dropout', description: 'Dropout(0.1)', outputShape: [16], parameters: 0, line: 4 },
      { name: 'dense2', kind: 'dense', description: 'Dense(16 => 16, tanh)', outputShape: [16], parameters: 272, line: 5 },
      { name: 'dense3', kind: 'dense', description: 'Dense(16 => 1)', outputShape: [1], parameters: 17, line: 6 },
    ],
    epochsPlanned: 50, epochs, error: 'The loss became NaN in epoch 12: the learning rate (0.3) is probably too high.',
  };
}

// ---- server --------------------------------------------------------------------------------------------------

const NONCE = 'cHJldmlld05vbmNlMTIzNDU2Nzg5MA';
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.map': 'application/json' };
const server = createServer((req, res) => {
  const path = new URL(req.url, 'http://x').pathname;
  if (path === '/favicon.ico') {
    res.writeHead(204).end(); // Chromium asks for it on its own (a webview does not); a 404 would log an error
    return;
  }
  const file = join(site, path === '/' ? 'index.html' : path);
  if (!file.startsWith(site) || !existsSync(file)) {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const origin = `http://127.0.0.1:${server.address().port}`;

/** The real page plus, before the bundle, what VS Code provides: theme variables, body class, acquireVsCodeApi. */
function writePage(theme) {
  const html = dashboardHtml({
    scriptUri: `${origin}/media/dashboard/dashboard.js`, styleUri: `${origin}/media/dashboard/dashboard.css`, cspSource: `'self' ${origin}`, nonce: NONCE, // shaped like VS Code's webview.cspSource
  });
  const stub = `<script nonce="${NONCE}">
(() => {
  const theme = ${JSON.stringify(THEMES[theme])};
  // VS Code sets these through the CSSOM, which the CSP allows; so do we.
  for (const [k, v] of Object.entries(theme.vars)) document.documentElement.style.setProperty(k, v);
  document.body.classList.add(theme.bodyClass);
  document.addEventListener('securitypolicyviolation', (e) =>
    console.error('CSP violation: ' + e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline') + ' at ' + e.sourceFile + ':' + e.lineNumber));
  window.__posted = [];
  window.__setTheme = (vars, bodyClass) => {
    for (const [k, v] of Object.entries(vars)) document.documentElement.style.setProperty(k, v);
    document.body.classList.remove('vscode-dark', 'vscode-light');
    document.body.classList.add(bodyClass);
  };
  // The webview's API: messages to the host are logged; state survives a reload, as in VS Code.
  window.acquireVsCodeApi = () => ({
    postMessage: (m) => { window.__posted.push(m); console.log('to host: ' + JSON.stringify(m)); },
    getState: () => { const s = sessionStorage.getItem('state'); return s ? JSON.parse(s) : undefined; },
    setState: (s) => { sessionStorage.setItem('state', JSON.stringify(s)); return s; },
  });
})();
</script>
`;
  const at = html.indexOf('<script nonce=');
  writeFileSync(join(site, `${theme}.html`), html.slice(0, at) + stub + html.slice(at));
  return `${origin}/${theme}.html`;
}

// ---- checks --------------------------------------------------------------------------------------------------

/** Per chart: how many pixels of the plotting area have one of the theme's series colours (0: blank). */
async function chartInk(page, colours) {
  return page.evaluate((colours) => {
    const targets = colours.map((c) => [1, 3, 5].map((i) => parseInt(c.slice(i, i + 2), 16)));
    return [...document.querySelectorAll('.card')].map((card) => {
      const title = card.querySelector('.card-title')?.textContent ?? '?';
      const canvas = card.querySelector('canvas');
      const over = card.querySelector('.u-over');
      if (!canvas || !over) return { title, ink: 0, why: 'no canvas' };
      const cr = canvas.getBoundingClientRect(), or = over.getBoundingClientRect();
      const k = canvas.width / cr.width;
      const x = Math.round((or.left - cr.left) * k), y = Math.round((or.top - cr.top) * k);
      const w = Math.round(or.width * k), h = Math.round(or.height * k);
      if (w <= 0 || h <= 0) return { title, ink: 0, why: 'empty plotting area' };
      const px = canvas.getContext('2d').getImageData(x, y, w, h).data;
      let ink = 0;
      const inks = targets.map(() => 0); // per theme colour
      for (let i = 0; i < px.length; i += 4) {
        if (px[i + 3] < 200) continue;
        for (let t = 0; t < targets.length; t++) {
          const [r, g, b] = targets[t];
          if (Math.abs(px[i] - r) < 40 && Math.abs(px[i + 1] - g) < 40 && Math.abs(px[i + 2] - b) < 40) {
            ink++;
            inks[t]++;
            break;
          }
        }
      }
      const cardWidth = card.clientWidth;
      return { title, ink, inks, canvasWidth: cr.width, cardWidth };
    });
  }, colours);
}

async function checkCharts(page, theme, label, expected) {
  const charts = await chartInk(page, seriesColours(theme));
  if (charts.length !== expected) problem(`${label}: ${charts.length} charts, expected ${expected}`);
  for (const c of charts) {
    if (c.ink < 30) problem(`${label}: chart "${c.title}" looks blank (${c.ink} series pixels${c.why ? `, ${c.why}` : ''})`);
    if (c.canvasWidth > c.cardWidth) problem(`${label}: chart "${c.title}" (${c.canvasWidth}px) overflows its card (${c.cardWidth}px)`);
  }
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  if (overflow > 0) problem(`${label}: the page scrolls sideways by ${overflow}px`);
  const table = await page.evaluate(() => {
    const t = document.querySelector('.layer-table');
    return t ? `${t.scrollWidth}/${t.parentElement.clientWidth}px` : 'none';
  });
  console.log(`${label}: table ${table}; series pixels: ${charts.map((c) => `${c.title} ${c.ink}`).join(' | ')}`);
  return charts;
}

/** A comparison: the usual chart checks, and in every chart both runs drawn (A in blue, B in orange), unless
 *  `oneRun` names charts only one run has values for. */
async function checkCompare(page, theme, label, expected, oneRun = []) {
  const charts = await checkCharts(page, theme, label, expected);
  for (const c of charts) {
    const [blue, orange] = c.inks;
    if (oneRun.includes(c.title)) continue;
    if (blue < 30) problem(`${label}: chart "${c.title}" shows no run A (${blue} blue pixels)`);
    if (orange < 30) problem(`${label}: chart "${c.title}" shows no run B (${orange} orange pixels)`);
  }
  const shown = await page.evaluate(() => ({
    dash: !document.querySelector('.dash')?.hidden, compare: !document.querySelector('.compare')?.hidden,
    empty: !document.querySelector('.empty')?.hidden,
  }));
  expect(shown.compare && !shown.dash && !shown.empty, `${label}: views shown ${JSON.stringify(shown)}, expected the comparison only`);
  const clipped = await page.evaluate(() => [...document.querySelectorAll('.compare .table-wrap')]
    .filter((w) => w.scrollWidth > w.clientWidth).map((w) => `${w.scrollWidth}/${w.clientWidth}px`));
  expect(!clipped.length, `${label}: a comparison table scrolls sideways (${clipped.join(', ')})`);
  return charts;
}

const text = (page, sel) => page.locator(sel).first().innerText();
const posted = (page) => page.evaluate(() => window.__posted);
const send = (page, msg) => page.evaluate((m) => window.postMessage(m, '*'), msg);
const settle = (page) => page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
const expect = (cond, msg) => {
  if (!cond) problem(msg);
};

// ---- run -----------------------------------------------------------------------------------------------------

const profile = mkdtempSync(join(tmpdir(), 'dl-lab-preview-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: chromiumPath,
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
  viewport: { width: 1400, height: 900 },
  deviceScaleFactor: 1,
});
const watchdog = setTimeout(() => {
  console.error('PROBLEM: the preview took over 120 s');
  process.exit(2);
}, 120_000);

async function open(theme, width = 1400) {
  const page = await context.newPage();
  await page.setViewportSize({ width, height: 900 });
  page.on('console', (m) => {
    if (m.type() === 'error' && cspExpected > 0 && m.text().includes('Content Security Policy')) cspSeen++;
    else if (m.type() === 'error' && cspExpected > 0 && m.text().startsWith('CSP violation')) cspSeen++;
    else if (m.type() === 'error') problem(`console error (${theme}): ${m.text()} [${m.location().url}]`);
  });
  page.on('pageerror', (e) => problem(`page error (${theme}): ${e.message}`));
  page.on('response', (r) => {
    if (r.status() >= 400) problem(`HTTP ${r.status()} for ${r.url()}`);
  });
  page.on('requestfailed', (r) => problem(`request failed: ${r.url()} ${r.failure()?.errorText}`));
  page.on('request', (r) => {
    if (!r.url().startsWith(origin) && !r.url().startsWith('data:')) problem(`remote request: ${r.url()}`);
  });
  await page.goto(writePage(theme));
  await page.waitForFunction(() => window.__posted?.length > 0);
  return page;
}
const shot = (page, name) => page.screenshot({ path: join(art, name), fullPage: true });

try {
  // Empty state.
  {
    const page = await open('dark');
    const first = (await posted(page))[0];
    expect(first?.type === 'ready', `first message to the host is ${JSON.stringify(first)}, expected ready`);
    expect((await text(page, '.empty')).includes('No run yet — run DL Lab: Train Model'), 'empty state text missing');
    await shot(page, 'dashboard-empty.png');
    await page.close();
  }

  // Dark, live: a run arrives with no epoch, then epochs one by one, Stop, then completion.
  {
    const page = await open('dark');
    const full = spiralsRun('running');
    await send(page, { type: 'run', run: { ...full, epochs: [] } });
    await settle(page);
    expect((await text(page, '.waiting')).includes('Waiting for the first epoch'), 'no waiting message before the first epoch');
    for (const e of full.epochs.slice(0, 25)) await send(page, { type: 'epoch', runId: full.id, epoch: e });
    await send(page, { type: 'epoch', runId: 'another-run', epoch: full.epochs[25] }); // ignored: another run
    await settle(page);
    expect((await text(page, '.header')).includes('25 / 40'), 'header does not show epoch 25 / 40');
    await checkCharts(page, 'dark', 'dark running', 9);
    await shot(page, 'dashboard-running-dark.png');
    // Epochs are appended to the charts there are, not drawn into new ones.
    await page.evaluate(() => document.querySelectorAll('.uplot').forEach((el) => el.classList.add('seen-before')));
    await page.click('button.stop');
    const stop = (await posted(page)).find((m) => m.type === 'stop');
    expect(stop?.runId === full.id, `Stop posted ${JSON.stringify(stop)}`);
    for (const e of full.epochs.slice(25)) await send(page, { type: 'epoch', runId: full.id, epoch: e });
    await send(page, { type: 'status', runId: full.id, status: 'completed' });
    await settle(page);
    expect(await page.locator('button.stop').isHidden(), 'Stop still shown after completion');
    expect(await page.evaluate(() => [...document.querySelectorAll('.uplot')].every((el) => el.classList.contains('seen-before'))),
      'charts were re-created by an epoch');
    expect((await text(page, '.badge')) === 'Completed', 'badge does not say Completed');
    await checkCharts(page, 'dark', 'dark 1400', 9);
    await shot(page, 'dashboard-dark.png');
    await page.locator('.layer-table button.link', { hasText: '5' }).click();
    const reveal = (await posted(page)).find((m) => m.type === 'revealLine');
    expect(reveal?.line === 5 && reveal.file === full.file, `line link posted ${JSON.stringify(reveal)}`);

    // A reload shows the run from the saved state before the host says anything.
    await page.reload();
    await page.waitForFunction(() => window.__posted?.length > 0);
    await settle(page);
    expect((await text(page, '.file')) === full.file && (await text(page, '.header')).includes('40 / 40'), 'reload did not restore the run');
    await checkCharts(page, 'dark', 'dark restored', 9);

    // Narrow panel: the same charts, resized by their ResizeObserver.
    await page.setViewportSize({ width: 800, height: 900 });
    await settle(page);
    await checkCharts(page, 'dark', 'dark 800', 9);
    await shot(page, 'dashboard-dark-800.png');
    await page.close();
  }

  // Light: opened dark, switched to light as VS Code does (charts rebuilt with the new colours), then narrowed.
  {
    const page = await open('dark');
    await send(page, { type: 'run', run: spiralsRun('completed') });
    await page.evaluate((t) => window.__setTheme(t.vars, t.bodyClass), THEMES.light);
    await settle(page);
    await settle(page);
    await checkCharts(page, 'light', 'light 1400 (after a theme switch)', 9);
    await shot(page, 'dashboard-light.png');
    await page.setViewportSize({ width: 800, height: 900 });
    await settle(page);
    await checkCharts(page, 'light', 'light 800', 9);
    await shot(page, 'dashboard-light-800.png');
    await page.close();
  }

  // A comparison: spirals with Adam (A) and with SGD (B, slower, 51 of 60 epochs), shown after a single run.
  {
    const page = await open('dark');
    const adam = spiralsRun('completed');
    const sgd = spiralsSgdRun();
    await send(page, { type: 'run', run: adam });
    await send(page, { type: 'compare', runs: [adam, sgd] });
    await settle(page);
    const titles = ['Validation loss', 'Training loss', 'Validation accuracy', 'Training accuracy', 'Learning rate', 'Gradient norm, all layers'];
    const charts = await checkCompare(page, 'dark', 'compare dark 1400', 6);
    expect(charts.map((c) => c.title).join('|') === titles.join('|'), `compare charts are ${charts.map((c) => c.title).join(', ')}`);
    const header = await text(page, '.cmp-header');
    expect(header.includes(adam.file) && header.includes('40 / 40') && header.includes('51 / 60') && header.includes('Stopped early')
      && header.includes('CPU'), `compare header lacks a run's file, epochs, status or provider: ${JSON.stringify(header)}`);
    const differing = await page.$$eval('.cmp-config tr.differs th', (ths) => ths.map((th) => th.textContent.replace('≠', '').trim()));
    expect(differing.join(',') === 'optimizer,train,regularize', `rows marked as differing: ${differing.join(', ')}`);
    expect((await text(page, '.cmp-config')).includes('not set'), 'a statement only run B has does not say "not set" for run A');
    const metrics = await page.$$eval('.cmp-metrics tbody tr', (trs) => Object.fromEntries(trs.map((tr) => {
      const cells = [...tr.children];
      return [cells[0].textContent, cells.slice(1).map((td) => (td.classList.contains('better') ? '✓ ' : '') + td.textContent.replace('✓', '').trim())];
    })));
    console.log(`compare metrics: ${JSON.stringify(metrics)}`);
    const row = (name) => metrics[name] ?? [];
    expect(row('Best validation accuracy')[0]?.startsWith('✓ ') && !row('Best validation accuracy')[1]?.startsWith('✓'),
      `best validation accuracy not marked for Adam: ${row('Best validation accuracy')}`);
    expect(/\(epoch \d+\)/.test(row('Best validation accuracy')[0] ?? ''), 'best validation accuracy without its epoch');
    expect(row('Final validation loss')[0]?.startsWith('✓ '), `final validation loss not marked for Adam: ${row('Final validation loss')}`);
    expect(row('Training time')[1]?.startsWith('✓ '), `training time not marked for SGD (faster in total): ${row('Training time')}`);
    expect(row('Parameters').every((v) => v === '1,251'), `parameters: ${row('Parameters')}`);
    expect(row('Epochs').join() === '40 / 40,51 / 60', `epochs: ${row('Epochs')}`);
    await shot(page, 'dashboard-compare-dark.png');
    await page.setViewportSize({ width: 800, height: 900 });
    await settle(page);
    await checkCompare(page, 'dark', 'compare dark 800', 6);
    await shot(page, 'dashboard-compare-dark-800.png');

    // A reload restores the comparison from the saved state.
    await page.reload();
    await page.waitForFunction(() => window.__posted?.length > 0);
    await settle(page);
    await checkCompare(page, 'dark', 'compare restored', 6);
    const state = await page.evaluate(() => JSON.parse(sessionStorage.getItem('state')));
    expect(state?.compare?.length === 2 && !state.run, `saved state is ${JSON.stringify(Object.keys(state ?? {}))}, expected compare only`);

    // "Show alone" leaves the comparison for that run; a later comparison and then a 'run' message switch again.
    await page.locator('.cmp-run.run-b .cmp-open').click();
    await settle(page);
    expect((await text(page, '.header')).includes('51 / 60') && await page.locator('.compare').isHidden(), '"Show alone" did not show run B');
    await checkCharts(page, 'dark', 'run B alone', 9);
    await send(page, { type: 'compare', runs: [adam, sgd] });
    await send(page, { type: 'run', run: adam });
    await settle(page);
    expect(await page.locator('.compare').isHidden() && (await text(page, '.header')).includes('40 / 40'), 'a run message did not end the comparison');
    expect(!(await page.locator('.compare .card').count()), 'comparison charts left behind in single-run mode');
    await checkCharts(page, 'dark', 'single after compare', 9);
    expect(!(await page.evaluate(() => JSON.parse(sessionStorage.getItem('state'))))?.compare, 'state still holds the comparison');
    await page.close();
  }

  // The comparison in light: opened dark, switched as VS Code does (charts rebuilt in the new colours).
  {
    const page = await open('dark');
    await send(page, { type: 'compare', runs: [spiralsRun('completed'), spiralsSgdRun()] });
    await settle(page);
    await page.evaluate((t) => window.__setTheme(t.vars, t.bodyClass), THEMES.light);
    await settle(page);
    await settle(page);
    await checkCompare(page, 'light', 'compare light 1400', 6);
    await shot(page, 'dashboard-compare-light.png');
    await page.setViewportSize({ width: 800, height: 900 });
    await settle(page);
    await checkCompare(page, 'light', 'compare light 800', 6);
    await shot(page, 'dashboard-compare-light-800.png');
    await page.close();
  }

  // Comparisons with regressions: accuracy only when a run has it; two regressions, no accuracy and no validation.
  {
    const page = await open('dark');
    const reg = regressionRun();
    await send(page, { type: 'compare', runs: [spiralsRun('completed'), reg] });
    await settle(page);
    await checkCompare(page, 'dark', 'compare classification/regression', 6, ['Validation loss', 'Validation accuracy', 'Training accuracy']);
    expect((await text(page, '.cmp-header')).includes('NaN'), 'the failed run\'s error is not shown in the comparison');
    const calmer = { ...reg, id: 'calmer', status: 'completed', error: undefined, config: { ...reg.config, optimizer: 'SGD(lr=0.05)' },
      epochs: reg.epochs.slice(0, 9) };
    await send(page, { type: 'compare', runs: [reg, calmer] });
    await settle(page);
    await checkCompare(page, 'dark', 'compare two regressions', 3);
    expect(!(await page.locator('.card-cmp-train-acc, .card-cmp-val-acc').count()), 'accuracy charts shown for two regressions');
    await shot(page, 'dashboard-compare-regression.png');
    await page.close();
  }

  // A failed regression: no accuracy chart, an error, NaN in the last epoch, a dropout layer without statistics.
  {
    const page = await open('dark');
    await send(page, { type: 'run', run: regressionRun() });
    await settle(page);
    expect(!(await page.locator('.card-accuracy').count()), 'accuracy chart shown for a regression');
    expect((await text(page, '.error')).includes('NaN'), 'error not shown');
    await checkCharts(page, 'dark', 'regression', 8);
    await shot(page, 'dashboard-regression-failed.png');

    // Self-test of the CSP check: a style attribute must be reported, a CSSOM assignment (what uPlot does) not.
    cspExpected = 2; // Chromium's own message and the page's securitypolicyviolation listener
    await page.evaluate(() => {
      const ok = document.createElement('div');
      ok.style.color = 'red';
      const blocked = document.createElement('div');
      blocked.setAttribute('style', 'color: red');
      document.body.append(ok, blocked);
    });
    await page.waitForTimeout(200);
    expect(cspSeen === 2, `the CSP self-test saw ${cspSeen} of 2 reports of one blocked style attribute`);
    cspExpected = 0;
    await page.close();
  }
} catch (e) {
  problem(`preview crashed: ${e.stack ?? e}`);
} finally {
  clearTimeout(watchdog);
  await context.close();
  server.close();
  rmSync(profile, { recursive: true, force: true });
}

if (problems.length) {
  console.error(`\n${problems.length} problem(s); screenshots in ${art}`);
  process.exit(1);
}
console.log(`\nOK; screenshots in ${art}`);
