import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { benchProblems } from '../../bench/check.js';
import { type BenchResults, type TimingLevel } from '../../bench/scenarios.js';

const summary = { n: 1, p50: 0, p99: 0, max: 0, mean: 0, over1ms: 0 };
const level = (badStreams: number): TimingLevel => ({
  concurrency: 50,
  streams: 50,
  badStreams,
  tokensPerSec: 1,
  serverCores: 0.1,
  ttft: summary,
  itl: summary,
  drift: summary,
  itlHistogram: { lo: 0, hi: 1, counts: [] },
  ttftHistogram: { lo: 0, hi: 1, counts: [] },
});
const healthy = (): BenchResults => ({
  name: 't',
  quick: true,
  machine: { date: '', cpu: '', cores: 2, node: '', loadTool: 'wrk' },
  nonStreaming: { connections: 1, seconds: 1, targets: [{ name: 'mock', rps: 100, cpuPer1k: 1, failures: 0 }] },
  streaming: {
    connections: 1,
    seconds: 1,
    eventsPerStream: 1,
    targets: [{ name: 'mock', eventsPerSec: 100, cpuPer100kEvents: 1, failures: 0 }],
  },
  timing: { ttft: 1, itl: 1, tokens: 1, seconds: 1, levels: [level(0)], maxConcurrencyWithin1ms: null },
  cluster: {
    targets: [
      { workers: 2, eventsPerSec: 1, cpuPer100kEvents: 1, primaryCpuShare: 0, rssPerWorkerMb: [], failures: 0 },
    ],
  },
});

describe('bench problems (what fails the quick bench in CI)', () => {
  it('a clean run has none', () => {
    assert.deepEqual(benchProblems(healthy(), 'wrk'), []);
  });
  it('errors in any scenario, broken timing streams or another load tool are each a problem', () => {
    const cases: [string, (r: BenchResults) => void, string | undefined][] = [
      ['non-streaming 5xx', (r) => (r.nonStreaming!.targets[0]!.failures = 3), undefined],
      ['no requests at all', (r) => (r.nonStreaming!.targets[0]!.rps = 0), undefined],
      ['streaming errors', (r) => (r.streaming!.targets[0]!.failures = 1), undefined],
      ['bad timing streams', (r) => (r.timing!.levels = [level(2)]), undefined],
      ['cluster errors', (r) => (r.cluster!.targets[0]!.failures = 5), undefined],
      ['fell back to autocannon', (r) => (r.machine.loadTool = 'autocannon'), 'wrk'],
    ];
    for (const [what, spoil, tool] of cases) {
      const r = healthy();
      spoil(r);
      assert.equal(benchProblems(r, tool).length, 1, what);
    }
  });
});
