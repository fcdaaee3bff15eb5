/// <reference lib="dom" />
// The training dashboard inside the webview (a browser page, no Node). Shows one run and follows it epoch by
// epoch, or two finished runs side by side ('compare'); keeps what it shows with setState so a reloaded window
// shows it again before the host has answered.
// Bundled by esbuild into media/dashboard/dashboard.js (+ dashboard.css from the CSS imported here).
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import './dashboard.css';
import type { DashboardState, FromDashboard, ToDashboard } from './protocol.js';
import type { EpochRecord, LayerInfo, LayerStats, RunRecord, RunStatus } from '../../runs/record.js';

interface VsCodeApi {
  postMessage(message: FromDashboard): void;
  getState(): DashboardState | undefined;
  setState(state: DashboardState): DashboardState;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();

// ---------------------------------------------------------------------------------------------------------------
// Formatting

const DASH = '—';

/** Short, fixed-width-ish numbers: 3 significant digits, exponent notation outside [1e-3, 1e4). */
function fmt(v: number | null | undefined): string {
  if (v === null || v === undefined) return DASH;
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '−∞';
  const a = Math.abs(v);
  if (a === 0) return '0';
  const text = a >= 1e4 || a < 1e-3 ? v.toExponential(2) : String(Number(v.toPrecision(3)));
  return text.replace(/-/g, '−');
}

function pct(v: number | null | undefined, digits = 1): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return DASH;
  return `${(v * 100).toFixed(digits)}%`;
}

/** Log-axis ticks: 1e-3, 0.01, 0.1, 1, 10, 100, 1e3 (and 0, −1, −10... on the symmetric log scale). */
function logTick(v: number): string {
  const a = Math.abs(v);
  if (a === 0) return '0';
  const text = a >= 1e-2 && a < 1e3 ? String(Number(v.toPrecision(2))) : v.toExponential(0);
  return text.replace(/-/g, '−');
}

function duration(ms: number): string {
  const s = ms / 1000;
  if (s < 10) return `${s.toFixed(1)} s`;
  if (s < 60) return `${Math.round(s)} s`;
  const total = Math.round(s);
  const hh = Math.floor(total / 3600), mm = Math.floor((total % 3600) / 60), ss = total % 60;
  const two = (n: number) => String(n).padStart(2, '0');
  return hh > 0 ? `${hh}:${two(mm)}:${two(ss)}` : `${mm}:${two(ss)}`;
}

function epochTime(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return DASH;
  return seconds < 1 ? `${Math.max(1, Math.round(seconds * 1000))} ms` : `${seconds.toFixed(2)} s`;
}

const STATUS_LABEL: Record<RunStatus, string> = {
  running: 'Running',
  completed: 'Completed',
  early_stopped: 'Stopped early',
  cancelled: 'Cancelled',
  failed: 'Failed',
  crashed: 'Crashed',
};

// ---------------------------------------------------------------------------------------------------------------
// DOM skeleton (built here rather than in the HTML so the page holds no markup the CSP has to allow)

function h<K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string, text?: string): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (cls) el.className = cls;
  if (text !== undefined) el.textContent = text;
  return el;
}

function metaItem(label: string): { item: HTMLElement; value: HTMLElement } {
  const item = h('span', 'meta-item');
  const value = h('span', 'meta-value');
  item.append(h('span', 'meta-label', label), value);
  return { item, value };
}

const ui = (() => {
  const app = document.getElementById('app') ?? document.body;

  const empty = h('div', 'empty');
  const emptyTitle = h('p', 'empty-title');
  emptyTitle.append('No run yet — run ', h('strong', undefined, 'DL Lab: Train Model'));
  empty.append(emptyTitle, h('p', 'empty-hint', 'The charts fill in epoch by epoch while the model trains.'));

  const dash = h('div', 'dash');
  const header = h('header', 'header');
  const titleRow = h('div', 'title-row');
  const file = h('h1', 'file');
  const badge = h('span', 'badge');
  const stop = h('button', 'stop', 'Stop');
  stop.type = 'button';
  titleRow.append(file, badge, stop);
  const meta = h('div', 'meta');
  const provider = metaItem('Provider');
  const epoch = metaItem('Epoch');
  const elapsed = metaItem('Elapsed');
  const started = metaItem('Started');
  meta.append(provider.item, epoch.item, elapsed.item, started.item);
  header.append(titleRow, meta);

  const error = h('div', 'error');
  error.setAttribute('role', 'alert');
  const tiles = h('div', 'tiles');
  const waiting = h('p', 'waiting', 'Waiting for the first epoch…');
  const charts = h('div', 'charts');

  const layers = h('section', 'layers');
  const table = h('table', 'layer-table');
  const thead = h('thead');
  const headRow = h('tr');
  const columns: [string, string, string?][] = [
    ['Line', 'Click to show the layer in the lab file'],
    ['Layer', ''],
    ['Description', ''],
    ['Output', 'Output shape, without the batch dimension'],
    ['Params', 'Number of parameters', 'num'],
    ['‖grad‖', 'Norm of the gradient of the weights (latest epoch)', 'num'],
    ['‖W‖', 'Norm of the weights', 'num'],
    ['Update', 'Update ratio ‖ΔW‖ / ‖W‖ per step; about 1e-3 is typical', 'num'],
    ['Activations', 'Mean ± standard deviation of the layer outputs', 'num'],
    ['Dead', 'Fraction of outputs that are exactly 0 (ReLU units)', 'num'],
    ['Saturated', 'Fraction of sigmoid/tanh outputs at their limits', 'num'],
  ];
  for (const [label, title, cls] of columns) {
    const th = h('th', cls, label);
    if (title) th.title = title;
    headRow.append(th);
  }
  thead.append(headRow);
  const tbody = h('tbody');
  const tfoot = h('tfoot');
  table.append(thead, tbody, tfoot);
  const tableWrap = h('div', 'table-wrap');
  tableWrap.append(table);
  const config = h('details', 'config');
  const configList = h('dl');
  config.append(h('summary', undefined, 'Configuration'), configList);
  layers.append(h('h2', 'section-title', 'Layers'), tableWrap, config);

  dash.append(header, error, tiles, waiting, charts, layers);
  app.append(empty, dash);
  return {
    empty, dash, file, badge, stop, provider: provider.value, epoch: epoch.value, elapsed: elapsed.value,
    started: started.value, error, tiles, waiting, charts, tbody, tfoot, config, configList,
  };
})();

// ---------------------------------------------------------------------------------------------------------------
// Theme: colours come from VS Code's CSS variables, read when charts are built (canvas cannot use var()).

interface Palette {
  fg: string;
  grid: string;
  muted: string;
  font: string;
  train: string;
  val: string;
  lr: string;
  global: string;
  /** The two runs of a comparison: A solid, B dashed, each in its own colour. */
  runA: string;
  runB: string;
  layer(i: number): { stroke: string; dash?: number[] };
  alpha(colour: string, a: number): string;
}

const probe = document.createElement('canvas').getContext('2d');

/** Any CSS colour as rgba() with its alpha multiplied by `a` (the canvas normalises the colour for us). */
function withAlpha(colour: string, a: number): string {
  if (!probe) return colour;
  probe.fillStyle = '#000000';
  probe.fillStyle = colour; // an invalid colour leaves the previous value
  const c = String(probe.fillStyle);
  let r = 0, g = 0, b = 0, alpha = 1;
  if (c.startsWith('#')) {
    [r, g, b] = [1, 3, 5].map((i) => parseInt(c.slice(i, i + 2), 16));
  } else {
    const m = c.match(/[\d.]+/g)?.map(Number) ?? [];
    [r, g, b] = m;
    alpha = m[3] ?? 1;
  }
  return `rgba(${r}, ${g}, ${b}, ${+(alpha * a).toFixed(3)})`;
}

function readPalette(): Palette {
  const cs = getComputedStyle(document.documentElement);
  const v = (name: string, fallback: string) => cs.getPropertyValue(name).trim() || fallback;
  const fg = v('--vscode-charts-foreground', v('--vscode-foreground', getComputedStyle(document.body).color));
  const colours = ['blue', 'orange', 'green', 'purple', 'red', 'yellow'].map((c) => v(`--vscode-charts-${c}`, fg));
  const dashes: (number[] | undefined)[] = [undefined, [6, 3], [2, 3]];
  const family = v('--vscode-font-family', 'sans-serif');
  return {
    fg,
    grid: withAlpha(v('--vscode-charts-lines', fg), 0.45),
    muted: v('--vscode-descriptionForeground', fg),
    font: `11px ${family}`,
    train: colours[0],
    val: colours[1],
    lr: colours[2],
    global: colours[3],
    runA: colours[0],
    runB: colours[1],
    // Six theme colours, then the same colours dashed, so layers stay distinguishable in deep models.
    layer: (i) => ({ stroke: colours[i % colours.length], dash: dashes[Math.floor(i / colours.length) % dashes.length] }),
    alpha: withAlpha,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Charts

/** What the charts' series depend on; when it changes the charts are rebuilt, otherwise only appended to. */
interface Shape {
  layers: string[];
  hasVal: boolean;
  hasAcc: boolean;
}

function shapeOf(run: RunRecord): Shape {
  const layers: string[] = [];
  for (const e of run.epochs) for (const l of e.layers ?? []) if (!layers.includes(l.name)) layers.push(l.name);
  return {
    layers,
    hasVal: run.epochs.some((e) => e.valLoss !== null && e.valLoss !== undefined),
    hasAcc: run.epochs.some((e) => e.trainAcc !== null && e.trainAcc !== undefined),
  };
}

function sameShape(a: Shape, b: Shape): boolean {
  return a.hasVal === b.hasVal && a.hasAcc === b.hasAcc && a.layers.join('\n') === b.layers.join('\n');
}

type Cell = number | null;
/** symlog: uPlot's asinh scale, linear near 0 and logarithmic beyond ±1, for values of either sign. */
type YKind = 'linear' | 'log' | 'symlog' | 'fraction';

interface ChartDef {
  id: string;
  title: string;
  hint: string;
  y: YKind;
  show?(s: Shape): boolean;
  series(s: Shape, p: Palette): uPlot.Series[];
  bands?(s: Shape, p: Palette): uPlot.Band[];
  row(e: EpochRecord, s: Shape): Cell[];
  /** A dashed reference line at this y value. */
  guide?: number;
}

function layerStats(e: EpochRecord, name: string): LayerStats | undefined {
  return e.layers?.find((l) => l.name === name);
}

function perLayer(get: (l: LayerStats) => number): (e: EpochRecord, s: Shape) => Cell[] {
  return (e, s) => s.layers.map((n) => {
    const l = layerStats(e, n);
    return l ? get(l) : null;
  });
}

/** The norm of the whole gradient, from the layers' norms. */
function globalGradNorm(e: EpochRecord): Cell {
  if (!e.layers?.length) return null;
  return Math.sqrt(e.layers.reduce((sum, l) => sum + l.gradNorm * l.gradNorm, 0));
}

function line(label: string, stroke: string, dash?: number[]): uPlot.Series {
  return { label, stroke, dash, width: 1.5 };
}

function layerLines(s: Shape, p: Palette): uPlot.Series[] {
  return s.layers.map((n, i) => line(n, p.layer(i).stroke, p.layer(i).dash));
}

const CHARTS: ChartDef[] = [
  {
    id: 'loss', title: 'Loss', y: 'linear',
    hint: 'If validation loss rises while training loss falls, the model is over-fitting.',
    series: (s, p) => [line('Training', p.train), ...(s.hasVal ? [line('Validation', p.val)] : [])],
    row: (e, s) => [e.trainLoss, ...(s.hasVal ? [e.valLoss] : [])],
  },
  {
    id: 'accuracy', title: 'Accuracy', y: 'fraction',
    hint: 'Fraction of examples classified correctly.',
    show: (s) => s.hasAcc,
    series: (s, p) => [line('Training', p.train), ...(s.hasVal ? [line('Validation', p.val)] : [])],
    row: (e, s) => [e.trainAcc, ...(s.hasVal ? [e.valAcc] : [])],
  },
  {
    id: 'lr', title: 'Learning rate', y: 'linear',
    hint: 'At the first step of each epoch, after the schedule.',
    series: (_s, p) => [line('Learning rate', p.lr)],
    row: (e) => [e.lr],
  },
  {
    id: 'grad-global', title: 'Gradient norm, all layers', y: 'log',
    hint: 'Spikes mean unstable steps; a steady slide towards 0 means learning has stalled.',
    series: (_s, p) => [line('‖grad‖', p.global)],
    row: (e) => [globalGradNorm(e)],
  },
  {
    id: 'grad-layer', title: 'Gradient norm per layer', y: 'log',
    hint: 'First layers far below the last suggest vanishing gradients.',
    series: layerLines,
    row: perLayer((l) => l.gradNorm),
  },
  {
    id: 'update', title: 'Update ratio per layer (‖ΔW‖ / ‖W‖)', y: 'log', guide: 1e-3,
    hint: 'About 1e-3 (dashed) is typical; far above, the learning rate may be too high; far below, too low.',
    series: layerLines,
    row: perLayer((l) => l.updateRatio),
  },
  {
    id: 'activations', title: 'Activations per layer (mean ± std)', y: 'symlog',
    hint: 'The band is one standard deviation (symmetric log scale). A band shrinking to a line: the layer passes no signal.',
    series: (s, p) => s.layers.flatMap((n, i) => {
      const { stroke, dash } = p.layer(i);
      // The band's edges are series of their own, hidden from the legend (class) and drawn with no line.
      const edge = (label: string): uPlot.Series => ({ label, stroke: p.alpha(stroke, 0), width: 0, class: 'dl-edge', points: { show: false } });
      return [line(n, stroke, dash), edge(`${n} + std`), edge(`${n} − std`)];
    }),
    bands: (s, p) => s.layers.map((_n, i) => ({ series: [2 + 3 * i, 3 + 3 * i] as [number, number], fill: p.alpha(p.layer(i).stroke, 0.14) })),
    row: (e, s) => s.layers.flatMap((n) => {
      const l = layerStats(e, n);
      return l ? [l.actMean, l.actMean + l.actStd, l.actMean - l.actStd] : [null, null, null];
    }),
  },
  {
    id: 'dead', title: 'Dead units per layer (output exactly 0)', y: 'fraction',
    hint: 'ReLU units that output 0. Near 100%, the layer is dying.',
    series: layerLines,
    row: perLayer((l) => l.zeroFrac),
  },
  {
    id: 'saturated', title: 'Saturated units per layer', y: 'fraction',
    hint: 'sigmoid/tanh outputs at their limits, where gradients vanish. Always 0 for ReLU.',
    series: layerLines,
    row: perLayer((l) => l.satFrac),
  },
];

const PLOT_HEIGHT = 190;
const X_INCRS = [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000];

const measure = document.createElement('canvas').getContext('2d');

/** A y axis exactly as wide as its longest label, so small numbers (1e-3) are never clipped. */
function axisWidth(font: string): uPlot.Axis.Size {
  return (_u, values) => {
    let w = 0;
    if (measure && values) {
      measure.font = font;
      for (const v of values) if (v) w = Math.max(w, measure.measureText(String(v)).width);
    }
    return Math.ceil(w) + 4 /* tick */ + 5 /* gap */ + 6;
  };
}

/** Log axes: grid lines and ticks only where uPlot puts a label, not at every 2..9 × 10^k. */
const labelled: uPlot.Axis.Filter = (u, splits, i, space, incr) => u.axes[i].filter?.(u, splits, i, space, incr) ?? splits;

/** Symmetric log axes: labels at 0 and ±10^k only; uPlot's own filter crowds 1, 0 and −1 together. */
const symlogLabels: uPlot.Axis.Filter = (u, splits) => {
  const isPower = (v: number) => v === 0 || Number.isInteger(Math.log10(Math.abs(v)));
  // 0 first, then the largest magnitudes: those deserve a label when there is no room for all.
  const order = splits.filter(isPower).sort((a, b) => (a === 0 ? -1 : b === 0 ? 1 : Math.abs(b) - Math.abs(a)));
  const keep = new Set<number>();
  const taken: number[] = [];
  for (const v of order) {
    const y = u.valToPos(v, 'y');
    if (taken.every((other) => Math.abs(other - y) >= 16)) {
      taken.push(y);
      keep.add(v);
    }
  }
  return splits.map((v) => (keep.has(v) ? v : null));
};

function clean(v: Cell | undefined, kind: YKind): Cell {
  if (v === null || v === undefined || !Number.isFinite(v)) return null; // NaN/∞ (a diverging run) leave a gap
  if (kind === 'log' && v <= 0) return null; // log scales cannot show 0
  return v;
}

/** What one uPlot chart shows; shared by the live single-run charts and the comparison's charts. */
interface PlotSpec {
  title: string;
  y: YKind;
  series: uPlot.Series[];
  bands?: uPlot.Band[];
  /** A dashed reference line at this y value. */
  guide?: number;
  /** Series come in threes (mean, upper edge, lower edge): hiding a mean hides its band. */
  banded?: boolean;
  /** Charts with the same key move their cursors together. */
  syncKey: string;
  /** What the legend shows away from the chart for series `si` (default: its last value). */
  idle?(si: number, data: uPlot.AlignedData[number]): Cell | undefined;
}

/** A uPlot chart that fills its host's width and follows it when the panel is resized. */
class Plot {
  readonly plot: uPlot;
  private readonly resize: ResizeObserver;

  constructor(spec: PlotSpec, p: Palette, host: HTMLElement, data: uPlot.AlignedData, xMax: () => number) {
    const series = spec.series;
    const format = spec.y === 'fraction' ? (v: Cell | undefined) => pct(v) : (v: Cell | undefined) => fmt(v);
    const idle = spec.idle ?? ((_si, d) => d.at(-1));
    // Away from the chart the legend shows the latest values rather than dashes.
    for (const s of series) s.value = (u, v, si, idx) => format(idx === null ? idle(si, u.data[si]) : v);
    const axis = { stroke: p.fg, font: p.font, grid: { stroke: p.grid, width: 1 }, ticks: { stroke: p.grid, width: 1, size: 4 } };
    const logLike = spec.y === 'log' || spec.y === 'symlog';
    const yScale: uPlot.Scale =
      spec.y === 'log' ? { distr: 3, log: 10 }
      : spec.y === 'symlog' ? { distr: 4, log: 10, asinh: 1 }
      // A little room below 0 and above 1 so a line at exactly 0% or 100% stays visible.
      : spec.y === 'fraction' ? { range: [-0.02, 1.02] }
      : {};
    const yValues: uPlot.Axis.Values =
      logLike ? (_u, splits) => splits.map((v) => (v === null ? '' : logTick(v)))
      : spec.y === 'fraction' ? (_u, splits) => splits.map((v) => pct(v, 0))
      : (_u, splits) => splits.map((v) => fmt(v));
    const guide = spec.guide;
    const opts: uPlot.Options = {
      width: Math.max(200, Math.floor(host.clientWidth)),
      height: PLOT_HEIGHT,
      cursor: { drag: { x: false, y: false }, sync: { key: spec.syncKey }, points: { size: 6 } },
      // Dashed series get a dashed marker in the legend, so "dashed = run B" reads there too.
      legend: { live: true, markers: { dash: (u, i) => (u.series[i].dash?.length ? 'dashed' : 'solid') } },
      scales: {
        x: { time: false, range: () => [1, Math.max(2, xMax())] },
        y: yScale,
      },
      axes: [
        { ...axis, incrs: X_INCRS, space: 40, values: (_u, splits) => splits.map((v) => String(v)) },
        {
          ...axis, size: axisWidth(p.font), space: 28, values: yValues,
          ...(spec.y === 'fraction' ? { incrs: [0.25, 0.5] } : {}),
          ...(spec.y === 'symlog' ? { filter: symlogLabels } : {}),
          ...(logLike ? { grid: { ...axis.grid, filter: labelled }, ticks: { ...axis.ticks, filter: labelled } } : {}),
        },
      ],
      series: [{ label: 'Epoch', value: (u, v, _si, idx) => String((idx === null ? u.data[0].at(-1) : v) ?? DASH) }, ...series],
      bands: spec.bands,
      hooks: {
        draw: guide === undefined ? [] : [(u) => drawGuide(u, guide, p.muted)],
        // Hiding a layer's mean in the legend hides its band too.
        setSeries: spec.banded ? [(u, i, o) => {
          if (i === null || o.show === undefined || (i - 1) % 3 !== 0) return;
          for (const j of [i + 1, i + 2]) if (u.series[j].show !== o.show) u.setSeries(j, { show: o.show });
        }] : [],
      },
    };
    this.plot = new uPlot(opts, data, host);
    host.setAttribute('role', 'img');
    host.setAttribute('aria-label', spec.title);
    this.resize = new ResizeObserver((entries) => {
      const width = Math.floor(entries[0].contentRect.width);
      if (width > 0 && width !== this.plot.width) this.plot.setSize({ width, height: PLOT_HEIGHT });
    });
    this.resize.observe(host);
  }

  destroy(): void {
    this.resize.disconnect();
    this.plot.destroy();
  }
}

/** One chart of the run being shown, appended to epoch by epoch. */
class LiveChart {
  private readonly x: number[] = [];
  private readonly ys: Cell[][];
  private readonly chart: Plot;

  constructor(private readonly def: ChartDef, private readonly shape: Shape, p: Palette, host: HTMLElement, epochs: EpochRecord[], xMax: () => number) {
    const series = def.series(shape, p);
    this.ys = series.map(() => []);
    for (const e of epochs) this.push(e);
    this.chart = new Plot({
      title: def.title, y: def.y, series, bands: def.bands?.(shape, p), guide: def.guide, banded: def.bands !== undefined, syncKey: 'dl-lab-epochs',
    }, p, host, this.data(), xMax);
  }

  private push(e: EpochRecord): void {
    this.x.push(e.epoch);
    const row = this.def.row(e, this.shape);
    this.ys.forEach((col, i) => col.push(clean(row[i], this.def.y)));
  }

  private data(): uPlot.AlignedData {
    return [this.x, ...this.ys];
  }

  append(e: EpochRecord): void {
    this.push(e);
    this.chart.plot.setData(this.data());
  }

  /** Re-ranges the axes (the x axis shrinks to the epochs done when a run stops early). */
  refresh(): void {
    this.chart.plot.setData(this.data());
  }

  destroy(): void {
    this.chart.destroy();
  }
}

function drawGuide(u: uPlot, value: number, colour: string): void {
  const y = u.valToPos(value, 'y', true);
  const { left, top, width, height } = u.bbox;
  if (!Number.isFinite(y) || y < top || y > top + height) return;
  const ctx = u.ctx;
  ctx.save();
  ctx.strokeStyle = colour;
  ctx.lineWidth = Math.max(1, devicePixelRatio);
  ctx.setLineDash([4 * devicePixelRatio, 4 * devicePixelRatio]);
  ctx.beginPath();
  ctx.moveTo(left, Math.round(y) + 0.5);
  ctx.lineTo(left + width, Math.round(y) + 0.5);
  ctx.stroke();
  ctx.restore();
}

// ---------------------------------------------------------------------------------------------------------------
// State and rendering

let current: RunRecord | undefined;
/** The two runs being compared; while set, `current` is undefined and the single-run view is hidden. */
let comparing: [RunRecord, RunRecord] | undefined;
let charts: LiveChart[] = [];
let chartShape: Shape | undefined;
let stopping = false;
let timer: number | undefined;

function save(): void {
  vscode.setState(comparing ? { compare: comparing } : { run: current });
}

/** While running the x axis spans the planned epochs, so the charts also show how far the run has got. */
function xMax(): number {
  if (!current) return 1;
  const last = current.epochs.at(-1)?.epoch ?? 0;
  return current.status === 'running' ? Math.max(current.epochsPlanned ?? 0, last) : last;
}

function buildCharts(): void {
  for (const c of charts) c.destroy();
  charts = [];
  ui.charts.replaceChildren();
  chartShape = undefined;
  if (!current || current.epochs.length === 0) return;
  const shape = shapeOf(current);
  const palette = readPalette();
  chartShape = shape;
  for (const def of CHARTS) {
    if (def.show && !def.show(shape)) continue;
    const card = h('section', `card card-${def.id}`);
    const host = h('div', 'plot');
    card.append(h('h2', 'card-title', def.title), h('p', 'card-hint', def.hint), host);
    ui.charts.append(card); // in the DOM first, so the chart can take the card's width
    charts.push(new LiveChart(def, shape, palette, host, current.epochs, xMax));
  }
}

function elapsedMs(run: RunRecord): number | undefined {
  const start = Date.parse(run.startedAt);
  if (Number.isNaN(start)) return undefined;
  const end = run.finishedAt ? Date.parse(run.finishedAt) : run.status === 'running' ? Date.now() : NaN;
  // A run that ended without a finish time (a crash): count the epochs' own time instead.
  if (Number.isNaN(end)) return run.epochs.reduce((s, e) => s + (Number.isFinite(e.seconds) ? e.seconds : 0), 0) * 1000;
  return Math.max(0, end - start);
}

function renderElapsed(): void {
  const ms = current && elapsedMs(current);
  ui.elapsed.textContent = ms === undefined ? DASH : duration(ms);
}

function renderHeader(): void {
  if (!current) return;
  const run = current;
  ui.file.textContent = run.file;
  ui.file.title = run.file;
  ui.badge.textContent = STATUS_LABEL[run.status] ?? run.status;
  ui.badge.className = `badge status-${run.status}`;
  ui.provider.textContent = run.provider ? run.provider.toUpperCase() : DASH;
  const done = run.epochs.at(-1)?.epoch ?? 0;
  ui.epoch.textContent = `${done} / ${run.epochsPlanned}`;
  const started = new Date(run.startedAt);
  ui.started.textContent = Number.isNaN(started.getTime()) ? DASH : started.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
  renderElapsed();
  ui.stop.hidden = run.status !== 'running';
  ui.stop.disabled = stopping;
  ui.stop.textContent = stopping ? 'Stopping…' : 'Stop';
  ui.error.hidden = !run.error;
  ui.error.textContent = run.error ?? '';
  const waiting = run.epochs.length === 0;
  ui.waiting.hidden = !waiting;
  ui.waiting.textContent = run.status === 'running' ? 'Waiting for the first epoch…' : 'This run finished no epoch.';
}

function renderTiles(): void {
  if (!current) return;
  const e = current.epochs.at(-1);
  ui.tiles.replaceChildren();
  if (!e) return;
  const shape = chartShape ?? shapeOf(current);
  const tiles: [string, string, string][] = [['Train loss', fmt(e.trainLoss), 'train']];
  if (shape.hasVal) tiles.push(['Val loss', fmt(e.valLoss), 'val']);
  if (shape.hasAcc) {
    tiles.push(['Train accuracy', pct(e.trainAcc), 'train']);
    if (shape.hasVal) tiles.push(['Val accuracy', pct(e.valAcc), 'val']);
  }
  tiles.push(['Learning rate', fmt(e.lr), ''], ['Epoch time', epochTime(e.seconds), '']);
  for (const [label, value, kind] of tiles) {
    const tile = h('div', kind ? `tile tile-${kind}` : 'tile');
    tile.append(h('div', 'tile-label', label), h('div', 'tile-value', value));
    ui.tiles.append(tile);
  }
}

/** Per layer: the cells that change with every epoch. */
const statCells = new Map<string, HTMLTableCellElement[]>();

function shapeText(shape: number[]): string {
  return shape.length ? shape.join(' × ') : DASH;
}

function renderLayers(): void {
  ui.tbody.replaceChildren();
  ui.tfoot.replaceChildren();
  statCells.clear();
  if (!current) return;
  const run = current;
  const infos: LayerInfo[] = run.layers ?? [];
  for (const info of infos) {
    const tr = h('tr');
    const lineCell = h('td', 'line');
    if (info.line !== null && info.line !== undefined) {
      const lineNo = info.line;
      const link = h('button', 'link', String(lineNo));
      link.type = 'button';
      link.title = `Show line ${lineNo} of ${run.file}`;
      link.addEventListener('click', () => vscode.postMessage({ type: 'revealLine', file: run.file, line: lineNo }));
      lineCell.append(link);
    } else {
      lineCell.textContent = DASH;
    }
    const stats = Array.from({ length: 6 }, () => h('td', 'num'));
    tr.append(
      lineCell,
      h('td', 'name', info.name),
      h('td', 'desc', info.description),
      h('td', 'shape', shapeText(info.outputShape ?? [])),
      h('td', 'num', (info.parameters ?? 0).toLocaleString()),
      ...stats,
    );
    statCells.set(info.name, stats);
    ui.tbody.append(tr);
  }
  if (infos.length) {
    const total = infos.reduce((s, l) => s + (l.parameters ?? 0), 0);
    const tr = h('tr');
    const label = h('td', undefined, 'Total');
    label.colSpan = 4;
    const sum = h('td', 'num', total.toLocaleString());
    const rest = h('td');
    rest.colSpan = 6;
    tr.append(label, sum, rest);
    ui.tfoot.append(tr);
  }
  renderLayerStats();
}

function renderLayerStats(): void {
  const e = current?.epochs.at(-1);
  for (const [name, cells] of statCells) {
    const l = e && layerStats(e, name);
    const values = l
      ? [fmt(l.gradNorm), fmt(l.weightNorm), fmt(l.updateRatio), `${fmt(l.actMean)} ± ${fmt(l.actStd)}`, pct(l.zeroFrac), pct(l.satFrac)]
      : Array<string>(6).fill(DASH);
    cells.forEach((c, i) => (c.textContent = values[i]));
  }
}

function renderConfig(): void {
  ui.configList.replaceChildren();
  const entries = Object.entries(current?.config ?? {});
  ui.config.hidden = entries.length === 0;
  for (const [k, v] of entries) ui.configList.append(h('dt', undefined, k), h('dd', undefined, v));
}

function syncTimer(): void {
  const want = current?.status === 'running';
  if (want && timer === undefined) timer = window.setInterval(renderElapsed, 1000);
  if (!want && timer !== undefined) {
    window.clearInterval(timer);
    timer = undefined;
  }
}

function renderAll(): void {
  ui.empty.hidden = current !== undefined || comparing !== undefined;
  ui.dash.hidden = current === undefined;
  cmp.root.hidden = comparing === undefined;
  // Charts first: the tiles use their shape.
  buildCharts();
  renderHeader();
  renderTiles();
  renderLayers();
  renderConfig();
  renderCompare();
  syncTimer();
}

function copyRun(run: RunRecord): RunRecord {
  return { ...run, epochs: [...(run.epochs ?? [])] };
}

function showRun(run: RunRecord): void {
  comparing = undefined;
  current = copyRun(run);
  stopping = false;
  renderAll();
  save();
}

function addEpoch(e: EpochRecord): void {
  if (!current) return;
  const last = current.epochs.at(-1);
  if (last && e.epoch <= last.epoch) return; // a repeat (e.g. after a reload raced the host): already shown
  current.epochs.push(e);
  const shape = shapeOf(current);
  if (chartShape && sameShape(shape, chartShape)) for (const c of charts) c.append(e);
  else buildCharts();
  renderHeader();
  renderTiles();
  renderLayerStats();
  save();
}

function setStatus(status: RunStatus, error: string | undefined): void {
  if (!current) return;
  current.status = status;
  if (error !== undefined) current.error = error;
  if (status !== 'running' && !current.finishedAt) current.finishedAt = new Date().toISOString();
  stopping = false;
  for (const c of charts) c.refresh();
  renderHeader();
  syncTimer();
  save();
}

// ---------------------------------------------------------------------------------------------------------------
// Comparison of two runs: A (solid, first colour) and B (dashed, second colour), finished or not; not followed live.

const RUN_NAMES = ['A', 'B'] as const;

const cmp = (() => {
  const root = h('div', 'compare');
  const header = h('header', 'header cmp-header');
  const titleRow = h('div', 'title-row');
  titleRow.append(h('h1', 'file', 'Comparing two runs'));
  const differ = h('p', 'cmp-differ');
  const runs = h('div', 'cmp-runs');
  header.append(titleRow, differ, runs);
  const charts = h('div', 'charts');
  const tables = h('div', 'cmp-tables');
  const table = (cls: string) => {
    const t = h('table', `cmp-table ${cls}`);
    const wrap = h('div', 'table-wrap');
    wrap.append(t);
    return { t, wrap };
  };
  const metrics = table('cmp-metrics');
  const config = table('cmp-config');
  const metricsSection = h('section', 'cmp-section');
  metricsSection.append(h('h2', 'section-title', 'Final metrics'), metrics.wrap);
  const configSection = h('section', 'cmp-section');
  configSection.append(h('h2', 'section-title', 'Configuration'), config.wrap);
  tables.append(metricsSection, configSection);
  root.append(header, charts, tables);
  root.hidden = true;
  (document.getElementById('app') ?? document.body).append(root);
  return { root, differ, runs, charts, metrics: metrics.t, config: config.t, configSection };
})();

/** "A" or "B" with a short line in the run's colour and dash, as in the charts' legends. */
function runKey(i: number, text: string = RUN_NAMES[i]): HTMLElement {
  const key = h('span', `run-key run-${RUN_NAMES[i].toLowerCase()}`);
  key.append(h('span', 'run-line'), h('span', 'run-name', text));
  return key;
}

function finishedEpochs(run: RunRecord): number {
  return run.epochs.at(-1)?.epoch ?? 0;
}

function startedText(run: RunRecord): string {
  const started = new Date(run.startedAt);
  return Number.isNaN(started.getTime()) ? DASH : started.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** Statements in order of appearance (A's, then those only B has), and whether the two texts differ. */
function configRows(runs: [RunRecord, RunRecord]): { key: string; values: (string | undefined)[]; differs: boolean }[] {
  const keys: string[] = [];
  for (const r of runs) for (const k of Object.keys(r.config ?? {})) if (!keys.includes(k)) keys.push(k);
  return keys.map((key) => {
    const values = runs.map((r) => (Object.prototype.hasOwnProperty.call(r.config ?? {}, key) ? r.config[key] : undefined));
    const norm = (v: string | undefined) => v?.replace(/\s+/g, ' ').trim();
    return { key, values, differs: norm(values[0]) !== norm(values[1]) };
  });
}

function renderCompareHeader(runs: [RunRecord, RunRecord]): void {
  cmp.runs.replaceChildren();
  runs.forEach((run, i) => {
    const card = h('section', `cmp-run run-${RUN_NAMES[i].toLowerCase()}`);
    card.setAttribute('aria-label', `Run ${RUN_NAMES[i]}`);
    const title = h('div', 'cmp-run-title');
    const file = h('span', 'cmp-file', run.file);
    file.title = `${run.file} (${run.id})`;
    const badge = h('span', `badge status-${run.status}`, STATUS_LABEL[run.status] ?? run.status);
    const open = h('button', 'link cmp-open', 'Show alone');
    open.type = 'button';
    open.title = `Leave the comparison and show run ${RUN_NAMES[i]} on its own`;
    open.addEventListener('click', () => showRun(run));
    title.append(runKey(i), file, badge);
    const meta = h('div', 'meta');
    const item = (label: string, value: string) => {
      const m = metaItem(label);
      m.value.textContent = value;
      meta.append(m.item);
    };
    item('Started', startedText(run));
    item('Provider', run.provider ? run.provider.toUpperCase() : DASH);
    item('Epochs', `${finishedEpochs(run)} / ${run.epochsPlanned ?? DASH}`);
    meta.append(open);
    card.append(title, meta);
    if (run.error) {
      const error = h('p', 'cmp-error', run.error);
      error.setAttribute('role', 'note');
      card.append(error);
    }
    cmp.runs.append(card);
  });
  const differing = configRows(runs).filter((r) => r.differs).map((r) => r.key);
  cmp.differ.textContent = differing.length
    ? `Configurations differ in ${differing.join(', ')}.`
    : Object.keys(runs[0].config ?? {}).length ? 'Same configuration.' : '';
  cmp.differ.hidden = !cmp.differ.textContent;
}

interface CompareDef {
  id: string;
  title: string;
  hint: string;
  y: YKind;
  value(e: EpochRecord): Cell | undefined;
}

const COMPARE_CHARTS: CompareDef[] = [
  { id: 'cmp-val-loss', title: 'Validation loss', y: 'linear', hint: 'On data neither run trained on: the lower curve generalises better.', value: (e) => e.valLoss },
  { id: 'cmp-train-loss', title: 'Training loss', y: 'linear', hint: 'Falling faster means learning faster; far below the validation loss, over-fitting.', value: (e) => e.trainLoss },
  { id: 'cmp-val-acc', title: 'Validation accuracy', y: 'fraction', hint: 'Fraction of held-out examples classified correctly.', value: (e) => e.valAcc },
  { id: 'cmp-train-acc', title: 'Training accuracy', y: 'fraction', hint: 'Fraction of training examples classified correctly.', value: (e) => e.trainAcc },
  { id: 'cmp-lr', title: 'Learning rate', y: 'linear', hint: 'At the first step of each epoch, after the schedule.', value: (e) => e.lr },
  { id: 'cmp-grad', title: 'Gradient norm, all layers', y: 'log', hint: 'Spikes mean unstable steps; a steady slide towards 0 means learning has stalled.', value: globalGradNorm },
];

let compareCharts: Plot[] = [];

/** One x (every epoch either run finished) and one column per run, null where a run has no such epoch. */
function alignedData(runs: [RunRecord, RunRecord], def: CompareDef): uPlot.AlignedData {
  const xs = [...new Set(runs.flatMap((r) => r.epochs.map((e) => e.epoch)))].sort((a, b) => a - b);
  const at = new Map(xs.map((x, i) => [x, i]));
  const columns = runs.map((r) => {
    const col: Cell[] = xs.map(() => null);
    for (const e of r.epochs) col[at.get(e.epoch) ?? 0] = clean(def.value(e), def.y);
    return col;
  });
  return [xs, ...columns];
}

function buildCompareCharts(): void {
  for (const c of compareCharts) c.destroy();
  compareCharts = [];
  cmp.charts.replaceChildren();
  if (!comparing) return;
  const runs = comparing;
  const p = readPalette();
  const xMax = Math.max(...runs.map(finishedEpochs));
  for (const def of COMPARE_CHARTS) {
    // A chart neither run has values for (accuracy of two regressions, validation without a split) is left out.
    if (!runs.some((r) => r.epochs.some((e) => { const v = def.value(e); return v !== null && v !== undefined; }))) continue;
    const card = h('section', `card card-${def.id}`);
    const host = h('div', 'plot');
    card.append(h('h2', 'card-title', def.title), h('p', 'card-hint', def.hint), host);
    cmp.charts.append(card);
    const series: uPlot.Series[] = [
      { label: 'Run A', stroke: p.runA, width: 2 },
      { label: 'Run B', stroke: p.runB, width: 2, dash: [7, 4] },
    ];
    // Away from the chart: each run's own last epoch, as it was (NaN for a run that diverged, not its last number).
    const finals = runs.map((r) => { const e = r.epochs.at(-1); return e ? def.value(e) : undefined; });
    const idle = (si: number) => finals[si - 1];
    compareCharts.push(new Plot({ title: def.title, y: def.y, series, syncKey: 'dl-lab-compare', idle }, p, host, alignedData(runs, def), () => xMax));
  }
}

type Better = 'lower' | 'higher' | undefined;

interface MetricDef {
  label: string;
  hint?: string;
  better: Better;
  /** Always shown, even when neither run has a value. */
  always?: boolean;
  value(r: RunRecord): number | null | undefined;
  text(r: RunRecord, v: number | null | undefined): string;
}

function best(r: RunRecord, get: (e: EpochRecord) => number | null | undefined, dir: 'min' | 'max'): EpochRecord | undefined {
  let found: EpochRecord | undefined;
  for (const e of r.epochs) {
    const v = get(e);
    if (v === null || v === undefined || !Number.isFinite(v)) continue;
    const f = found && get(found);
    if (f === undefined || f === null || (dir === 'max' ? v > f : v < f)) found = e;
  }
  return found;
}

function trainingSeconds(r: RunRecord): number | undefined {
  if (!r.epochs.length) return undefined;
  return r.epochs.reduce((s, e) => s + (Number.isFinite(e.seconds) ? e.seconds : 0), 0);
}

function secondsText(s: number | null | undefined): string {
  if (s === null || s === undefined || !Number.isFinite(s)) return DASH;
  return s < 10 ? `${s.toFixed(2)} s` : duration(s * 1000);
}

const METRICS: MetricDef[] = [
  { label: 'Final training loss', better: 'lower', value: (r) => r.epochs.at(-1)?.trainLoss, text: (_r, v) => fmt(v) },
  { label: 'Final validation loss', better: 'lower', value: (r) => r.epochs.at(-1)?.valLoss, text: (_r, v) => fmt(v) },
  { label: 'Final training accuracy', better: 'higher', value: (r) => r.epochs.at(-1)?.trainAcc, text: (_r, v) => pct(v) },
  { label: 'Final validation accuracy', better: 'higher', value: (r) => r.epochs.at(-1)?.valAcc, text: (_r, v) => pct(v) },
  {
    label: 'Best validation accuracy', better: 'higher', hint: 'The highest validation accuracy of any epoch, and that epoch',
    value: (r) => best(r, (e) => e.valAcc, 'max')?.valAcc,
    text: (r, v) => (v === null || v === undefined ? DASH : `${pct(v)} (epoch ${best(r, (e) => e.valAcc, 'max')?.epoch ?? DASH})`),
  },
  {
    label: 'Lowest validation loss', better: 'lower', hint: 'The lowest validation loss of any epoch, and that epoch',
    value: (r) => best(r, (e) => e.valLoss, 'min')?.valLoss,
    text: (r, v) => (v === null || v === undefined ? DASH : `${fmt(v)} (epoch ${best(r, (e) => e.valLoss, 'min')?.epoch ?? DASH})`),
  },
  { label: 'Epochs', better: undefined, always: true, value: (r) => finishedEpochs(r), text: (r) => `${finishedEpochs(r)} / ${r.epochsPlanned ?? DASH}` },
  {
    label: 'Training time', better: 'lower', always: true, hint: 'Sum of the epochs\u2019 times (training and evaluation)',
    value: (r) => trainingSeconds(r), text: (_r, v) => secondsText(v),
  },
  {
    label: 'Parameters', better: 'lower', always: true, hint: 'Fewer is marked: a smaller model for the same result',
    value: (r) => (r.layers?.length ? r.layers.reduce((s, l) => s + (l.parameters ?? 0), 0) : undefined),
    text: (_r, v) => (v === null || v === undefined ? DASH : v.toLocaleString()),
  },
];

/** Which run (0, 1) has the better value; undefined on a tie or when there is nothing to compare. NaN counts as worst. */
function better(values: (number | null | undefined)[], dir: Better): number | undefined {
  if (!dir) return undefined;
  const ok = values.map((v) => v !== null && v !== undefined && Number.isFinite(v));
  if (!ok[0] && !ok[1]) return undefined;
  if (ok[0] !== ok[1]) {
    // Only one run has a value: it is better only if the other has a broken one (NaN), not a missing one.
    const other = values[ok[0] ? 1 : 0];
    return other !== null && other !== undefined ? (ok[0] ? 0 : 1) : undefined;
  }
  const [a, b] = values as number[];
  if (a === b) return undefined;
  return (dir === 'lower') === (a < b) ? 0 : 1;
}

function tableHead(table: HTMLTableElement, first: string): void {
  const thead = h('thead');
  const tr = h('tr');
  tr.append(h('th', undefined, first));
  RUN_NAMES.forEach((name, i) => {
    const th = h('th', 'run-col');
    th.append(runKey(i, `Run ${name}`));
    tr.append(th);
  });
  thead.append(tr);
  table.append(thead);
}

function renderCompareMetrics(runs: [RunRecord, RunRecord]): void {
  const table = cmp.metrics;
  table.replaceChildren();
  tableHead(table, 'Metric');
  const tbody = h('tbody');
  for (const m of METRICS) {
    const values = runs.map((r) => m.value(r));
    if (!m.always && values.every((v) => v === null || v === undefined)) continue;
    const win = better(values, m.better);
    const tr = h('tr');
    const label = h('th', undefined, m.label);
    label.scope = 'row';
    if (m.hint) label.title = m.hint;
    tr.append(label);
    runs.forEach((r, i) => {
      const td = h('td', 'num', m.text(r, values[i]));
      if (win === i) {
        td.classList.add('better');
        const mark = h('span', 'better-mark', '✓');
        mark.title = m.better === 'lower' ? 'Better (lower)' : 'Better (higher)';
        mark.setAttribute('aria-label', mark.title);
        td.prepend(mark);
      }
      tr.append(td);
    });
    tbody.append(tr);
  }
  table.append(tbody);
}

function renderCompareConfig(runs: [RunRecord, RunRecord]): void {
  const table = cmp.config;
  table.replaceChildren();
  const rows = configRows(runs);
  cmp.configSection.hidden = rows.length === 0;
  tableHead(table, 'Statement');
  const tbody = h('tbody');
  for (const row of rows) {
    const tr = h('tr', row.differs ? 'differs' : undefined);
    const key = h('th', undefined);
    key.scope = 'row';
    if (row.differs) {
      const mark = h('span', 'differs-mark', '≠');
      mark.title = 'The runs differ here';
      mark.setAttribute('aria-label', mark.title);
      key.append(mark);
    }
    key.append(row.key);
    tr.append(key);
    for (const v of row.values) tr.append(v === undefined ? h('td', 'value missing', 'not set') : h('td', 'value', v));
    tbody.append(tr);
  }
  table.append(tbody);
}

function renderCompare(): void {
  if (!comparing) {
    buildCompareCharts(); // clears
    cmp.runs.replaceChildren();
    cmp.metrics.replaceChildren();
    cmp.config.replaceChildren();
    return;
  }
  renderCompareHeader(comparing);
  buildCompareCharts();
  renderCompareMetrics(comparing);
  renderCompareConfig(comparing);
}

function showCompare(runs: [RunRecord, RunRecord]): void {
  comparing = [copyRun(runs[0]), copyRun(runs[1])];
  current = undefined;
  stopping = false;
  renderAll();
  save();
}

ui.stop.addEventListener('click', () => {
  if (!current || current.status !== 'running' || stopping) return;
  vscode.postMessage({ type: 'stop', runId: current.id });
  stopping = true;
  renderHeader();
});

window.addEventListener('message', (event: MessageEvent<ToDashboard>) => {
  const msg = event.data;
  if (!msg || typeof msg !== 'object') return;
  switch (msg.type) {
    case 'run':
      showRun(msg.run);
      break;
    case 'epoch':
      if (current && msg.runId === current.id) addEpoch(msg.epoch);
      break;
    case 'status':
      if (current && msg.runId === current.id) setStatus(msg.status, msg.error);
      break;
    case 'compare':
      if (Array.isArray(msg.runs) && msg.runs.length === 2) showCompare(msg.runs);
      break;
  }
});

// VS Code changes the theme by rewriting the variables on <html> and the classes on <body>: rebuild the
// charts (their colours were read from the variables) once per change.
let themeFrame = 0;
const onTheme = () => {
  cancelAnimationFrame(themeFrame);
  themeFrame = requestAnimationFrame(() => {
    if (current) buildCharts();
    if (comparing) buildCompareCharts();
  });
};
new MutationObserver(onTheme).observe(document.documentElement, { attributes: true, attributeFilter: ['style', 'class'] });
new MutationObserver(onTheme).observe(document.body, { attributes: true, attributeFilter: ['class'] });

// Restore first, so a reloaded window shows the last run at once; the host's answer to 'ready' replaces it.
const saved = vscode.getState();
if (saved?.compare?.length === 2) comparing = saved.compare;
else current = saved?.run;
renderAll();
vscode.postMessage({ type: 'ready' });
