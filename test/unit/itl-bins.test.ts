import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { binGaps, ITL_BOUNDS, type ItlBins, uniformGaps } from '../../src/telemetry/itl-bins.js';
import { DYNAMO_ITL, MOCK_ITL, SGLANG_ITL, VLLM_ITL } from '../../src/telemetry/metrics/buckets.js';
import { FastHistogram } from '../../src/telemetry/metrics/fast-histogram.js';

interface Sample {
  metricName: string;
  labels: Record<string, string | number>;
  value: number;
}
const samples = (h: FastHistogram): Sample[] => h.get().values;

/** The count in one ITL_BOUNDS bucket of a request's (bucket, count) pairs. */
function countIn(bins: ItlBins, bucket: number): number {
  for (let k = 0; k < bins.buckets.length; k += 2) if (bins.buckets[k] === bucket) return bins.buckets[k + 1]!;
  return 0;
}

/** Two histograms with the same bounds: one fed the raw gaps, one the binned summary. */
function pair(bounds: readonly number[]) {
  const registry = new Registry();
  const raw = new FastHistogram('raw', 'h', bounds, registry);
  const binned = new FastHistogram('binned', 'h', bounds, registry);
  return { raw, binned, rawSeries: raw.bind({ m: 'x' }), binnedSeries: binned.bind({ m: 'x' }) };
}

function assertSame(raw: FastHistogram, binned: FastHistogram): void {
  const a = samples(raw);
  const b = samples(binned);
  assert.equal(a.length, b.length);
  for (let i = 0; i < a.length; i++) {
    assert.deepEqual(a[i]!.labels, b[i]!.labels);
    if (a[i]!.metricName.endsWith('_sum')) assert.ok(Math.abs(a[i]!.value - b[i]!.value) < 1e-9);
    else assert.equal(b[i]!.value, a[i]!.value, `${a[i]!.metricName} ${JSON.stringify(a[i]!.labels)}`);
  }
}

describe('binned inter-token gaps', () => {
  it('holds every page’s ITL bounds, ascending', () => {
    for (const bounds of [VLLM_ITL, SGLANG_ITL, DYNAMO_ITL, MOCK_ITL])
      for (const b of bounds) assert.ok(ITL_BOUNDS.includes(b), String(b));
    for (let i = 1; i < ITL_BOUNDS.length; i++) assert.ok(ITL_BOUNDS[i]! > ITL_BOUNDS[i - 1]!);
  });

  it('gives every page exactly the buckets, count and sum of the raw gaps', () => {
    let seed = 7;
    const rand = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (const bounds of [VLLM_ITL, SGLANG_ITL, DYNAMO_ITL, MOCK_ITL]) {
      const { raw, binned, rawSeries, binnedSeries } = pair(bounds);
      for (let r = 0; r < 200; r++) {
        // token arrival times (ms) with gaps from 0 to ~3 s, and gaps exactly on bucket bounds
        const times = [rand() * 100];
        const n = 1 + Math.floor(rand() * 60);
        for (let i = 0; i < n; i++) {
          const onBound = rand() < 0.2;
          const gap = onBound ? bounds[Math.floor(rand() * bounds.length)]! * 1000 : rand() ** 3 * 3000;
          times.push(times[times.length - 1]! + gap);
        }
        for (let i = 1; i < times.length; i++) rawSeries.observe((times[i]! - times[i - 1]!) / 1000);
        binnedSeries.addItl(binGaps(times));
      }
      assertSame(raw, binned);
    }
  });

  it('bins a uniform timeline in one bucket and nothing for fewer than two tokens', () => {
    const { raw, binned, rawSeries, binnedSeries } = pair(VLLM_ITL);
    for (let i = 0; i < 15; i++) rawSeries.observe(0.025);
    binnedSeries.addItl(uniformGaps(25, 15));
    assertSame(raw, binned);
    assert.equal(uniformGaps(25, 0), null);
    assert.equal(binGaps([3]), null);
    assert.equal(binGaps([]), null);
  });

  it('refuses a histogram whose bounds are not all in ITL_BOUNDS', () => {
    const h = new FastHistogram('odd', 'h', [0.0123], new Registry()).bind({});
    assert.throws(() => h.addItl(uniformGaps(5, 1)), /not in ITL_BOUNDS/);
  });

  it('puts fixed gaps in the buckets written out here (not derived from the code under test)', () => {
    // Prometheus counts a value in the first bucket whose upper bound is >= it.
    const at = (bound: number): number => ITL_BOUNDS.indexOf(bound);
    for (const b of [0.01, 0.013, 0.025]) assert.ok(at(b) >= 0, `bound ${b}`);
    // Times exactly representable in binary, so each gap is exactly what it says.
    const bins = binGaps([0, 10, 20.25, 45.25, 100_045.25])!;
    assert.equal(bins.n, 4);
    assert.equal(countIn(bins, at(0.01)), 1, 'exactly 10 ms is in le=0.01');
    assert.equal(countIn(bins, at(0.013)), 1, '10.25 ms is in le=0.013 (a bound of another page)');
    assert.equal(countIn(bins, at(0.025)), 1, 'exactly 25 ms is in le=0.025');
    assert.equal(countIn(bins, ITL_BOUNDS.length), 1, '100 s is above every bound');
    // Only the non-empty buckets, ascending, as (bucket, count) pairs.
    assert.deepEqual(bins.buckets, [at(0.01), 1, at(0.013), 1, at(0.025), 1, ITL_BOUNDS.length, 1]);
    assert.equal(bins.sumMs, 100_045.25);
    // Through a vLLM page's histogram: cumulative counts per le as a scraper reads them.
    const { binned, binnedSeries } = pair(VLLM_ITL);
    binnedSeries.addItl(bins);
    const cumulative = Object.fromEntries(
      samples(binned)
        .filter((x) => x.metricName.endsWith('_bucket'))
        .map((x) => [String(x.labels['le']), x.value]),
    );
    assert.equal(cumulative['0.01'], 1);
    assert.equal(cumulative['0.025'], 3);
    assert.equal(cumulative['80'], 3);
    assert.equal(cumulative['+Inf'], 4);
  });
});
