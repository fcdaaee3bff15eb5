// IR → ONNX ModelProto bytes (opset 17), through onnx-proto's generated protobuf classes.
import onnxProto from 'onnx-proto';
import { Graph, type Attr, type ConstantData, type DType, type Node, type Value } from './ir.js';
import * as o from './ops.js';

const { onnx } = onnxProto;
type IGraphProto = onnxProto.onnx.IGraphProto;
type INodeProto = onnxProto.onnx.INodeProto;
type IAttributeProto = onnxProto.onnx.IAttributeProto;
type ITensorProto = onnxProto.onnx.ITensorProto;
type IValueInfoProto = onnxProto.onnx.IValueInfoProto;

export const OPSET = 17;
const IR_VERSION = 8;

const elemType: Record<DType, number> = { float32: 1, float64: 11, int64: 7, bool: 9 };
const AttrType = onnx.AttributeProto.AttributeType;

export interface WriteOptions {
  /** Symbolic names for input/output dimensions, e.g. {'x': {0: 'batch'}} for a dynamic batch. */
  dimNames?: Record<string, Record<number, string>>;
  docString?: string;
  metadata?: Record<string, string>;
  /** Values stored as initializers (e.g. trained weights in an exported model). */
  initializers?: Map<Value, ConstantData>;
}

export function tensorProto(c: ConstantData, name?: string): ITensorProto {
  let raw: Uint8Array;
  if (c.dtype === 'float32') raw = bytesOf(Float32Array.from(c.data));
  else if (c.dtype === 'float64') raw = bytesOf(Float64Array.from(c.data));
  else if (c.dtype === 'int64') raw = bytesOf(BigInt64Array.from(Array.from(c.data, (x) => BigInt(x))));
  else raw = Uint8Array.from(c.data);
  return { name, dims: [...c.shape], dataType: elemType[c.dtype], rawData: raw };
}

function bytesOf(a: Float32Array | Float64Array | BigInt64Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

function valueInfo(v: Value, dims?: Record<number, string>): IValueInfoProto {
  return {
    name: v.name,
    type: { tensorType: { elemType: elemType[v.dtype], shape: { dim: v.shape.map((d, i) => (dims?.[i] ? { dimParam: dims[i] } : { dimValue: d })) } } },
  };
}

function attribute(name: string, a: Attr): IAttributeProto {
  switch (a.kind) {
    case 'int': return { name, type: AttrType.INT, i: a.value };
    case 'ints': return { name, type: AttrType.INTS, ints: a.value };
    case 'float': return { name, type: AttrType.FLOAT, f: a.value };
    case 'floats': return { name, type: AttrType.FLOATS, floats: a.value };
    case 'string': return { name, type: AttrType.STRING, s: new TextEncoder().encode(a.value) };
    case 'tensor': return { name, type: AttrType.TENSOR, t: tensorProto(a.value) };
    case 'graph': return { name, type: AttrType.GRAPH, g: graphProto(a.value, {}) };
  }
}

function nodeProtos(n: Node, g: Graph): INodeProto[] {
  const names = (vs: readonly Value[]) => vs.map((v) => v.name);
  if (n.op === 'ReduceSum') {
    const axes = n.attrs.axes?.kind === 'ints' ? n.attrs.axes.value : [];
    const axesName = `${n.outputs[0].name}_axes`;
    return [
      { opType: 'Constant', input: [], output: [axesName], attribute: [attribute('value', { kind: 'tensor', value: { dtype: 'int64', shape: [axes.length], data: axes } })] },
      { opType: 'ReduceSum', input: [n.inputs[0].name, axesName], output: names(n.outputs), attribute: [attribute('keepdims', n.attrs.keepdims)] },
    ];
  }
  if (n.op === 'Erf' && n.inputs[0].dtype === 'float64') return lowerErf64(n, g);
  return [{
    opType: n.op,
    input: names(n.inputs),
    output: names(n.outputs),
    attribute: Object.entries(n.attrs).map(([k, a]) => attribute(k, a)),
  }];
}

/**
 * ONNX Runtime has no double Erf kernel. Float64 graphs exist to check gradients, so Erf is lowered to its
 * Maclaurin series on x clipped to [-4, 4] (75 terms; error below 1e-9 there, and |erf(x) ∓ 1| < 2e-8 past it).
 */
function lowerErf64(n: Node, g: Graph): INodeProto[] {
  const scratch = new Graph(`${g.name}_erf`, 'float64');
  const x = scratch.newValue(n.inputs[0].shape, 'float64', n.inputs[0].name);
  const xc = o.min(scratch, o.max(scratch, x, -4), 4);
  const x2 = o.square(scratch, xc);
  const terms = 75;
  const coef = (k: number) => {
    let fact = 1;
    for (let i = 2; i <= k; i++) fact *= i;
    return ((k % 2 ? -1 : 1) / (fact * (2 * k + 1))) * (2 / Math.sqrt(Math.PI));
  };
  let s = scratch.scalar(coef(terms - 1));
  for (let k = terms - 2; k >= 0; k--) s = o.add(scratch, o.mul(scratch, s, x2), coef(k));
  const y = o.mul(scratch, s, xc);
  scratch.add('Identity', [y], {}, [y.shape], ['float64'], [n.outputs[0].name]);
  return scratch.nodes.flatMap((m) => nodeProtos(m, scratch));
}

/**
 * The nodes that some graph output depends on. Gradient rules emit the gradient of every input of an op
 * (e.g. the input gradient of the first layer); what nothing reads is dropped here rather than computed.
 */
export function liveNodes(g: Graph): Node[] {
  const needed = new Set(g.outputs.map((v) => v.id));
  const live: Node[] = [];
  for (let i = g.nodes.length - 1; i >= 0; i--) {
    const n = g.nodes[i];
    if (!n.outputs.some((v) => needed.has(v.id))) continue;
    live.push(n);
    for (const v of n.inputs) needed.add(v.id);
    // A subgraph (If branch) may read this graph's values by name: they are needed too.
    for (const a of Object.values(n.attrs)) if (a.kind === 'graph') for (const id of outerReferences(a.value)) needed.add(id);
  }
  return live.reverse();
}

/** Ids of the values a subgraph's live nodes read without producing or declaring them. */
function outerReferences(sub: Graph): Set<number> {
  const own = new Set<number>(sub.inputs.map((v) => v.id));
  const refs = new Set<number>();
  for (const n of liveNodes(sub)) {
    for (const v of n.inputs) if (!own.has(v.id)) refs.add(v.id);
    // Nested subgraphs may reach past this one too.
    for (const a of Object.values(n.attrs)) if (a.kind === 'graph') for (const id of outerReferences(a.value)) if (!own.has(id)) refs.add(id);
    for (const v of n.outputs) own.add(v.id);
  }
  for (const v of sub.outputs) if (!own.has(v.id)) refs.add(v.id);
  return refs;
}

export function graphProto(g: Graph, opts: WriteOptions): IGraphProto {
  return {
    name: g.name,
    node: liveNodes(g).flatMap((n) => nodeProtos(n, g)),
    input: g.inputs.map((v) => valueInfo(v, opts.dimNames?.[v.name])),
    output: g.outputs.map((v) => valueInfo(v, opts.dimNames?.[v.name])),
    initializer: opts.initializers ? [...opts.initializers].map(([v, c]) => tensorProto(c, v.name)) : [],
  };
}

export function modelBytes(g: Graph, opts: WriteOptions = {}): Uint8Array {
  const model = onnx.ModelProto.create({
    irVersion: IR_VERSION,
    opsetImport: [{ domain: '', version: OPSET }],
    producerName: 'dl-lab',
    producerVersion: '0.1.0',
    docString: opts.docString ?? '',
    metadataProps: Object.entries(opts.metadata ?? {}).map(([key, value]) => ({ key, value })),
    graph: graphProto(g, opts),
  });
  return onnx.ModelProto.encode(model).finish();
}
