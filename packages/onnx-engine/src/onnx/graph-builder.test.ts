import { GraphBuilder } from './graph-builder';
import { DataType, decodeModel, IR_VERSION, OPSET } from './onnx-proto';

test('a ModelProto round trip: opset, inputs with symbolic dims, raw weights, deduplicated constants, attributes', () => {
  const g = new GraphBuilder('tiny');
  const x = g.input('x', DataType.FLOAT, ['batch', 3]);
  const w = g.weight('w', new Float32Array([1, 2, 3, 4, 5, 6]), [3, 2]);
  const y = g.op('Softmax', [g.op('MatMul', [x, w])], { axis: -1 });
  expect(g.int64s([0, 2])).toBe(g.int64s([0, 2]));
  g.rename(y, 'y');
  g.output('y', DataType.FLOAT, ['batch', 2]);
  const model = decodeModel(g.encode()) as {
    irVersion: number;
    opsetImport: Array<{ version: number }>;
    graph: {
      node: Array<{ opType: string; attribute?: Array<{ name: string; i: number }> }>;
      initializer: Array<{ name: string; dims: number[]; rawData: number[] }>;
      input: Array<{ type: { tensorType: { shape: { dim: Array<{ dimParam?: string; dimValue?: number }> } } } }>;
    };
  };
  expect(model.irVersion).toBe(IR_VERSION);
  expect(model.opsetImport[0].version).toBe(OPSET);
  expect(model.graph.node.map((n) => n.opType)).toEqual(['MatMul', 'Softmax', 'Identity']);
  expect(model.graph.node[1].attribute).toEqual([expect.objectContaining({ name: 'axis', i: -1 })]);
  expect(model.graph.input[0].type.tensorType.shape.dim).toEqual([{ dimParam: 'batch' }, { dimValue: 3 }]);
  const weight = model.graph.initializer.find((i) => i.name === 'w')!;
  expect(weight.dims).toEqual([3, 2]);
  expect(Array.from(new Float32Array(new Uint8Array(weight.rawData).buffer))).toEqual([1, 2, 3, 4, 5, 6]);
  expect(model.graph.initializer).toHaveLength(2);
});

test('a weight whose size does not match its dims is refused with its name', () => {
  expect(() => new GraphBuilder('g').weight('bad', new Float32Array(5), [2, 3])).toThrow('GraphBuilder: bad has 5 values, dims [2,3] need 6');
});
