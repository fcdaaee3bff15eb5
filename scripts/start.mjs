// `npm start`: VS Code with DL Lab and the examples workspace, ready to train. Desktop `code` when it is on
// PATH; otherwise code-server (installed by test/vscode/setup.mjs) in the browser at the printed address.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const workspace = join(root, 'examples');
const port = Number(process.env.PORT ?? 8080);

if (spawnSync('code', ['--version'], { stdio: 'ignore' }).status === 0) {
  spawn('code', ['--extensionDevelopmentPath', root, workspace], { stdio: 'inherit', detached: true }).unref();
  console.log('Opened VS Code with DL Lab (extension development host) on examples/.');
} else {
  const run = mkdtempSync(join(tmpdir(), 'dl-lab-start-'));
  const pkg = JSON.parse(await import('node:fs').then((fs) => fs.readFileSync(join(root, 'package.json'), 'utf8')));
  mkdirSync(join(run, 'exts'), { recursive: true });
  mkdirSync(join(run, 'data', 'User'), { recursive: true });
  // An installed extension is a folder named publisher.name-version in the extensions dir.
  symlinkSync(root, join(run, 'exts', `${pkg.publisher}.${pkg.name}-${pkg.version}`));
  writeFileSync(join(run, 'data', 'User', 'settings.json'), JSON.stringify({ 'workbench.startupEditor': 'none', 'git.openRepositoryInParentFolders': 'never' }));
  writeFileSync(join(run, 'config.yaml'), '');
  const entry = join(root, 'test', 'vscode', '.code-server', 'node_modules', 'code-server', 'out', 'node', 'entry.js');
  const child = spawn(process.execPath, [entry, '--config', join(run, 'config.yaml'), '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none',
    '--disable-telemetry', '--disable-update-check', '--disable-getting-started-override',
    '--user-data-dir', join(run, 'data'), '--extensions-dir', join(run, 'exts'), workspace], {
    stdio: 'inherit',
    env: { ...process.env, XDG_CONFIG_HOME: join(run, 'xdg-config'), XDG_DATA_HOME: join(run, 'xdg-data'), EXTENSIONS_GALLERY: '{}' },
  });
  console.log(`DL Lab in code-server: open http://127.0.0.1:${port}/?folder=${workspace} (Ctrl-C to stop)`);
  child.on('exit', (code) => process.exit(code ?? 0));
}
