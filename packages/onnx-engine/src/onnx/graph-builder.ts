/**
 * A small helper to write ONNX graphs in code: every op call returns the name of its output, initialisers are
 * added once by name, and constants are deduplicated, so model code reads like a forward pass.
 */
import {
  AttributeType,
  DataType,
  encodeModel,
  MS_DOMAIN,
  type AttributeMessage,
  type DataTypeCode,
  type GraphMessage,
  type NodeMessage,
  type TensorMessage,
  type ValueInfoMessage,
} from './onnx-proto';

export type AttributeValue = number | number[] | { float: number } | { floats: number[] };

/** A graph input or output dimension: a fixed size or a symbolic name (`batch`). */
export type Dim = number | string;

function toAttribute(name: string, value: AttributeValue): AttributeMessage {
  if (typeof value === 'number') return { name, type: AttributeType.INT, i: value };
  if (Array.isArray(value)) return { name, type: AttributeType.INTS, ints: value };
  if ('float' in value) return { name, type: AttributeType.FLOAT, f: value.float };
  return { name, type: AttributeType.FLOATS, floats: value.floats };
}

function valueInfo(name: string, elemType: DataTypeCode, dims: Dim[]): ValueInfoMessage {
  return {
    name,
    type: { tensorType: { elemType, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } },
  };
}

export class GraphBuilder {
  private readonly nodes: NodeMessage[] = [];
  private readonly initializers = new Map<string, TensorMessage>();
  private readonly inputs: ValueInfoMessage[] = [];
  private readonly outputs: ValueInfoMessage[] = [];
  private counter = 0;

  constructor(readonly name: string) {}

  input(name: string, elemType: DataTypeCode, dims: Dim[]): string {
    this.inputs.push(valueInfo(name, elemType, dims));
    return name;
  }

  output(name: string, elemType: DataTypeCode, dims: Dim[]): void {
    this.outputs.push(valueInfo(name, elemType, dims));
  }

  /** A float32 weight, stored once under `name` (the bytes are referenced, not copied). */
  weight(name: string, data: Float32Array, dims: number[]): string {
    if (!this.initializers.has(name)) {
      const size = dims.reduce((a, b) => a * b, 1);
      if (data.length !== size) throw new Error(`GraphBuilder: ${name} has ${data.length} values, dims [${dims}] need ${size}`);
      this.initializers.set(name, { name, dims, dataType: DataType.FLOAT, rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) });
    }
    return name;
  }

  has(name: string): boolean {
    return this.initializers.has(name);
  }

  /** An int64 constant (shapes, axes, indices), deduplicated by value. */
  int64s(values: number[], dims: number[] = [values.length]): string {
    const name = `const_i64_${dims.join('x')}_${values.join('_')}`;
    if (!this.initializers.has(name)) {
      const data = new BigInt64Array(values.map((v) => BigInt(v)));
      this.initializers.set(name, { name, dims, dataType: DataType.INT64, rawData: new Uint8Array(data.buffer) });
    }
    return name;
  }

  /** A float32 scalar constant, deduplicated by value. */
  scalar(value: number): string {
    const name = `const_f32_${value}`;
    if (!this.initializers.has(name)) {
      this.initializers.set(name, { name, dims: [], dataType: DataType.FLOAT, rawData: new Uint8Array(new Float32Array([value]).buffer) });
    }
    return name;
  }

  /** Add a node; returns its (first) output name. */
  op(opType: string, inputs: string[], attributes: Record<string, AttributeValue> = {}, outputCount = 1): string {
    return this.opMulti(opType, inputs, attributes, outputCount)[0];
  }

  /** A node of ONNX Runtime's contrib domain (`com.microsoft`); '' stands for an omitted optional input. */
  msOp(opType: string, inputs: string[], attributes: Record<string, AttributeValue> = {}): string {
    return this.opMulti(opType, inputs, attributes, 1, MS_DOMAIN)[0];
  }

  /** Add a node with several outputs. */
  opMulti(opType: string, inputs: string[], attributes: Record<string, AttributeValue> = {}, outputCount = 1, domain?: string): string[] {
    const id = this.counter++;
    const output = Array.from({ length: outputCount }, (_, k) => `${opType.toLowerCase()}_${id}${outputCount > 1 ? `_${k}` : ''}`);
    this.nodes.push({
      opType,
      name: `${opType}_${id}`,
      input: inputs,
      output,
      attribute: Object.entries(attributes).map(([key, value]) => toAttribute(key, value)),
      ...(domain ? { domain } : {}),
    });
    return output;
  }

  /** Rename the value `from` as graph output `to` (an Identity node). */
  rename(from: string, to: string): void {
    this.nodes.push({ opType: 'Identity', name: `Identity_${to}`, input: [from], output: [to], attribute: [] });
  }

  graph(): GraphMessage {
    return { name: this.name, node: this.nodes, initializer: [...this.initializers.values()], input: this.inputs, output: this.outputs };
  }

  encode(producerVersion = '0.1.0'): Uint8Array {
    return encodeModel(this.graph(), producerVersion);
  }
}
