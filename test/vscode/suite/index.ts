// extensionTestsPath entry: VS Code loads the bundled dist/test/suite/index.cjs in the extension host and awaits
// run(). mocha comes from the harness's private install (run.mjs passes its path in DL_LAB_MOCHA).
import { createRequire } from 'node:module';
import { registerExtensionTests, type Tdd } from './extension.test.js';

interface MochaLike {
  suite: { emit(event: string, context: object, file: string, mocha: MochaLike): void };
  run(done: (failures: number) => void): void;
}

export async function run(): Promise<void> {
  const req = createRequire(__filename);
  const Mocha = req(process.env.DL_LAB_MOCHA ?? 'mocha') as new (o: object) => MochaLike;
  const mocha = new Mocha({ ui: 'tdd', color: false, timeout: 90_000 });
  mocha.suite.emit('pre-require', globalThis, __filename, mocha);
  registerExtensionTests(globalThis as unknown as Tdd);
  const failures = await new Promise<number>((resolve) => mocha.run(resolve));
  if (failures) throw new Error(`${failures} integration test(s) failed`);
}
