// Activation functions from primitive ops. ELU, SELU and softplus are composites because ONNX Runtime has
// no double kernels for them and one code path is what the gradient checks cover.
import type { Graph, Value } from './ir.js';
import type { ActivationSpec } from './spec.js';
import * as o from './ops.js';

// Klambauer et al. (2017), as torch.nn.SELU.
export const SELU_ALPHA = 1.6732632423543772;
export const SELU_SCALE = 1.0507009873554805;

function elu(g: Graph, x: Value, alpha: number): Value {
  const negative = o.mul(g, o.sub(g, o.exp(g, o.min(g, x, 0)), 1), alpha);
  return o.where(g, o.greater(g, x, 0), x, negative);
}

export function activate(g: Graph, spec: ActivationSpec, x: Value): Value {
  switch (spec.name) {
    case 'identity': return x;
    case 'relu': return o.relu(g, x);
    case 'leakyrelu': return o.leakyRelu(g, x, spec.alpha ?? 0.01);
    case 'elu': return elu(g, x, spec.alpha ?? 1);
    case 'selu': return o.mul(g, elu(g, x, SELU_ALPHA), SELU_SCALE);
    // Exact GELU, x·Φ(x), as torch.nn.GELU(approximate='none').
    case 'gelu': return o.mul(g, o.mul(g, x, 0.5), o.add(g, o.erf(g, o.mul(g, x, Math.SQRT1_2)), 1));
    case 'sigmoid': return o.sigmoid(g, x);
    case 'tanh': return o.tanh(g, x);
    // log(1 + eˣ) = max(x, 0) + log(1 + e^-|x|): no overflow for large |x|.
    case 'softplus': return o.add(g, o.relu(g, x), o.log(g, o.add(g, o.exp(g, o.neg(g, o.abs(g, x))), 1)));
    case 'softmax': return o.softmax(g, x, -1);
  }
}

/** Units whose output is exactly zero over half their input range: their dead fraction is meaningful. */
export const reluLike = (name: ActivationSpec['name']): boolean => name === 'relu';
