import { DYNAMO_ITL, MOCK_ITL, SGLANG_ITL, VLLM_ITL } from './metrics/buckets.js';

/**
 * Every page's inter-token-latency bucket bounds, merged (seconds, ascending). A request's gaps are
 * counted into these once, where they are measured; each page then adds the counts into its own
 * buckets, which are a subset of these, so every page gets exactly the counts it would have got from
 * the raw gaps. A 256-token stream's end event then carries ~60 numbers instead of 255 gaps, which is
 * what the cluster primary has to receive and fold (issue 3: telemetry over IPC ≤ 5 % of the CPU).
 */
export const ITL_BOUNDS: readonly number[] = [
  ...new Set([...VLLM_ITL, ...SGLANG_ITL, ...DYNAMO_ITL, ...MOCK_ITL]),
].sort((a, b) => a - b);

/** A request's token gaps: counts per ITL_BOUNDS bucket (one more at the end for above them all). */
export interface ItlBins {
  readonly counts: readonly number[];
  readonly sumMs: number;
  readonly n: number;
}

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
  const counts = new Array<number>(ITL_BOUNDS.length + 1).fill(0);
  for (let i = 1; i < n; i++) counts[binOf(times[i]! - times[i - 1]!)]!++;
  return { counts, sumMs: times[n - 1]! - times[0]!, n: n - 1 };
}

/** `n` gaps of the same length (a non-streaming answer's derived timeline); null when n is 0. */
export function uniformGaps(gapMs: number, n: number): ItlBins | null {
  if (n <= 0) return null;
  const counts = new Array<number>(ITL_BOUNDS.length + 1).fill(0);
  counts[binOf(gapMs)] = n;
  return { counts, sumMs: gapMs * n, n };
}
