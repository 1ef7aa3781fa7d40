import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startServer } from '../support/server.js';

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

describe('open-loop latency model', () => {
  it('--itl-jitter-cv: client-measured gaps keep the configured mean and spread', async () => {
    const server = await startServer(['--ttft', '5', '--itl', '4', '--itl-jitter-cv', '0.5', '--random-seed', '7']);
    try {
      const t = await streamTimes(server.url, 'jitter', 500);
      assert.equal(t.length, 500);
      const gaps = t.slice(1).map((x, i) => x - t[i]!);
      const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
      const sd = Math.sqrt(gaps.reduce((a, b) => a + (b - mean) ** 2, 0) / gaps.length);
      assert.ok(Math.abs(mean - 4) / 4 < 0.1, `mean gap ${mean.toFixed(2)} ms`);
      assert.ok(sd / mean > 0.3 && sd / mean < 0.8, `cv ${(sd / mean).toFixed(2)}`);
    } finally {
      assert.equal(await server.stop(), 0);
    }
  });

  it('--ttft-per-isl-token-ms: a long prompt waits for its prefill', async () => {
    const server = await startServer(['--ttft', '5', '--itl', '1', '--ttft-per-isl-token-ms', '0.05']);
    try {
      const short = (await streamTimes(server.url, 'hi', 2))[0]!;
      const long = (await streamTimes(server.url, 'the harbour at night '.repeat(500), 2))[0]!;
      // ~2,000 prompt tokens × 0.05 ms ≈ 100 ms more.
      assert.ok(short < 50, `short prompt TTFT ${short.toFixed(1)} ms`);
      assert.ok(long >= 100 && long < 400, `long prompt TTFT ${long.toFixed(1)} ms`);
    } finally {
      assert.equal(await server.stop(), 0);
    }
  });

  it('--ttft-concurrency-quad-ms: TTFT grows with the requests in flight', async () => {
    const server = await startServer(['--ttft', '5', '--itl', '5', '--ttft-concurrency-quad-ms', '1']);
    try {
      const alone = (await streamTimes(server.url, 'alone', 2))[0]!;
      const crowd = await Promise.all(Array.from({ length: 20 }, (_, i) => streamTimes(server.url, `c${i}`, 40)));
      const ttfts = crowd.map((t) => t[0]!).sort((a, b) => a - b);
      assert.ok(alone < 50, `alone ${alone.toFixed(1)} ms`);
      // The last of 20 arrivals sees A = 20: 5 + 400 ms.
      assert.ok(ttfts[19]! > 300, `slowest of 20: ${ttfts[19]!.toFixed(1)} ms`);
      assert.ok(ttfts[0]! < ttfts[19]! / 4, 'the first arrivals were not penalised like the last');
    } finally {
      assert.equal(await server.stop(), 0);
    }
  });
});
