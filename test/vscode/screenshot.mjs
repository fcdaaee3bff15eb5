// Screenshots requested from a suite running inside the extension host, taken by run.mjs through playwright.
//
// Why files: the suite and the runner are different processes on the same machine; a request file is atomic (written
// to a temporary name, then renamed), needs no port, and works even when console forwarding is slow or batched.
//
// Protocol (run.mjs sets DL_LAB_SCREENSHOT_DIR in code-server's environment; the extension host inherits it):
//   suite  writes  $DL_LAB_SCREENSHOT_DIR/<id>.request.json   {name, target, waitForText?, selector?, timeoutMs?}
//   runner polls that folder, takes the picture into test/vscode/.artifacts/<name>.png (or --artifacts),
//          and writes  <id>.response.json  {ok, path, text?, error?}; the suite waits for it.
// target 'webview' (default): the last visible webview (iframe.webview → #active-frame); waitForText waits until
//   that text is in the webview, and `text` returns the webview's body text (for assertions).
// target 'page': the whole workbench, or only `selector` when given.
//
// Suite side: `requestScreenshot` uses only node:fs, so esbuild can bundle this file into a CommonJS suite
// (import { requestScreenshot } from '../../test/vscode/screenshot.mjs'); an unbundled .cjs suite can
// `await import(pathToFileURL(<this file>).href)`. The runner side takes playwright's page as an argument and
// imports nothing from playwright, so bundling it costs nothing.
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
let counter = 0;

/** Suite side. Resolves to {path, text?}; rejects when the runner reports an error or does not answer in time. */
export async function requestScreenshot(name, { target = 'webview', waitForText, selector, timeoutMs = 20000 } = {}) {
  const dir = process.env.DL_LAB_SCREENSHOT_DIR;
  if (!dir) throw new Error('requestScreenshot: DL_LAB_SCREENSHOT_DIR is not set (run the suite through test/vscode/run.mjs)');
  const id = `${process.pid}-${Date.now()}-${++counter}`;
  const tmp = join(dir, `${id}.tmp`);
  writeFileSync(tmp, JSON.stringify({ name, target, waitForText, selector, timeoutMs }));
  renameSync(tmp, join(dir, `${id}.request.json`));
  const answer = join(dir, `${id}.response.json`);
  const deadline = Date.now() + timeoutMs + 10000; // the runner's own wait plus the time to take the picture
  while (!existsSync(answer)) {
    if (Date.now() > deadline) throw new Error(`requestScreenshot(${name}): no answer from the runner`);
    await sleep(50);
  }
  const res = JSON.parse(readFileSync(answer, 'utf8'));
  rmSync(answer, { force: true });
  if (!res.ok) throw new Error(`requestScreenshot(${name}): ${res.error}`);
  return { path: res.path, text: res.text };
}

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

async function take(page, req, outDir) {
  const path = join(outDir, `${String(req.name).replace(/[^\w.-]+/g, '_')}.png`);
  const timeout = req.timeoutMs ?? 20000;
  if (req.target === 'page') {
    if (req.selector) await page.locator(req.selector).first().screenshot({ path, timeout });
    else await page.screenshot({ path, timeout });
    return { path };
  }
  const webview = await lastVisibleWebview(page, Date.now() + timeout);
  const body = webview.contentFrame().locator('#active-frame').contentFrame().locator('body');
  if (req.waitForText) await body.getByText(req.waitForText).first().waitFor({ timeout });
  else await body.waitFor({ timeout });
  await webview.screenshot({ path, timeout });
  return { path, text: await body.innerText({ timeout }) };
}

/** Runner side: serves requests until stop() is called (which also waits for a picture in progress). */
export function serveScreenshotRequests({ page, requestDir, outDir, log = () => {} }) {
  mkdirSync(requestDir, { recursive: true });
  mkdirSync(outDir, { recursive: true });
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      for (const f of readdirSync(requestDir).filter((n) => n.endsWith('.request.json'))) {
        const id = f.slice(0, -'.request.json'.length);
        let res;
        try {
          const req = JSON.parse(readFileSync(join(requestDir, f), 'utf8'));
          rmSync(join(requestDir, f), { force: true });
          res = { ok: true, ...(await take(page, req, outDir)) };
          log(`screenshot ${req.name} -> ${res.path}`);
        } catch (e) {
          res = { ok: false, error: String(e?.message ?? e).split('\n')[0] };
          log(`screenshot failed: ${res.error}`);
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
