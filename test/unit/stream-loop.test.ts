import assert from 'node:assert/strict';
import { type ServerResponse } from 'node:http';
import { describe, it } from 'node:test';
import { type StreamBody } from '../../src/api/contract.js';
import { startStream } from '../../src/server/stream-loop.js';
import { planLatency } from '../../src/timing/latency.js';
import { TokenScheduler } from '../../src/timing/scheduler.js';
import { retryTiming } from '../support/retry.js';

/**
 * A response that records when each event was written and blocks the event loop for `stallMs` right
 * after write number `stallAfter` (as a stopped process or a blocking job would), through the real
 * streaming loop and the real scheduler.
 */
function run(reanchorAfterMs: number, stallAfter: number, stallMs: number): Promise<number[]> {
  const times: number[] = [];
  const events = 12;
  const body: StreamBody = {
    events,
    tokenEvents: events,
    frame: (i) => `data: ${i}\n\n`,
    trailer: '',
    errorFrame: () => '',
  };
  const alive = setInterval(() => undefined, 1000); // a server's socket would keep the loop alive
  const scheduler = new TokenScheduler();
  return new Promise((resolve) => {
    const write = (): void => {
      times.push(performance.now());
      if (times.length === stallAfter) {
        const until = performance.now() + stallMs;
        while (performance.now() < until); // the loop is blocked: every deadline in between passes
      }
    };
    const res = {
      destroyed: false,
      socket: null,
      chunkedEncoding: false,
      writeHead: () => res,
      flushHeaders: () => undefined,
      once: () => res,
      write: () => (write(), true),
      end: () => {
        write();
        clearInterval(alive);
        scheduler.close();
        resolve(times);
      },
    } as unknown as ServerResponse;
    startStream({
      res,
      arrival: performance.now(),
      latency: planLatency({ ttft: 5, itl: 10 }),
      body,
      scheduler,
      reanchorAfterMs,
      hooks: { onTokens: () => undefined, onEnd: () => undefined },
    });
  });
}

const gapsOf = (t: number[]): number[] => t.slice(1).map((x, i) => x - t[i]!);

describe('stream schedule after an unplanned stall (ITL 10 ms, the loop blocked 80 ms after token 3)', () => {
  it('with a tolerance (re-anchoring): the tokens after the stall come one ITL apart, not in a burst', async (t) => {
    await retryTiming(t, async () => {
      const gaps = gapsOf(await run(30, 3, 80));
      // gaps[2] is the stall itself; every later gap is one ITL (the scheduler wakes within ~1 ms).
      assert.ok(gaps[2]! >= 80, `stall gap ${gaps[2]!.toFixed(1)} ms`);
      const after = gaps.slice(3);
      assert.ok(
        after.every((g) => g > 8 && g < 14),
        `gaps after the stall: ${after.map((g) => g.toFixed(1)).join(' ')}`,
      );
    });
  });

  it('with 0 (always catch up): the overdue tokens go out back to back, then the schedule resumes', async (t) => {
    await retryTiming(t, async () => {
      const gaps = gapsOf(await run(0, 3, 80));
      const burst = gaps.slice(3).filter((g) => g < 1).length;
      // ~7 tokens fell due during the 80 ms: all but the first go out at once after it.
      assert.ok(
        burst >= 5,
        `gaps after the stall: ${gaps
          .slice(3)
          .map((g) => g.toFixed(1))
          .join(' ')}`,
      );
    });
  });

  it('lateness under the tolerance is caught up: no drift over the stream', async (t) => {
    await retryTiming(t, async () => {
      const times = await run(30, 3, 20);
      // Token 11 is due at 5 + 11 × 10 ms after arrival whatever happened on the way.
      const total = times.at(-1)! - times[0]!;
      assert.ok(Math.abs(total - 110) < 3, `first to last token: ${total.toFixed(1)} ms (planned 110)`);
    });
  });
});

/**
 * What the socket sees of a stream's start: for each write (headers, events), whether the socket was
 * corked then, i.e. whether it left with what followed in the same tick as one write.
 */
async function startWrites(ttftMs: number, arrivalAgoMs: number): Promise<{ what: string; corked: boolean }[]> {
  const seen: { what: string; corked: boolean }[] = [];
  const scheduler = new TokenScheduler();
  const socket = {
    writableCorked: 0,
    cork(): void {
      this.writableCorked++;
    },
    uncork(): void {
      this.writableCorked = Math.max(0, this.writableCorked - 1);
    },
    write(data: string): boolean {
      seen.push({ what: data.includes('data: 0') ? 'event 0' : 'event', corked: this.writableCorked > 0 });
      return true;
    },
  };
  const res = {
    destroyed: false,
    socket,
    chunkedEncoding: true,
    writeHead: () => res,
    flushHeaders: () => seen.push({ what: 'headers', corked: socket.writableCorked > 0 }),
    once: () => res,
    end: () => seen.push({ what: 'end', corked: socket.writableCorked > 0 }),
  } as unknown as ServerResponse;
  const events = 3;
  startStream({
    res,
    arrival: performance.now() - arrivalAgoMs,
    latency: planLatency({ ttft: ttftMs, itl: 50 }),
    body: { events, tokenEvents: events, frame: (i) => `data: ${i}\n\n`, trailer: '', errorFrame: () => '' },
    scheduler,
    hooks: { onTokens: () => undefined, onEnd: () => undefined },
  });
  await new Promise((r) => setTimeout(r, 20));
  scheduler.close();
  return seen;
}

describe('the headers of a stream', () => {
  it('go at once, on their own, when the first event is not due yet (vLLM sends them before the first token)', async () => {
    const seen = await startWrites(100, 0);
    assert.deepEqual(seen, [{ what: 'headers', corked: false }]);
  });

  it('leave with the first event in one write when it is already due (the request waited past its TTFT)', async () => {
    const seen = await startWrites(20, 30);
    assert.deepEqual(seen.slice(0, 2), [
      { what: 'headers', corked: true },
      { what: 'event 0', corked: true },
    ]);
  });
});
