// Optimiser updates written as graph ops, following torch.optim's update formulas (defaults, no AMSGrad,
// no dampening, no lr_decay). Weight decay is coupled (added to the gradient) as in torch, except AdamW,
// which decays the parameter directly.
import type { Graph, Value } from './ir.js';
import type { OptimizerSpec } from './spec.js';
import * as o from './ops.js';

/** The per-parameter state tensors each optimiser keeps, all initialised to zero. */
export function optimizerSlots(s: OptimizerSpec): string[] {
  switch (s.name) {
    case 'sgd': return [];
    case 'momentum': case 'nesterov': return ['velocity'];
    case 'adagrad': return ['sum'];
    case 'rmsprop': return ['square_avg', ...(s.centered ? ['grad_avg'] : []), ...((s.momentum ?? 0) > 0 ? ['momentum_buffer'] : [])];
    case 'adadelta': return ['square_avg', 'acc_delta'];
    case 'adam': case 'adamw': return ['exp_avg', 'exp_avg_sq'];
  }
}

export function optimizerDefaults(s: OptimizerSpec): Required<Omit<OptimizerSpec, 'range'>> {
  return {
    name: s.name,
    lr: s.lr,
    momentum: s.momentum ?? (s.name === 'momentum' || s.name === 'nesterov' ? 0.9 : 0),
    alpha: s.alpha ?? 0.99,
    rho: s.rho ?? 0.9,
    beta1: s.beta1 ?? 0.9,
    beta2: s.beta2 ?? 0.999,
    eps: s.eps ?? (s.name === 'adagrad' ? 1e-10 : s.name === 'adadelta' ? 1e-6 : 1e-8),
    centered: s.centered ?? false,
    weightDecay: s.weightDecay ?? (s.name === 'adamw' ? 0.01 : 0),
  };
}

export interface UpdateInput {
  param: Value;
  grad: Value;
  slots: Record<string, Value>;
  lr: Value;
  /** The 1-based step number, for Adam's bias corrections. */
  step: Value;
}

/** `delta` is θ_old − θ_new when the update is one subtraction (not with AdamW's decay), so statistics can
 * reuse it instead of subtracting again. */
export function applyUpdate(g: Graph, spec: OptimizerSpec, u: UpdateInput): { param: Value; slots: Record<string, Value>; delta?: Value } {
  const s = optimizerDefaults(spec);
  const { lr, step } = u;
  let p = u.param;
  let grad = u.grad;
  if (s.weightDecay > 0 && s.name !== 'adamw') grad = o.add(g, grad, o.mul(g, p, s.weightDecay));
  const slots: Record<string, Value> = {};
  const ema = (prev: Value, x: Value, decay: number) => o.add(g, o.mul(g, prev, decay), o.mul(g, x, 1 - decay));
  let delta: Value | undefined;
  const minusLr = (x: Value) => o.sub(g, p, (delta = o.mul(g, x, lr)));
  switch (s.name) {
    case 'sgd': p = minusLr(grad); break;
    case 'momentum':
    case 'nesterov': {
      const v = o.add(g, o.mul(g, u.slots.velocity, s.momentum), grad);
      slots.velocity = v;
      p = minusLr(s.name === 'nesterov' ? o.add(g, grad, o.mul(g, v, s.momentum)) : v);
      break;
    }
    case 'adagrad': {
      const sum = o.add(g, u.slots.sum, o.square(g, grad));
      slots.sum = sum;
      p = minusLr(o.div(g, grad, o.add(g, o.sqrt(g, sum), s.eps)));
      break;
    }
    case 'rmsprop': {
      const sq = ema(u.slots.square_avg, o.square(g, grad), s.alpha);
      slots.square_avg = sq;
      let avg: Value;
      if (s.centered) {
        const ga = ema(u.slots.grad_avg, grad, s.alpha);
        slots.grad_avg = ga;
        avg = o.add(g, o.sqrt(g, o.sub(g, sq, o.square(g, ga))), s.eps);
      } else avg = o.add(g, o.sqrt(g, sq), s.eps);
      if (s.momentum > 0) {
        const buf = o.add(g, o.mul(g, u.slots.momentum_buffer, s.momentum), o.div(g, grad, avg));
        slots.momentum_buffer = buf;
        p = minusLr(buf);
      } else p = minusLr(o.div(g, grad, avg));
      break;
    }
    case 'adadelta': {
      const sq = ema(u.slots.square_avg, o.square(g, grad), s.rho);
      const std = o.sqrt(g, o.add(g, sq, s.eps));
      const delta = o.mul(g, o.div(g, o.sqrt(g, o.add(g, u.slots.acc_delta, s.eps)), std), grad);
      slots.square_avg = sq;
      slots.acc_delta = ema(u.slots.acc_delta, o.square(g, delta), s.rho);
      p = minusLr(delta);
      break;
    }
    case 'adam':
    case 'adamw': {
      if (s.name === 'adamw' && s.weightDecay > 0) p = o.sub(g, p, o.mul(g, o.mul(g, p, lr), s.weightDecay));
      const m = ema(u.slots.exp_avg, grad, s.beta1);
      const v = ema(u.slots.exp_avg_sq, o.square(g, grad), s.beta2);
      slots.exp_avg = m;
      slots.exp_avg_sq = v;
      const pow = (base: number) => o.exp(g, o.mul(g, step, Math.log(base)));
      const bc1 = o.sub(g, 1, pow(s.beta1));
      const bc2 = o.sub(g, 1, pow(s.beta2));
      const denom = o.add(g, o.div(g, o.sqrt(g, v), o.sqrt(g, bc2)), s.eps);
      const decayed = p !== u.param;
      p = o.sub(g, p, (delta = o.mul(g, o.div(g, m, denom), o.div(g, lr, bc1))));
      if (decayed) delta = undefined;
      break;
    }
  }
  return { param: p, slots, delta };
}
