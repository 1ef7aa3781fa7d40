import { type Metric, type Registry } from 'prom-client';

interface Series {
  readonly labels: Record<string, string>;
  value: number;
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
  private readonly series = new Map<string, Series>();

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
    const s = this.find(labels);
    return {
      inc(value = 1) {
        s.value += value;
      },
    };
  }

  private find(labels: Readonly<Partial<Record<L, string>>>): Series {
    let key = '';
    for (const n of this.labelNames) key += `${labels[n] ?? ''}\u0001`;
    let s = this.series.get(key);
    if (!s) {
      const own: Record<string, string> = {};
      for (const n of this.labelNames) if (labels[n] !== undefined) own[n] = labels[n];
      this.series.set(key, (s = { labels: own, value: 0 }));
    }
    return s;
  }

  /** prom-client's metric protocol. */
  get(): { name: string; help: string; type: string; values: { labels: Record<string, string>; value: number }[] } {
    const values = [...this.series.values()].map((s) => ({ labels: s.labels, value: s.value }));
    return { name: this.name, help: this.help, type: this.type, values };
  }
}
