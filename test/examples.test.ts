// The shipped examples reach the accuracy the project promises (acceptance of the training engine).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseLab } from '../src/readers/lab/index.ts';
import { Trainer, type EpochRecord } from '../src/engine/trainer.ts';

async function trainExample(file: string): Promise<EpochRecord[]> {
  const lab = parseLab(readFileSync(file, 'utf8'), file);
  const t = await Trainer.create(lab);
  const records: EpochRecord[] = [];
  for await (const r of t.run()) records.push(r);
  await t.dispose();
  return records;
}

test('examples/spirals.dlab reaches at least 95% validation accuracy', async () => {
  const r = await trainExample('examples/spirals.dlab');
  assert.equal(r.length, 40);
  assert.ok(r[39].valAcc! >= 0.95, `val acc ${r[39].valAcc}`);
});

test('examples/mnist-mlp.dlab reaches at least 95% on 2,000 held-back digits within 10 epochs', async () => {
  const r = await trainExample('examples/mnist-mlp.dlab');
  assert.ok(r.length <= 10);
  assert.ok(r[r.length - 1].valAcc! >= 0.95, `val acc ${r[r.length - 1].valAcc}`);
});
