import { DYNAMO_ITL, MOCK_ITL, SGLANG_ITL, VLLM_ITL } from './metrics/buckets.js';

/**
 * Every page's inter-token-latency bucket bounds, merged (seconds, ascending). A request's gaps are
 * counted into these once, where they are measured; each page then adds the counts into its own
 * buckets, which are a subset of these, so every page gets exactly the counts it would have got from
 * the raw gaps. A 256-token stream's end event then carries a few (bucket, count) pairs instead of 255
 * gaps, which is what the cluster primary has to receive and fold (issue 3: telemetry over IPC ≤ 5 % of
 * the CPU).
 */
export const ITL_BOUNDS: readonly number[] = [
  ...new Set([...VLLM_ITL, ...SGLANG_ITL, ...DYNAMO_ITL, ...MOCK_ITL]),
].sort((a, b) => a - b);

/**
 * A request's token gaps: the non-empty buckets of ITL_BOUNDS as (bucket, count) pairs, ascending
 * (bucket ITL_BOUNDS.length is above them all).
 *
 * Why pairs: a request's gaps fill a few of the ~60 buckets (a steady stream one or two), and every end
 * event carries its bins to each page and, in cluster mode, over the pipe to the primary: a dense array
 * per request was the largest part of the primary's garbage (bench/README.md, "Telemetry over IPC").
 */
export interface ItlBins {
  readonly buckets: readonly number[];
  readonly sumMs: number;
  readonly n: number;
}

/** Counting space for binGaps, emptied again after each use (the event loop runs one at a time). */
const scratch = new Int32Array(ITL_BOUNDS.length + 1);

/** The bucket a gap falls in (first bound ≥ it, as a Prometheus histogram counts). */
function binOf(gapMs: number): number {
  const v = gapMs / 1000;
  let lo = 0;
  let hi = ITL_BOUNDS.length; // answer in [lo, hi]; hi = above every bound
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (v <= ITL_BOUNDS[mid]!) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** The gaps between consecutive times (ms) of `times[0..n)`; null when there are none. */
export function binGaps(times: ArrayLike<number>, n = times.length): ItlBins | null {
  if (n < 2) return null;
  let lo = scratch.length;
  let hi = -1;
  for (let i = 1; i < n; i++) {
    const b = binOf(times[i]! - times[i - 1]!);
    scratch[b]!++;
    if (b < lo) lo = b;
    if (b > hi) hi = b;
  }
  const buckets: number[] = [];
  for (let b = lo; b <= hi; b++) {
    if (scratch[b] === 0) continue;
    buckets.push(b, scratch[b]!);
    scratch[b] = 0;
  }
  return { buckets, sumMs: times[n - 1]! - times[0]!, n: n - 1 };
}

/** `n` gaps of the same length (a non-streaming answer's derived timeline); null when n is 0. */
export function uniformGaps(gapMs: number, n: number): ItlBins | null {
  if (n <= 0) return null;
  return { buckets: [binOf(gapMs), n], sumMs: gapMs * n, n };
}
