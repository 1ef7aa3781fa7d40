import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { launch } from '../../bench/procs.js';
import { retryTiming } from '../support/retry.js';
import { postChatStream, startServer, type TestServer } from '../support/server.js';

/** Streams one request and returns the arrival time of each token event relative to sending. */
function timedStream(url: string, tokens: number): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    postChatStream(url, 'timing', tokens, (res) => {
      const times: number[] = [];
      res.on('data', (d: Buffer) => {
        const now = performance.now() - start;
        const events = d
          .toString()
          .split('\n\n')
          .filter((e) => e.startsWith('data: {'));
        for (let i = 0; i < events.length; i++) times.push(now);
      });
      res.on('end', () => resolve(times));
    }).on('error', reject);
  });
}

/** The bench's bare pacing server (bench/baselines/bare-timed.ts) with this TTFT and ITL, on a free port. */
function bareTimed(ttftMs: number, itlMs: number) {
  return launch('bare-timed', fileURLToPath(new URL('../../bench/baselines/bare-timed.js', import.meta.url)), [], {
    BENCH_TTFT: String(ttftMs),
    BENCH_ITL: String(itlMs),
  });
}

describe('timing engine (loose CI bounds; the bench holds the tight ones)', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer(['--ttft', '50', '--itl', '10']);
  });
  after(async () => {
    await server.stop();
  });

  it('TTFT 50 ms, ITL 10 ms, 20 concurrent streams: mean ITL within 10 %', async (t) => {
    const tokens = 30;
    // The bench's bare pacing server with the same TTFT and ITL, driven by the same client: how late this
    // client sees a first token from a server that does nothing but pace (on a slow host its 20 requests
    // and their reads alone put the mean TTFT at 55-67 ms).
    const bare = await bareTimed(50, 10);
    const round = async (url: string): Promise<{ ttft: number; itl: number }> => {
      const runs = await Promise.all(Array.from({ length: 20 }, () => timedStream(url, tokens)));
      let ttft = 0;
      let itl = 0;
      for (const times of runs) {
        assert.equal(times.length, tokens);
        ttft += times[0]! / runs.length;
        itl += (times.at(-1)! - times[0]!) / (tokens - 1) / runs.length;
      }
      return { ttft, itl };
    };
    try {
      for (const url of [server.url, bare.url])
        await Promise.all(Array.from({ length: 20 }, () => timedStream(url, 3))); // warm up JIT and connections
      await retryTiming(t, async () => {
        const before = await round(bare.url);
        const mock = await round(server.url);
        const after = await round(bare.url);
        const shown = `mean TTFT ${mock.ttft.toFixed(2)} ms (bare ${before.ttft.toFixed(2)}, ${after.ttft.toFixed(2)}), mean ITL ${mock.itl.toFixed(2)} ms`;
        assert.ok(Math.abs(mock.itl - 10) <= 1, shown);
        // 20 connections at once on a shared 2-core machine: TTFT gets the slack, ITL (absolute deadlines)
        // does not. Late by at most 12 ms, or by no more than 5 ms beyond the bare server in the same attempt.
        assert.ok(mock.ttft >= 50 && mock.ttft < Math.max(62, Math.max(before.ttft, after.ttft) + 5), shown);
      });
    } finally {
      await bare.stop();
    }
  });

  it('non-streaming answers at TTFT + ITL × tokens', async (t) => {
    await (await fetch(`${server.url}/health`)).text(); // fetch loads undici on first use (~50 ms)
    await retryTiming(t, async () => {
      const start = performance.now();
      const res = await fetch(`${server.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          model: 'm',
          messages: [{ role: 'user', content: 'x' }],
          max_tokens: 20,
          ignore_eos: true,
        }),
      });
      await res.json();
      const took = performance.now() - start;
      assert.ok(took >= 250 && took < 320, `${took.toFixed(1)} ms for 50 + 20 × 10`);
    });
  });
});

/** Gaps between consecutive token reads of one stream, as a client timestamping each read sees them. */
export async function gapsOf(url: string, tokens: number): Promise<number[]> {
  const times = await timedStream(url, tokens);
  assert.equal(times.length, tokens);
  return times.slice(1).map((t, i) => t - times[i]!);
}

/** Median |gap − itl| and mean gap of one 200-token stream. */
async function precision(url: string, itl: number): Promise<{ median: number; mean: number }> {
  const gaps = await gapsOf(url, 200);
  const errors = gaps.map((g) => Math.abs(g - itl)).sort((a, b) => a - b);
  return { median: errors[Math.floor(errors.length / 2)]!, mean: gaps.reduce((a, b) => a + b, 0) / gaps.length };
}

describe('per-gap timing precision (one stream)', () => {
  it('ITL 2.4 ms over 200 tokens: no drift, and gaps as precise as the host allows (median error <= 0.15 ms, or near what Node timers get on a host that wakes threads late)', async (t) => {
    // Deadlines are absolute, so the mean gap is the ITL (no drift) whatever the wake-ups do. The gaps'
    // spread is the host's: how unevenly it wakes the ticker thread and the event loop. On a quiet host the
    // median error is well under 0.15 ms; when thread wake-ups are late and uneven (the bench's machine
    // baseline: a 5 ms futex sleep late by p50 0.14 ms on a quiet host, 0.21 on a busy one) no scheduler
    // does better than the host, and the bound is then the bare setTimeout pacing server's own median
    // error, measured right before in the same attempt. (On such a host a single stream does not tell the
    // ticker from 1 ms timers; the bench's timing scenario compares them under load.)
    const server = await startServer(['--ttft', '5', '--itl', '2.4']);
    // The bench's bare pacing server (one setTimeout per event at absolute deadlines, nothing else): what
    // Node's own timers give on this host at this moment.
    const bare = await bareTimed(5, 2.4);
    try {
      await gapsOf(server.url, 20); // warm up JIT and the connection
      await gapsOf(bare.url, 20);
      await retryTiming(t, async () => {
        const timers = await precision(bare.url, 2.4);
        const mock = await precision(server.url, 2.4);
        const shown = `median |gap - 2.4| ${mock.median.toFixed(3)} ms (Node timers ${timers.median.toFixed(3)}), mean gap ${mock.mean.toFixed(3)} ms`;
        assert.ok(Math.abs(mock.mean - 2.4) <= 0.05, shown);
        // On a host so busy that Node's own timers are off by more than 0.3 ms (median), the ticker's
        // wake-up pays two scheduling delays (its thread, then the loop) where a timer pays one: a CI run
        // beside a CPU-burning neighbour measured 1.36-1.54 ms against the timers' 1.13-1.26.
        const bound = timers.median > 0.3 ? 1.5 * timers.median : Math.max(0.15, timers.median);
        assert.ok(mock.median <= bound, shown);
      });
    } finally {
      await bare.stop();
      await server.stop();
    }
  });
});

describe('an unplanned stall re-anchors the stream (--reanchor-after-ms, default 50)', () => {
  it('ITL 50 ms, the server process stopped for 400 ms mid-stream: the tokens after it come one ITL apart', async (t) => {
    const server = await startServer(['--ttft', '5', '--itl', '50']);
    try {
      await retryTiming(t, async () => {
        const start = performance.now();
        const times: number[] = [];
        await new Promise<void>((resolve, reject) => {
          postChatStream(server.url, 'stall', 16, (res) => {
            res.on('data', (d: Buffer) => {
              const now = performance.now() - start;
              for (const _ of d
                .toString()
                .split('\n\n')
                .filter((e) => e.startsWith('data: {')))
                times.push(now);
              if (times.length === 4 && !stopped) {
                stopped = true;
                process.kill(server.proc.pid!, 'SIGSTOP');
                setTimeout(() => process.kill(server.proc.pid!, 'SIGCONT'), 400);
              }
            });
            res.on('end', () => resolve());
          }).on('error', reject);
          let stopped = false;
        });
        assert.equal(times.length, 16);
        const gaps = times.slice(1).map((t, i) => t - times[i]!);
        const stall = gaps.findIndex((g) => g > 300);
        assert.ok(stall >= 0, `no stall seen: ${gaps.map((g) => g.toFixed(0)).join(' ')}`);
        const after = gaps.slice(stall + 1);
        assert.ok(
          after.length >= 8 && after.every((g) => g > 35 && g < 70),
          `gaps: ${gaps.map((g) => g.toFixed(0)).join(' ')} (after the stall each should be ~50)`,
        );
      });
    } finally {
      await server.stop();
    }
  });
});

/** A prompt of `words` pseudo-random words: unique per seed, so the tokenizer's memo cannot make it cheap. */
function uniquePrompt(seed: number, words: number): string {
  let s = seed;
  const next = (): number => (s = (s * 1103515245 + 12345) % 2147483648);
  const out: string[] = [];
  for (let i = 0; i < words; i++) {
    let w = '';
    for (let j = 3 + (next() % 6); j > 0; j--) w += String.fromCharCode(97 + (next() % 26));
    out.push(w);
  }
  return out.join(' ');
}

/**
 * Writes one request per socket in the same turn and returns, per request, when its response headers
 * and its first event arrived (ms after its write). Raw sockets: one write each, timed per read.
 */
async function burstOnSockets(
  url: string,
  bodies: string[],
  settleMs = 0,
): Promise<{ headers: number[]; first: number[] }> {
  const target = new URL(url);
  const sockets = await Promise.all(
    bodies.map(
      () =>
        new Promise<Socket>((resolve, reject) => {
          const s = connect(Number(target.port), target.hostname, () => resolve(s));
          s.setNoDelay(true);
          s.on('error', reject);
        }),
    ),
  );
  // The kernel completes a connection before the server accepts it (libuv: one accept per loop turn).
  if (settleMs > 0) await new Promise((r) => setTimeout(r, settleMs));
  const headers: number[] = [];
  const first: number[] = [];
  const done = sockets.map(
    (s, i) =>
      new Promise<void>((resolve) => {
        let seen = '';
        s.on('data', (d: Buffer) => {
          const now = performance.now();
          seen += d.toString('latin1');
          if (headers[i] === undefined && seen.includes('\r\n\r\n')) headers[i] = now;
          if (first[i] === undefined && seen.includes('data: {')) {
            first[i] = now;
            s.destroy();
            resolve();
          }
        });
      }),
  );
  const requests = bodies.map((body) =>
    Buffer.from(
      `POST /v1/chat/completions HTTP/1.1\r\nHost: ${target.host}\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    ),
  );
  const sentAt: number[] = [];
  for (let i = 0; i < sockets.length; i++) {
    sentAt[i] = performance.now();
    sockets[i]!.write(requests[i]!);
  }
  await Promise.all(done);
  return { headers: headers.map((t, i) => t - sentAt[i]!), first: first.map((t, i) => t - sentAt[i]!) };
}

/** A two-token streaming chat whose prompt is 3,000 unique words: milliseconds of tokenising to handle. */
const costlyBody = (seed: number): string =>
  JSON.stringify({
    model: 'm',
    messages: [{ role: 'user', content: uniquePrompt(seed, 3000) }],
    max_tokens: 2,
    stream: true,
  });

/** 40 costly requests written at once; unique prompts in every attempt (the tokenizer's memo must not help). */
const costlyBurst = (url: string, attempt: number, settleMs = 0): Promise<{ headers: number[]; first: number[] }> =>
  burstOnSockets(
    url,
    Array.from({ length: 40 }, (_, i) => costlyBody(1000 * (attempt + 1) + i)),
    settleMs,
  );

describe("a burst is timed from each request's arrival (decision 0009)", () => {
  it('40 requests at once, each costly to handle: the ones handled last are not late by their wait for handling', async (t) => {
    // Prompts of 3,000 unique words: milliseconds of tokenising per request, so the burst's handling (seen by
    // the client in the response headers, which leave in the order the requests were handled, held to the
    // burst's end while requests wait: decision 0015) is long; TTFT
    // 1.5 s covers it. Stamped on arrival, every first event is due 1.5 s after its request reached the
    // server; stamped when the app got to it (the old way), the k-th is due k handlings later.
    const server = await startServer(['--ttft', '1500', '--itl', '10']);
    try {
      await burstOnSockets(server.url, [costlyBody(1), costlyBody(2)]); // warm up
      await retryTiming(t, async (attempt) => {
        const { headers, first } = await costlyBurst(server.url, attempt);
        const shown = `headers at ${headers.map((t) => t.toFixed(0)).join(' ')}; first events at ${first.map((t) => t.toFixed(0)).join(' ')} ms`;
        const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
        // The ten requests handled last (their headers came last): handled ~100 ms after their write.
        const last = headers
          .map((h, i) => ({ h, late: first[i]! - 1500 }))
          .sort((a, b) => a.h - b.h)
          .slice(-10);
        const handledAfter = median(last.map((x) => x.h));
        assert.ok(handledAfter > 60, `the burst's handling should take long for this test to mean anything: ${shown}`);
        // Stamped when handled, their first events would be late by about that much; stamped on arrival, they
        // are late only by the wake-up (a few ms on a busy host).
        assert.ok(median(last.map((x) => x.late)) < 0.5 * handledAfter, shown);
      });
    } finally {
      await server.stop();
    }
  });
});

describe('a burst is served in the order its work became ready (decision 0009)', () => {
  it('requests that arrived before a token fell due are handled before it: the first tokens all wait for the whole burst', async (t) => {
    // 40 costly requests (3,000 unique words each: the burst's handling takes well over the 20 ms TTFT).
    // Every first token falls due 20 ms after its request arrived, after every request of the burst
    // arrived: the app gets every request before the scheduler writes any token, so the first tokens all
    // come together once the burst is handled. Slicing the handling against the tokens instead (the rule
    // before) writes the early streams' first tokens ~20 ms after their arrival, between the handling of
    // the late requests. (The headers cannot show the handling any more: during a burst they wait their
    // turn and leave with the first events, decision 0015.)
    const server = await startServer(['--ttft', '20', '--itl', '5']);
    try {
      await burstOnSockets(server.url, [costlyBody(1), costlyBody(2)]); // warm up
      await retryTiming(t, async (attempt) => {
        // Connections accepted first: a request on a connection the server has not accepted yet is not
        // known to it, and the tokens of the requests it knows rightly go ahead of it.
        const { headers, first } = await costlyBurst(server.url, attempt, 100);
        const firstToken = Math.min(...first);
        const lastToken = Math.max(...first);
        const shown = `headers from ${Math.min(...headers).toFixed(0)} to ${Math.max(...headers).toFixed(0)} ms; first tokens from ${firstToken.toFixed(0)} to ${lastToken.toFixed(0)} ms`;
        assert.ok(
          lastToken > 50,
          `the burst's handling should outlast the TTFT for this test to mean anything: ${shown}`,
        );
        // Released together at the burst's end: the earliest first token is within half the span
        // of the latest (sliced, the earliest comes ~20 ms after its write, the latest at the span's end).
        assert.ok(firstToken > 0.5 * lastToken, shown);
      });
    } finally {
      await server.stop();
    }
  });
});
