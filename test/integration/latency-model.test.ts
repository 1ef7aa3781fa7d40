import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startServer } from '../support/server.js';
import { retryTiming } from '../support/retry.js';

/** One streaming chat: client-side arrival times of every content chunk, from the request's start. */
async function streamTimes(url: string, content: string, maxTokens: number): Promise<number[]> {
  const t0 = performance.now();
  const res = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      model: 'm',
      messages: [{ role: 'user', content }],
      max_tokens: maxTokens,
      ignore_eos: true,
      stream: true,
    }),
  });
  const times: number[] = [];
  const decoder = new TextDecoder();
  for await (const chunk of res.body!) {
    const now = performance.now() - t0;
    const n = decoder.decode(chunk as Uint8Array).split('"content":"').length - 1;
    for (let i = 0; i < n; i++) times.push(now);
  }
  return times;
}

/** The prompt length the server counts for this chat content (usage of a one-token answer). */
async function promptTokens(url: string, content: string): Promise<number> {
  const res = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content }], max_tokens: 1 }),
  });
  return ((await res.json()) as { usage: { prompt_tokens: number } }).usage.prompt_tokens;
}

describe('open-loop latency model', () => {
  it('--itl-jitter-cv: client-measured gaps keep the configured mean and spread', async (t) => {
    // ITL 20 ms: a host that deschedules the client or the server for a few ms moves a 4 ms gap's spread
    // as much as the jitter does (a 4 ms stream without jitter measured a sample cv of 0.47-0.63 on a busy
    // CI host), a 20 ms gap's far less.
    const server = await startServer(['--ttft', '5', '--itl', '20', '--itl-jitter-cv', '0.5', '--random-seed', '7']);
    try {
      await streamTimes(server.url, 'warm up', 5);
      await retryTiming(t, async () => {
        const times = await streamTimes(server.url, 'jitter', 200);
        assert.equal(times.length, 200);
        const gaps = times.slice(1).map((x, i) => x - times[i]!);
        const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
        const sd = Math.sqrt(gaps.reduce((a, b) => a + (b - mean) ** 2, 0) / gaps.length);
        assert.ok(Math.abs(mean - 20) / 20 < 0.1, `mean gap ${mean.toFixed(2)} ms`);
        // 199 lognormal gaps with cv 0.5 (sigma = sqrt(ln 1.25) = 0.47). The spread is read from the
        // quartiles, sigma = ln(Q3 / Q1) / 1.349: a client or server descheduled for a few tokens (one
        // long gap, then catch-up gaps near 0) moves the sample cv more than the quartiles. Measured on a busy
        // host: 0.30-0.31 with cv 0.3, 0.53-0.54 with 0.5, 0.72-0.78 with 0.7; 0.01-0.04 without jitter.
        const sorted = [...gaps].sort((a, b) => a - b);
        const q = (p: number): number => sorted[Math.floor(p * (sorted.length - 1))]!;
        const sigma = Math.log(q(0.75) / q(0.25)) / 1.349;
        const cv = Math.sqrt(Math.exp(sigma * sigma) - 1);
        const shown = `cv from the quartiles ${cv.toFixed(2)} (sample cv ${(sd / mean).toFixed(2)})`;
        assert.ok(cv > 0.38 && cv < 0.62, shown);
      });
    } finally {
      assert.equal(await server.stop(), 0);
    }
  });

  it('--ttft-per-isl-token-ms: a long prompt waits for its prefill', async (t) => {
    // Caching off: the prompt is sent twice, and a cached prompt skips its prefill (prefix-cache.test.ts).
    const server = await startServer([
      '--ttft',
      '5',
      '--itl',
      '1',
      '--ttft-per-isl-token-ms',
      '0.05',
      '--no-prefix-caching',
    ]);
    try {
      const prompt = 'the harbour at night '.repeat(500);
      const isl = await promptTokens(server.url, prompt);
      await streamTimes(server.url, 'warm up', 2);
      await retryTiming(t, async () => {
        const short = (await streamTimes(server.url, 'hi', 2))[0]!;
        const long = (await streamTimes(server.url, prompt, 2))[0]!;
        // TTFT = 5 + 0.05 × ISL; the client adds its own few ms on top, never less.
        const expected = 5 + 0.05 * isl;
        assert.ok(isl > 1500, `${isl} prompt tokens`);
        assert.ok(short >= 5 && short < 5 + 0.05 * 10 + 10, `short prompt TTFT ${short.toFixed(1)} ms`);
        assert.ok(
          long >= expected && long < expected + 15,
          `long prompt TTFT ${long.toFixed(1)} ms, expected ${expected} ms`,
        );
      });
    } finally {
      assert.equal(await server.stop(), 0);
    }
  });

  it('--ttft-concurrency-quad-ms: TTFT grows with the requests in flight', async (t) => {
    const server = await startServer(['--ttft', '5', '--itl', '5', '--ttft-concurrency-quad-ms', '1']);
    try {
      await (await fetch(`${server.url}/health`)).text(); // fetch loads undici on first use (~50 ms)
      // The 20 connections opened once beforehand: a first attempt that opened them itself was late by
      // 46-69 ms on a busy CI host, its second (connections kept alive) passed.
      await Promise.all(Array.from({ length: 20 }, (_, i) => streamTimes(server.url, `warm${i}`, 2)));
      await retryTiming(t, async () => {
        const alone = (await streamTimes(server.url, 'alone', 2))[0]!;
        const crowd = await Promise.all(Array.from({ length: 20 }, (_, i) => streamTimes(server.url, `c${i}`, 40)));
        const ttfts = crowd.map((times) => times[0]!).sort((a, b) => a - b);
        assert.ok(alone >= 6 && alone < 40, `alone ${alone.toFixed(1)} ms (5 + 1 × 1², plus the client's own)`);
        // Every stream is still open when the last arrives: the k-th arrival sees A = k, TTFT = 5 + k² ms,
        // so the k-th fastest is the k-th to arrive. The client adds up to a few tens of ms for 20 at once,
        // and the first arrivals' first tokens (due 6, 9, 14 ms after arrival) wait for the server to have
        // handled all 20 requests, which arrived before those tokens fell due (decision 0009, "work in the
        // order it became ready"): up to ~2 ms each on a fresh server.
        const off = ttfts.map((ttft, k) => ttft - (5 + (k + 1) ** 2));
        assert.ok(
          off.every((d) => d >= -2 && d < 60),
          `client TTFT − (5 + k²) per arrival: ${off.map((d) => d.toFixed(0)).join(' ')}`,
        );
      });
    } finally {
      assert.equal(await server.stop(), 0);
    }
  });
});
