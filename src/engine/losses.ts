// Losses with mean reduction, as PyTorch's defaults, and the matching accuracy count.
import type { Graph, Value } from './ir.js';
import type { LossSpec } from './spec.js';
import * as o from './ops.js';

export type Task = 'multiclass' | 'binary' | 'regression';

export interface LossResult {
  /** Mean loss over the batch (a scalar). */
  loss: Value;
  /** Number of correctly classified samples (a scalar), or undefined for regression. */
  correct?: Value;
}

/** Float labels [B,1] → one-hot [B,C], computed in the graph so no int64 tensors cross from JavaScript. */
export function oneHot(g: Graph, labels: Value, classes: number): Value {
  const range = g.constant(Array.from({ length: classes }, (_, i) => i), [1, classes]);
  return o.cast(g, o.equal(g, labels, range), g.dtype);
}

/**
 * `output` [B, K] is the model's last layer; `target` [B, T] holds class labels (T = 1) for classification and
 * values for regression. `probabilities` says the output is already squashed (sigmoid/softmax last layer).
 */
export function buildLoss(g: Graph, spec: LossSpec, output: Value, target: Value, task: Task, classes: number,
  probabilities: boolean): LossResult {
  const width = output.shape[1];
  const dense = task === 'multiclass' && spec.name !== 'crossentropy' ? oneHot(g, target, classes) : target;
  let loss: Value;
  switch (spec.name) {
    case 'crossentropy': {
      const logp = o.logSoftmax(g, output, -1);
      const picked = o.mul(g, logp, oneHot(g, target, width));
      loss = o.neg(g, o.div(g, o.sumAll(g, picked), output.shape[0]));
      break;
    }
    case 'bce': {
      // torch.nn.BCEWithLogitsLoss: max(x,0) − x·t + log(1 + e^−|x|)
      const x = output;
      const terms = o.add(g, o.sub(g, o.relu(g, x), o.mul(g, x, dense)), o.log(g, o.add(g, o.exp(g, o.neg(g, o.abs(g, x))), 1)));
      loss = o.meanAll(g, terms);
      break;
    }
    case 'mse': loss = o.meanAll(g, o.square(g, o.sub(g, output, dense))); break;
    case 'mae': loss = o.meanAll(g, o.abs(g, o.sub(g, output, dense))); break;
    case 'huber': {
      const delta = spec.delta ?? 1;
      const d = o.sub(g, output, dense);
      const ad = o.abs(g, d);
      const quadratic = o.mul(g, o.square(g, d), 0.5);
      const linear = o.mul(g, o.sub(g, ad, 0.5 * delta), delta);
      loss = o.meanAll(g, o.where(g, o.less(g, ad, delta), quadratic, linear));
      break;
    }
  }
  // Only bce takes logits (cut at 0); mse, mae and huber fit the 0/1 targets themselves (cut at 0.5).
  return { loss, correct: accuracyCount(g, output, target, task, probabilities || spec.name !== 'bce') };
}

function accuracyCount(g: Graph, output: Value, target: Value, task: Task, probabilities: boolean): Value | undefined {
  if (task === 'regression') return undefined;
  let predicted: Value;
  if (task === 'multiclass' || output.shape[1] > 1) predicted = o.cast(g, o.argMax(g, output, 1), g.dtype);
  else predicted = o.cast(g, o.greater(g, output, probabilities ? 0.5 : 0), g.dtype);
  return o.sumAll(g, o.cast(g, o.equal(g, predicted, target), g.dtype));
}
