// Tensor IR with static shapes. A Graph is a list of nodes in topological order (each node is appended after
// its inputs exist), so reverse-mode autodiff can walk it backwards without sorting.

export type DType = 'float32' | 'float64' | 'int64' | 'bool';

export interface Value {
  readonly id: number;
  /** Mutable only so that Graph.output can name a result in place instead of adding an Identity node. */
  name: string;
  readonly shape: readonly number[];
  readonly dtype: DType;
}

export type Attr =
  | { kind: 'int'; value: number }
  | { kind: 'ints'; value: number[] }
  | { kind: 'float'; value: number }
  | { kind: 'floats'; value: number[] }
  | { kind: 'string'; value: string }
  | { kind: 'tensor'; value: ConstantData }
  | { kind: 'graph'; value: Graph };

export interface ConstantData {
  dtype: DType;
  shape: readonly number[];
  data: ArrayLike<number>;
}

export interface Node {
  readonly op: string;
  readonly inputs: readonly Value[];
  readonly outputs: readonly Value[];
  readonly attrs: Readonly<Record<string, Attr>>;
}

// Names are unique across every graph built in this process: ONNX forbids a subgraph (a Scan body) from
// reusing a name of its outer graph.
let nextId = 0;

export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

export class Graph {
  readonly nodes: Node[] = [];
  readonly inputs: Value[] = [];
  readonly outputs: Value[] = [];
  private readonly scalars = new Map<string, Value>();

  /** `dtype` is the floating type the graph computes in: float32 to train, float64 to check gradients. */
  constructor(readonly name: string, readonly dtype: 'float32' | 'float64' = 'float32') {}

  newValue(shape: readonly number[], dtype: DType, name?: string): Value {
    const id = nextId++;
    return { id, name: name ?? `v${id}`, shape: [...shape], dtype };
  }

  input(name: string, shape: readonly number[], dtype: DType = this.dtype): Value {
    const v = this.newValue(shape, dtype, name);
    this.inputs.push(v);
    return v;
  }

  output(v: Value, name?: string): Value {
    // Each graph output needs its own name. A node's result is renamed in place (an Identity node would cost a
    // kernel launch per step); inputs and values already output go through Identity.
    const reused = this.outputs.includes(v) || this.inputs.includes(v) || !this.nodes.some((n) => n.outputs.includes(v));
    let out = v;
    if (reused) out = this.add('Identity', [v], {}, [v.shape], [v.dtype], name ? [name] : undefined)[0];
    else if (name !== undefined) v.name = name;
    this.outputs.push(out);
    return out;
  }

  add(op: string, inputs: readonly Value[], attrs: Record<string, Attr>, shapes: readonly (readonly number[])[],
    dtypes: readonly DType[], names?: readonly string[]): Value[] {
    const outputs = shapes.map((s, i) => this.newValue(s, dtypes[i], names?.[i]));
    this.nodes.push({ op, inputs, outputs, attrs });
    return outputs;
  }

  constant(data: ArrayLike<number>, shape: readonly number[], dtype: DType = this.dtype): Value {
    if (data.length !== sizeOf(shape)) throw new Error(`constant: ${data.length} values for shape [${shape}]`);
    return this.add('Constant', [], { value: { kind: 'tensor', value: { dtype, shape, data } } }, [shape], [dtype])[0];
  }

  /** A rank-0 constant in the graph's float type (or `dtype`), made once per graph and value. */
  scalar(x: number, dtype: DType = this.dtype): Value {
    const key = `${dtype}:${Object.is(x, -0) ? '-0' : x}`;
    let v = this.scalars.get(key);
    if (!v) {
      v = this.constant([x], [], dtype);
      this.scalars.set(key, v);
    }
    return v;
  }
}
