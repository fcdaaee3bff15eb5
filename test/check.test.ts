// The checks the editor runs as the user types report the same mistakes as training does, without data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkLab } from '../src/engine/check.ts';
import { parseLab } from '../src/readers/lab/index.ts';
import { Trainer } from '../src/engine/trainer.ts';
import { LabError } from '../src/engine/errors.ts';

const cases = [
  'data spirals(samples=0)\nmodel Chain(Dense(2 => 3))',
  'data blobs(features=3)\nmodel Chain(Dense(2 => 3))',
  'data spirals(samples=100)\nmodel Chain(Dense(2 => 3))\ntrain batch=500',
  'data moons\nmodel Chain(Dense(2 => 2))\nloss bce',
  'data sine\nmodel Chain(Dense(1 => 1))\nloss crossentropy',
  'data spirals(samples=300, classes=4)\nmodel Chain(Dense(2 => 3))',
];

for (const text of cases) {
  test(`checkLab and Trainer.create agree: ${text.split('\n').join(' | ')}`, async () => {
    const lab = parseLab(text, 'c.dlab');
    const fromCheck = checkLab(lab);
    assert.ok(fromCheck, 'checkLab finds the mistake');
    await assert.rejects(Trainer.create(lab), (e: unknown) => e instanceof LabError && e.format() === fromCheck.format());
  });
}

test('a lab that fits passes the check', () => {
  assert.equal(checkLab(parseLab('data mnist(samples=500)\nmodel Chain(Dense(784 => 10))\ntrain batch=64', 'ok.dlab')), undefined);
});
