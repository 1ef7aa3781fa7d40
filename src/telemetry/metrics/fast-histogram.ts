import { type Metric, type Registry } from 'prom-client';
import { ITL_BOUNDS, type ItlBins } from '../itl-bins.js';

interface Series {
  readonly labels: Record<string, string>;
  readonly counts: Float64Array;
  sum: number;
  count: number;
}

/** A bound series: `observe` one value; `addItl` a request's binned token gaps (ms, observed in seconds). */
export interface HistogramSeries {
  observe(value: number): void;
  addItl(bins: ItlBins | null): void;
}

/**
 * The histogram of every engine page. prom-client's Histogram validates and hashes the label set on
 * every observe (~0.7 µs); one request feeds ~30 histograms over the pages and a stream one inter-token
 * gap per token on four of them, which measured 64 µs per short request and 357 µs per 256-token stream
 * (more than serving them). Here a series is bound once per label set and an observation is a short
 * scan of a bucket array. It renders through prom-client's registry (`registerMetric` + the `get()`
 * protocol), so the page format is prom-client's like every other series.
 */
export class FastHistogram {
  readonly type = 'histogram';
  private readonly series = new Map<string, Series>();
  /** ITL_BOUNDS bucket → this histogram's bucket (bounds.length = +Inf only), made on first use. */
  private itlMap: Int32Array | null = null;

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly bounds: readonly number[],
    registry: Registry,
  ) {
    registry.registerMetric(this as unknown as Metric);
  }

  /** The series for one label set, created at zero (so binding also pre-creates it on the page). */
  bind(labels: Record<string, string>): HistogramSeries {
    const key = JSON.stringify(labels);
    let s = this.series.get(key);
    if (!s) this.series.set(key, (s = { labels, counts: new Float64Array(this.bounds.length), sum: 0, count: 0 }));
    return new BoundSeries(this, s, this.bounds);
  }

  /** ITL_BOUNDS bucket → this histogram's bucket, made on first use (a page's other histograms never need it). */
  itlBuckets(): Int32Array {
    return (this.itlMap ??= mapBins(this.bounds));
  }

  /** prom-client's metric protocol: cumulative buckets, +Inf, sum and count per series. */
  get(): {
    name: string;
    help: string;
    type: string;
    values: { labels: Record<string, string | number>; value: number; metricName: string }[];
  } {
    const values: { labels: Record<string, string | number>; value: number; metricName: string }[] = [];
    for (const s of this.series.values()) {
      let acc = 0;
      this.bounds.forEach((bound, i) => {
        acc += s.counts[i]!;
        values.push({ labels: { ...s.labels, le: bound }, value: acc, metricName: `${this.name}_bucket` });
      });
      values.push({ labels: { ...s.labels, le: '+Inf' }, value: s.count, metricName: `${this.name}_bucket` });
      values.push({ labels: s.labels, value: s.sum, metricName: `${this.name}_sum` });
      values.push({ labels: s.labels, value: s.count, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, values };
  }
}

/**
 * One bound series. A class, not closures made per bind: every page's calls to `observe` then reach one
 * function whatever the instance, so code compiled while the warm-up's throwaway pages were fed stays
 * valid for the server's own (a closure of another instance is another call target, and V8 throws the
 * calling code away when it meets one; docs/decisions/0018).
 */
class BoundSeries implements HistogramSeries {
  constructor(
    private readonly owner: FastHistogram,
    private readonly series: Series,
    private readonly bounds: readonly number[],
  ) {}

  observe(v: number): void {
    const series = this.series;
    const bounds = this.bounds;
    series.sum += v;
    series.count++;
    for (let b = 0; b < bounds.length; b++) {
      if (v <= bounds[b]!) {
        series.counts[b]!++;
        break;
      }
    }
  }

  addItl(bins: ItlBins | null): void {
    if (!bins) return;
    const to = this.owner.itlBuckets();
    const series = this.series;
    const n = this.bounds.length;
    const pairs = bins.buckets;
    for (let k = 0; k < pairs.length; k += 2) {
      const j = to[pairs[k]!]!;
      if (j < n) series.counts[j]! += pairs[k + 1]!;
    }
    series.sum += bins.sumMs / 1000;
    series.count += bins.n;
  }
}

/**
 * Where each ITL_BOUNDS bucket lands among `bounds`: the first bound ≥ its upper edge. Exact only when
 * `bounds` ⊆ ITL_BOUNDS (every bucket of ours then lies inside one of theirs); bounds outside it
 * would be counted wrongly, so they throw (ITL_BOUNDS is built from every page's ITL bounds).
 */
function mapBins(bounds: readonly number[]): Int32Array {
  const merged = new Set(ITL_BOUNDS);
  for (const b of bounds) if (!merged.has(b)) throw new Error(`ITL bound ${b} is not in ITL_BOUNDS`);
  const to = new Int32Array(ITL_BOUNDS.length + 1);
  for (let i = 0; i <= ITL_BOUNDS.length; i++) {
    const edge = i < ITL_BOUNDS.length ? ITL_BOUNDS[i]! : Infinity;
    const j = bounds.findIndex((b) => edge <= b);
    to[i] = j < 0 ? bounds.length : j;
  }
  return to;
}
