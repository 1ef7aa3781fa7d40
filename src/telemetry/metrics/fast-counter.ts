import { type Metric, type Registry } from 'prom-client';

interface Series {
  readonly labels: Record<string, string>;
  value: number;
}

/** One level of the label tree: the series whose labels end here, and the next label's values. */
interface Node {
  series?: Series;
  readonly children: Map<string, Node>;
}

/** A series bound once: `inc` adds to it with no label work. */
export interface CounterSeries {
  inc(value?: number): void;
}

export interface FastCounterConfig<L extends string> {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly L[];
  readonly registers: readonly Registry[];
}

/** A bound series: a class, so every page's `inc` calls reach one function (see BoundSeries in fast-histogram.ts). */
class BoundCounter implements CounterSeries {
  constructor(private readonly series: Series) {}

  inc(value = 1): void {
    this.series.value += value;
  }
}

/**
 * The counters of the engine pages, with prom-client Counter's `inc(labels, value)` and
 * `labels(...)` shape. prom-client sorts, hashes and validates the label object on every inc
 * (`labels()` children too); a request end increments ~25 labelled counters over the pages, which
 * was about half of the cluster primary's fold time. Here a series is found by its label values in
 * the declared name order (one short string), and `labels()` binds it once. Rendered through
 * prom-client's registry like FastHistogram, so the page format is prom-client's.
 */
export class FastCounter<L extends string = string> {
  readonly type = 'counter';
  readonly name: string;
  readonly help: string;
  private readonly labelNames: readonly L[];
  /** Series by label values, one level per label name in declared order: found without building a key. */
  private readonly root: Node = { children: new Map() };
  /** Every series, in the order they were created (the page's order). */
  private readonly series: Series[] = [];
  /** The last series found and its label values (in labelNames order). */
  private lastSeries: Series | null = null;
  private readonly lastValues: string[] = [];

  constructor(config: FastCounterConfig<L>) {
    this.name = config.name;
    this.help = config.help;
    this.labelNames = config.labelNames;
    for (const r of config.registers) r.registerMetric(this as unknown as Metric);
  }

  inc(labels: Readonly<Partial<Record<L, string>>>, value = 1): void {
    this.find(labels).value += value;
  }

  /** The series for one label set, created at zero (so binding also pre-creates it on the page). */
  labels(labels: Readonly<Partial<Record<L, string>>>): CounterSeries {
    return new BoundCounter(this.find(labels));
  }

  private find(labels: Readonly<Partial<Record<L, string>>>): Series {
    // The series of the previous call, when every label value is the same: a benchmark's requests are
    // alike, and the cluster primary folds every request's ~20 increments (each a Map walk otherwise).
    const names = this.labelNames;
    if (this.lastSeries !== null) {
      let i = 0;
      while (i < names.length && (labels[names[i]!] ?? '') === this.lastValues[i]) i++;
      if (i === names.length) return this.lastSeries;
    }
    // A request's end increments ~20 labelled counters; a key string per call was garbage on every one.
    let node = this.root;
    for (const n of this.labelNames) {
      const v = labels[n] ?? '';
      let next = node.children.get(v);
      if (!next) node.children.set(v, (next = { children: new Map() }));
      node = next;
    }
    if (!node.series) {
      const own: Record<string, string> = {};
      for (const n of this.labelNames) if (labels[n] !== undefined) own[n] = labels[n];
      this.series.push((node.series = { labels: own, value: 0 }));
    }
    for (let i = 0; i < names.length; i++) this.lastValues[i] = labels[names[i]!] ?? '';
    this.lastSeries = node.series;
    return node.series;
  }

  /** prom-client's metric protocol. */
  get(): { name: string; help: string; type: string; values: { labels: Record<string, string>; value: number }[] } {
    const values = this.series.map((s) => ({ labels: s.labels, value: s.value }));
    return { name: this.name, help: this.help, type: this.type, values };
  }
}
