/**
 * The queue end to end: a real redis-server (AOF on, a password), the coordinator in this process and worker
 * processes built from this package. Lock settings are short here so that takeovers happen within seconds.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Queue, QueueEvents } from 'bullmq';
import { FusionTrainingPool, type FusionTrainResult } from '@clip-vg/onnx-engine';
import { checkRedis, createRedis } from './connection';
import { freePort, redisServerBinary, startLocalRedis, type LocalRedis } from './local-redis';
import { DEFAULT_QUEUE, encodeJob, TRAIN_JOB } from './payload';
import { QueueTrainingRunner, type QueueEvent } from './runner';
import { labelSets, recipe, spawnWorker, tinySetup, type WorkerProcess } from './test-world';

const redisServer = redisServerBinary();
if (!redisServer) {
  // visible in the test output; CI (.ci/run) installs redis-server so that this never happens there
  console.warn('training-queue: redis-server not found (apt-get install redis-server): the queue tests are skipped');
}
const describeRedis = redisServer ? describe : describe.skip;

const FAST_LOCKS = { lockDuration: 1500, stalledInterval: 500 };

function sameResult(a: FusionTrainResult, b: FusionTrainResult): void {
  expect(a.valAccuracy).toEqual(b.valAccuracy);
  expect(a.bestStep).toBe(b.bestStep);
  expect(a.curve).toEqual(b.curve);
  expect(Object.keys(a.weights)).toEqual(Object.keys(b.weights));
  for (const name of Object.keys(a.weights)) expect(Buffer.compare(Buffer.from(a.weights[name].buffer), Buffer.from(b.weights[name].buffer))).toBe(0);
}

describeRedis('trainings on BullMQ', () => {
  let redis: LocalRedis;
  let artifacts: string;
  const workers: WorkerProcess[] = [];
  const world = tinySetup(1);
  const sets = labelSets(world.all, 4);
  const local = new Map<string, FusionTrainResult>();
  let pool: FusionTrainingPool;

  const startWorker = async (extra: Record<string, unknown> = {}) => {
    const w = spawnWorker({ url: redis.url, artifacts, ...FAST_LOCKS, ...extra });
    workers.push(w);
    await w.ready;
    return w;
  };
  const localResult = async (i: number, steps: number) => {
    const key = `${i}:${steps}`;
    if (!local.has(key)) local.set(key, await pool.train({ rows: sets[i], val: world.val, recipe: recipe(steps), seed: 7 }));
    return local.get(key)!;
  };
  const runner = (events: QueueEvent[], extra: Partial<Parameters<typeof QueueTrainingRunner.start>[0]> = {}) =>
    QueueTrainingRunner.start({ ...world.setup, url: redis.url, artifacts, pollMs: 500, onEvent: (e) => events.push(e), ...extra });

  beforeAll(async () => {
    redis = await startLocalRedis({ password: 'p@ss w0rd' });
    artifacts = mkdtempSync(path.join(tmpdir(), 'clip-vg-queue-'));
    pool = await FusionTrainingPool.start({ ...world.setup, workers: 0 });
    await Promise.all([startWorker(), startWorker()]);
  });
  afterAll(async () => {
    for (const w of workers) w.child.kill('SIGKILL');
    await Promise.all(workers.map((w) => w.exited));
    await pool?.close();
    await redis?.stop();
    rmSync(artifacts, { recursive: true, force: true });
  });

  it("runs a curriculum on two worker processes with the local runner's results, bit for bit; a rerun reuses them", async () => {
    const events: QueueEvent[] = [];
    const queue = await runner(events);
    try {
      const results = await Promise.all(sets.map((rows) => queue.train({ rows, val: world.val, recipe: recipe(20), seed: 7 })));
      for (let i = 0; i < sets.length; i++) sameResult(results[i], await localResult(i, 20));
      const by = new Set(events.flatMap((e) => (e.type === 'completed' ? [e.worker] : [])));
      expect(by.size).toBe(2);
      // predictions run on the coordinator, from the same weights
      expect(await queue.predict(results[0].weights, world.val)).toEqual(await pool.predict(results[0].weights, world.val));
    } finally {
      await queue.close();
    }
    const again: QueueEvent[] = [];
    const rerun = await runner(again);
    try {
      const results = await Promise.all(sets.map((rows) => rerun.train({ rows, val: world.val, recipe: recipe(20), seed: 7 })));
      for (let i = 0; i < sets.length; i++) sameResult(results[i], await localResult(i, 20));
      expect(rerun.reused).toBe(sets.length);
      expect(again.filter((e) => e.type === 'progress')).toEqual([]);
    } finally {
      await rerun.close();
    }
    // another experiment (other initial weights) on the same queue: its own jobs, not the first one's results
    const other = tinySetup(2);
    const second = await QueueTrainingRunner.start({ ...other.setup, url: redis.url, artifacts, pollMs: 500 });
    try {
      await second.train({ rows: sets[0], val: world.val, recipe: recipe(20), seed: 7 });
      expect(second.reused).toBe(0);
    } finally {
      await second.close();
    }
  });

  it('survives a worker killed with SIGKILL mid-training: another takes the job over, same result', async () => {
    const events: QueueEvent[] = [];
    const queue = await runner(events);
    const extra = await startWorker();
    try {
      let killed = '';
      const steps = 200;
      const result = queue.train({ rows: sets[1], val: world.val, recipe: recipe(steps), seed: 7 }, () => undefined);
      // kill whichever worker reports progress first
      await new Promise<void>((resolve) => {
        const timer = setInterval(() => {
          const p = events.find((e) => e.type === 'progress' && e.step > 0);
          if (!p || p.type !== 'progress') return;
          clearInterval(timer);
          killed = p.worker;
          const victim = workers.find((w) => w.lines.some((l) => l.startsWith(`${p.worker}:`)))!;
          victim.child.kill('SIGKILL');
          resolve();
        }, 20);
      });
      sameResult(await result, await localResult(1, steps));
      const finisher = events.find((e) => e.type === 'completed');
      expect(finisher && finisher.type === 'completed' && finisher.worker).not.toBe(killed);
      expect(events.some((e) => e.type === 'stalled')).toBe(true);
    } finally {
      await queue.close();
      void extra;
    }
  });

  it('continues through a Redis restart (AOF): every job finishes once, with the local results', async () => {
    const events: QueueEvent[] = [];
    const queue = await runner(events);
    try {
      const steps = 150;
      const done = Promise.all([2, 3].map((i) => queue.train({ rows: sets[i], val: world.val, recipe: recipe(steps), seed: 7 })));
      await new Promise<void>((resolve) => {
        const timer = setInterval(() => {
          if (!events.some((e) => e.type === 'progress' && e.step > 0)) return;
          clearInterval(timer);
          resolve();
        }, 20);
      });
      await redis.restart(1000);
      const results = await done;
      sameResult(results[0], await localResult(2, steps));
      sameResult(results[1], await localResult(3, steps));
      const completed = events.filter((e) => e.type === 'completed').map((e) => e.jobId);
      expect(new Set(completed).size).toBe(2);
      expect(completed.length).toBe(2);
    } finally {
      await queue.close();
    }
  });

  it('retries a job that fails for a real reason a bounded number of times, then stops with one line naming it', async () => {
    const other = tinySetup(3);
    const queue = await QueueTrainingRunner.start({ ...other.setup, url: redis.url, artifacts, attempts: 2, backoffMs: 100, pollMs: 500 });
    try {
      // the shared volume lost the setup: every worker fails to read it
      unlinkSync(path.join(artifacts, queue.setup.file));
      const error = await queue.train({ rows: sets[0], val: other.val, recipe: recipe(10), seed: 7 }).then(
        () => undefined,
        (e: Error) => e,
      );
      expect(error?.message).toMatch(
        /^training job fusion-[0-9a-f]{16}: ENOENT: no such file or directory, open '.*setup-[0-9a-f]{64}\.bin' \(failed 2 of 2 attempts\)$/,
      );
      expect(error!.message.split('\n')).toHaveLength(1);
    } finally {
      await queue.close();
    }
  });

  it('rejects and logs anything but a well-formed training job, without running it or retrying', async () => {
    const connections = [createRedis(redis.url), createRedis(redis.url)];
    const queue = new Queue(DEFAULT_QUEUE, { connection: connections[0] });
    const events = new QueueEvents(DEFAULT_QUEUE, { connection: connections[1] });
    await events.waitUntilReady();
    const good = JSON.parse(JSON.stringify(encodeJob({ file: 'setup-x.bin', hash: 'a'.repeat(64) }, { rows: sets[0], recipe: recipe(5), seed: 1 })));
    const bad: [string, unknown][] = [
      ['shell', { command: 'touch /tmp/pwned' }],
      [TRAIN_JOB, { ...good, setup: { file: '../../../../etc/passwd', hash: 'a'.repeat(64) } }],
      [TRAIN_JOB, { ...good, setup: { file: '/etc/passwd', hash: 'a'.repeat(64) } }],
      [TRAIN_JOB, { ...good, rows: { n: 2, image: 'garbage!', text: '', boxes: '' } }],
      [TRAIN_JOB, 'not an object'],
    ];
    const before = readdirSync(artifacts).length;
    try {
      const jobs = await Promise.all(bad.map(([name, data], i) => queue.add(name, data, { jobId: `evil-${i}`, attempts: 3 })));
      const reasons = await Promise.all(
        jobs.map((j) =>
          j.waitUntilFinished(events).then(
            () => 'completed',
            (e: Error) => e.message,
          ),
        ),
      );
      for (const reason of reasons) expect(reason).toMatch(/^rejected by .*: /);
      expect(reasons[0]).toMatch(/unknown job name "shell"/);
      expect(reasons[1]).toMatch(/outside the worker's data roots/);
      for (const j of jobs) expect((await queue.getJob(j.id!))!.attemptsMade).toBe(1);
      expect(workers.flatMap((w) => w.lines).filter((l) => / rejected job evil-/.test(l))).toHaveLength(bad.length);
      expect(readdirSync(artifacts).length).toBe(before);
      expect(existsSync('/tmp/pwned')).toBe(false);
    } finally {
      await events.close();
      await queue.close();
      for (const c of connections) c.disconnect();
    }
  });

  it('withdraws the jobs nobody started when the coordinator closes (announced trainings a policy never used)', async () => {
    const events: QueueEvent[] = [];
    // a queue no worker listens on: the job stays waiting
    const name = 'clip-vg-nobody-listens';
    const queue = await runner(events, { queue: name });
    const pending = queue.train({ rows: sets[0], val: world.val, recipe: recipe(5), seed: 11 });
    const rejected = expect(pending).rejects.toThrow(/training queue closed/);
    while (!events.some((e) => e.type === 'queued')) await new Promise((r) => setTimeout(r, 20));
    const jobId = events.find((e) => e.type === 'queued')!.jobId;
    const connection = createRedis(redis.url);
    const inspect = new Queue(name, { connection });
    try {
      expect(await (await inspect.getJob(jobId))?.getState()).toBe('waiting');
      await queue.close();
      await rejected;
      expect(events).toContainEqual({ type: 'withdrawn', jobId });
      expect(await inspect.getJob(jobId)).toBeUndefined();
    } finally {
      await inspect.close();
      connection.disconnect();
    }
  });

  it('says in one line when Redis is unreachable or the password is wrong', async () => {
    const port = new URL(redis.url).port;
    await expect(checkRedis(`redis://:nope@127.0.0.1:${port}`)).rejects.toThrow(
      `redis://:***@127.0.0.1:${port}: wrong password or user (Redis refused the credentials)`,
    );
    await expect(checkRedis(`redis://127.0.0.1:${port}`)).rejects.toThrow(/asks for a password/);
    await expect(checkRedis('redis://127.0.0.1:1')).rejects.toThrow('redis://127.0.0.1:1: cannot connect (connection refused: is redis-server running there?)');
    await expect(checkRedis('http://127.0.0.1:1')).rejects.toThrow(/expected a redis:\/\/ or rediss:\/\/ URL/);
    await expect(checkRedis(redis.url)).resolves.toEqual({ version: expect.stringMatching(/^\d+\.\d+/) });
  });

  it('connects over rediss:// (TLS) with a password', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'clip-vg-tls-'));
    const port = await freePort();
    const cert = path.join(dir, 'cert.pem');
    const key = path.join(dir, 'key.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        key,
        '-out',
        cert,
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=DNS:localhost,IP:127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
    const server = spawn(
      'redis-server',
      [
        '--port',
        '0',
        '--tls-port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--tls-cert-file',
        cert,
        '--tls-key-file',
        key,
        '--tls-ca-cert-file',
        cert,
        '--tls-auth-clients',
        'no',
        '--requirepass',
        'tls pass',
        '--save',
        '',
        '--dir',
        dir,
      ],
      { stdio: 'ignore' },
    );
    try {
      // a private CA is trusted the Node way, from the process start: hence a child process
      const dist = JSON.stringify(path.resolve(__dirname, '..', 'dist', 'index.js'));
      const url = `rediss://:tls%20pass@localhost:${port}`;
      const script = `const q = require(${dist});
        (async () => {
          for (let i = 0; ; i++) { try { await q.checkRedis(${JSON.stringify(url)}); break; } catch (e) { if (i > 50) throw e; await new Promise((r) => setTimeout(r, 100)); } }
          const r = q.createRedis(${JSON.stringify(url)}); await r.set('k', 'v'); console.log(await r.get('k')); r.disconnect();
          try { await q.checkRedis(${JSON.stringify(url.replace('tls%20pass', 'nope'))}); } catch (e) { console.log(e.message); }
        })().catch((e) => { console.log('error ' + e.message); process.exit(1); });`;
      const out = execFileSync(process.execPath, ['-e', script], { env: { ...process.env, NODE_EXTRA_CA_CERTS: cert }, encoding: 'utf8' });
      expect(out.split('\n').filter(Boolean)).toEqual(['v', `rediss://:***@localhost:${port}: wrong password or user (Redis refused the credentials)`]);
    } finally {
      server.kill('SIGTERM');
      await new Promise((r) => server.once('exit', r));
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
