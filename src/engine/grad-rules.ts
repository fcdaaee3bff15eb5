// One gradient rule per primitive op: given the node and the gradient of its (first) output, return the
// gradient of each input, or null where the input is not differentiable (indices, shapes, conditions).
import type { Graph, Node, Value } from './ir.js';
import * as o from './ops.js';

export type GradRule = (g: Graph, node: Node, dy: Value) => (Value | null)[];

const attrNum = (node: Node, key: string, fallback: number): number => {
  const a = node.attrs[key];
  return a && (a.kind === 'int' || a.kind === 'float') ? a.value : fallback;
};

const rules: Record<string, GradRule> = {
  Identity: (_g, _n, dy) => [dy],
  Add: (g, n, dy) => [o.unbroadcast(g, dy, n.inputs[0].shape), o.unbroadcast(g, dy, n.inputs[1].shape)],
  Sub: (g, n, dy) => [o.unbroadcast(g, dy, n.inputs[0].shape), o.unbroadcast(g, o.neg(g, dy), n.inputs[1].shape)],
  Mul: (g, n, dy) => {
    const [a, b] = n.inputs;
    return [o.unbroadcast(g, o.mul(g, dy, b), a.shape), o.unbroadcast(g, o.mul(g, dy, a), b.shape)];
  },
  Div: (g, n, dy) => {
    const [a, b] = n.inputs;
    const da = o.div(g, dy, b);
    const db = o.neg(g, o.div(g, o.mul(g, da, a), b));
    return [o.unbroadcast(g, da, a.shape), o.unbroadcast(g, db, b.shape)];
  },
  Neg: (g, _n, dy) => [o.neg(g, dy)],
  Exp: (g, n, dy) => [o.mul(g, dy, n.outputs[0])],
  Log: (g, n, dy) => [o.div(g, dy, n.inputs[0])],
  Sqrt: (g, n, dy) => [o.div(g, o.mul(g, dy, 0.5), n.outputs[0])],
  Abs: (g, n, dy) => [o.mul(g, dy, o.sign(g, n.inputs[0]))],
  Relu: (g, n, dy) => [o.where(g, o.greater(g, n.inputs[0], 0), dy, 0)],
  LeakyRelu: (g, n, dy) => [o.where(g, o.greater(g, n.inputs[0], 0), dy, o.mul(g, dy, attrNum(n, 'alpha', 0.01)))],
  Sigmoid: (g, n, dy) => {
    const y = n.outputs[0];
    return [o.mul(g, dy, o.mul(g, y, o.sub(g, 1, y)))];
  },
  Tanh: (g, n, dy) => {
    const y = n.outputs[0];
    return [o.mul(g, dy, o.sub(g, 1, o.square(g, y)))];
  },
  Erf: (g, n, dy) => {
    const x = n.inputs[0];
    return [o.mul(g, dy, o.mul(g, o.exp(g, o.neg(g, o.square(g, x))), 2 / Math.sqrt(Math.PI)))];
  },
  Max: (g, n, dy) => minMax(g, n, dy, true),
  Min: (g, n, dy) => minMax(g, n, dy, false),
  Where: (g, n, dy) => {
    const [c, a, b] = n.inputs;
    return [null, o.unbroadcast(g, o.where(g, c, dy, 0), a.shape), o.unbroadcast(g, o.where(g, c, 0, dy), b.shape)];
  },
  MatMul: (g, n, dy) => {
    const [a, b] = n.inputs;
    return [o.gemm(g, dy, b, undefined, false, true), o.gemm(g, a, dy, undefined, true, false)];
  },
  Gemm: (g, n, dy) => {
    const [a, b, c] = n.inputs;
    const tA = attrNum(n, 'transA', 0) === 1, tB = attrNum(n, 'transB', 0) === 1;
    // Y = op(A)·op(B) + C; d op(A) = dY·op(B)ᵀ, d op(B) = op(A)ᵀ·dY, transposed back where A or B was.
    const da = tA ? o.gemm(g, b, dy, undefined, tB, true) : o.gemm(g, dy, b, undefined, false, !tB);
    const db = tB ? o.gemm(g, dy, a, undefined, true, tA) : o.gemm(g, a, dy, undefined, !tA, false);
    return c ? [da, db, o.unbroadcast(g, dy, c.shape)] : [da, db];
  },
  Transpose: (g, n, dy) => {
    const a = n.attrs.perm;
    const perm = a && a.kind === 'ints' ? a.value : [...n.inputs[0].shape.keys()].reverse();
    const inverse = perm.map((_, i) => perm.indexOf(i));
    return [o.transpose(g, dy, inverse)];
  },
  Reshape: (g, n, dy) => [o.reshape(g, dy, n.inputs[0].shape), null],
  Expand: (g, n, dy) => [o.unbroadcast(g, dy, n.inputs[0].shape), null],
  ReduceSum: (g, n, dy) => [o.expand(g, withKeptDims(g, n, dy), n.inputs[0].shape)],
  ReduceSumSquare: (g, n, dy) => [o.mul(g, withKeptDims(g, n, dy), o.mul(g, n.inputs[0], 2))],
  Softmax: (g, n, dy) => {
    const y = n.outputs[0];
    const axis = attrNum(n, 'axis', -1);
    return [o.mul(g, y, o.sub(g, dy, o.reduceSum(g, o.mul(g, dy, y), [axis], true)))];
  },
  LogSoftmax: (g, n, dy) => {
    const axis = attrNum(n, 'axis', -1);
    const p = o.exp(g, n.outputs[0]);
    return [o.sub(g, dy, o.mul(g, p, o.reduceSum(g, dy, [axis], true)))];
  },
  Cast: (g, n, dy) => (o.isFloat(n.inputs[0]) ? [o.cast(g, dy, n.inputs[0].dtype)] : [null]),
  Concat: (g, n, dy) => {
    const axis = attrNum(n, 'axis', 0);
    let offset = 0;
    return n.inputs.map((x) => {
      const starts = g.constant([offset], [1], 'int64');
      offset += x.shape[axis];
      const ends = g.constant([offset], [1], 'int64');
      const axes = g.constant([axis], [1], 'int64');
      return g.add('Slice', [dy, starts, ends, axes], {}, [x.shape], [dy.dtype])[0];
    });
  },
};

/** A reduction's output gradient with the reduced axes back as size 1, ready to broadcast over the input. */
function withKeptDims(g: Graph, n: Node, dy: Value): Value {
  return o.reshape(g, dy, n.attrs.keepdims?.value === 0 ? keptShape(n) : dy.shape);
}

function keptShape(n: Node): number[] {
  const x = n.inputs[0];
  const a = n.attrs.axes;
  const axes = a && a.kind === 'ints' ? a.value : [];
  const out = n.outputs[0].shape;
  let j = 0;
  return x.shape.map((_, i) => (axes.includes(i) ? 1 : out[j++]));
}

function minMax(g: Graph, n: Node, dy: Value, isMax: boolean): (Value | null)[] {
  const [a, b] = n.inputs;
  // Ties send the gradient to the first input, as torch.maximum's subgradient convention splits it; one
  // side is enough for clipping, where ties have measure zero.
  const pickA = isMax ? o.greater(g, b, a) : o.less(g, b, a);
  return [o.unbroadcast(g, o.where(g, pickA, 0, dy), a.shape), o.unbroadcast(g, o.where(g, pickA, dy, 0), b.shape)];
}

/** Ops that produce no gradient at all (their outputs are integers or booleans). */
const nonDifferentiable = new Set(['ArgMax', 'Greater', 'Less', 'Equal', 'And', 'Sign', 'Floor', 'Constant', 'Shape', 'RandomUniformLike']);

export function gradRule(op: string): GradRule | 'none' | undefined {
  if (nonDifferentiable.has(op)) return 'none';
  return rules[op];
}

export const differentiableOps = (): string[] => Object.keys(rules);
