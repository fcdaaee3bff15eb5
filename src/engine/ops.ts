// Op builders with shape inference. Each emits one primitive ONNX op; gradient rules for them live in
// grad-rules.ts, so anything built from these is differentiable.
import { Graph, type Value, type DType, type Attr, sameShape } from './ir.js';

const int = (value: number): Attr => ({ kind: 'int', value });
const float = (value: number): Attr => ({ kind: 'float', value });

export function broadcastShape(a: readonly number[], b: readonly number[]): number[] {
  const n = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) throw new Error(`cannot broadcast [${a}] with [${b}]`);
    out.push(da === 1 ? db : da);
  }
  return out;
}

function binary(op: string, g: Graph, a: Value, b: Value, dtype?: DType): Value {
  if (a.dtype !== b.dtype) throw new Error(`${op}: dtype ${a.dtype} vs ${b.dtype}`);
  return g.add(op, [a, b], {}, [broadcastShape(a.shape, b.shape)], [dtype ?? a.dtype])[0];
}
function unary(op: string, g: Graph, x: Value, attrs: Record<string, Attr> = {}): Value {
  return g.add(op, [x], attrs, [x.shape], [x.dtype])[0];
}
const num = (g: Graph, x: Value | number): Value => (typeof x === 'number' ? g.scalar(x) : x);

export const add = (g: Graph, a: Value | number, b: Value | number) => binary('Add', g, num(g, a), num(g, b));
export const sub = (g: Graph, a: Value | number, b: Value | number) => binary('Sub', g, num(g, a), num(g, b));
export const mul = (g: Graph, a: Value | number, b: Value | number) => binary('Mul', g, num(g, a), num(g, b));
export const div = (g: Graph, a: Value | number, b: Value | number) => binary('Div', g, num(g, a), num(g, b));
export const max = (g: Graph, a: Value | number, b: Value | number) => binary('Max', g, num(g, a), num(g, b));
export const min = (g: Graph, a: Value | number, b: Value | number) => binary('Min', g, num(g, a), num(g, b));
export const greater = (g: Graph, a: Value | number, b: Value | number) => binary('Greater', g, num(g, a), num(g, b), 'bool');
export const less = (g: Graph, a: Value | number, b: Value | number) => binary('Less', g, num(g, a), num(g, b), 'bool');
export const equal = (g: Graph, a: Value | number, b: Value | number) => binary('Equal', g, num(g, a), num(g, b), 'bool');
export const and = (g: Graph, a: Value, b: Value) => binary('And', g, a, b, 'bool');

export const neg = (g: Graph, x: Value) => unary('Neg', g, x);
export const exp = (g: Graph, x: Value) => unary('Exp', g, x);
export const log = (g: Graph, x: Value) => unary('Log', g, x);
export const sqrt = (g: Graph, x: Value) => unary('Sqrt', g, x);
export const abs = (g: Graph, x: Value) => unary('Abs', g, x);
export const sign = (g: Graph, x: Value) => unary('Sign', g, x);
export const floor = (g: Graph, x: Value) => unary('Floor', g, x);
export const cos = (g: Graph, x: Value) => unary('Cos', g, x);
export const relu = (g: Graph, x: Value) => unary('Relu', g, x);
export const leakyRelu = (g: Graph, x: Value, alpha: number) => unary('LeakyRelu', g, x, { alpha: float(alpha) });
export const sigmoid = (g: Graph, x: Value) => unary('Sigmoid', g, x);
export const tanh = (g: Graph, x: Value) => unary('Tanh', g, x);
/** Exact error function; float64 graphs lower it to a series when serialised (ORT has no double Erf). */
export const erf = (g: Graph, x: Value) => unary('Erf', g, x);
export const identity = (g: Graph, x: Value) => unary('Identity', g, x);
export const softmax = (g: Graph, x: Value, axis = -1) => unary('Softmax', g, x, { axis: int(axis) });
export const logSoftmax = (g: Graph, x: Value, axis = -1) => unary('LogSoftmax', g, x, { axis: int(axis) });
export const square = (g: Graph, x: Value) => mul(g, x, x);

export function cast(g: Graph, x: Value, dtype: DType): Value {
  const to = { float32: 1, float64: 11, int64: 7, bool: 9 }[dtype];
  return g.add('Cast', [x], { to: int(to) }, [x.shape], [dtype])[0];
}

export function where(g: Graph, cond: Value, a: Value | number, b: Value | number): Value {
  const av = num(g, a), bv = num(g, b);
  const shape = broadcastShape(cond.shape, broadcastShape(av.shape, bv.shape));
  return g.add('Where', [cond, av, bv], {}, [shape], [av.dtype])[0];
}

function int64(g: Graph, values: readonly number[]): Value {
  return g.constant(values, [values.length], 'int64');
}

function normAxes(axes: readonly number[], rank: number): number[] {
  return axes.map((a) => (a < 0 ? a + rank : a)).sort((a, b) => a - b);
}

/** Sum over `axes` (all when empty is not allowed: pass them explicitly). */
export function reduceSum(g: Graph, x: Value, axes: readonly number[], keepDims = false): Value {
  const ax = normAxes(axes, x.shape.length);
  const shape = keepDims ? x.shape.map((d, i) => (ax.includes(i) ? 1 : d)) : x.shape.filter((_, i) => !ax.includes(i));
  // The IR keeps axes as an attribute; the ONNX writer turns it into ReduceSum's axes input (opset 13+).
  const attrs = { axes: { kind: 'ints', value: ax } as Attr, keepdims: int(keepDims ? 1 : 0) };
  return g.add('ReduceSum', [x], attrs, [shape], [x.dtype])[0];
}
/** Σx² over `axes` in one fused reduction (opset 17 keeps its axes an attribute). */
export function reduceSumSquare(g: Graph, x: Value, axes: readonly number[], keepDims = false): Value {
  const ax = normAxes(axes, x.shape.length);
  const shape = keepDims ? x.shape.map((d, i) => (ax.includes(i) ? 1 : d)) : x.shape.filter((_, i) => !ax.includes(i));
  return g.add('ReduceSumSquare', [x], { axes: { kind: 'ints', value: ax }, keepdims: int(keepDims ? 1 : 0) }, [shape], [x.dtype])[0];
}
export const sumAll = (g: Graph, x: Value) => (x.shape.length === 0 ? x : reduceSum(g, x, x.shape.map((_, i) => i)));
export const meanAll = (g: Graph, x: Value) => div(g, sumAll(g, x), x.shape.reduce((a, b) => a * b, 1));

export function reshape(g: Graph, x: Value, shape: readonly number[]): Value {
  if (sameShape(x.shape, shape)) return x;
  return g.add('Reshape', [x, int64(g, shape)], {}, [shape], [x.dtype])[0];
}

export function expand(g: Graph, x: Value, shape: readonly number[]): Value {
  if (sameShape(x.shape, shape)) return x;
  return g.add('Expand', [x, int64(g, shape)], {}, [broadcastShape(x.shape, shape)], [x.dtype])[0];
}

export function transpose(g: Graph, x: Value, perm: readonly number[]): Value {
  return g.add('Transpose', [x], { perm: { kind: 'ints', value: [...perm] } }, [perm.map((p) => x.shape[p])], [x.dtype])[0];
}

export function matmul(g: Graph, a: Value, b: Value): Value {
  if (a.shape.length !== 2 || b.shape.length !== 2 || a.shape[1] !== b.shape[0]) {
    throw new Error(`matmul: [${a.shape}] x [${b.shape}]`);
  }
  return g.add('MatMul', [a, b], {}, [[a.shape[0], b.shape[1]]], [a.dtype])[0];
}

/** Y = op(A)·op(B) (+ C), op = transpose when the flag is set: fused, so no Transpose copies. */
export function gemm(g: Graph, a: Value, b: Value, c: Value | undefined, transA = false, transB = false): Value {
  const [m, k] = transA ? [a.shape[1], a.shape[0]] : [a.shape[0], a.shape[1]];
  const [k2, n] = transB ? [b.shape[1], b.shape[0]] : [b.shape[0], b.shape[1]];
  if (k !== k2) throw new Error(`gemm: [${a.shape}]${transA ? 'ᵀ' : ''} x [${b.shape}]${transB ? 'ᵀ' : ''}`);
  const attrs: Record<string, Attr> = {};
  if (transA) attrs.transA = int(1);
  if (transB) attrs.transB = int(1);
  return g.add('Gemm', c ? [a, b, c] : [a, b], attrs, [[m, n]], [a.dtype])[0];
}

export function argMax(g: Graph, x: Value, axis: number): Value {
  const shape = x.shape.map((d, i) => (i === axis ? 1 : d));
  return g.add('ArgMax', [x], { axis: int(axis), keepdims: int(1) }, [shape], ['int64'])[0];
}

export function concat(g: Graph, xs: readonly Value[], axis: number): Value {
  const shape = [...xs[0].shape];
  shape[axis] = xs.reduce((s, x) => s + x.shape[axis], 0);
  return g.add('Concat', xs, { axis: int(axis) }, [shape], [xs[0].dtype])[0];
}

/** Sum `x` down to `shape`, undoing numpy broadcasting (the gradient of a broadcast). */
export function unbroadcast(g: Graph, x: Value, shape: readonly number[]): Value {
  if (sameShape(x.shape, shape)) return x;
  const lead = x.shape.length - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < x.shape.length; i++) {
    if (i < lead || (shape[i - lead] === 1 && x.shape[i] !== 1)) axes.push(i);
  }
  // Without kept dims when that already gives `shape` (a bias gradient): no Reshape node.
  const dropped = x.shape.filter((_, i) => !axes.includes(i));
  if (sameShape(dropped, shape)) return reduceSum(g, x, axes, false);
  const summed = axes.length ? reduceSum(g, x, axes, true) : x;
  return reshape(g, summed, shape);
}

export function isFloat(v: Value): boolean {
  return v.dtype === 'float32' || v.dtype === 'float64';
}
