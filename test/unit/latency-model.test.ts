import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import seedrandom from 'seedrandom';
import { lognormalFactor, planLatency, wholeResponseOffsetMs } from '../../src/timing/latency.js';

const stats = (xs: number[]): { mean: number; cv: number } => {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length);
  return { mean, cv: sd / mean };
};

describe('lognormal jitter', () => {
  for (const cv of [0.1, 0.3, 0.5, 1]) {
    it(`cv ${cv}: mean within 3 % of 1 and the cv within 10 % over 20,000 seeded samples`, () => {
      const rand = seedrandom.alea(`jitter-${cv}`);
      const xs = Array.from({ length: 20_000 }, () => lognormalFactor(cv, rand));
      const s = stats(xs);
      assert.ok(Math.abs(s.mean - 1) < 0.03, `mean ${s.mean}`);
      assert.ok(Math.abs(s.cv - cv) / cv < 0.1, `cv ${s.cv}`);
      assert.ok(xs.every((x) => x > 0));
    });
  }
  it('cv 0 is exactly 1 and draws nothing', () => {
    let draws = 0;
    assert.equal(
      lognormalFactor(0, () => (draws++, 0.5)),
      1,
    );
    assert.equal(draws, 0);
  });
  it('the same seed gives the same factors', () => {
    const a = seedrandom.alea('s');
    const b = seedrandom.alea('s');
    for (let i = 0; i < 100; i++) assert.equal(lognormalFactor(0.4, a), lognormalFactor(0.4, b));
  });
});

describe('open-loop penalties', () => {
  const table: [string, Parameters<typeof planLatency>[0], Parameters<typeof planLatency>[1], number, number][] = [
    ['base only', { ttft: 20, itl: 5 }, { isl: 1000, osl: 100, inFlight: 10 }, 20, 5],
    ['per ISL token', { ttft: 20, itl: 5, ttftPerIslTokenMs: 0.01 }, { isl: 1000, osl: 0, inFlight: 1 }, 30, 5],
    ['per OSL token', { ttft: 20, itl: 5, itlPerOslTokenMs: 0.02 }, { isl: 0, osl: 100, inFlight: 1 }, 20, 7],
    [
      'concurrency',
      { ttft: 20, itl: 5, ttftConcurrencyQuadMs: 0.5, itlConcurrencyLinMs: 0.1 },
      { isl: 0, osl: 0, inFlight: 10 },
      70,
      6,
    ],
    [
      'all',
      {
        ttft: 10,
        itl: 2,
        ttftPerIslTokenMs: 0.1,
        itlPerOslTokenMs: 0.01,
        ttftConcurrencyQuadMs: 1,
        itlConcurrencyLinMs: 1,
      },
      { isl: 50, osl: 100, inFlight: 3 },
      24,
      6,
    ],
  ];
  for (const [name, cfg, input, ttft, itl] of table) {
    it(name, () => {
      const p = planLatency(cfg, input);
      assert.ok(Math.abs(p.ttftMs - ttft) < 1e-9, `ttft ${p.ttftMs}`);
      assert.ok(Math.abs(p.itlMs - itl) < 1e-9, `itl ${p.itlMs}`);
      assert.equal(p.gapMs(), itl, 'no jitter: every gap is the ITL');
    });
  }
  it('jittered gaps keep the ITL as their mean; a whole answer is TTFT plus the gaps', () => {
    const rand = seedrandom.alea('gaps');
    const p = planLatency({ ttft: 20, itl: 5, itlJitterCv: 0.5, ttftJitterCv: 0.5 }, undefined, rand);
    const gaps = Array.from({ length: 20_000 }, () => p.gapMs());
    assert.ok(Math.abs(stats(gaps).mean - 5) / 5 < 0.03);
    const whole = Array.from({ length: 2000 }, () => wholeResponseOffsetMs(p, 5000, 0.5, rand) - p.ttftMs);
    assert.ok(Math.abs(stats(whole).mean - 25_000) / 25_000 < 0.01, 'normal approximation keeps the mean');
    const small = Array.from({ length: 2000 }, () => wholeResponseOffsetMs(p, 100, 0.5, rand) - p.ttftMs);
    assert.ok(Math.abs(stats(small).mean - 500) / 500 < 0.03);
  });
});
