/**
 * `clip-vg curriculum --host model --queue`: the full CLIP-VG host's trainings as `train-model` jobs on a
 * `clip-vg worker` process give the local run's reliabilities, results and final model, bit for bit; a rerun
 * reuses every training; a worker killed mid-training has its job taken over, and a Redis restart is ridden out,
 * with the same outcome; a worker that may not read the data set rejects the job and the run stops in one line; a
 * second signal makes a busy worker leave.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describeShared, sharedPath, tempDir } from '@clip-vg/test-utils';
import { redisServerBinary, startLocalRedis, type LocalRedis } from '@clip-vg/training-queue';
import { runCli } from '../testing/run-cli';
import { tinyWorld } from '../testing/tiny-world';

const CLI = path.resolve(__dirname, '..', '..', 'dist', 'cli.js');

(redisServerBinary() ? describeShared : describe.skip)('clip-vg curriculum --host model --queue', () => {
  const root = tempDir('clip-vg-queue-model-');
  const children: ChildProcess[] = [];
  let redis: LocalRedis;
  let world: string;
  let modelConfig: string;
  const vocab = () => sharedPath('vocab', 'bpe_simple_vocab_16e6.txt.gz');

  beforeAll(async () => {
    ({ world, modelConfig } = await tinyWorld(root));
    redis = await startLocalRedis();
  }, 60_000);
  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    await redis?.stop();
  });

  /** A worker process on `queue`, once it waits for jobs; its log lines collect in `lines`. */
  const worker = async (queue: string, dataRoots: string[], lines: string[] = [], extra: string[] = []) => {
    const rootFlags = dataRoots.flatMap((r) => ['--data-root', r]);
    const child = spawn(
      process.execPath,
      [CLI, 'worker', '--queue', redis.url, '--queue-name', queue, '--artifacts', path.join(root, 'artifacts'), ...rootFlags, ...extra],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    children.push(child);
    await new Promise<void>((resolve) =>
      child.stderr!.on('data', (b: Buffer) => {
        lines.push(...b.toString().split('\n').filter(Boolean));
        if (lines.some((l) => /waiting for jobs/.test(l))) resolve();
      }),
    );
    return child;
  };

  /** `clip-vg curriculum --host model` on the tiny world, into `root/out`, on the queue `queue` if given. */
  const args = (out: string, queue?: string, { policy = 'msa', epochs = 1 } = {}) => [
    'curriculum',
    '--policy',
    policy,
    ...(policy === 'msa' ? ['--set', 'measurers=own', '--h0', '0'] : []),
    '--host',
    'model',
    '--dataset',
    'synthetic',
    ...['splitRoot', 'dataRoot'].flatMap((k) => ['--host-option', `${k}=${world}`]),
    ...[
      '--host-option',
      `modelConfig=${modelConfig}`,
      '--host-option',
      `vocab=${vocab()}`,
      '--host-option',
      `epochs=${epochs}`,
      '--host-option',
      'batchSize=8',
    ],
    ...(queue ? ['--queue', redis.url, '--queue-name', queue, '--artifacts', path.join(root, 'artifacts')] : []),
    '--backend',
    'wasm',
    '--examples',
    '0',
    '-o',
    path.join(root, out),
  ];
  const curriculum = (out: string, queue?: string) => runCli(args(out, queue));
  const file = (out: string, name: string) => readFileSync(path.join(root, out, name));
  const results = (out: string) => JSON.parse(file(out, 'results.json').toString());
  const roots = () => [world, path.dirname(modelConfig), path.dirname(vocab())];
  /** SSA with longer trainings, run here once: what the fault tests' queued runs must reproduce. */
  let ssaLocal: Promise<unknown> | undefined;
  const longer = { policy: 'ssa', epochs: 15 };
  const localLonger = () => (ssaLocal ??= runCli(args('ssa-local', undefined, longer)).then((r) => expect(r.code).toBe(0)));

  it("gives the local run's reliabilities, results and model; a rerun reuses every training", async () => {
    const local = await curriculum('local');
    expect(local.code).toBe(0);
    await worker('model', roots());
    process.env.CLIP_VG_PROGRESS = '1'; // the bar, drawn into the captured stderr
    const queued = await curriculum('queued', 'model').finally(() => delete process.env.CLIP_VG_PROGRESS);
    expect(queued.code).toBe(0);
    // one bar over every training's steps, fed by the workers' progress reports
    expect(queued.err).toMatch(/curriculum: training steps \[.*\] (\d+)\/\1 100% eta 0s 0 running, \d+ trainings done/);
    expect(results('queued')).toEqual(results('local'));
    expect(results('local').trainings).toBeGreaterThan(3);
    expect(file('queued', 'histograms.json').equals(file('local', 'histograms.json'))).toBe(true);
    expect(file('queued', 'model/model.safetensors').equals(file('local', 'model/model.safetensors'))).toBe(true);
    expect(queued.err).toMatch(/queue: \S+ finished model-/);

    const rerun = await curriculum('rerun', 'model');
    expect(rerun.code).toBe(0);
    expect(rerun.err.split('\n').filter((l) => /queue: reused model-/.test(l))).toHaveLength(results('local').trainings);
    expect(file('rerun', 'model/model.safetensors').equals(file('local', 'model/model.safetensors'))).toBe(true);
  }, 300_000);

  it('stops in one line naming the job when the worker may not read the data set', async () => {
    const lines: string[] = [];
    await worker('no-roots', [], lines);
    const run = await curriculum('refused', 'no-roots');
    expect(run.code).toBe(1);
    expect(run.err).toMatch(
      /^clip-vg: training job model-[0-9a-f]+: rejected by \S+: host\.splitRoot: ".*" is outside the worker's data roots \(failed 1 of 3 attempts\)$/m,
    );
    expect(lines.some((l) => /rejected job model-/.test(l))).toBe(true);
  }, 120_000);

  it('survives a worker killed with SIGKILL mid-training: another takes the job over, same results and model', async () => {
    await localLonger();
    const fast = ['--lock-duration', '1500', '--stalled-interval', '500'];
    const workers = [await worker('kill', roots(), [], fast), await worker('kill', roots(), [], fast)];
    const coordinator = spawn(process.execPath, [CLI, ...args('kill-queued', 'kill', longer)], { stdio: ['ignore', 'ignore', 'pipe'] });
    children.push(coordinator);
    const lines: string[] = [];
    let killed = false;
    coordinator.stderr!.on('data', (b: Buffer) => {
      for (const line of b.toString().split('\n').filter(Boolean)) {
        lines.push(line);
        // the first worker to report a step dies with its job; a worker is named host:pid
        const m = /queue: (\S+) took /.exec(line);
        if (m && !killed) killed = workers.find((c) => m[1].endsWith(`:${c.pid}`))?.kill('SIGKILL') ?? false;
      }
    });
    const code = await new Promise<number | null>((resolve) => coordinator.once('exit', resolve));
    expect(code).toBe(0);
    expect(killed).toBe(true);
    expect(lines.some((l) => / stalled /.test(l))).toBe(true);
    expect(results('kill-queued')).toEqual(results('ssa-local'));
    expect(file('kill-queued', 'model/model.safetensors').equals(file('ssa-local', 'model/model.safetensors'))).toBe(true);
  }, 300_000);

  it('continues through a Redis restart (AOF): every training done once, the local results and model', async () => {
    await localLonger();
    const lines: string[] = [];
    await worker('restart', roots(), lines);
    const coordinator = spawn(process.execPath, [CLI, ...args('restart-queued', 'restart', longer)], { stdio: ['ignore', 'ignore', 'pipe'] });
    children.push(coordinator);
    let restarted: Promise<void> | undefined;
    coordinator.stderr!.on('data', (b: Buffer) => {
      // Redis goes away for a second once the first training is running
      if (!restarted && /queue: \S+ took /.test(b.toString())) restarted = redis.restart(1000);
    });
    const code = await new Promise<number | null>((resolve) => coordinator.once('exit', resolve));
    await restarted;
    expect(code).toBe(0);
    expect(restarted).toBeDefined();
    expect(lines.some((l) => /connected again/.test(l))).toBe(true);
    expect(results('restart-queued')).toEqual(results('ssa-local'));
    expect(file('restart-queued', 'model/model.safetensors').equals(file('ssa-local', 'model/model.safetensors'))).toBe(true);
    const done = lines.filter((l) => / done in /.test(l)).map((l) => /job (\S+) done/.exec(l)![1]);
    expect(new Set(done).size).toBe(done.length);
    expect(done.length).toBe(results('ssa-local').trainings);
  }, 300_000);

  it('leaves at a second signal in the middle of a training (exit 1), after the first waited for it', async () => {
    const lines: string[] = [];
    const child = await worker('leave', roots(), lines);
    const coordinator = spawn(process.execPath, [CLI, ...args('leave-queued', 'leave', { policy: 'ssa', epochs: 400 })], { stdio: 'ignore' });
    children.push(coordinator);
    await new Promise<void>((resolve) => child.stderr!.on('data', () => lines.some((l) => / started \(/.test(l)) && resolve()));
    // 'close', not 'exit': every line it wrote has arrived by then
    const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
    child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(child.exitCode).toBeNull(); // the first signal waits for the running training
    child.kill('SIGTERM');
    expect(await exited).toBe(1);
    expect(lines.filter((l) => /stopping after the running trainings|abandoning the running trainings/.test(l))).toHaveLength(2);
    coordinator.kill('SIGKILL');
  }, 120_000);
});
