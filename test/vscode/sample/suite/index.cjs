// The harness's proof suite, loaded by VS Code as extensionTestsPath: VS Code require()s this CommonJS file inside
// the extension host and awaits its exported run(); a rejection makes the run fail.
// mocha is not installed next to this file: run.mjs passes its absolute path in DL_LAB_MOCHA (the extension host
// inherits code-server's environment). DL_LAB_SAMPLE_FAIL=1 adds a failing test, to prove failures reach the exit code.
const assert = require('node:assert/strict');
const path = require('node:path');
const { pathToFileURL } = require('node:url');
const vscode = require('vscode');

const ID = 'dl-lab.dl-lab-harness-sample';

exports.run = async () => {
  const Mocha = require(process.env.DL_LAB_MOCHA || 'mocha');
  const { requestScreenshot } = await import(pathToFileURL(path.join(__dirname, '..', '..', 'screenshot.mjs')).href);
  const mocha = new Mocha({ ui: 'tdd', color: false, timeout: 30000 });
  // Defines suite()/test() as globals, as `mocha` does before loading each test file.
  mocha.suite.emit('pre-require', globalThis, __filename, mocha);

  suite('harness sample', () => {
    test('the extension activates', async () => {
      const ext = vscode.extensions.getExtension(ID);
      assert.ok(ext, `${ID} is not loaded`);
      const api = await ext.activate();
      assert.equal(ext.isActive, true);
      assert.equal(api.ping(), 'pong');
    });

    test('the command opens a webview that says hello', async () => {
      assert.equal(await vscode.commands.executeCommand('dlLabSample.hello'), 'DL Lab Sample');
      const shot = await requestScreenshot('sample-webview', { waitForText: 'hello' });
      assert.match(shot.text, /hello/);
      console.log(`webview screenshot: ${shot.path}`);
    });

    if (process.env.DL_LAB_SAMPLE_FAIL) {
      test('a deliberate failure', () => assert.equal(1 + 1, 3));
    }
  });

  const failures = await new Promise((resolve) => mocha.run(resolve));
  if (failures) throw new Error(`${failures} test(s) failed`);
};
