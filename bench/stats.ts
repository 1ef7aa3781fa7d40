/** Percentile by nearest rank on a sorted copy. */
export function percentile(values: ArrayLike<number>, p: number): number {
  if (values.length === 0) return NaN;
  const sorted = Float64Array.from(values).sort();
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export function mean(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i]!;
  return values.length ? s / values.length : NaN;
}

export function median(values: number[]): number {
  return percentile(values, 50);
}

export interface Distribution {
  readonly n: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly mean: number;
}

/** Distribution of |error| (p50, p99, max of absolute values) plus the signed mean. */
export function errorDistribution(errors: ArrayLike<number>): Distribution {
  const abs = Float64Array.from(errors, Math.abs);
  return {
    n: errors.length,
    p50: percentile(abs, 50),
    p99: percentile(abs, 99),
    max: percentile(abs, 100),
    mean: mean(errors),
  };
}
