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
    // One time per event: overdue events can leave together in one write.
    const write = (data: string): void => {
      const at = performance.now();
      for (let k = data.split('data: ').length - 1; k > 0; k--) times.push(at);
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
      write: (data: string) => (write(data), true),
      end: (data: string) => {
        write(data);
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
      const times = await run(30, 3, 80);
      const gaps = gapsOf(times);
      assert.ok(gaps[2]! >= 80, `stall gap ${gaps[2]!.toFixed(1)} ms`); // gaps[2] is the stall itself
      // Re-anchored at the first write after the stall: token 3 + k is due k ITLs after it. Caught up
      // instead, the overdue tokens would go out at once, up to ~70 ms ahead of that schedule; a late wake
      // of the scheduler on a busy host may put one a few ms behind it (and the next back on it).
      const offsets = times.slice(3).map((at, k) => at - times[3]! - k * 10);
      assert.ok(
        offsets.every((o) => o > -1 && o < 8),
        `tokens after the stall against the re-anchored schedule (ms): ${offsets.map((o) => o.toFixed(1)).join(' ')}`,
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

/** What a stream's start does to its socket: every write (and whether the socket was corked then), the headers and the end. */
interface SocketSide {
  write(data: string, corked: boolean): void;
  headers(corked: boolean): void;
  end(data: string, corked: boolean): void;
}

/**
 * Starts a stream of `events` events through the real streaming loop and scheduler on a chunked response
 * whose socket records what it is asked to do, and stops after 20 ms.
 */
async function driveStart(
  o: {
    events: number;
    ttftMs: number;
    itlMs: number;
    arrivalAgoMs: number;
    reanchorAfterMs?: number;
    trailer?: string;
    /** A request stamped just before the stream starts waits this long for the app (a burst being taken in). */
    waitingForMs?: number;
    /**
     * Stop once this holds (asked every millisecond, for up to 2 s) instead of after 20 ms: a test that
     * waits for a timed write must not fail because a busy host ran the timer late.
     */
    done?: () => boolean;
  },
  side: SocketSide,
): Promise<void> {
  const scheduler = new TokenScheduler();
  const stamped = performance.now() - 1;
  const until = stamped + 1 + (o.waitingForMs ?? 0);
  scheduler.waitFor(() => (performance.now() < until ? stamped : Infinity));
  const socket = {
    writableCorked: 0,
    cork(): void {
      this.writableCorked++;
    },
    uncork(): void {
      this.writableCorked = Math.max(0, this.writableCorked - 1);
    },
    write(data: string): boolean {
      side.write(data, this.writableCorked > 0);
      return true;
    },
  };
  const res = {
    destroyed: false,
    socket,
    chunkedEncoding: true,
    writeHead: () => res,
    flushHeaders: () => side.headers(socket.writableCorked > 0),
    once: () => res,
    end: (data: string) => {
      side.end(data, socket.writableCorked > 0);
      socket.writableCorked = 0; // end() uncorks fully
    },
  } as unknown as ServerResponse;
  const { events } = o;
  startStream({
    res,
    arrival: performance.now() - o.arrivalAgoMs,
    latency: planLatency({ ttft: o.ttftMs, itl: o.itlMs }),
    body: {
      events,
      tokenEvents: events,
      frame: (i) => `data: ${i}\n\n`,
      trailer: o.trailer ?? '',
      errorFrame: () => '',
    },
    scheduler,
    reanchorAfterMs: o.reanchorAfterMs,
    hooks: { onTokens: () => undefined, onEnd: () => undefined },
  });
  if (o.done) {
    const deadline = performance.now() + 2000;
    while (!o.done() && performance.now() < deadline) await new Promise((r) => setTimeout(r, 1));
  } else await new Promise((r) => setTimeout(r, 20));
  scheduler.close();
}

/**
 * What the socket sees of a stream's start, up to its `writes`-th write: for each write (headers, events),
 * whether the socket was corked then, i.e. whether it left with what followed in the same tick as one write.
 */
async function startWrites(
  ttftMs: number,
  arrivalAgoMs: number,
  writes: number,
  waitingForMs = 0,
): Promise<{ what: string; corked: boolean; at: number }[]> {
  const seen: { what: string; corked: boolean; at: number }[] = [];
  const t0 = performance.now();
  const at = (): number => performance.now() - t0;
  await driveStart(
    { events: 3, ttftMs, itlMs: 50, arrivalAgoMs, waitingForMs, done: () => seen.length >= writes },
    {
      write: (data, corked) => seen.push({ what: data.includes('data: 0') ? 'event 0' : 'event', corked, at: at() }),
      headers: (corked) => seen.push({ what: 'headers', corked, at: at() }),
      end: (_data, corked) => seen.push({ what: 'end', corked, at: at() }),
    },
  );
  return seen;
}

const shape = (seen: { what: string; corked: boolean }[]) => seen.map(({ what, corked }) => ({ what, corked }));

/** The writes a stream makes when `events` events are all overdue at its start. */
async function overdueWrites(events: number): Promise<{ writes: string[]; corkedWrites: number; ended: string }> {
  const writes: string[] = [];
  let corkedWrites = 0;
  let ended = '';
  // Every deadline passed long ago (a late tick, as under overload), within the catch-up tolerance.
  await driveStart(
    { events, ttftMs: 1, itlMs: 0.1, arrivalAgoMs: 40, reanchorAfterMs: 50, trailer: 'data: [DONE]\n\n' },
    {
      write: (data, corked) => {
        writes.push(data);
        if (corked) corkedWrites++;
      },
      headers: () => undefined,
      end: (data) => (ended = data),
    },
  );
  return { writes, corkedWrites, ended };
}

/** The events in the HTTP chunks of `wire`, checking each chunk's size line against its data. */
function chunkEvents(wire: string): string[] {
  const events: string[] = [];
  let at = 0;
  while (at < wire.length) {
    const eol = wire.indexOf('\r\n', at);
    const size = parseInt(wire.slice(at, eol), 16);
    const data = Buffer.from(wire.slice(eol + 2))
      .subarray(0, size)
      .toString();
    assert.equal(wire.slice(eol + 2 + data.length, eol + 4 + data.length), '\r\n', 'chunk ends with CRLF');
    events.push(data);
    at = eol + 4 + data.length;
  }
  return events;
}

describe('overdue events', () => {
  it('of one stream leave in one write, each its own HTTP chunk (not one write per event)', async () => {
    const { writes, corkedWrites, ended } = await overdueWrites(10);
    // The first write is corked with the headers (the first event was already due); events 0–8 are in it.
    assert.equal(writes.length, 1, `writes: ${JSON.stringify(writes)}`);
    assert.equal(corkedWrites, 1);
    assert.deepEqual(
      chunkEvents(writes[0]!),
      Array.from({ length: 9 }, (_, i) => `data: ${i}\n\n`),
    );
    assert.equal(ended, 'data: 9\n\ndata: [DONE]\n\n');
  });

  it('go at most 64 to a write, so that one stream cannot hold the loop', async () => {
    const { writes } = await overdueWrites(150);
    const perWrite = writes.map((w) => chunkEvents(w).length);
    assert.deepEqual(perWrite, [64, 64, 21]);
    assert.deepEqual(
      writes.flatMap(chunkEvents),
      Array.from({ length: 149 }, (_, i) => `data: ${i}\n\n`),
    );
  });
});

describe('the headers of a stream', () => {
  it('go at once, on their own, when the first event is not due yet (vLLM sends them before the first token)', async () => {
    const seen = await startWrites(100, 0, 1);
    assert.deepEqual(shape(seen), [{ what: 'headers', corked: false }]);
  });

  it('leave with the first event in one write when it is already due (the request waited past its TTFT)', async () => {
    const seen = await startWrites(20, 30, 2);
    assert.deepEqual(shape(seen.slice(0, 2)), [
      { what: 'headers', corked: true },
      { what: 'event 0', corked: true },
    ]);
  });

  // docs/decisions/0015: in a burst, the headers are work that waits its turn behind the requests still
  // waiting for the app, so those are handed over one write sooner each.
  it('wait while a burst is being taken in, then leave with the first event in one write if it is due by then', async () => {
    const seen = await startWrites(3, 0, 2, 10);
    assert.deepEqual(shape(seen.slice(0, 2)), [
      { what: 'headers', corked: true },
      { what: 'event 0', corked: true },
    ]);
    assert.ok(seen[0]!.at >= 10, `headers at ${seen[0]!.at.toFixed(1)} ms, before the waiting request was handed over`);
  });

  it('wait while a burst is being taken in, then go alone if the first event is not due yet', async () => {
    const seen = await startWrites(100, 0, 1, 5);
    assert.deepEqual(shape(seen), [{ what: 'headers', corked: false }]);
    assert.ok(seen[0]!.at >= 5, `headers at ${seen[0]!.at.toFixed(1)} ms, before the waiting request was handed over`);
  });
});
