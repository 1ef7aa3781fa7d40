import assert from 'node:assert/strict';
import { type IncomingMessage, type ServerResponse } from 'node:http';
import { describe, it } from 'node:test';
import { deferredListener, type Stamped } from '../../src/server/arrivals.js';

/** Busy for `ms`: a request's synchronous work in the app. */
function spin(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

/** N arrivals in one turn (as a burst's sockets come in one poll), each costing `costMs` in the app. */
async function burst(n: number, costMs: number) {
  const handed: { id: number; at: number; turn: number }[] = [];
  let turn = 0;
  const counter = setImmediate;
  let immediates = 0;
  const countingSetImmediate = ((...args: Parameters<typeof setImmediate>) => {
    immediates++;
    return counter(...args);
  }) as typeof setImmediate;
  globalThis.setImmediate = countingSetImmediate;
  const turns = setInterval(() => turn++, 0); // counts loop turns (a timer runs once per turn at most)
  try {
    const d = deferredListener((req) => {
      handed.push({ id: (req as unknown as { id: number }).id, at: performance.now(), turn });
      spin(costMs);
    }, 2);
    const reqs = Array.from({ length: n }, (_, id) => ({ id }) as unknown as IncomingMessage);
    for (const req of reqs) d.listener(req, {} as ServerResponse);
    const stamps = reqs.map((r) => (r as Stamped).arrival!);
    while (handed.length < n) await new Promise((r) => counter(r));
    return { handed, immediates, stamps, oldest: d.oldestWaiting() };
  } finally {
    globalThis.setImmediate = counter;
    clearInterval(turns);
  }
}

describe('deferred arrivals (docs/decisions/0009)', () => {
  it('stamps every request on arrival and hands them over in arrival order, in slices', async () => {
    const { handed, stamps, oldest } = await burst(60, 0.5);
    assert.deepEqual(
      handed.map((h) => h.id),
      Array.from({ length: 60 }, (_, i) => i),
    );
    assert.ok(stamps.every((s, i) => i === 0 || s >= stamps[i - 1]!));
    assert.equal(oldest, Infinity, 'nothing waits afterwards');
    // A 2 ms slice holds ~4 requests of 0.5 ms: 60 of them cannot all go in one turn.
    assert.ok(new Set(handed.map((h) => h.turn)).size >= 5, 'handled over several loop turns');
  });

  it('costs a bounded number of immediates per request, not one per waiting request per turn', async () => {
    // Handled a few per 2 ms slice, 400 arrivals used to re-queue every waiting request every turn:
    // ~N²/(2 × per slice) immediates (about 40,000 here). Now the waiting ones are pulled from a queue.
    const n = 400;
    const { immediates } = await burst(n, 0.5);
    assert.ok(immediates <= 6 * n, `${immediates} immediates for ${n} requests`);
  });
});
