/**
 * The timing client: its own process, raw keep-alive sockets, one timestamp per socket read and no
 * JSON parsing per event (it only counts `data: {` markers), so that its own work shows up as little
 * as possible in what it measures. Closed loop: each connection sends the next stream when the last
 * one ended; starts are staggered over the first stream's length so deadlines are not all aligned.
 *
 * Input: one JSON argument {url, concurrency, tokens, seconds, ttft, itl}. Output: one JSON line with
 * error distributions (ms) and histograms, computed after the load has stopped.
 */
import { connect, type Socket } from 'node:net';

interface Args {
  url: string;
  concurrency: number;
  tokens: number;
  seconds: number;
  ttft: number;
  itl: number;
}

const args = JSON.parse(process.argv[2] ?? '{}') as Args;
const target = new URL(args.url);
const body = JSON.stringify({
  model: 'bench',
  messages: [{ role: 'user', content: 'Tell me a long story about the harbor.' }],
  max_tokens: args.tokens,
  ignore_eos: true,
  stream: true,
});
const request = Buffer.from(
  `POST /v1/chat/completions HTTP/1.1\r\nHost: ${target.host}\r\nContent-Type: application/json\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: keep-alive\r\n\r\n${body}`,
);
const MARK = Buffer.from('data: {');
const HEAD_END = Buffer.from('\r\n\r\n');
const TERMINATOR = Buffer.from('\r\n0\r\n\r\n');

const ttftErrors: number[] = [];
const itlErrors: number[] = [];
const drifts: number[] = [];
let streams = 0;
let badStreams = 0;
const stopAt = performance.now() + args.seconds * 1000;

class Conn {
  private sentAt = 0;
  private headersDone = false;
  /** The last bytes of this response seen so far: a marker or the terminator may span two reads. */
  private tail: Buffer = Buffer.alloc(0);
  private times = new Float64Array(args.tokens + 8);
  private n = 0;

  constructor(readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk, performance.now()));
    socket.on('error', () => undefined);
  }

  send(): void {
    this.headersDone = false;
    this.tail = Buffer.alloc(0);
    this.n = 0;
    this.sentAt = performance.now();
    this.socket.write(request);
  }

  private onData(chunk: Buffer, now: number): void {
    let buf = this.tail.length ? Buffer.concat([this.tail, chunk]) : chunk;
    if (!this.headersDone) {
      const h = buf.indexOf(HEAD_END);
      if (h < 0) {
        this.tail = buf;
        return;
      }
      this.headersDone = true;
      buf = buf.subarray(h + 4);
    }
    // A marker is 7 bytes and the tail keeps 6, so a marker counted last time cannot be counted again.
    let i = buf.indexOf(MARK);
    while (i >= 0) {
      if (this.n < this.times.length) this.times[this.n] = now;
      this.n++;
      i = buf.indexOf(MARK, i + MARK.length);
    }
    const ended = buf.length >= TERMINATOR.length && buf.subarray(buf.length - TERMINATOR.length).equals(TERMINATOR);
    this.tail = ended ? Buffer.alloc(0) : Buffer.from(buf.subarray(Math.max(0, buf.length - (MARK.length - 1))));
    if (ended) this.finish();
  }

  private finish(): void {
    streams++;
    if (this.n !== args.tokens) badStreams++;
    else {
      ttftErrors.push(this.times[0]! - this.sentAt - args.ttft);
      for (let k = 1; k < this.n; k++) itlErrors.push(this.times[k]! - this.times[k - 1]! - args.itl);
      drifts.push((this.times[this.n - 1]! - this.times[0]!) / (this.n - 1) - args.itl);
    }
    if (performance.now() < stopAt) this.send();
    else this.socket.end();
  }
}

function open(): Promise<Conn> {
  return new Promise((resolve, reject) => {
    const s = connect(Number(target.port), target.hostname, () => resolve(new Conn(s)));
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
  return { n: values.length, p50: at(50), p99: at(99), max: at(100), mean };
}

const conns = await Promise.all(Array.from({ length: args.concurrency }, open));
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
process.stdout.write(
  JSON.stringify({
    streams,
    badStreams,
    ttft: summary(ttftErrors),
    itl: summary(itlErrors),
    drift: summary(drifts),
    itlHistogram: { lo: -5, hi: 5, counts: histogram(itlErrors, -5, 5, 100) },
    ttftHistogram: { lo: -5, hi: 15, counts: histogram(ttftErrors, -5, 15, 100) },
  }) + '\n',
);
process.exit(0);
