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
 * than serving the stream. Children are bound once per model.
 */
export function perModel<T>(make: (model: string) => T): (model: string) => T {
  const cache = new Map<string, T>();
  return (model) => {
    let v = cache.get(model);
    if (v === undefined) cache.set(model, (v = make(model)));
    return v;
  };
}
