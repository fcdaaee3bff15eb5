// Every gradient rule, activation and loss against central finite differences in float64.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as o from '../src/engine/ops.ts';
import { differentiableOps } from '../src/engine/grad-rules.ts';
import { activate } from '../src/engine/activations.ts';
import { buildLoss } from '../src/engine/losses.ts';
import type { ActivationName, LossName } from '../src/engine/spec.ts';
import { gradCheck, awayFromZero, positive, type CheckInput } from './helpers/gradcheck.ts';
import type { Graph, Value } from '../src/engine/ir.ts';

const TOL = 1e-6;
type Case = [string, CheckInput[], (g: Graph, x: Value[]) => Value];
const m = (...shape: number[]): CheckInput => ({ shape });
const away = (...shape: number[]): CheckInput => ({ shape, draw: awayFromZero() });
const pos = (...shape: number[]): CheckInput => ({ shape, draw: positive() });

const opCases: Case[] = [
  ['Identity', [m(3, 4)], (g, [a]) => o.identity(g, a)],
  ['Add', [m(3, 4), m(4)], (g, [a, b]) => o.add(g, a, b)],
  ['Add', [m(3, 1), m(1, 4)], (g, [a, b]) => o.add(g, a, b)],
  ['Sub', [m(3, 4), m(3, 1)], (g, [a, b]) => o.sub(g, a, b)],
  ['Mul', [m(3, 4), m(4)], (g, [a, b]) => o.mul(g, a, b)],
  ['Mul', [m(2, 3), m(2, 3)], (g, [a, b]) => o.mul(g, a, a)],
  ['Div', [m(3, 4), pos(3, 1)], (g, [a, b]) => o.div(g, a, b)],
  ['Neg', [m(5)], (g, [a]) => o.neg(g, a)],
  ['Exp', [m(3, 4)], (g, [a]) => o.exp(g, a)],
  ['Log', [pos(3, 4)], (g, [a]) => o.log(g, a)],
  ['Sqrt', [pos(3, 4)], (g, [a]) => o.sqrt(g, a)],
  ['Abs', [away(3, 4)], (g, [a]) => o.abs(g, a)],
  ['Relu', [away(3, 4)], (g, [a]) => o.relu(g, a)],
  ['LeakyRelu', [away(3, 4)], (g, [a]) => o.leakyRelu(g, a, 0.2)],
  ['Sigmoid', [m(3, 4)], (g, [a]) => o.sigmoid(g, a)],
  ['Tanh', [m(3, 4)], (g, [a]) => o.tanh(g, a)],
  ['Erf', [{ shape: [3, 4], draw: (r) => r.uniformRange(-2.5, 2.5) }], (g, [a]) => o.erf(g, a)],
  ['Max', [m(3, 4), m(4)], (g, [a, b]) => o.max(g, a, b)],
  ['Min', [m(3, 4), m(3, 4)], (g, [a, b]) => o.min(g, a, b)],
  ['Where', [m(3, 4), m(3, 4), m(4)], (g, [c, a, b]) => o.where(g, o.greater(g, c, 0), a, b)],
  ['MatMul', [m(3, 4), m(4, 5)], (g, [a, b]) => o.matmul(g, a, b)],
  ['Gemm', [m(3, 4), m(4, 5), m(5)], (g, [a, b, c]) => o.gemm(g, a, b, c, false, false)],
  ['Gemm', [m(4, 3), m(4, 5), m(3, 5)], (g, [a, b, c]) => o.gemm(g, a, b, c, true, false)],
  ['Gemm', [m(3, 4), m(5, 4)], (g, [a, b]) => o.gemm(g, a, b, undefined, false, true)],
  ['Gemm', [m(4, 3), m(5, 4), m(1, 5)], (g, [a, b, c]) => o.gemm(g, a, b, c, true, true)],
  ['Transpose', [m(2, 3, 4)], (g, [a]) => o.transpose(g, a, [2, 0, 1])],
  ['Reshape', [m(2, 6)], (g, [a]) => o.reshape(g, a, [3, 4])],
  ['Expand', [m(3, 1)], (g, [a]) => o.expand(g, a, [2, 3, 4])],
  ['ReduceSum', [m(2, 3, 4)], (g, [a]) => o.reduceSum(g, a, [1], false)],
  ['ReduceSum', [m(2, 3, 4)], (g, [a]) => o.reduceSum(g, a, [0, 2], true)],
  ['ReduceSum', [m(2, 3)], (g, [a]) => o.sumAll(g, a)],
  ['ReduceSumSquare', [m(2, 3, 4)], (g, [a]) => o.reduceSumSquare(g, a, [2], false)],
  ['ReduceSumSquare', [m(3, 4)], (g, [a]) => o.reduceSumSquare(g, a, [0, 1], true)],
  ['Softmax', [m(3, 5)], (g, [a]) => o.softmax(g, a, -1)],
  ['LogSoftmax', [m(3, 5)], (g, [a]) => o.logSoftmax(g, a, -1)],
  ['Cast', [m(3, 4)], (g, [a]) => o.cast(g, a, 'float64')],
  ['Concat', [m(2, 3), m(2, 2)], (g, [a, b]) => o.concat(g, [a, b], 1)],
];

test('every differentiable op has a finite-difference case', () => {
  const covered = new Set(opCases.map((c) => c[0]));
  assert.deepEqual(differentiableOps().filter((op) => !covered.has(op)), []);
});

for (const [op, inputs, f] of opCases) {
  test(`gradient rule ${op} ${inputs.map((i) => `[${i.shape}]`).join(' ')}`, async () => {
    const err = await gradCheck(inputs, f);
    assert.ok(err < TOL, `relative error ${err}`);
  });
}

const activations: ActivationName[] = ['relu', 'leakyrelu', 'elu', 'selu', 'gelu', 'sigmoid', 'tanh', 'softplus', 'softmax', 'identity'];
for (const name of activations) {
  test(`activation ${name}`, async () => {
    const err = await gradCheck([{ shape: [4, 6], draw: awayFromZero(0.05, 3) }], (g, [x]) => activate(g, { name }, x));
    assert.ok(err < TOL, `relative error ${err}`);
  });
}

const losses: [LossName, 'multiclass' | 'binary' | 'regression', number][] = [
  ['crossentropy', 'multiclass', 4], ['bce', 'binary', 1], ['mse', 'regression', 3], ['mae', 'regression', 3],
  ['huber', 'regression', 3], ['mse', 'multiclass', 4],
];
for (const [name, task, width] of losses) {
  test(`loss ${name} (${task})`, async () => {
    const target: CheckInput = task === 'regression'
      ? { shape: [5, width], constant: true, draw: (r) => r.uniformRange(-2, 2) }
      : { shape: [5, 1], constant: true, draw: (r) => r.int(task === 'binary' ? 2 : width) };
    // mae and huber have kinks where output = target; random reals never land there.
    const err = await gradCheck([{ shape: [5, width], draw: (r) => r.uniformRange(-2, 2) }, target],
      (g, [out, t]) => buildLoss(g, { name, delta: 0.7 }, out, t, task, width, false).loss);
    assert.ok(err < TOL, `relative error ${err}`);
  });
}
