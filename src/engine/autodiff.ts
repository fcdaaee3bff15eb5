// Reverse-mode autodiff over the IR: walk the nodes backwards from a scalar, apply each op's rule, and
// sum the contributions that reach a value along several paths. The gradient nodes are appended to the
// same graph, so forward and backward run as one ONNX graph.
import type { Graph, Value } from './ir.js';
import { gradRule } from './grad-rules.js';
import * as o from './ops.js';

export function gradients(g: Graph, y: Value, wrt: readonly Value[]): Value[] {
  if (y.shape.length !== 0) throw new Error(`gradients: expected a scalar, got shape [${y.shape}]`);
  const forward = g.nodes.slice();

  // Only nodes on a path from some `wrt` to `y` need a rule applied.
  const dependsOnWrt = new Set<number>(wrt.map((v) => v.id));
  for (const n of forward) {
    if (n.inputs.some((v) => dependsOnWrt.has(v.id))) for (const out of n.outputs) dependsOnWrt.add(out.id);
  }
  const grads = new Map<number, Value>();
  grads.set(y.id, g.scalar(1, y.dtype));

  for (let i = forward.length - 1; i >= 0; i--) {
    const n = forward[i];
    const dy = grads.get(n.outputs[0].id);
    if (!dy || !n.inputs.some((v) => dependsOnWrt.has(v.id))) continue;
    const rule = gradRule(n.op);
    if (rule === 'none') continue;
    if (!rule) throw new Error(`no gradient rule for op ${n.op}`);
    const dxs = rule(g, n, dy);
    n.inputs.forEach((x, k) => {
      const dx = dxs[k];
      if (!dx || !dependsOnWrt.has(x.id)) return;
      const prev = grads.get(x.id);
      grads.set(x.id, prev ? o.add(g, prev, dx) : dx);
    });
  }
  return wrt.map((w) => grads.get(w.id) ?? o.mul(g, o.expand(g, g.scalar(0, w.dtype), w.shape), 1));
}
