#!/usr/bin/env node
/**
 * Peak memory of loadPth on a large checkpoint: writes a ~600 MB zip (and legacy) checkpoint with this
 * package's own writer into a temp folder, then reads each in a fresh child process that touches every
 * tensor, and reports the child's peak RSS (process.resourceUsage().maxRSS) against the file size.
 *
 *   cd packages/torch-io && npx tsup && node scripts/measure-memory.mjs [sizeMB=600]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const dist = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'index.js');

if (process.argv[2] === '--child') {
  // Child: read the file, walk every tensor (one float32 copy at a time, as a model loader would), report.
  const { loadPth, isTensor } = require(dist);
  const started = process.hrtime.bigint();
  const checkpoint = loadPth(process.argv[3]);
  const loadedMs = Number(process.hrtime.bigint() - started) / 1e6;
  let tensors = 0;
  let checksum = 0;
  for (const t of Object.values(checkpoint.model)) {
    if (!isTensor(t)) continue;
    const data = t.toFloat32Array();
    checksum += data[0] + data[data.length - 1];
    tensors++;
  }
  process.stdout.write(JSON.stringify({ tensors, checksum, loadedMs, maxRssBytes: process.resourceUsage().maxRSS * 1024 }));
  process.exit(0);
}

const sizeMB = Number(process.argv[2] ?? 600);
const { savePth, TorchTensor } = require(dist);
const dir = mkdtempSync(path.join(tmpdir(), 'torch-io-mem-'));
try {
  // 4 MiB float32 tensors, plus the small non-tensor entries of an official checkpoint.
  const perTensor = 1 << 20;
  const count = Math.round((sizeMB * 1e6) / (perTensor * 4));
  const model = {};
  for (let i = 0; i < count; i++) {
    const data = new Float32Array(perTensor);
    data[0] = i;
    data[perTensor - 1] = -i;
    model[`layers.${i}.weight`] = TorchTensor.fromTypedArray(data, [1024, 1024]);
  }
  const baseline = JSON.parse(
    execFileSync(process.execPath, ['-e', `process.stdout.write(JSON.stringify({ maxRssBytes: process.resourceUsage().maxRSS * 1024 }))`]).toString(),
  );
  console.log(`node baseline peak RSS: ${(baseline.maxRssBytes / 1e6).toFixed(0)} MB`);
  for (const format of ['zip', 'legacy']) {
    const file = path.join(dir, `big-${format}.pth`);
    savePth(file, { model, epoch: 1, args: { lr: 1e-4 } }, { format });
    const size = statSync(file).size;
    const result = JSON.parse(execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--child', file], { maxBuffer: 1 << 20 }).toString());
    console.log(
      `${format}: file ${(size / 1e6).toFixed(0)} MB, ${result.tensors} tensors, loadPth ${result.loadedMs.toFixed(0)} ms, ` +
        `peak RSS ${(result.maxRssBytes / 1e6).toFixed(0)} MB = ${(result.maxRssBytes / size).toFixed(2)}x the file ` +
        `(${((result.maxRssBytes - baseline.maxRssBytes) / size).toFixed(2)}x above node's baseline)`,
    );
    rmSync(file);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
