import { type ServerResponse } from 'node:http';
import { type Socket } from 'node:net';
import { type TokenGate } from '../engine/runner.js';
import { type LatencyPlan } from '../timing/latency.js';
import { type ScheduledTask, type TokenScheduler } from '../timing/scheduler.js';
import { type Fault } from './faults.js';
import { type StreamBody } from '../api/contract.js';
import { SSE_HEADERS } from './sse.js';
import { type StreamHooks, type StreamStart } from './stream-start.js';
import { direct, encode, sendHeaders } from './stream-wire.js';

/**
 * Events overdue together (a late tick, fast mode, engine grants that came at once) leave in one write:
 * at most this many, so that one stream cannot hold the loop while others are due.
 */
const MAX_BATCH = 64;

/** `firstDue` when the headers are not held (a fraction's representation; see there). */
const NOT_HELD = Number.NEGATIVE_INFINITY;

/**
 * The one streaming loop for every API family. Event i is written when the shared scheduler says
 * it is due (arrival + TTFT + i × ITL); a late tick writes the overdue events back to back (in one
 * write) instead of shifting the rest. A client that goes away cancels the task at once: no timer, no
 * buffer left.
 */
class StreamTask implements ScheduledTask {
  due: number;
  slot = -1;
  private next = 0;
  /** Offset of the next event after arrival: TTFT, then one (jittered) gap per event. */
  private offset: number;
  private done = false;
  /**
   * Write time of each token. A typed array: its storage is outside the JS heap, so the young-generation
   * collector does not copy it. It grows by doubling as tokens are delivered: sized to max_tokens up
   * front, a 100k-token request that the client drops after a few tokens would hold 800 KB.
   */
  private tokenTimes: Float64Array;
  private delivered = 0;

  private readonly res: ServerResponse;
  private readonly arrival: number;
  private readonly latency: LatencyPlan;
  private readonly body: StreamBody;
  /**
   * The body's shape, read once: bodies differ by API family, so reading them per token from the body
   * is a generic (slow) property load each time.
   */
  private readonly lastEvent: number;
  private readonly tokenEvents: number;
  private readonly hasSteps: boolean;
  private readonly hasTokenCounts: boolean;
  /** Whether the body builds its events' HTTP chunks itself (StreamBody.chunk). */
  private readonly hasChunks: boolean;
  private readonly scheduler: TokenScheduler;
  private readonly hooks: StreamHooks;
  private readonly fault: Fault | null;
  /** Engine mode: tokens come when the engine grants them, not on planned deadlines. */
  private readonly gate: TokenGate | null;
  private readonly reanchorAfterMs: number;
  /** Engine mode: tokens the engine must have granted before the next event may go. */
  private stepTarget: number;
  /**
   * The first event's deadline while the headers wait for their turn (see holdHeaders); NOT_HELD
   * otherwise. Not -1: V8 keeps a whole number as a small integer, and the first deadline (a fraction)
   * stored here would change every task's shape and throw away the code compiled for the old one, in
   * the middle of the first burst that holds headers.
   */
  private firstDue = NOT_HELD;

  constructor(o: StreamStart) {
    this.res = o.res;
    this.arrival = o.arrival;
    this.latency = o.latency;
    this.body = o.body;
    this.lastEvent = o.body.events - 1;
    this.tokenEvents = o.body.tokenEvents;
    this.hasSteps = o.body.stepsIn !== undefined;
    this.hasTokenCounts = o.body.tokensIn !== undefined;
    this.hasChunks = o.body.chunk !== undefined;
    this.scheduler = o.scheduler;
    this.hooks = o.hooks;
    this.fault = o.fault ?? null;
    this.gate = o.gate ?? null;
    this.reanchorAfterMs = o.reanchorAfterMs ?? 0;
    const { latency, arrival, body, gate } = this;
    this.offset = latency.ttftMs;
    this.due = arrival + this.offset;
    this.tokenTimes = new Float64Array(Math.min(Math.max(body.tokenEvents, 1), 128));
    this.stepTarget = this.steps(0);
    if (gate) gate.onProgress = () => this.wake();
  }

  /**
   * The headers wait for the scheduler instead of leaving now: the task is due at once, and the
   * scheduler's ordering rule runs it after the requests still waiting for the app (see startStream).
   */
  holdHeaders(now: number): void {
    this.firstDue = this.due;
    this.due = now;
  }

  /** Held headers leave: alone if the first event is not due yet, corked with it if it is. */
  private releaseHeaders(now: number): boolean {
    const firstDue = this.firstDue;
    this.firstDue = NOT_HELD;
    this.due = firstDue;
    sendHeaders(this.res, firstDue <= now);
    if (firstDue <= now) return true;
    this.scheduler.schedule(this);
    return false;
  }

  /** Decode steps event i spans (1 unless the body groups tokens). */
  private steps(i: number): number {
    return this.hasSteps ? this.body.stepsIn!(i) : 1;
  }

  /** Engine mode: event i may go once the engine granted its tokens (trailing events: once it finished). */
  private ready(i: number): boolean {
    const g = this.gate;
    if (!g) return true;
    return i < this.tokenEvents ? g.granted >= this.stepTarget : g.finished;
  }

  /**
   * Engine mode: a grant arrived; run now if the next event may go (a stall fault holds it back).
   * Also called once at the start: grants may have come before the stream existed (cluster mode: the
   * admission answer and the first step's grants can arrive in one IPC read).
   */
  wake(): void {
    if (this.done || this.slot >= 0 || !this.ready(this.next)) return;
    const stall = this.fault?.kind === 'stall' && this.next >= 1 ? this.fault.ms : 0;
    this.due = performance.now() + stall;
    this.scheduler.schedule(this);
  }

  /**
   * Deadline of event i (called once per event, in order): absolute from arrival, so lateness never
   * accumulates. A `stall=MS` fault holds every event after the first back by MS.
   */
  private dueOf(i: number): number {
    for (let s = this.steps(i); s > 0; s--) this.offset += this.latency.gapMs();
    const stall = this.fault?.kind === 'stall' && i >= 1 ? this.fault.ms : 0;
    return this.arrival + this.offset + stall;
  }

  /** `abort-after=N` drops the connection, `error-after=N` sends an in-band error event and ends. */
  private injectFault(i: number, now: number, pending: string, socket: Socket | null): boolean {
    const f = this.fault;
    if (!f || (f.kind !== 'abort-after' && f.kind !== 'error-after') || i !== Math.min(f.tokens, this.tokenEvents))
      return false;
    this.done = true;
    // The events before the fault that are still pending in this run go first.
    this.send(pending, socket);
    if (f.kind === 'abort-after') {
      // A first event's write may still be corked with the headers (startStream): flush it, then drop the
      // connection, or a stream that reached the abort in its first run would lose its tokens.
      const s = this.res.socket;
      while (s && s.writableCorked > 0) s.uncork();
      this.res.destroy();
    } else this.res.end(this.body.errorFrame('Injected mid-stream error'));
    this.hooks.onEnd('fault', now, this.tokenTimes, this.delivered);
    return true;
  }

  run(now: number): void {
    const { body, res } = this;
    if (this.done) return;
    if (res.destroyed) {
      this.abort();
      return;
    }
    if (this.firstDue !== NOT_HELD && !this.releaseHeaders(now)) return;
    const socket = direct(res);
    // The encoded events of this run not written yet: the overdue ones go out together.
    let pending = '';
    for (let batch = 1; ; batch++) {
      const i = this.next;
      if (!this.ready(i)) {
        // Engine mode: the grant's arrival wakes the task again (`more` checked this event was ready, so
        // this is the run's first event and nothing is pending; written anyway should that ever change).
        this.send(pending, socket);
        return;
      }
      if (this.injectFault(i, now, pending, socket)) return;
      this.next++;
      const isLast = i === this.lastEvent;
      // Engine mode: the grants the next event needs (its own steps on top of this one's).
      if (!isLast) this.stepTarget += this.steps(this.next);
      // The re-anchoring rule: lateness up to the tolerance is caught up (deadlines stay absolute, so wake-up
      // lateness never turns into drift); a write later than that (the process was stopped, the loop blocked)
      // moves the rest of the schedule by the lateness, so the next event comes one gap after this one, as an
      // engine's next token comes one step after a stall, instead of the overdue events going out in a burst.
      const late = now - this.due;
      if (this.reanchorAfterMs > 0 && late > this.reanchorAfterMs && !this.gate) this.offset += late;
      // Open loop: the next deadline now, so we know whether the next event is overdue too.
      const nextDue = isLast || this.gate ? Infinity : this.dueOf(this.next);
      const more =
        !isLast &&
        batch < MAX_BATCH &&
        (this.gate ? this.ready(this.next) && this.fault?.kind !== 'stall' : nextDue <= now);
      if (isLast) {
        // The last event and the terminating chunk leave in one write through the http module (with the
        // batch before them: end() uncorks).
        if (pending !== '') {
          socket?.cork();
          this.send(pending, socket);
        }
        res.end(body.frame(i) + body.trailer);
      } else {
        pending += socket !== null && this.hasChunks ? body.chunk!(i) : encode(body.frame(i), socket !== null);
        if (!more) this.send(pending, socket);
      }
      if (i < this.tokenEvents) {
        const n = this.hasTokenCounts ? body.tokensIn!(i) : 1;
        for (let k = 0; k < n; k++) {
          if (this.delivered === this.tokenTimes.length) this.growTimes();
          this.tokenTimes[this.delivered++] = now;
        }
        this.hooks.onTokens(n);
      }
      if (isLast) break;
      if (more) {
        this.due = nextDue;
        continue;
      }
      if (this.gate) {
        this.wake();
        return;
      }
      this.due = nextDue;
      this.scheduler.schedule(this);
      return;
    }
    this.done = true;
    this.hooks.onEnd('ok', now, this.tokenTimes, this.delivered);
  }

  /** Writes encoded events: onto the socket as they are, or through the http module (see `direct`). */
  private send(data: string, socket: Socket | null): void {
    if (data === '') return;
    if (socket !== null) socket.write(data);
    else this.res.write(data);
  }

  private growTimes(): void {
    const next = new Float64Array(2 * this.tokenTimes.length);
    next.set(this.tokenTimes);
    this.tokenTimes = next;
  }

  abort(): void {
    if (this.done) return;
    this.done = true;
    this.scheduler.cancel(this);
    this.hooks.onEnd('disconnect', performance.now(), this.tokenTimes, this.delivered);
  }
}

export function startStream(o: StreamStart): void {
  const { res } = o;
  const task = new StreamTask(o);
  const now = performance.now();
  // Object.assign: two spreads into a literal cost ~7 × as much, on every stream (docs/decisions/0014).
  res.writeHead(200, Object.assign({}, SSE_HEADERS, o.headers));
  if (!o.gate && res.socket && task.due > now && o.scheduler.waiting) {
    // A burst is being taken in (requests wait for the app): the headers are work like a token's, and
    // wait their turn behind those requests (the ordering rule), so the burst's last request is handed
    // to the app one write sooner per request before it; by then most first events are due, and the
    // headers leave with them in one write (docs/decisions/0015).
    task.holdHeaders(now);
  } else {
    // The first event already due (TTFT 0, or the request waited longer than its TTFT to be handled):
    // the headers leave with it in one write. Otherwise they go at once, as vLLM sends them before the
    // first token.
    sendHeaders(res, !o.gate && task.due <= now);
  }
  res.once('close', () => task.abort());
  if (o.gate) task.wake();
  else o.scheduler.schedule(task);
}
