/**
 * @jest-environment ../../packages/onnx-engine/jest.environment.js
 *
 * `clip-vg worker`, `clip-vg demo --queue` and `clip-vg curriculum --host demo --queue`: one-line failures, the demo
 * at toy sizes on two worker processes (one killed mid-run) giving the local run's numbers, and a curriculum
 * policy's trainings on a worker process giving the local run's results.json.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { initBackend } from '@clip-vg/backend';
import { runDemo, type DemoResults } from '@clip-vg/experiments';
import { redisServerBinary, startLocalRedis, type LocalRedis } from '@clip-vg/training-queue';
import { runCli } from '../testing/run-cli';
import { queueRunner } from '../util/queue';

const CLI = path.resolve(__dirname, '..', '..', 'dist', 'cli.js');
const TINY = { trainImages: 24, valImages: 8, testImages: 8, steps: 10, evalEvery: 5, warmupSteps: 2, batchSize: 16, examples: 0 };
// long enough (seconds per training) that the worker killed on taking a job dies in the middle of it
const KILLED_MID_RUN = { ...TINY, steps: 200, evalEvery: 50 };

describe('clip-vg worker', () => {
  it('lists its options', async () => {
    const { code, out } = await runCli(['worker', '--help']);
    expect(code).toBe(0);
    for (const flag of ['--queue', '--concurrency', '--artifacts', '--data-root', '--lock-duration', '--stalled-interval']) expect(out).toContain(flag);
  });

  it('says in one line, exit 1, when Redis is unreachable (worker and demo)', async () => {
    for (const argv of [
      ['worker', '--queue', 'redis://127.0.0.1:1'],
      ['demo', '--quick', '--queue', 'redis://127.0.0.1:1', '--out', '/tmp/never-written'],
    ]) {
      const { code, err } = await runCli(argv);
      expect(code).toBe(1);
      expect(err).toBe('clip-vg: redis://127.0.0.1:1: cannot connect (connection refused: is redis-server running there?)\n');
    }
  });

  it('rejects a bad --concurrency', async () => {
    const { code, err } = await runCli(['worker', '--queue', 'redis://127.0.0.1:1', '--concurrency', '0']);
    expect(code).toBe(1);
    expect(err).toBe('clip-vg: --concurrency: expected an integer from 1 to 64, got "0"\n');
  });
});

const describeRedis = redisServerBinary() ? describe : describe.skip;
if (!redisServerBinary()) console.warn('clip-vg worker: redis-server not found (apt-get install redis-server): the queue tests are skipped');

describeRedis('clip-vg demo --queue with two clip-vg worker processes', () => {
  let redis: LocalRedis;
  let dir: string;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    await initBackend('wasm', { log: null });
    redis = await startLocalRedis({ password: 'secret' });
    dir = mkdtempSync(path.join(tmpdir(), 'clip-vg-queue-demo-'));
  });
  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    await Promise.all(children.map((c) => (c.exitCode !== null || c.signalCode !== null ? undefined : new Promise((r) => c.once('exit', r)))));
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a wrong password in one line', async () => {
    const { code, err } = await runCli(['worker', '--queue', redis.url.replace('secret', 'wrong')]);
    expect(code).toBe(1);
    expect(err).toMatch(/^clip-vg: redis:\/\/:\*\*\*@127\.0\.0\.1:\d+: wrong password or user \(Redis refused the credentials\)\n$/);
  });

  it('stops on SIGTERM (exit 0) when idle', async () => {
    const child = spawn(process.execPath, [CLI, 'worker', '--queue', redis.url, '--artifacts', path.join(dir, 'idle')], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    children.push(child);
    await new Promise<void>((resolve) => child.stderr.on('data', (b: Buffer) => /waiting for jobs/.test(b.toString()) && resolve()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('stops at the first signal when idle even though its Redis is gone (exit 0)', async () => {
    const gone = await startLocalRedis();
    const child = spawn(process.execPath, [CLI, 'worker', '--queue', gone.url, '--artifacts', path.join(dir, 'gone')], { stdio: ['ignore', 'ignore', 'pipe'] });
    children.push(child);
    await new Promise<void>((resolve) => child.stderr.on('data', (b: Buffer) => /waiting for jobs/.test(b.toString()) && resolve()));
    await gone.stop();
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it("gives the local run's numbers, also when a worker is killed mid-run", async () => {
    const artifacts = path.join(dir, 'artifacts');
    const local = (await runDemo({ out: path.join(dir, 'local'), seed: 5, preset: 'quick', settings: KILLED_MID_RUN, workers: 0 })).results;
    const workers: ChildProcess[] = [];
    const started = [0, 1].map(() => {
      const child = spawn(
        process.execPath,
        [CLI, 'worker', '--queue', redis.url, '--artifacts', artifacts, '--lock-duration', '1500', '--stalled-interval', '500'],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
      children.push(child);
      workers.push(child);
      const lines: string[] = [];
      return new Promise<void>((resolve) =>
        child.stderr.on('data', (b: Buffer) => {
          lines.push(...b.toString().split('\n').filter(Boolean));
          if (lines.some((l) => /waiting for jobs/.test(l))) resolve();
        }),
      );
    });
    await Promise.all(started);
    const lines: string[] = [];
    let killed = false;
    const log = (line: string) => {
      lines.push(line);
      // the first worker to take a job dies with it; a worker is named host:pid
      const m = /^queue: (\S+) took /.exec(line);
      if (m && !killed) {
        killed = workers.find((c) => m[1].endsWith(`:${c.pid}`))?.kill('SIGKILL') ?? false;
      }
    };
    const remote = (
      await runDemo({
        out: path.join(dir, 'queued'),
        seed: 5,
        preset: 'quick',
        settings: KILLED_MID_RUN,
        workers: 0,
        log,
        runner: queueRunner({ queue: redis.url, artifacts }, log),
      })
    ).results;
    expect(killed).toBe(true);
    expect(lines.some((l) => / stalled /.test(l))).toBe(true);
    const numbers = (r: DemoResults) => ({ methods: r.methods, thresholds: r.thresholds, msaSteps: r.msaSteps, trainings: r.trainings, notes: r.notes });
    expect(numbers(remote)).toEqual(numbers(local));
  }, 600_000);
  it("curriculum --host demo --queue: a policy's trainings on a worker process give the local run's results.json", async () => {
    const child = spawn(process.execPath, [CLI, 'worker', '--queue', redis.url, '--queue-name', 'curriculum', '--artifacts', path.join(dir, 'cur-artifacts')], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    children.push(child);
    await new Promise<void>((resolve) => child.stderr.on('data', (b: Buffer) => /waiting for jobs/.test(b.toString()) && resolve()));
    const common = ['curriculum', '--host', 'demo', '--policy', 'msa', '--set', 'measurers=own', '--host-option', 'seed=5'];
    const settings = ['--host-option', `settings=${JSON.stringify(TINY)}`, '--quiet', '--json', '--examples', '0'];
    const local = await runCli([...common, ...settings, '--host-option', 'workers=1', '--out', path.join(dir, 'cur-local')]);
    expect(local.err).toBe('');
    expect(local.code).toBe(0);
    const queued = await runCli([
      ...common,
      ...settings,
      '--queue',
      redis.url,
      '--queue-name',
      'curriculum',
      '--artifacts',
      path.join(dir, 'cur-artifacts'),
      '--out',
      path.join(dir, 'cur-queued'),
    ]);
    expect(queued.err).toBe('');
    expect(queued.code).toBe(0);
    const results = (name: string) => JSON.parse(readFileSync(path.join(dir, name, 'results.json'), 'utf8'));
    expect(results('cur-queued')).toEqual(results('cur-local'));
    expect(results('cur-local').trainings).toBeGreaterThan(3);
    // the world stays beside the report (its split files and examples name these images)
    expect(readdirSync(path.join(dir, 'cur-local', 'world', 'images')).length).toBe(TINY.trainImages + TINY.valImages + TINY.testImages);
  }, 300_000);

  it('curriculum: --queue goes with --host demo or model, --artifacts with --queue', async () => {
    const model = await runCli(['curriculum', '--policy', 'ssa', '--host', 'simulated', '--queue', redis.url, '--out', path.join(dir, 'never')]);
    expect(model.code).toBe(1);
    expect(model.err).toBe(
      'clip-vg: curriculum: --queue runs the trainings of --host demo or --host model as queue jobs; host "simulated" trains on this machine (its own --host-option workers=N)\n',
    );
    const artifacts = await runCli(['curriculum', '--policy', 'ssa', '--host', 'demo', '--artifacts', '/tmp/x', '--out', path.join(dir, 'never')]);
    expect(artifacts.err).toBe('clip-vg: curriculum: --queue-name and --artifacts go with --queue\n');
  });
});
