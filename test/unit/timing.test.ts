import assert from 'node:assert/strict';
import { type AddressInfo, createServer } from 'node:net';
import { describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import { planLatency, wholeResponseOffsetMs } from '../../src/timing/latency.js';
import { type ScheduledTask, TokenScheduler } from '../../src/timing/scheduler.js';
import { ThroughputWindow } from '../../src/telemetry/throughput-window.js';
import { retryTiming } from '../support/retry.js';

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
  it('a task that fell due after the oldest waiting request arrived waits until that request is handed over', async () => {
    const s = new TokenScheduler();
    const alive = setInterval(() => undefined, 1000); // the scheduler never keeps a process alive
    try {
      const start = performance.now();
      let oldest = start; // a request stamped now, not yet handed to the app
      s.waitFor(() => oldest);
      const log: number[] = [];
      s.schedule(task(start - 1, log, 1)); // due before the request came: it goes first
      s.schedule(task(start + 1, log, 2)); // due after it: it waits for the request
      await new Promise((r) => setTimeout(r, 20));
      assert.deepEqual(log, [1], 'only the task that was due before the request ran');
      oldest = Infinity; // the request was handed over: nothing waits now
      await new Promise((r) => setTimeout(r, 5));
      assert.deepEqual(log, [1, 2]);
    } finally {
      clearInterval(alive);
      s.close();
    }
  });
  it('an overdue burst longer than the slice lets socket reads in between its turns', async (t) => {
    await retryTiming(t, async () => {
      // Five rounds: 40 tasks of 0.5 ms each, all due 1 ms from now (a 20 ms burst in 2 ms slices, woken by
      // the ticker thread); 6 ms from now a byte arrives on a loopback connection, written by another
      // thread since this one is busy. Every round, the byte must be read before the burst ends.
      const s = new TokenScheduler();
      const server = createServer();
      let readAt = Infinity;
      server.on('connection', (c) => c.on('data', () => (readAt = Math.min(readAt, performance.now()))));
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const shared = {
        round: new Int32Array(new SharedArrayBuffer(4)),
        writeAt: new Float64Array(new SharedArrayBuffer(8)),
        /** When the writer really wrote (a busy host can deschedule its thread past the burst). */
        wroteAt: new Float64Array(new SharedArrayBuffer(8)),
      };
      const writer = new Worker(
        `const { connect } = require('node:net');
      const { workerData: { port, round, writeAt, wroteAt }, parentPort } = require('node:worker_threads');
      const c = connect(port, '127.0.0.1', () => {
        parentPort.postMessage('connected');
        // Blocking is fine here: a small write leaves synchronously.
        for (let seen = 0; ; seen++) {
          Atomics.wait(round, 0, seen);
          const wait = writeAt[0] - (performance.timeOrigin + performance.now());
          if (wait > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, wait);
          c.write('x');
          wroteAt[0] = performance.timeOrigin + performance.now();
        }
      });`,
        { eval: true, workerData: { port: (server.address() as AddressInfo).port, ...shared } },
      );
      await new Promise((r) => writer.once('message', r));
      // The server has accepted, and the ticker thread has booted (libuv timers stand in for ~50 ms).
      await new Promise((r) => setTimeout(r, 150));
      const spin = (ms: number): void => {
        const t0 = performance.now();
        while (performance.now() - t0 < ms);
      };
      let lastRan = 0;
      // Like a token write: work now, and a callback on the next tick (a socket write's completion).
      const busy = (): void => {
        spin(0.5);
        process.nextTick(spin, 0.3);
        lastRan = performance.now();
      };
      const rounds: string[] = [];
      let late = 0;
      let conclusive = 0;
      for (let round = 1; round <= 5; round++) {
        readAt = Infinity;
        const start = performance.now();
        shared.writeAt[0] = performance.timeOrigin + start + 6;
        shared.wroteAt[0] = Infinity;
        Atomics.store(shared.round, 0, round);
        Atomics.notify(shared.round, 0);
        for (let i = 0; i < 40; i++) s.schedule({ due: start + 1, slot: -1, run: busy });
        while (s.size > 0 || (readAt === Infinity && performance.now() - start < 1000))
          await new Promise((r) => setTimeout(r, 5));
        const wrote = shared.wroteAt[0]! - performance.timeOrigin;
        rounds.push(
          `written ${(wrote - start).toFixed(1)} ms in, read ${(readAt - start).toFixed(1)}, burst ended ${(lastRan - start).toFixed(1)}`,
        );
        // A byte written after the burst had ended says nothing about the burst (the writer thread was late).
        if (wrote >= lastRan) continue;
        conclusive++;
        if (!(readAt < lastRan)) late++;
      }
      await writer.terminate();
      server.close();
      s.close();
      assert.ok(late === 0, rounds.join('; '));
      assert.ok(conclusive >= 3, `only ${conclusive} rounds wrote during the burst: ${rounds.join('; ')}`);
    });
  });
  it('fires close to the deadline', async (t) => {
    await retryTiming(t, async () => {
      const s = new TokenScheduler();
      const lateness: number[] = [];
      // The scheduler never keeps a process alive (a server's listening socket does): stand in for it.
      const alive = setInterval(() => undefined, 1000);
      for (let i = 0; i < 20; i++) {
        const due = performance.now() + 3;
        await new Promise<void>((resolve) =>
          s.schedule({ due, slot: -1, run: (now) => (lateness.push(now - due), resolve()) }),
        );
      }
      clearInterval(alive);
      s.close();
      lateness.sort((a, b) => a - b);
      // Loose bound for a loaded CI machine; the bench measures the real distribution.
      assert.ok(lateness[10]! < 2, `median lateness ${lateness[10]} ms`);
      assert.ok(lateness[0]! > -0.55, `early by ${lateness[0]} ms (the lead is 0.5 ms)`);
    });
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
