/**
 * `npm run bench [-- --quick] [--name NAME] [--only a,b]`: starts the built server and same-run
 * baselines, drives them from separate processes on loopback, and writes bench/results/NAME.json,
 * NAME.md and NAME.svg. Figures are reported next to the baseline measured in the same run, because
 * absolute numbers on a shared 2-core machine drift. Quick mode (CI) only proves the harness runs.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchProblems } from './check.js';
import { frameCost, prefixCost, tokenizerCost } from './prefix-cost.js';
import { recordingScenario } from './recording.js';
import { markdown, svgPlot } from './report.js';
import {
  type BenchResults,
  burst,
  clusterScenario,
  LOAD_TOOL_NAME,
  mock,
  NONSTREAM_BODY,
  nonStreaming,
  type Plan,
  post,
  startup,
  STREAM_BODY,
  streaming,
  timing,
} from './scenarios.js';

const argv = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
};
const quick = argv.includes('--quick');
const name = flag('name') ?? (quick ? 'quick' : 'latest');
const expectTool = flag('expect-tool');
const only = new Set(
  (flag('only') ?? 'nonstreaming,streaming,timing,burst,cluster,startup,recording,prefix').split(','),
);

const plan: Plan = quick
  ? {
      quick,
      seconds: 1,
      warmup: 0.3,
      connections: 16,
      concurrencies: [1, 50],
      clusterConcurrencies: [50],
      timingSeconds: 1,
      startups: 2,
      rounds: 1,
      burstArrivals: [50],
      burstTokens: [2, 64],
      burstRounds: 2,
      burstFreshArrivals: 50,
      cpuStreams: 50,
      cpuRounds: 1,
    }
  : {
      quick,
      seconds: 4,
      warmup: 2,
      connections: 32,
      concurrencies: [1, 50, 200, 500, 1000],
      clusterConcurrencies: [500, 1000],
      timingSeconds: 6,
      startups: 7,
      rounds: 5,
      burstArrivals: [50, 200, 500],
      burstTokens: [2, 64],
      burstRounds: 8,
      burstFreshArrivals: 200,
      cpuStreams: 200,
      cpuRounds: 5,
    };

const resultsDir = fileURLToPath(new URL('../../bench/results/', import.meta.url));
mkdirSync(resultsDir, { recursive: true });

/** The baselines send exactly what the mock sends: sample it once. */
async function sampleBodies(): Promise<NodeJS.ProcessEnv> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-bodies-'));
  const p = await mock(['--fast']);
  try {
    const body = await post(`${p.url}/v1/chat/completions`, NONSTREAM_BODY);
    const stream = await post(`${p.url}/v1/chat/completions`, STREAM_BODY);
    writeFileSync(join(dir, 'body.json'), body);
    writeFileSync(join(dir, 'stream.txt'), stream);
    return { BENCH_BODY_FILE: join(dir, 'body.json'), BENCH_STREAM_FILE: join(dir, 'stream.txt') };
  } finally {
    await p.stop();
  }
}

const results: BenchResults = {
  name,
  quick,
  machine: {
    date: new Date().toISOString(),
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    node: process.version,
    loadTool: LOAD_TOOL_NAME,
  },
};
const log = (msg: string): void => void process.stderr.write(`[bench] ${msg}\n`);

log(`load tool: ${LOAD_TOOL_NAME}`);
const env = await sampleBodies();
if (only.has('nonstreaming')) {
  log('overhead, non-streaming');
  results.nonStreaming = await nonStreaming(plan, env);
}
if (only.has('streaming')) {
  log('overhead, streaming');
  results.streaming = await streaming(plan, env);
}
if (only.has('timing')) {
  log('timing accuracy');
  results.timing = await timing(plan);
}
if (only.has('burst')) {
  log('bursts of simultaneous arrivals');
  results.burst = await burst(plan);
}
if (only.has('cluster')) {
  log('cluster');
  results.cluster = await clusterScenario(plan);
}
if (only.has('startup')) {
  log('start-up');
  results.startup = await startup(plan);
}

if (only.has('recording')) {
  log('request recording');
  results.recording = await recordingScenario(plan);
}
if (only.has('prefix')) {
  log('prefix cache cost per request');
  results.prefix = prefixCost(quick);
  results.tokenizers = tokenizerCost(quick);
  results.frames = frameCost(quick);
}

const md = markdown(results);
writeFileSync(join(resultsDir, `${name}.json`), JSON.stringify(results, null, 2) + '\n');
writeFileSync(join(resultsDir, `${name}.md`), md + '\n');
writeFileSync(join(resultsDir, `${name}.svg`), svgPlot(results) + '\n');
process.stdout.write(md + '\n');
log(`wrote bench/results/${name}.{json,md,svg}`);
const problems = benchProblems(results, expectTool);
for (const p of problems) log(`PROBLEM: ${p}`);
if (problems.length > 0) process.exit(1);
