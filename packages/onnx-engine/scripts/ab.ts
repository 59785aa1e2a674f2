/**
 * A/B of graph variants in one process (same load for every variant): builds one session per variant of the
 * ViT-B/16 bench model, then times them in turn, `rounds` times; prints each variant's median wall and CPU ms.
 *   npm run bench:ab -- '{"rounds":10,"variants":{"old":{"foldLastBlock":false},"new":{}}}'
 */
import * as os from 'node:os';
import { initBackend } from '@clip-vg/backend';
import { ClipVG } from '@clip-vg/fusion-transformer';
import { benchConfig, benchInputs } from '../src/benchmark';
import { OnnxClipVG, type OnnxEngineOptions } from '../src/engine';
import { buildClipVGOnnx, type GraphOptions } from '../src/graph/clip-vg-graph';

interface AbOptions {
  model?: string;
  batch?: number;
  rounds?: number;
  textTokens?: number;
  variants: Record<string, GraphOptions & { session?: OnnxEngineOptions; env?: Record<string, string> }>;
}

const median = (v: number[]): number => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

async function main(): Promise<void> {
  const options = JSON.parse(process.argv[2] ?? '{}') as AbOptions;
  await initBackend('wasm', { log: null });
  const config = benchConfig(options.model ?? 'ViT-B/16');
  const model = ClipVG.create(config, { seed: 0 });
  const weights = model.stateDict({ includeClip: true });
  const inputs = benchInputs(config, options.batch ?? 8, options.textTokens ?? 20, 0);
  const engines: Record<string, OnnxClipVG> = {};
  for (const [name, variant] of Object.entries(options.variants)) {
    // ORT reads some switches (ORT_DISABLE_FLASH_ATTENTION) when a session creates its kernels.
    for (const [key, value] of Object.entries(variant.env ?? {})) process.env[key] = value;
    engines[name] = await OnnxClipVG.fromOnnx(buildClipVGOnnx(weights, config, { origin: 'bench', ...variant }), config, variant.session);
    for (const key of Object.keys(variant.env ?? {})) delete process.env[key];
  }
  model.dispose();
  const wall: Record<string, number[]> = {};
  const cpu: Record<string, number[]> = {};
  const run = async (name: string): Promise<void> => {
    const start = performance.now();
    const cpuStart = process.cpuUsage();
    await engines[name].predictArrays(inputs.images, inputs.pixelMask, inputs.ids);
    const used = process.cpuUsage(cpuStart);
    (wall[name] ??= []).push(performance.now() - start);
    (cpu[name] ??= []).push((used.user + used.system) / 1000);
  };
  for (const name of Object.keys(engines)) await run(name); // warm-up
  for (const name of Object.keys(engines)) {
    wall[name] = [];
    cpu[name] = [];
  }
  const names = Object.keys(engines);
  // Each round starts at another variant, so no variant always follows the same one.
  for (let r = 0; r < (options.rounds ?? 5); r++) for (let i = 0; i < names.length; i++) await run(names[(r + i) % names.length]);
  const result: Record<string, unknown> = { load_average: os.loadavg()[0] };
  const first = Object.keys(engines)[0];
  for (const name of Object.keys(engines)) {
    // Paired with the first variant's run of the same round: drifts in machine speed cancel.
    const ratio = median(wall[name].map((t, r) => t / wall[first][r]));
    const cpuRatio = median(cpu[name].map((t, r) => t / cpu[first][r]));
    result[name] = {
      wall_ms: Math.round(median(wall[name])),
      cpu_ms: Math.round(median(cpu[name])),
      min_wall_ms: Math.round(Math.min(...wall[name])),
      images_per_s: +((inputs.images.shape[0] * 1000) / median(wall[name])).toFixed(3),
      wall_vs_first: +ratio.toFixed(4),
      cpu_vs_first: +cpuRatio.toFixed(4),
    };
  }
  console.log(JSON.stringify(result));
  for (const [name, engine] of Object.entries(engines)) {
    if (options.variants[name].session?.profilePrefix) engine.endProfiling();
    await engine.dispose();
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
