// `npm run package [-- TARGET]`: a platform-specific .vsix (default: this machine's, e.g. linux-x64) that carries
// only that platform's onnxruntime-node binaries; the npm package ships every platform (about 288 MB).
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync, readdirSync, existsSync } from 'node:fs';

const target = process.argv[2] ?? `${process.platform === 'win32' ? 'win32' : process.platform}-${process.arch}`;
const [platform, arch] = target.split('-');
const binRoot = 'node_modules/onnxruntime-node/bin/napi-v6';
if (!existsSync(`${binRoot}/${platform}/${arch}`)) {
  console.error(`package: onnxruntime-node has no binaries for ${target}; available: ${readdirSync(binRoot).join(', ')}`);
  process.exit(2);
}
const exclude = [];
for (const p of readdirSync(binRoot)) {
  if (p !== platform) exclude.push(`${binRoot}/${p}/**`);
  else for (const a of readdirSync(`${binRoot}/${p}`)) if (a !== arch) exclude.push(`${binRoot}/${p}/${a}/**`);
}
const ignore = readFileSync('.vscodeignore', 'utf8');
writeFileSync('.vscodeignore', `${ignore}\n# added by scripts/package.mjs for ${target}\n${exclude.join('\n')}\n`);
try {
  const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
  const out = `${pkg.name}-${pkg.version}-${target}.vsix`;
  const r = spawnSync('npx', ['--no-install', 'vsce', 'package', '--target', target, '--out', out, '--allow-missing-repository', '--skip-license'], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
  console.log(`package: wrote ${out}`);
} finally {
  writeFileSync('.vscodeignore', ignore);
}
