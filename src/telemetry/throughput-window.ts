/**
 * Sliding-window token throughput with its observed peak. Tokens land in fixed buckets
 * (window / BUCKETS wide); the rate is the sum of the buckets inside the window over the window.
 */
const BUCKETS = 20;

export class ThroughputWindow {
  private readonly bucketMs: number;
  private readonly counts = new Float64Array(BUCKETS);
  private readonly stamps = new Float64Array(BUCKETS).fill(-1);
  /** -0: a double from the start, as `lastThroughput` in metrics/load.ts (docs/decisions/0018). */
  private peakRate = -0;

  constructor(private readonly windowSec: number) {
    this.bucketMs = (windowSec * 1000) / BUCKETS;
  }

  add(tokens: number, nowMs: number): void {
    const b = Math.floor(nowMs / this.bucketMs);
    const i = b % BUCKETS;
    if (this.stamps[i] !== b) {
      this.stamps[i] = b;
      this.counts[i] = 0;
    }
    this.counts[i] = this.counts[i]! + tokens;
  }

  /** Tokens per second over the last window. Also updates the peak. */
  rate(nowMs: number): number {
    const current = Math.floor(nowMs / this.bucketMs);
    let sum = 0;
    for (let i = 0; i < BUCKETS; i++) {
      const stamp = this.stamps[i]!;
      if (stamp > current - BUCKETS && stamp <= current) sum += this.counts[i]!;
    }
    const r = sum / this.windowSec;
    if (r > this.peakRate) this.peakRate = r;
    return r;
  }

  get peak(): number {
    return this.peakRate;
  }
}
