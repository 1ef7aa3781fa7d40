import { Registry } from 'prom-client';
import { type ControlCallName, type RequestEnded, type RequestStarted } from '../events.js';
import { type LoadTracker } from './load.js';

/** One Prometheus page: its own registry, fed by request events, gauges refreshed at scrape time. */
export interface MetricsPage {
  readonly registry: Registry;
  start(e: RequestStarted): void;
  end(e: RequestEnded): void;
  /** A control call (prefix-cache reset, profiler start/stop): only the mock's page counts them. */
  control?(call: ControlCallName): void;
  /** Engine model: one engine step processed this many tokens (prefill + decode). */
  engineStep?(tokens: number): void;
}

export interface PageContext {
  readonly load: LoadTracker;
  /** The model the server presents (pre-created series use it). */
  readonly defaultModel: string;
  readonly startedAt: number;
}

export const seconds = (ms: number): number => ms / 1000;

export function newRegistry(): Registry {
  return new Registry();
}

/**
 * Memoises per-label-set children (prom-client's `metric.labels(...)`): a labelled observe hashes its
 * label object on every call, which for a 256-token stream's inter-token gaps on four pages cost more
 * than serving the stream. Children are bound once per model. A class with `get`, not a closure per
 * page: the pages' calls then reach one function whatever the instance (see BoundSeries in
 * fast-histogram.ts; docs/decisions/0018).
 */
export class PerModel<T> {
  private readonly cache = new Map<string, T>();
  constructor(private readonly make: (model: string) => T) {}

  get(model: string): T {
    let v = this.cache.get(model);
    if (v === undefined) this.cache.set(model, (v = this.make(model)));
    return v;
  }
}

export function perModel<T>(make: (model: string) => T): PerModel<T> {
  return new PerModel(make);
}
