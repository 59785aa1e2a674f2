/**
 * CLIP-VG's fusion, box head and loss on cached CLIP features as one ONNX graph with its backward pass, for
 * training on ONNX Runtime: weights are graph inputs (they change every step) and the gradients are outputs.
 * The forward pass is `ClipVG.fuse` (fusion-transformer) op for op; dropout is not supported (the graph is for
 * dropout-free recipes such as the demo's). The last layer computes only the [REG] row: no other row of it reaches
 * the box head, so this changes no value and no gradient.
 */
import { clipVGLayout, sequenceLength, type ClipVGConfig } from '@clip-vg/fusion-transformer';
import { GraphBuilder } from '../onnx/graph-builder';
import { DataType } from '../onnx/onnx-proto';
import { Tape, type Value } from './tape';

const LAYER = 'vl_transformer.encoder.layers';
const BOX_HEAD = 'bbox_embed.layers';
/** Upstream's `visu_proj` never runs, so it gets no gradient and AdamW leaves it alone (as PyTorch's does). */
const UNUSED = new Set(['visu_proj.weight', 'visu_proj.bias']);

export interface FusionGraphSpec {
  config: ClipVGConfig;
  /** Rows per run (fixed: shapes are static). */
  batch: number;
  /** With the loss and every trainable weight's gradient; without, boxes only. */
  training: boolean;
}

export interface FusionGraph {
  bytes: Uint8Array;
  /** Weight inputs in graph order (official state-dict names) and, when training, `grad.<name>` outputs. */
  params: { name: string; shape: number[] }[];
  /** Visual tokens per row (CLS + patches) and their width; text tokens and their width. */
  visualShape: [number, number];
  textShape: [number, number];
}

/** The weights the fusion graph reads (every CLIP-VG weight except the unused `visu_proj`). */
export function fusionParams(config: ClipVGConfig): { name: string; shape: number[] }[] {
  return clipVGLayout(config)
    .filter((spec) => !UNUSED.has(spec.name))
    .map((spec) => ({ name: spec.name, shape: [...spec.shape] }));
}

/**
 * Inputs: `visual [B, 1+P, layers·Wv]`, `text [B, L, E]`, `key_bias [B, S]` (0, or −1e9 on padded keys), every
 * weight by name, and when training `target [B, 4]` (normalised cxcywh). Outputs: `boxes [B, 4]`; when training
 * also `loss`, `l1`, `giou` (as `groundingLoss`) and `grad.<name>` for every weight.
 */
export function buildFusionGraph(spec: FusionGraphSpec): FusionGraph {
  const { config, batch: B } = spec;
  const d = config.hiddenDim;
  const L = config.maxQueryLen;
  const S = sequenceLength(config);
  const visualShape: [number, number] = [S - 1 - L, config.extractLayers.length * config.clip.visionWidth];
  const textShape: [number, number] = [L, config.clip.embedDim];
  const t = new Tape(new GraphBuilder(spec.training ? 'clip_vg_fusion_train' : 'clip_vg_fusion'));
  const visual = t.input('visual', [B, ...visualShape]);
  const text = t.input('text', [B, ...textShape]);
  const keyBias = t.input('key_bias', [B, S]);
  const params = fusionParams(config);
  const w = new Map<string, Value>(params.map((p) => [p.name, t.input(p.name, p.shape, spec.training)]));
  const weight = (name: string) => w.get(name)!;
  const linear = (x: Value, prefix: string) => t.linear(x, weight(`${prefix}.weight`), weight(`${prefix}.bias`));

  const visualTokens = t.reshape(linear(t.reshape(visual, [B * visualShape[0], visualShape[1]]), 'ml_visu_proj'), [B, visualShape[0], d]);
  const textTokens = t.reshape(linear(t.reshape(text, [B * L, textShape[1]]), 'text_proj'), [B, L, d]);
  const reg = t.expand(t.reshape(weight('reg_token.weight'), [1, 1, d]), [B, 1, d]);
  let src = t.concat([reg, textTokens, visualTokens], 1); // [B, S, D]
  const pos = t.reshape(weight('vl_pos_embed.weight'), [1, S, d]);
  const mask = t.reshape(keyBias, [B, 1, 1, S]);
  for (let layer = 0; layer < config.vlLayers; layer++) {
    src = encoderLayer(t, src, pos, mask, `${LAYER}.${layer}`, config, B, weight, layer === config.vlLayers - 1);
  }
  let box = t.reshape(src, [B, d]); // the last layer kept only [REG]
  for (let layer = 0; layer < 3; layer++) {
    box = linear(box, `${BOX_HEAD}.${layer}`);
    if (layer < 2) box = t.relu(box);
  }
  const boxes = t.sigmoid(box); // [B, 4]
  t.output(boxes, 'boxes');
  if (spec.training) {
    const target = t.input('target', [B, 4]);
    const { loss, l1, giou } = groundingLoss(t, boxes, target, B);
    t.output(loss, 'loss');
    t.output(l1, 'l1');
    t.output(giou, 'giou');
    const grads = t.gradients(
      loss,
      params.map((p) => weight(p.name)),
    );
    params.forEach((p, i) => {
      t.g.rename(grads[i], `grad.${p.name}`);
      t.g.output(`grad.${p.name}`, DataType.FLOAT, p.shape);
    });
  }
  return { bytes: t.g.encode(), params, visualShape, textShape };
}

/**
 * The DETR-style post-norm layer of `fusionEncoderLayer`: `a = MHA(q = k = src + pos, v = src)`,
 * `x = LN1(src + a)`, `LN2(x + Linear2(ReLU(Linear1(x))))`. With `regOnly` the queries and the output are row 0.
 */
function encoderLayer(
  t: Tape,
  src: Value,
  pos: Value,
  mask: Value,
  prefix: string,
  config: ClipVGConfig,
  B: number,
  weight: (name: string) => Value,
  regOnly: boolean,
): Value {
  const d = config.hiddenDim;
  const S = src.shape[1];
  const H = config.vlHeads;
  const hd = d / H;
  const inProj = weight(`${prefix}.self_attn.in_proj_weight`);
  const inBias = weight(`${prefix}.self_attn.in_proj_bias`);
  const rows = (from: number, to: number) => [t.slice(inProj, 0, from, to), t.slice(inBias, 0, from, to)] as const;
  const queryKey = t.add(src, pos); // [B, S, D]
  const flat = (x: Value) => t.reshape(x, [x.shape[0] * x.shape[1], d]);
  const heads = (x: Value, n: number) => t.transpose(t.reshape(x, [B, n, H, hd]), [0, 2, 1, 3]); // [B, H, n, hd]

  const queryRows = regOnly ? t.slice(queryKey, 1, 0, 1) : queryKey; // [B, Q, D]
  const Q = queryRows.shape[1];
  // PyTorch scales the projected queries (bias included) before the product
  const q = t.mul(t.linear(flat(queryRows), ...rows(0, d)), t.scalar(1 / Math.sqrt(hd))); // [B·Q, D]
  const k = t.linear(flat(queryKey), ...rows(d, 2 * d)); // [B·S, D]
  const v = t.linear(flat(src), ...rows(2 * d, 3 * d)); // [B·S, D]
  const keysT = t.transpose(t.reshape(k, [B, S, H, hd]), [0, 2, 3, 1]); // [B, H, hd, S]
  const logits = t.add(t.matmul(heads(q, Q), keysT), mask); // [B, H, Q, S]
  const context = t.matmul(t.softmax(logits), heads(v, S)); // [B, H, Q, hd]
  const merged = t.reshape(t.transpose(context, [0, 2, 1, 3]), [B * Q, d]);
  const attended = t.linear(merged, weight(`${prefix}.self_attn.out_proj.weight`), weight(`${prefix}.self_attn.out_proj.bias`)); // [B·Q, D]

  const residual = flat(regOnly ? t.slice(src, 1, 0, 1) : src);
  const norm = (x: Value, name: string) => t.layerNorm(x, weight(`${prefix}.${name}.weight`), weight(`${prefix}.${name}.bias`));
  const x = norm(t.add(residual, attended), 'norm1'); // [B·Q, D]
  const hidden = t.relu(t.linear(x, weight(`${prefix}.linear1.weight`), weight(`${prefix}.linear1.bias`)));
  const fed = t.linear(hidden, weight(`${prefix}.linear2.weight`), weight(`${prefix}.linear2.bias`));
  return t.reshape(norm(t.add(x, fed), 'norm2'), [B, Q, d]);
}

/** `groundingLoss`: L1 on cxcywh summed over coordinates, plus 1 − GIoU on xyxy, both averaged over the batch. */
function groundingLoss(t: Tape, pred: Value, target: Value, B: number): { loss: Value; l1: Value; giou: Value } {
  const perBatch = t.scalar(1 / B);
  const l1 = t.mul(t.sum(t.abs(t.sub(pred, target))), perBatch);
  const corners = (box: Value) => {
    const [cx, cy, w, h] = [0, 1, 2, 3].map((i) => t.slice(box, 1, i, i + 1)) as [Value, Value, Value, Value];
    const halfW = t.mul(w, t.scalar(0.5));
    const halfH = t.mul(h, t.scalar(0.5));
    return { x1: t.sub(cx, halfW), y1: t.sub(cy, halfH), x2: t.add(cx, halfW), y2: t.add(cy, halfH) };
  };
  const a = corners(pred);
  const b = corners(target);
  const area = (c: typeof a) => t.mul(t.sub(c.x2, c.x1), t.sub(c.y2, c.y1));
  const interW = t.relu(t.sub(t.minimum(a.x2, b.x2), t.maximum(a.x1, b.x1)));
  const interH = t.relu(t.sub(t.minimum(a.y2, b.y2), t.maximum(a.y1, b.y1)));
  const inter = t.mul(interW, interH);
  const union = t.sub(t.add(area(a), area(b)), inter);
  const hullW = t.relu(t.sub(t.maximum(a.x2, b.x2), t.minimum(a.x1, b.x1)));
  const hullH = t.relu(t.sub(t.maximum(a.y2, b.y2), t.minimum(a.y1, b.y1)));
  const hull = t.mul(hullW, hullH);
  const giouPerBox = t.sub(t.div(inter, union), t.div(t.sub(hull, union), hull)); // [B, 1]
  const giou = t.mul(t.sum(t.sub(t.scalar(1), giouPerBox)), perBatch);
  return { loss: t.add(l1, giou), l1, giou };
}
