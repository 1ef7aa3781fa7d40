import { type FrameCostRow, type PrefixCostRow, type TokenizerCostRow } from './prefix-cost.js';
import { type RecordingResult } from './recording.js';
import { spawn, spawnSync } from 'node:child_process';
import { request } from 'node:http';
import { SEMI_SPACE_FLAG } from '../src/server/heap.js';
import { DIST, launch, type Proc, processTree, rssMb, SERVER_MAIN, withCpu } from './procs.js';
import { LOAD_TOOL, postLoad } from './load.js';
import { median } from './stats.js';

export interface Histogram {
  lo: number;
  hi: number;
  counts: number[];
}
export interface ErrorSummary {
  n: number;
  p50: number;
  p99: number;
  max: number;
  mean: number;
  /** Share (0–1) of samples whose absolute error is above 1 ms: how far a p99 ≤ 1 ms target is. */
  over1ms: number;
}
export interface TimingLevel {
  concurrency: number;
  streams: number;
  badStreams: number;
  tokensPerSec: number;
  serverCores: number;
  ttft: ErrorSummary;
  itl: ErrorSummary;
  drift: ErrorSummary;
  itlHistogram: Histogram;
  ttftHistogram: Histogram;
}

export interface BenchResults {
  name: string;
  quick: boolean;
  machine: { date: string; cpu: string; cores: number; node: string; loadTool: string };
  nonStreaming?: {
    connections: number;
    seconds: number;
    targets: { name: string; rps: number; cpuPer1k: number; failures: number }[];
  };
  streaming?: {
    connections: number;
    seconds: number;
    eventsPerStream: number;
    targets: { name: string; eventsPerSec: number; cpuPer100kEvents: number; failures: number }[];
  };
  timing?: {
    ttft: number;
    itl: number;
    tokens: number;
    seconds: number;
    levels: TimingLevel[];
    maxConcurrencyWithin1ms: number | null;
    /**
     * Same run, same client, each level right after the mock's: a bare node:http server pacing the same
     * streams with one setTimeout per event (bench/baselines/bare-timed.ts).
     */
    baselineLevels?: TimingLevel[];
    /** The same levels against the mock with `--workers 2` (no spare), measured after the others. */
    clusterLevels?: TimingLevel[];
    /** Same run, idle machine: how late a 5 ms futex sleep wakes (ms); a floor under the ITL error. */
    machineWake?: { sleepMs: number; n: number; p50: number; p99: number; max: number };
    /**
     * Server CPU seconds per 100k tokens at `streams` closed-loop streams, in rounds alternating between
     * the mock and the bare server (mock bare, bare mock, ...): one level each (above) puts a noisy
     * stretch of the host on one side only.
     */
    cpuPerToken?: { streams: number; seconds: number; mock: number[]; bare: number[] };
  };
  cluster?: {
    targets: {
      workers: number;
      eventsPerSec: number;
      cpuPer100kEvents: number;
      primaryCpuShare: number | null;
      rssPerWorkerMb: number[];
      /** Before any load, 3 s after start (V8's memory reducer has run). */
      rssIdleMb?: number[];
      /** Non-2xx answers and socket errors the load tool saw. */
      failures?: number;
    }[];
  };
  startup?: {
    samplesMs: number[];
    medianMs: number;
    bareNodeMs: number;
    warmSamplesMs: number[];
    warmMedianMs: number;
  };
  /** The timing client at one level against the mock without and with --record-requests (issue 21). */
  recording?: RecordingResult;
  /** Prefix-cache CPU per request (issue 18), in-process. */
  prefix?: PrefixCostRow[];
  /** Tokenizer start-up and prompt counting cost (issue 20), in-process. */
  tokenizers?: TokenizerCostRow[];
  /** Chat chunk building per token, plain and with logprobs (issue 20), in-process. */
  frames?: FrameCostRow[];
  /** N simultaneous arrivals, mock and bare-timed side by side (issue 19). */
  burst?: {
    ttft: number;
    itl: number;
    rounds: number;
    /** `fresh`: each round on new connections (opened right before the writes), else kept-alive ones. */
    levels: { arrivals: number; tokens: number; fresh?: boolean; mock: BurstSide; bare: BurstSide }[];
  };
}

export interface BurstSide {
  streams: number;
  badStreams: number;
  ttft: ErrorSummary;
  itl: ErrorSummary;
  drift: ErrorSummary;
  /** Server CPU seconds over the level's rounds. */
  cpu: number;
  /** Each round's TTFT |error| p99 (ms), in order. */
  roundTtftP99?: number[];
}

export interface Plan {
  quick: boolean;
  seconds: number;
  warmup: number;
  connections: number;
  concurrencies: number[];
  /** Timing levels also run against `--workers 2` (issue 19: the cluster must keep up where one worker does). */
  clusterConcurrencies: number[];
  timingSeconds: number;
  startups: number;
  /** Interleaved rounds per overhead target; the median round is reported. */
  rounds: number;
  /** Burst scenario: simultaneous arrivals per level, answer lengths, rounds per level. */
  burstArrivals: number[];
  burstTokens: number[];
  burstRounds: number;
  /** Burst scenario: arrivals of the rows on new connections. */
  burstFreshArrivals: number;
  /** Timing scenario: per-token CPU at this many streams in alternated rounds (mock bare, bare mock, ...). */
  cpuStreams: number;
  cpuRounds: number;
}

export const NONSTREAM_BODY = JSON.stringify({
  model: 'bench',
  messages: [{ role: 'user', content: 'Hello, how are you today?' }],
  max_tokens: 16,
  ignore_eos: true,
});
export const STREAM_TOKENS = 256;
export const STREAM_BODY = JSON.stringify({
  model: 'bench',
  messages: [{ role: 'user', content: 'Hello, how are you today?' }],
  max_tokens: STREAM_TOKENS,
  ignore_eos: true,
  stream: true,
});

export function post(url: string, body: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve(text));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** One `/health` answer: its status and the answering worker's warm-up state (null: no answer). */
function health(url: string): Promise<{ status: number; warmUp: string } | null> {
  return new Promise((resolve) => {
    const req = request(`${url}/health`, { agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => {
        try {
          const body = JSON.parse(text) as { warm_up?: { state?: string } };
          resolve({ status: res.statusCode ?? 0, warmUp: String(body.warm_up?.state ?? 'off') });
        } catch {
          resolve(null);
        }
      });
    });
    req.on('error', () => resolve(null));
    req.end();
  });
}

/**
 * Until the server's warm-up is over (src/server/warm-up.ts): a benchmark meets the mock after its own
 * start-up (AIPerf takes seconds to load its tokenizer and spawn its workers), by which time the
 * warm-up is done. With several workers the answers come from each in turn, so several in a row must
 * say so.
 */
export async function warmedUp(url: string, inARow = 1, timeoutMs = 60_000): Promise<number> {
  const t0 = performance.now();
  let seen = 0;
  while (seen < inARow) {
    const state = (await health(url))?.warmUp;
    seen = state === 'done' || state === 'off' ? seen + 1 : 0;
    if (performance.now() - t0 > timeoutMs) throw new Error(`warm-up not over after ${timeoutMs} ms`);
    if (seen < inARow) await new Promise((r) => setTimeout(r, 250));
  }
  return performance.now() - t0;
}

/**
 * The mock (or a variant of it: `script`), once its warm-up is over: idle, a server that still warms
 * would take CPU from the one being measured beside it.
 */
async function launchMock(name: string, script: string, args: string[]): Promise<Proc> {
  const p = await launch(name, script, ['--port', '0', '--dcgm-port', '0', ...args], {}, [SEMI_SPACE_FLAG]);
  const workers = args.includes('--workers') ? Number(args[args.indexOf('--workers') + 1]) : 1;
  await warmedUp(p.url, 3 * workers - 2);
  return p;
}

export const mock = (args: string[]): Promise<Proc> => launchMock('mock', SERVER_MAIN, args);
const baseline = (name: 'bare-http' | 'bare-express' | 'bare-timed', env: NodeJS.ProcessEnv): Promise<Proc> =>
  launch(name, `${DIST}bench/baselines/${name}.js`, [], env);
/** The mock with the node:http dispatcher it used before express (bench/baselines/mock-dispatcher.ts). */
const mockDispatcher = (args: string[]): Promise<Proc> =>
  launchMock('mock-dispatcher', `${DIST}bench/baselines/mock-dispatcher.js`, args);

async function measuredLoad(p: Proc, body: string, plan: Plan) {
  const url = `${p.url}/v1/chat/completions`;
  await postLoad(url, body, plan.connections, plan.warmup);
  return withCpu(p.child.pid!, () => postLoad(url, body, plan.connections, plan.seconds));
}

interface RoundResult {
  rps: number;
  requests: number;
  cpu: number;
  failures: number;
}

/**
 * Runs every target in turn, `plan.rounds` times (A B C A B C ...), and keeps each target's median
 * round: the machine's drift then hits all targets alike instead of whichever ran last.
 */
async function interleaved(
  starts: (() => Promise<Proc>)[],
  body: string,
  plan: Plan,
): Promise<{ name: string; median: RoundResult }[]> {
  const procs: Proc[] = [];
  try {
    for (const start of starts) procs.push(await start());
    for (const p of procs) await postLoad(`${p.url}/v1/chat/completions`, body, plan.connections, plan.warmup);
    const rounds = new Map<string, RoundResult[]>(procs.map((p) => [p.name, []]));
    for (let r = 0; r < plan.rounds; r++) {
      for (const p of procs) {
        const { result, cpu } = await withCpu(p.child.pid!, () =>
          postLoad(`${p.url}/v1/chat/completions`, body, plan.connections, plan.seconds),
        );
        rounds.get(p.name)!.push({ rps: result.rps, requests: result.requests, cpu, failures: result.failures });
      }
    }
    return procs.map((p) => {
      const list = [...rounds.get(p.name)!].sort((a, b) => a.rps - b.rps);
      // The median round's figures, but the failures of every round: one failure anywhere counts.
      const failures = list.reduce((n, r) => n + r.failures, 0);
      return { name: p.name, median: { ...list[Math.floor(list.length / 2)]!, failures } };
    });
  } finally {
    for (const p of procs) await p.stop();
  }
}

export async function nonStreaming(
  plan: Plan,
  env: NodeJS.ProcessEnv,
): Promise<NonNullable<BenchResults['nonStreaming']>> {
  const results = await interleaved(
    [
      () => baseline('bare-http', env),
      () => baseline('bare-express', env),
      () => mockDispatcher(['--fast']),
      () => mock(['--fast']),
    ],
    NONSTREAM_BODY,
    plan,
  );
  return {
    connections: plan.connections,
    seconds: plan.seconds,
    targets: results.map(({ name, median: m }) => ({
      name,
      rps: m.rps,
      cpuPer1k: (m.cpu / m.requests) * 1000,
      failures: m.failures,
    })),
  };
}

export async function streaming(plan: Plan, env: NodeJS.ProcessEnv): Promise<NonNullable<BenchResults['streaming']>> {
  const results = await interleaved(
    [() => baseline('bare-http', env), () => mockDispatcher(['--fast']), () => mock(['--fast'])],
    STREAM_BODY,
    plan,
  );
  return {
    connections: plan.connections,
    seconds: plan.seconds,
    eventsPerStream: STREAM_TOKENS,
    targets: results.map(({ name, median: m }) => {
      const events = m.requests * STREAM_TOKENS;
      return {
        name,
        eventsPerSec: m.rps * STREAM_TOKENS,
        cpuPer100kEvents: (m.cpu / events) * 100_000,
        failures: m.failures,
      };
    }),
  };
}

/** Runs one of the bench's own scripts in its own process and parses the JSON it prints. */
function jsonChild<T>(script: string, args: string[]): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [`${DIST}bench/${script}`, ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code) =>
      code === 0 ? resolve(JSON.parse(out) as T) : reject(new Error(`${script} exited ${code}`)),
    );
  });
}

export const timingClient = (args: Record<string, unknown>) =>
  jsonChild<Omit<TimingLevel, 'concurrency' | 'tokensPerSec' | 'serverCores'>>('timing-client.js', [
    JSON.stringify(args),
  ]);

const machineWake = (seconds: number) =>
  jsonChild<NonNullable<NonNullable<BenchResults['timing']>['machineWake']>>('baselines/sleep-precision.js', [
    String(seconds),
    '5',
  ]);

export async function timing(plan: Plan): Promise<NonNullable<BenchResults['timing']>> {
  const ttft = 20;
  const itl = 5;
  const tokens = 100;
  const wake = await machineWake(plan.timingSeconds);
  const p = await mock(['--ttft', String(ttft), '--itl', String(itl)]);
  const base = await baseline('bare-timed', { BENCH_TTFT: String(ttft), BENCH_ITL: String(itl) });
  const levels: TimingLevel[] = [];
  const baselineLevels: TimingLevel[] = [];
  const cpuMock: number[] = [];
  const cpuBare: number[] = [];
  /** One level against one server; the other server is idle meanwhile. */
  const level = async (target: Proc, concurrency: number): Promise<TimingLevel> => {
    const { result, cpu } = await withCpu(target.child.pid!, () =>
      timingClient({ url: target.url, concurrency, tokens, seconds: plan.timingSeconds, ttft, itl }),
    );
    const elapsed = plan.timingSeconds + (ttft + tokens * itl) / 1000;
    return { concurrency, tokensPerSec: (result.streams * tokens) / elapsed, serverCores: cpu / elapsed, ...result };
  };
  const clusterLevels: TimingLevel[] = [];
  /** `--workers 2` (no spare) at one level, on a cluster started for it and stopped after (not idle beside the rest). */
  const clusterLevel = async (concurrency: number): Promise<TimingLevel> => {
    const cluster = await mock(['--ttft', String(ttft), '--itl', String(itl), '--workers', '2', '--no-spare-worker']);
    try {
      await timingClient({ url: cluster.url, concurrency: 20, tokens: 20, seconds: plan.warmup, ttft, itl });
      return await level(cluster, concurrency);
    } finally {
      await cluster.stop();
    }
  };
  try {
    for (const target of [p, base])
      await timingClient({ url: target.url, concurrency: 20, tokens: 20, seconds: plan.warmup, ttft, itl });
    for (const concurrency of plan.concurrencies) {
      levels.push(await level(p, concurrency));
      baselineLevels.push(await level(base, concurrency));
      // Right after the one-worker level, not after every other level: the host drifts over a run, and
      // "two workers keep up where one does" is a comparison of the two.
      if (plan.clusterConcurrencies.includes(concurrency)) clusterLevels.push(await clusterLevel(concurrency));
    }
    const sides = [
      [p, cpuMock],
      [base, cpuBare],
    ] as const;
    for (let r = 0; r < plan.cpuRounds; r++)
      for (const [target, into] of r % 2 === 0 ? sides : [...sides].reverse()) {
        const l = await level(target, plan.cpuStreams);
        into.push((l.serverCores / l.tokensPerSec) * 100_000);
      }
  } finally {
    await Promise.all([p.stop(), base.stop()]);
  }
  const ok = levels.filter((l) => l.itl.p99 <= 1 && l.badStreams === 0).map((l) => l.concurrency);
  return {
    ttft,
    itl,
    tokens,
    seconds: plan.timingSeconds,
    levels,
    maxConcurrencyWithin1ms: ok.length ? Math.max(...ok) : null,
    baselineLevels,
    clusterLevels,
    machineWake: wake,
    cpuPerToken: { streams: plan.cpuStreams, seconds: plan.timingSeconds, mock: cpuMock, bare: cpuBare },
  };
}

/**
 * N requests written in the same instant (as `aiperf profile --concurrency N` starts, or a trace
 * replay's timestamp), answered by the mock and by the bare setTimeout server with the same client,
 * its rounds alternating between the two; each level is `burstRounds` rounds for each. TTFT 20 ms,
 * ITL 5 ms.
 */
export async function burst(plan: Plan): Promise<NonNullable<BenchResults['burst']>> {
  const ttft = 20;
  const itl = 5;
  const p = await mock(['--ttft', String(ttft), '--itl', String(itl)]);
  const base = await baseline('bare-timed', { BENCH_TTFT: String(ttft), BENCH_ITL: String(itl) });
  const levels: NonNullable<BenchResults['burst']>['levels'] = [];
  // The client's report without its histograms (with cpuPids and burst it has cpu and roundTtftP99).
  const side = (r: BurstSide): BurstSide => ({
    streams: r.streams,
    badStreams: r.badStreams,
    ttft: r.ttft,
    itl: r.itl,
    drift: r.drift,
    cpu: r.cpu,
    roundTtftP99: r.roundTtftP99,
  });
  // One client for both servers, its rounds alternating between them (see timing-client.ts): each
  // server's CPU is counted over its own rounds.
  const level = async (arrivals: number, tokens: number, fresh: boolean) => {
    const r = await jsonChild<BurstSide & { versus: BurstSide }>('timing-client.js', [
      JSON.stringify({
        url: p.url,
        versus: base.url,
        cpuPids: [processTree(p.child.pid!), processTree(base.child.pid!)],
        concurrency: arrivals,
        tokens,
        seconds: 0,
        ttft,
        itl,
        burst: plan.burstRounds,
        fresh,
      }),
    ]);
    return { arrivals, tokens, ...(fresh ? { fresh } : {}), mock: side(r), bare: side(r.versus) };
  };
  try {
    for (const target of [p, base])
      await timingClient({ url: target.url, concurrency: 20, tokens: 20, seconds: 0, ttft, itl, burst: 2 });
    for (const arrivals of plan.burstArrivals)
      for (const tokens of plan.burstTokens) levels.push(await level(arrivals, tokens, false));
    // The target's level again on new connections: libuv accepts one per loop turn (decision 0009).
    for (const tokens of plan.burstTokens) levels.push(await level(plan.burstFreshArrivals, tokens, true));
  } finally {
    await Promise.all([p.stop(), base.stop()]);
  }
  return { ttft, itl, rounds: plan.burstRounds, levels };
}

export async function clusterScenario(plan: Plan): Promise<NonNullable<BenchResults['cluster']>> {
  const targets: NonNullable<BenchResults['cluster']>['targets'] = [];
  for (const workers of [1, 2]) {
    const p = await mock(['--fast', '--workers', String(workers)]);
    try {
      await new Promise((r) => setTimeout(r, 3000));
      const pidsOf = (): number[] => (workers === 1 ? [p.child.pid!] : processTree(p.child.pid!).slice(1));
      const rssIdleMb = pidsOf().map(rssMb);
      const { result, cpu, perPid } = await measuredLoad(p, STREAM_BODY, plan);
      const events = result.requests * STREAM_TOKENS;
      targets.push({
        workers,
        eventsPerSec: events / result.seconds,
        cpuPer100kEvents: (cpu / events) * 100_000,
        // In cluster mode the primary does almost nothing but fold telemetry batches: an upper bound of their cost.
        primaryCpuShare: workers === 1 ? null : (perPid.get(p.child.pid!) ?? 0) / cpu,
        rssPerWorkerMb: pidsOf().map(rssMb),
        rssIdleMb,
        failures: result.failures,
      });
    } finally {
      await p.stop();
    }
  }
  return { targets };
}

export async function startup(plan: Plan): Promise<NonNullable<BenchResults['startup']>> {
  const samplesMs: number[] = [];
  const warmSamplesMs: number[] = [];
  for (let i = 0; i < plan.startups; i++) {
    const port = 18_000 + Math.floor(Math.random() * 2000);
    const t0 = performance.now();
    const child = spawn(process.execPath, [SEMI_SPACE_FLAG, SERVER_MAIN, '--port', String(port), '--dcgm-port', '0'], {
      stdio: 'ignore',
    });
    const url = `http://127.0.0.1:${port}`;
    while ((await health(url))?.status !== 200) {
      if (child.exitCode !== null) throw new Error('server exited during start-up');
      await new Promise((r) => setTimeout(r, 5));
    }
    samplesMs.push(performance.now() - t0);
    await warmedUp(url);
    warmSamplesMs.push(performance.now() - t0);
    await new Promise<void>((r) => {
      child.once('exit', () => r());
      child.kill('SIGTERM');
    });
  }
  const bare: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    spawnSync(process.execPath, ['-e', '0']);
    bare.push(performance.now() - t0);
  }
  return {
    samplesMs,
    medianMs: median(samplesMs),
    bareNodeMs: median(bare),
    warmSamplesMs,
    warmMedianMs: median(warmSamplesMs),
  };
}

export const LOAD_TOOL_NAME = LOAD_TOOL;
