// Early stopping ends the run when the monitored metric stops improving and restores the best epoch.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseLab } from '../src/readers/lab/index.ts';
import { Trainer, type EpochRecord } from '../src/engine/trainer.ts';

test('early_stopping stops after `patience` epochs without improvement and restores the best parameters', async () => {
  const lab = parseLab(`data moons(samples=400, noise=0.2)
model Chain(Dense(2 => 16, tanh), Dense(16 => 1))
optimizer Adam(lr=0.05)
regularize early_stopping(patience=3, min_delta=0.005)
train epochs=500, batch=16, seed=4`, 'es.dlab');
  const t = await Trainer.create(lab);
  const records: EpochRecord[] = [];
  for await (const r of t.run()) records.push(r);
  assert.ok(t.earlyStop, 'the run stopped early');
  assert.ok(records.length < 500);
  const { epoch, bestEpoch, best } = t.earlyStop;
  assert.equal(epoch, records.length);
  assert.ok(epoch - bestEpoch >= 3, `stopped at ${epoch}, best ${bestEpoch}`);
  assert.equal(best, records[bestEpoch - 1].valLoss);
  // No later epoch beat the best by more than min_delta.
  for (const r of records.slice(bestEpoch)) assert.ok(r.valLoss! > best - 0.005);
  // The parameters now in the trainer are the best epoch's: evaluating them gives its validation loss.
  const val = await t.evaluate();
  assert.ok(Math.abs(val!.loss - best) < 1e-6, `${val!.loss} vs ${best}`);
  await t.dispose();
});
