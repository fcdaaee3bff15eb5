// Requests from a suite running inside the extension host, carried out by run.mjs through playwright on the
// workbench page: screenshots, and driving the UI as a person does (command palette, keys).
//
// Why files: the suite and the runner are different processes on the same machine; a request file is atomic (written
// to a temporary name, then renamed), needs no port, and works even when console forwarding is slow or batched.
//
// Protocol (run.mjs sets DL_LAB_SCREENSHOT_DIR in code-server's environment; the extension host inherits it):
//   suite  writes  $DL_LAB_SCREENSHOT_DIR/<id>.request.json   {action, timeoutMs, ...the action's fields}
//   runner polls that folder, carries the request out and writes  <id>.response.json  {ok, error?, ...result};
//          the suite waits for it. Requests are served one at a time, in the order the runner finds them.
// Actions:
//   'screenshot' (the default)  {name, target, waitForText?, selector?} → {path, text?}
//       Takes test/vscode/.artifacts/<name>.png (or --artifacts).
//       target 'webview' (default): the last visible webview (iframe.webview → #active-frame); waitForText waits until
//         that text is in the webview, and `text` returns the webview's body text (for assertions).
//       target 'page': the whole workbench, or only `selector` when given; waitForText waits until that text is
//         visible there, and `text` returns its text (the workbench's own DOM: webviews' contents are not in it).
//   'palette'  {title} → {closed, quickInput?}
//       Focuses the editor area, opens the command palette (F1, or Ctrl+Shift+P on a retry), types `>title`, waits
//       until the list shows an entry labelled exactly `title`, moves the selection onto it and presses Enter.
//       Answers once the palette has closed: closed is true, or false when the command opened a quick input of its
//       own (quickInput: its placeholder), which it leaves open. The command itself may still be running then.
//   'paletteEntries'  {query} → {entries}
//       Opens the palette, types `>query`, waits until the list settles, answers with the labels it shows (the
//       list is virtual: only the rows that fit, about a dozen), and closes the palette with Escape. Runs nothing.
//   'keys'  {keys, focusEditor?, delayMs?} → {}
//       Presses each key in turn where the focus is (playwright's names: 'Escape', 'Control+Shift+P', 'a'),
//       after clicking the active editor's tab when focusEditor is set.
//   'leave'  {} → {}
//       Switches away from the workbench as a person switching to another window: another page comes to the front
//       and the workbench page loses the focus (document.hasFocus() false; playwright's focus emulation, which keeps
//       every page focused, is switched off for it). VS Code's web workbench saves its UI state (editors, webview
//       panels and their state, layout) into the browser's IndexedDB when its window loses the focus, and skips its
//       5-second periodic saves while unfocused. Answers once the focus is gone and the save has had time to land.
//       The next 'palette' or focusEditor brings the workbench back to the front.
//
// Suite side: the request functions use only node:fs, so esbuild can bundle this file into a CommonJS suite
// (import { requestScreenshot } from '../../test/vscode/screenshot.mjs'); an unbundled .cjs suite can
// `await import(pathToFileURL(<this file>).href)`. The runner side takes playwright's page as an argument and
// imports nothing from playwright, so bundling it costs nothing.
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
let counter = 0;

// ---------------------------------------------------------------------------------------------------------------
// Suite side

async function ask(action, what, fields, timeoutMs) {
  const dir = process.env.DL_LAB_SCREENSHOT_DIR;
  if (!dir) throw new Error(`${what}: DL_LAB_SCREENSHOT_DIR is not set (run the suite through test/vscode/run.mjs)`);
  const id = `${process.pid}-${Date.now()}-${++counter}`;
  const tmp = join(dir, `${id}.tmp`);
  writeFileSync(tmp, JSON.stringify({ ...fields, action, timeoutMs }));
  renameSync(tmp, join(dir, `${id}.request.json`));
  const answer = join(dir, `${id}.response.json`);
  const deadline = Date.now() + timeoutMs + 10000; // the runner's own wait plus the time to carry it out
  while (!existsSync(answer)) {
    if (Date.now() > deadline) throw new Error(`${what}: no answer from the runner`);
    await sleep(50);
  }
  const res = JSON.parse(readFileSync(answer, 'utf8'));
  rmSync(answer, { force: true });
  if (!res.ok) throw new Error(`${what}: ${res.error}`);
  delete res.ok;
  return res;
}

/** Resolves to {path, text?}; rejects when the runner reports an error or does not answer in time. */
export async function requestScreenshot(name, { target = 'webview', waitForText, selector, timeoutMs = 20000 } = {}) {
  const res = await ask('screenshot', `requestScreenshot(${name})`, { name, target, waitForText, selector }, timeoutMs);
  return { path: res.path, text: res.text };
}

/** Runs a command through the command palette by its full title ('DL Lab: Train Model'); see 'palette' above. */
export async function runPaletteCommand(title, { timeoutMs = 20000 } = {}) {
  return ask('palette', `runPaletteCommand(${title})`, { title }, timeoutMs);
}

/** The labels the command palette shows for `>query`, without running any of them. */
export async function paletteEntries(query, { timeoutMs = 20000 } = {}) {
  return (await ask('paletteEntries', `paletteEntries(${query})`, { query }, timeoutMs)).entries;
}

/** Switches away from the workbench (another page to the front): VS Code saves its UI state; see 'leave' above. */
export async function leaveWorkbench({ timeoutMs = 10000 } = {}) {
  await ask('leave', 'leaveWorkbench()', {}, timeoutMs);
}

/** Presses keys on the workbench page as a person does (playwright's key names), in order. */
export async function pressKeys(keys, { focusEditor = false, delayMs = 0, timeoutMs = 20000 } = {}) {
  await ask('keys', `pressKeys(${keys.join(' ')})`, { keys, focusEditor, delayMs }, timeoutMs);
}

// ---------------------------------------------------------------------------------------------------------------
// Runner side

async function lastVisibleWebview(page, deadline) {
  for (;;) {
    const frames = page.locator('iframe.webview');
    for (let i = (await frames.count()) - 1; i >= 0; i--) {
      if (await frames.nth(i).isVisible()) return frames.nth(i);
    }
    if (Date.now() > deadline) throw new Error('no visible webview');
    await sleep(100);
  }
}

async function screenshot(page, req, outDir) {
  const path = join(outDir, `${String(req.name).replace(/[^\w.-]+/g, '_')}.png`);
  const timeout = req.timeoutMs ?? 20000;
  if (req.target === 'page') {
    const where = req.selector ? page.locator(req.selector).first() : page.locator('body');
    if (req.waitForText) await where.getByText(req.waitForText).first().waitFor({ timeout });
    if (req.selector) await where.screenshot({ path, timeout });
    else await page.screenshot({ path, timeout });
    return { path, text: await where.innerText({ timeout }) };
  }
  const webview = await lastVisibleWebview(page, Date.now() + timeout);
  const body = webview.contentFrame().locator('#active-frame').contentFrame().locator('body');
  if (req.waitForText) await body.getByText(req.waitForText).first().waitFor({ timeout });
  else await body.waitFor({ timeout });
  await webview.screenshot({ path, timeout });
  return { path, text: await body.innerText({ timeout }) };
}

// The command palette is VS Code's quick input widget: an input box over a virtual list whose rows carry an
// IconLabel (.label-name holds the label, split into highlight spans) and the class 'focused' on the selected one.
const QUICK_INPUT = '.quick-input-widget';
const QUICK_INPUT_BOX = `${QUICK_INPUT} .quick-input-box input`;

/** The rows the quick input shows now: [{label, focused}], top to bottom; [] while it is hidden. */
function quickInputRows(page) {
  return page.evaluate((widget) => {
    const w = document.querySelector(widget);
    if (!w || w.style.display === 'none' || !w.offsetParent) return [];
    const rows = [...w.querySelectorAll('.monaco-list-row')].filter((r) => r.offsetParent);
    rows.sort((a, b) => a.getBoundingClientRect().top - b.getBoundingClientRect().top);
    return rows.map((r) => ({
      label: (r.querySelector('.monaco-icon-label .label-name')?.textContent ?? '').trim(),
      focused: r.classList.contains('focused'),
    }));
  }, QUICK_INPUT);
}

async function quickInputOpen(page) {
  return page.locator(QUICK_INPUT_BOX).isVisible().catch(() => false);
}

/** What has the keyboard focus: the active element's tag and classes (an IFRAME for a webview). */
const focusSignature = (page) => page.evaluate(() => {
  const a = document.activeElement;
  return a ? `${a.tagName}.${a.className}` : '';
}).catch(() => '');

/**
 * Where a person clicks before using the keyboard: the active editor's tab (which focuses that editor and has no
 * other effect: clicking inside an editor would move its cursor, and inside a webview could press its buttons),
 * else the empty editor area. Escape first closes whatever quick input, hover or suggestion is open.
 * Then it waits for the focus to settle: a webview takes it a moment after the click, and a palette opened before
 * that closes again at once (quick inputs close when they lose the focus). Keys pressed in a webview reach the
 * workbench: the webview forwards them.
 */
async function focusEditorArea(page) {
  await comeBack(page);
  await page.keyboard.press('Escape');
  const tab = page.locator('.part.editor .editor-group-container.active .tab.active').first();
  if (await tab.isVisible().catch(() => false)) {
    await tab.click({ timeout: 2000 }).catch(() => {});
  } else {
    const area = page.locator('.part.editor .editor-group-container.active, .part.editor').first();
    await area.click({ timeout: 2000, position: { x: 20, y: 20 } }).catch(() => {});
  }
  let last = await focusSignature(page);
  for (let since = Date.now(), end = Date.now() + 2000; Date.now() - since < 300 && Date.now() < end;) {
    await sleep(50);
    const now = await focusSignature(page);
    if (now !== last) [last, since] = [now, Date.now()];
  }
}

/** Opens the command palette with `>text` typed into it; retries with the other shortcut when focus was elsewhere. */
async function openPalette(page, text, deadline) {
  for (let attempt = 0; ; attempt++) {
    await focusEditorArea(page);
    await page.keyboard.press(attempt % 2 === 0 ? 'F1' : 'Control+Shift+P');
    try {
      await page.locator(QUICK_INPUT_BOX).waitFor({ state: 'visible', timeout: Math.max(500, Math.min(3000, deadline - Date.now())) });
      // F1 opens it with '>' typed already; fill replaces whatever it holds.
      await page.locator(QUICK_INPUT_BOX).fill(text, { timeout: 2000 });
      return;
    } catch (e) {
      if (Date.now() > deadline) throw new Error(`the command palette did not open (${String(e?.message ?? e).split('\n')[0]})`);
    }
  }
}

async function closePalette(page, deadline) {
  while (await quickInputOpen(page)) {
    if (Date.now() > deadline) throw new Error('the command palette did not close');
    await page.keyboard.press('Escape');
    await sleep(100);
  }
}

async function runPalette(page, req) {
  const deadline = Date.now() + (req.timeoutMs ?? 20000);
  const typed = `>${req.title}`;
  await openPalette(page, typed, deadline);
  // Wait for the exact entry; the first rows can be other fuzzy matches, or the list of a slower first load.
  let rows;
  for (;;) {
    rows = await quickInputRows(page);
    if (rows.some((r) => r.label === req.title)) break;
    // Closed under us (something took the focus: quick inputs close then): open it again.
    if (!(await quickInputOpen(page)) && Date.now() < deadline) await openPalette(page, typed, deadline);
    if (Date.now() > deadline) {
      const shown = rows.map((r) => r.label).join(' | ') || 'nothing';
      await closePalette(page, Date.now() + 2000).catch(() => {});
      throw new Error(`no palette entry '${req.title}' (it shows: ${shown})`);
    }
    await sleep(100);
  }
  // Move the selection onto it: each arrow moves by one row, so as many presses as rows between.
  for (let i = 0; i < 50; i++) {
    const at = rows.findIndex((r) => r.focused);
    const want = rows.findIndex((r) => r.label === req.title);
    if (at === want) break;
    await page.keyboard.press(at < 0 || at < want ? 'ArrowDown' : 'ArrowUp');
    await sleep(30);
    rows = await quickInputRows(page);
  }
  const focused = rows.find((r) => r.focused)?.label;
  if (focused !== req.title) throw new Error(`could not select '${req.title}' in the palette (selected: '${focused}')`);
  await page.keyboard.press('Enter');
  // Closed, or showing a quick input of the command's own (the palette's text is gone from the box).
  for (;;) {
    if (!(await quickInputOpen(page))) return { closed: true };
    const value = await page.locator(QUICK_INPUT_BOX).inputValue({ timeout: 1000 }).catch(() => typed);
    if (value !== typed) {
      const quickInput = await page.locator(QUICK_INPUT_BOX).getAttribute('placeholder', { timeout: 1000 }).catch(() => null);
      return { closed: false, quickInput: quickInput ?? '' };
    }
    if (Date.now() > deadline) throw new Error(`the palette stayed open after Enter on '${req.title}'`);
    await sleep(50);
  }
}

async function listPalette(page, req) {
  const deadline = Date.now() + (req.timeoutMs ?? 20000);
  await openPalette(page, `>${req.query}`, deadline);
  // Settled: the same non-empty list (or VS Code's 'No matching commands') for 500 ms.
  let last = '';
  let since = Date.now();
  let entries = [];
  for (;;) {
    entries = (await quickInputRows(page)).map((r) => r.label);
    const none = await page.locator(`${QUICK_INPUT} .quick-input-message`).isVisible().catch(() => false);
    const key = JSON.stringify(entries);
    if (key !== last) {
      last = key;
      since = Date.now();
    } else if ((entries.length > 0 || none) && Date.now() - since >= 500) break;
    if (Date.now() > deadline) break;
    await sleep(100);
  }
  await closePalette(page, deadline + 2000);
  return { entries };
}

async function keys(page, req) {
  if (req.focusEditor) await focusEditorArea(page);
  else await comeBack(page);
  for (const k of req.keys ?? []) {
    await page.keyboard.press(k);
    if (req.delayMs) await sleep(req.delayMs);
  }
  return {};
}

// Per workbench page: the page put in front of it by 'leave', and the CDP session that switched focus emulation off.
const away = new WeakMap();

async function leave(page, req) {
  const deadline = Date.now() + (req.timeoutMs ?? 10000);
  if (!away.has(page)) {
    const cdp = await page.context().newCDPSession(page); // kept attached: its emulation setting lasts as long
    await cdp.send('Emulation.setFocusEmulationEnabled', { enabled: false });
    const other = await page.context().newPage();
    away.set(page, { cdp, other });
  }
  await away.get(page).other.bringToFront();
  while (await page.evaluate(() => document.hasFocus())) {
    if (Date.now() > deadline) throw new Error('the workbench page kept the focus');
    await sleep(50);
  }
  await sleep(500); // VS Code's save on blur: a few IndexedDB writes
  return {};
}

async function comeBack(page) {
  const a = away.get(page);
  if (!a) return;
  away.delete(page);
  await a.other.close().catch(() => {});
  await a.cdp.send('Emulation.setFocusEmulationEnabled', { enabled: true }).catch(() => {});
  await a.cdp.detach().catch(() => {});
  await page.bringToFront();
}

const ACTIONS = {
  screenshot: (page, req, outDir) => screenshot(page, req, outDir),
  palette: (page, req) => runPalette(page, req),
  paletteEntries: (page, req) => listPalette(page, req),
  keys: (page, req) => keys(page, req),
  leave: (page, req) => leave(page, req),
};

function describe(req) {
  if (req.action === 'palette') return `palette '${req.title}'`;
  if (req.action === 'paletteEntries') return `palette entries for '${req.query}'`;
  if (req.action === 'keys') return `keys ${(req.keys ?? []).join(' ')}`;
  if (req.action === 'leave') return 'leave the workbench';
  return `screenshot ${req.name}`;
}

/** Runner side: serves requests until stop() is called (which also waits for a request in progress). */
export function serveScreenshotRequests({ page, requestDir, outDir, log = () => {} }) {
  mkdirSync(requestDir, { recursive: true });
  mkdirSync(outDir, { recursive: true });
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      for (const f of readdirSync(requestDir).filter((n) => n.endsWith('.request.json')).sort()) {
        const id = f.slice(0, -'.request.json'.length);
        let res;
        let what = f;
        try {
          const req = JSON.parse(readFileSync(join(requestDir, f), 'utf8'));
          rmSync(join(requestDir, f), { force: true });
          what = describe(req);
          const act = ACTIONS[req.action ?? 'screenshot'];
          if (!act) throw new Error(`unknown action '${req.action}'`);
          const t = Date.now();
          res = { ok: true, ...(await act(page, req, outDir)) };
          log(`${what}${res.path ? ` -> ${res.path}` : ''} (${Date.now() - t} ms)`);
        } catch (e) {
          res = { ok: false, error: String(e?.message ?? e).split('\n')[0] };
          log(`${what} failed: ${res.error}`);
        }
        writeFileSync(join(requestDir, `${id}.answer.tmp`), JSON.stringify(res));
        renameSync(join(requestDir, `${id}.answer.tmp`), join(requestDir, `${id}.response.json`));
      }
      await sleep(100);
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop.catch(() => {});
    },
  };
}
