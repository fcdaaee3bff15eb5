// Learning-rate schedules, evaluated inside the graph from the step counter t (0 at the first step), and
// their JavaScript twin for reports and tests. Epoch-based decays follow torch.optim.lr_scheduler stepped
// once per epoch; warm-up scales linearly per step: lr·min(1, (t+1)/warmup).
import type { Graph, Value } from './ir.js';
import type { ScheduleSpec } from './spec.js';
import * as o from './ops.js';

export interface ScheduleContext {
  lr: number;
  stepsPerEpoch: number;
  epochs: number;
}

export function learningRateAt(s: ScheduleSpec, ctx: ScheduleContext, t: number): number {
  const epoch = Math.floor(t / ctx.stepsPerEpoch);
  let lr = ctx.lr;
  switch (s.kind) {
    case 'constant': break;
    case 'step': lr *= Math.pow(s.gamma ?? 0.1, Math.floor(epoch / (s.stepSize ?? 10))); break;
    case 'exponential': lr *= Math.pow(s.gamma ?? 0.95, epoch); break;
    case 'cosine': {
      const min = s.minLr ?? 0;
      lr = min + ((ctx.lr - min) * (1 + Math.cos((Math.PI * epoch) / (s.stepSize ?? ctx.epochs)))) / 2;
      break;
    }
  }
  if (s.warmupSteps) lr *= Math.min(1, (t + 1) / s.warmupSteps);
  return lr;
}

export function learningRateNode(g: Graph, s: ScheduleSpec, ctx: ScheduleContext, t: Value): Value {
  const epoch = o.floor(g, o.div(g, o.add(g, t, 0.5), ctx.stepsPerEpoch));
  const pow = (base: number, e: Value) => o.exp(g, o.mul(g, e, Math.log(base)));
  let lr: Value;
  switch (s.kind) {
    case 'constant': lr = g.scalar(ctx.lr); break;
    case 'step': lr = o.mul(g, pow(s.gamma ?? 0.1, o.floor(g, o.div(g, o.add(g, epoch, 0.5), s.stepSize ?? 10))), ctx.lr); break;
    case 'exponential': lr = o.mul(g, pow(s.gamma ?? 0.95, epoch), ctx.lr); break;
    case 'cosine': {
      const min = s.minLr ?? 0;
      const c = o.cos(g, o.mul(g, epoch, Math.PI / (s.stepSize ?? ctx.epochs)));
      lr = o.add(g, o.mul(g, o.add(g, c, 1), (ctx.lr - min) / 2), min);
      break;
    }
  }
  if (s.warmupSteps) lr = o.mul(g, lr, o.min(g, o.div(g, o.add(g, t, 1), s.warmupSteps), 1));
  return lr;
}
