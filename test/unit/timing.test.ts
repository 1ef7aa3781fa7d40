import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planLatency, wholeResponseOffsetMs } from '../../src/timing/latency.js';
import { type ScheduledTask, TokenScheduler } from '../../src/timing/scheduler.js';
import { ThroughputWindow } from '../../src/telemetry/throughput-window.js';

describe('latency plan', () => {
  const table: [number, number, number, number, number][] = [
    // ttft, itl, n → offset of event n (0-based), offset of a whole answer of n tokens
    [20, 5, 0, 20, 20],
    [20, 5, 3, 35, 35],
    [0, 0, 100, 0, 0],
    [50, 10, 9, 140, 140],
    [1, 0.5, 4, 3, 3],
  ];
  for (const [ttft, itl, i, event, whole] of table) {
    it(`ttft ${ttft} itl ${itl} i ${i}`, () => {
      const plan = planLatency({ ttft, itl });
      // As the stream loop places event i: TTFT, then one gap per event (no jitter: exactly ITL each).
      let offset = plan.ttftMs;
      for (let k = 0; k < i; k++) offset += plan.gapMs();
      assert.equal(offset, event);
      assert.equal(wholeResponseOffsetMs(plan, i), whole);
    });
  }
});

function task(due: number, log: number[], id: number): ScheduledTask {
  return { due, slot: -1, run: () => log.push(id) };
}

describe('TokenScheduler', () => {
  it('runs tasks in due order, each once', async () => {
    const s = new TokenScheduler();
    const log: number[] = [];
    const now = performance.now();
    [30, 10, 20, 5, 25].forEach((d, i) => s.schedule(task(now + d, log, i)));
    await new Promise((r) => setTimeout(r, 60));
    assert.deepEqual(log, [3, 1, 2, 4, 0]);
    assert.equal(s.size, 0);
  });
  it('cancelled tasks never run and leave nothing behind', async () => {
    const s = new TokenScheduler();
    const log: number[] = [];
    const now = performance.now();
    const tasks = Array.from({ length: 100 }, (_, i) => task(now + 5 + (i % 7), log, i));
    tasks.forEach((t) => s.schedule(t));
    tasks.filter((_, i) => i % 2 === 0).forEach((t) => s.cancel(t));
    assert.equal(s.size, 50);
    await new Promise((r) => setTimeout(r, 40));
    assert.equal(log.length, 50);
    assert.ok(log.every((id) => id % 2 === 1));
    assert.equal(s.size, 0);
  });
  it('a task that reschedules itself into the past catches up in the same turn', async () => {
    const s = new TokenScheduler();
    const start = performance.now();
    let runs = 0;
    const t: ScheduledTask = {
      due: start - 50,
      slot: -1,
      run() {
        runs++;
        if (runs < 10) {
          t.due = start - 50 + runs; // all overdue
          s.schedule(t);
        }
      },
    };
    s.schedule(t);
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    assert.equal(runs, 10);
  });
  it('fires close to the deadline', async () => {
    const s = new TokenScheduler();
    const lateness: number[] = [];
    for (let i = 0; i < 20; i++) {
      const due = performance.now() + 3;
      await new Promise<void>((resolve) =>
        s.schedule({ due, slot: -1, run: (now) => (lateness.push(now - due), resolve()) }),
      );
    }
    lateness.sort((a, b) => a - b);
    // Loose bound for a loaded CI machine; the bench measures the real distribution.
    assert.ok(lateness[10]! < 2, `median lateness ${lateness[10]} ms`);
    assert.ok(lateness[0]! > -0.25, `early by ${lateness[0]} ms (the lead is 0.2 ms)`);
  });
});

describe('ThroughputWindow', () => {
  it('rates tokens over the window and keeps the peak', () => {
    const w = new ThroughputWindow(1);
    w.add(500, 10_000);
    w.add(500, 10_500);
    assert.equal(w.rate(10_600), 1000);
    assert.equal(w.rate(11_200), 500);
    assert.equal(w.rate(12_000), 0);
    assert.equal(w.peak, 1000);
  });
});
