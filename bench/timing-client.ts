/**
 * The timing client: its own process, raw keep-alive sockets, one timestamp per socket read and no
 * JSON parsing per event (it only counts `data: {` markers), so that its own work shows up as little
 * as possible in what it measures. Closed loop: each connection sends the next stream when the last
 * one ended; starts are staggered over the first stream's length so deadlines are not all aligned.
 *
 * Burst mode (`burst: N rounds`): no closed loop; every connection writes its request in the same
 * turn, the client waits until every stream ended, pauses, and does it again: N simultaneous arrivals,
 * as `aiperf profile --concurrency N` starts and a trace replay fires a timestamp's requests. With
 * `fresh`, each round's connections are new: connected, then every request written in one turn (the
 * server may not have accepted them all yet, as when a benchmark starts). With `versus`, the rounds
 * alternate between two servers (A B, B A, A B, ...), so that a noisy stretch of a shared host falls on
 * both and the comparison is of the same conditions; each server's errors and CPU are reported apart.
 *
 * Input: one JSON argument {url, concurrency, tokens, seconds, ttft, itl, burst?, fresh?, versus?,
 * cpuPids?}. Output: one JSON line with error distributions (ms) and histograms, computed after the load
 * has stopped; with `versus`, the second server's under `versus`.
 */
import { connect, type Socket } from 'node:net';

import { cpuSeconds } from './procs.js';

interface Args {
  url: string;
  concurrency: number;
  tokens: number;
  seconds: number;
  ttft: number;
  itl: number;
  /** Burst mode: this many rounds of simultaneous arrivals instead of a timed closed loop. */
  burst?: number;
  /**
   * Burst mode: each round on new connections, opened right before its requests are written and closed
   * after (a benchmark's start, one connection per request), instead of keep-alive ones opened once.
   */
  fresh?: boolean;
  /** Burst mode: a second server; rounds alternate between the two (see above). */
  versus?: string;
  /**
   * Burst mode: per server (url, then versus), the pids whose CPU seconds are summed over that server's
   * rounds only (reported as `cpu`).
   */
  cpuPids?: number[][];
}

const args = JSON.parse(process.argv[2] ?? '{}') as Args;
const body = JSON.stringify({
  model: 'bench',
  messages: [{ role: 'user', content: 'Tell me a long story about the harbor.' }],
  max_tokens: args.tokens,
  ignore_eos: true,
  stream: true,
});
const requestTo = (host: string): Buffer =>
  Buffer.from(
    `POST /v1/chat/completions HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: keep-alive\r\n\r\n${body}`,
  );
const MARK = Buffer.from('data: {');
const HEAD_END = Buffer.from('\r\n\r\n');
const TERMINATOR = Buffer.from('\r\n0\r\n\r\n');
/** Bytes kept from the end of one read for patterns that span two reads (the longest pattern). */
const CARRY = TERMINATOR.length;

/**
 * Every socket reads into this one buffer (net's `onread`), and what a read needs is found in place with
 * bounded `indexOf`/`compare`: no Buffer, slice or concat per read. A 'data' event allocates a Buffer per
 * read, which at 40,000 reads/s made the client's own scavenges (up to ~20 ms) part of what it measured.
 */
const READ = Buffer.allocUnsafe(256 * 1024);
/** The end of the previous read joined with the start of this one, to find patterns across the seam. */
const SEAM = Buffer.allocUnsafe(2 * CARRY);

/** One server under test: where to connect, and what its streams measured. */
class Target {
  readonly url: URL;
  readonly request: Buffer;
  readonly ttftErrors: number[] = [];
  readonly itlErrors: number[] = [];
  readonly drifts: number[] = [];
  streams = 0;
  badStreams = 0;
  /** Burst mode: CPU seconds of `cpuPids` over this server's rounds. */
  cpu = 0;
  /** Burst mode: each round's TTFT |error| p99 (ms), in order: one slow round can set the whole p99. */
  readonly roundTtftP99: number[] = [];
  conns: Conn[] = [];

  constructor(
    url: string,
    readonly cpuPids: number[],
  ) {
    this.url = new URL(url);
    this.request = requestTo(this.url.host);
  }

  cpuNow(): number {
    let sum = 0;
    for (const t of cpuSeconds(this.cpuPids).values()) sum += t;
    return sum;
  }
}

/** Burst mode: streams of the current round that have ended. */
let ended = 0;
const stopAt = performance.now() + args.seconds * 1000;

/** Occurrences of `pat` in buf[from, to) that lie wholly inside it, counted from `from`. */
function count(buf: Buffer, pat: Buffer, from: number, to: number): number {
  let k = 0;
  for (let i = buf.indexOf(pat, from); i >= 0 && i + pat.length <= to; i = buf.indexOf(pat, i + pat.length)) k++;
  return k;
}

class Conn {
  private sentAt = 0;
  private headersDone = false;
  /** The last bytes of this response seen so far: a marker or the terminator may span two reads. */
  private readonly carry = Buffer.alloc(CARRY);
  private carryLen = 0;
  private times = new Float64Array(args.tokens + 8);
  private n = 0;

  constructor(
    readonly socket: Socket,
    private readonly target: Target,
  ) {
    socket.setNoDelay(true);
    socket.on('error', () => undefined);
  }

  send(): void {
    this.headersDone = false;
    this.carryLen = 0;
    this.n = 0;
    this.sentAt = performance.now();
    this.socket.write(this.target.request);
  }

  /** Fills SEAM with the carried bytes and the first bytes of this read; returns its length. */
  private seam(from: number, to: number): number {
    this.carry.copy(SEAM, 0, 0, this.carryLen);
    return this.carryLen + READ.copy(SEAM, this.carryLen, from, Math.min(to, from + CARRY));
  }

  /** Keeps the last CARRY bytes of (carry + READ[from, to)). */
  private keep(from: number, to: number): void {
    const len = to - from;
    if (len >= CARRY) {
      READ.copy(this.carry, 0, to - CARRY, to);
      this.carryLen = CARRY;
      return;
    }
    const drop = Math.max(0, this.carryLen + len - CARRY);
    this.carry.copy(this.carry, 0, drop, this.carryLen);
    this.carryLen -= drop;
    READ.copy(this.carry, this.carryLen, from, to);
    this.carryLen += len;
  }

  onRead(nread: number, now: number): void {
    let from = 0;
    if (!this.headersDone) {
      const s = this.seam(0, nread);
      const inSeam = SEAM.indexOf(HEAD_END);
      const at = inSeam >= 0 && inSeam + HEAD_END.length <= s ? inSeam + HEAD_END.length - this.carryLen : -1;
      const h = at >= 0 ? at : READ.indexOf(HEAD_END);
      if (h < 0 || (at < 0 && h + HEAD_END.length > nread)) {
        this.keep(0, nread);
        return;
      }
      this.headersDone = true;
      this.carryLen = 0;
      from = at >= 0 ? at : h + HEAD_END.length;
    }
    // Markers that start in the carried bytes and end in this read, then those wholly inside it.
    let markers = 0;
    if (this.carryLen > 0) {
      const s = this.seam(from, nread);
      for (
        let i = SEAM.indexOf(MARK);
        i >= 0 && i < this.carryLen && i + MARK.length <= s;
        i = SEAM.indexOf(MARK, i + 1)
      )
        markers++;
    }
    markers += count(READ, MARK, from, nread);
    for (; markers > 0; markers--) {
      if (this.n < this.times.length) this.times[this.n] = now;
      this.n++;
    }
    this.keep(from, nread);
    const t = TERMINATOR.length;
    if (this.carryLen === t && this.carry.compare(TERMINATOR, 0, t, 0, t) === 0) this.finish();
  }

  private finish(): void {
    const t = this.target;
    t.streams++;
    if (this.n !== args.tokens) t.badStreams++;
    else {
      t.ttftErrors.push(this.times[0]! - this.sentAt - args.ttft);
      for (let k = 1; k < this.n; k++) t.itlErrors.push(this.times[k]! - this.times[k - 1]! - args.itl);
      t.drifts.push((this.times[this.n - 1]! - this.times[0]!) / (this.n - 1) - args.itl);
    }
    if (args.burst) ended++;
    else if (performance.now() < stopAt) this.send();
    else this.socket.end();
  }
}

function open(target: Target): Promise<Conn> {
  return new Promise((resolve, reject) => {
    let conn: Conn | undefined;
    const s = connect({
      port: Number(target.url.port),
      host: target.url.hostname,
      onread: {
        buffer: READ,
        callback: (nread: number) => {
          conn?.onRead(nread, performance.now());
          return true;
        },
      },
    });
    s.once('connect', () => resolve((conn = new Conn(s, target))));
    s.once('error', reject);
  });
}

function histogram(values: number[], lo: number, hi: number, bins: number): number[] {
  const h = new Array<number>(bins).fill(0);
  const w = (hi - lo) / bins;
  for (const v of values) h[Math.min(bins - 1, Math.max(0, Math.floor((v - lo) / w)))]!++;
  return h;
}

function summary(values: number[]) {
  const abs = Float64Array.from(values, Math.abs).sort();
  const at = (p: number): number =>
    abs[Math.min(abs.length - 1, Math.max(0, Math.ceil((p / 100) * abs.length) - 1))] ?? NaN;
  const mean = values.reduce((a, b) => a + b, 0) / (values.length || 1);
  let over = 0;
  for (const v of abs) if (v > 1) over++;
  return { n: values.length, p50: at(50), p99: at(99), max: at(100), mean, over1ms: over / (abs.length || 1) };
}

const targets = [args.url, ...(args.versus ? [args.versus] : [])].map(
  (url, k) => new Target(url, args.cpuPids?.[k] ?? []),
);
const openAll = (t: Target): Promise<Conn[]> => Promise.all(Array.from({ length: args.concurrency }, () => open(t)));
// New connections are opened by each round itself.
if (!(args.burst && args.fresh)) for (const t of targets) t.conns = await openAll(t);
if (args.burst) {
  for (let round = 0; round < args.burst; round++)
    // Alternated order (A B, B A, ...): neither server always follows the other's round.
    for (const t of round % 2 === 0 ? targets : [...targets].reverse()) await burstRound(t);
  for (const t of targets) for (const c of t.conns) c.socket.end();
} else await closedLoop(targets[0]!.conns);

async function burstRound(t: Target): Promise<void> {
  const cpu = t.cpuNow(); // before the connects: the server's accepts are part of its round
  const from = t.ttftErrors.length;
  if (args.fresh) t.conns = await openAll(t);
  ended = 0;
  for (const c of t.conns) c.send(); // every request written in this one turn
  const limit = performance.now() + args.ttft + args.tokens * args.itl + 10_000;
  while (ended < t.conns.length && performance.now() < limit) await new Promise((r) => setTimeout(r, 5));
  t.badStreams += t.conns.length - ended;
  if (args.fresh) for (const c of t.conns) c.socket.end();
  await new Promise((r) => setTimeout(r, 200));
  t.cpu += t.cpuNow() - cpu;
  t.roundTtftP99.push(summary(t.ttftErrors.slice(from)).p99);
}

async function closedLoop(conns: Conn[]): Promise<void> {
  const spread = Math.min(1000, args.ttft + args.tokens * args.itl);
  conns.forEach((c, k) => setTimeout(() => c.send(), (k / args.concurrency) * spread));
  await new Promise<void>((resolve) => {
    const check = setInterval(() => {
      if (
        performance.now() > stopAt + args.ttft + args.tokens * args.itl + 5000 ||
        conns.every((c) => c.socket.writableEnded)
      ) {
        clearInterval(check);
        resolve();
      }
    }, 50);
  });
}
const report = (t: Target) => ({
  streams: t.streams,
  badStreams: t.badStreams,
  ttft: summary(t.ttftErrors),
  itl: summary(t.itlErrors),
  drift: summary(t.drifts),
  itlHistogram: { lo: -5, hi: 5, counts: histogram(t.itlErrors, -5, 5, 100) },
  ttftHistogram: { lo: -5, hi: 15, counts: histogram(t.ttftErrors, -5, 15, 100) },
  ...(args.cpuPids ? { cpu: t.cpu } : {}),
  ...(args.burst ? { roundTtftP99: t.roundTtftP99 } : {}),
});
process.stdout.write(
  JSON.stringify({ ...report(targets[0]!), ...(targets[1] ? { versus: report(targets[1]) } : {}) }) + '\n',
);
process.exit(0);
