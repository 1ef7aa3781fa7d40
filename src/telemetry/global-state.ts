import { type RequestEnded, type RequestEvent } from './events.js';
import { type Config } from '../config/options.js';
import { DcgmNode } from './dcgm/node.js';
import { GPU_SPECS } from './dcgm/gpu-specs.js';
import { type EngineGauges } from '../engine/runner.js';
import { type PrefixCache } from '../cache/prefix-cache.js';
import { MetricsHub, type PageName } from './metrics/hub.js';
import { ThroughputWindow } from './throughput-window.js';

/** What /health shows of the whole server, whichever worker answers. */
export interface GlobalSnapshot {
  readonly throughputTokensPerSec: number;
  readonly peakTokensPerSec: number;
  /** The simulated GPUs' target load (0–1) from the throughput: what the DCGM pages follow. */
  readonly gpuLoad: number;
  readonly tokensTotal: number;
  readonly tokensByWorker: Record<string, number>;
  readonly requestsTotal: number;
  readonly requestsInFlight: number;
  readonly streamsOpen: number;
  readonly disconnectsTotal: number;
  readonly errorsTotal: number;
  readonly workerRestarts: number;
  /** Cluster mode: whether a booted spare worker is waiting to replace a dead one. */
  readonly spareReady: boolean;
  /** With --scenario: the active phase. */
  readonly scenario?: ScenarioStatus;
}

export interface ScenarioStatus {
  readonly phase: string;
  readonly index: number;
  /** Seconds since the server started when the phase began. */
  readonly sinceSec: number;
}

/**
 * The single source of truth for server-wide telemetry: lives in the primary in cluster mode
 * (fed by batched IPC) or in the only process otherwise (fed by a local sink).
 */
export class GlobalState {
  readonly window: ThroughputWindow;
  private tokensTotal = 0;
  private readonly tokensByWorker = new Map<string, number>();
  private requestsTotal = 0;
  /** Open requests and streams per worker, so a dead worker's can be dropped. */
  private readonly open = new Map<string, { requests: number; streams: number }>();
  private disconnects = 0;
  private errors = 0;
  workerRestarts = 0;
  spareReady = false;
  private sampler: NodeJS.Timeout | undefined;
  /** Every end event, after the metrics (the request summary and the accuracy tally feed on them). */
  onEnded: ((event: RequestEnded) => void) | null = null;
  /** Where --record-requests lines go (the recorder), when recording is on. */
  onRecord: ((record: Readonly<Record<string, unknown>>) => void) | null = null;
  /** The active scenario phase, for /health and the mock page's phase gauge. */
  scenario: ScenarioStatus | null = null;

  /** A scenario's phase names: the mock page shows which one is active. */
  set scenarioPhases(names: readonly string[]) {
    this.metrics.attachScenario(names, () => this.scenario?.index ?? -1);
  }

  private readonly metrics: MetricsHub;
  private readonly dcgm: readonly [DcgmNode, DcgmNode];

  constructor(
    private config: Config,
    startedAt: number = performance.now(),
  ) {
    this.window = new ThroughputWindow(config.dcgmWindowSec);
    this.metrics = new MetricsHub(config, startedAt);
    const node = (n: number): DcgmNode =>
      new DcgmNode({
        spec: GPU_SPECS[config.dcgmGpuName]!,
        numGpus: config.dcgmNumGpus,
        hostname: config.dcgmHostname,
        seed: config.dcgmSeed,
        node: n,
      });
    this.dcgm = [node(1), node(2)];
  }

  /**
   * GPU load from the whole server's token throughput: the current rate over the peak seen, the peak
   * floored by --dcgm-min-throughput. When traffic stops the window empties and the load falls to 0.
   */
  gpuLoad(nowMs: number = performance.now()): number {
    if (!this.config.dcgmAutoLoad) return 0;
    const rate = this.window.rate(nowMs);
    return Math.min(1, rate / Math.max(this.window.peak, this.config.dcgmMinThroughput));
  }

  /** The live config changed (DCGM load knobs): the state reads it from now on. */
  setConfig(config: Config): void {
    this.config = config;
  }

  /** Requests seen server-wide (a scenario's request-count phases). */
  get requests(): number {
    return this.requestsTotal;
  }

  record(record: Readonly<Record<string, unknown>>): void {
    this.onRecord?.(record);
  }

  /** The prefix cache's counts feed the mock's page. */
  attachPrefixCache(cache: PrefixCache | null): void {
    this.metrics.attachPrefixCache(cache);
  }

  /** Single-process engine model: its state feeds the engine gauges of every page. */
  attachEngine(engine: EngineGauges): void {
    this.metrics.attachEngine(engine);
  }

  /** One Prometheus page of the whole server; the DCGM nodes advance to now under the current load. */
  renderMetrics(page: PageName): Promise<string> {
    if (page === 'dcgm1' || page === 'dcgm2') {
      const node = this.dcgm[page === 'dcgm1' ? 0 : 1];
      const now = performance.now();
      node.advance(now, this.gpuLoad(now));
      return node.registry.metrics();
    }
    return this.metrics.render(page);
  }

  /** Samples the rate periodically so the peak is seen even when nobody scrapes. */
  startSampling(everyMs = 100): void {
    this.sampler = setInterval(() => this.window.rate(performance.now()), everyMs);
    this.sampler.unref();
  }

  stop(): void {
    if (this.sampler) clearInterval(this.sampler);
  }

  addTokens(worker: string, n: number, nowMs: number = performance.now()): void {
    if (n <= 0) return;
    this.tokensTotal += n;
    this.tokensByWorker.set(worker, (this.tokensByWorker.get(worker) ?? 0) + n);
    this.window.add(n, nowMs);
  }

  applyRequest(worker: string, event: RequestEvent): void {
    this.metrics.apply(event);
    if (event.kind === 'control') return;
    if (event.kind === 'end') this.onEnded?.(event);
    if (event.kind === 'end' && !event.admitted) {
      this.requestsTotal++;
      this.errors++;
      return;
    }
    let open = this.open.get(worker);
    if (!open) this.open.set(worker, (open = { requests: 0, streams: 0 }));
    const step = event.kind === 'start' ? 1 : -1;
    open.requests = Math.max(0, open.requests + step);
    if (event.stream) open.streams = Math.max(0, open.streams + step);
    if (event.kind === 'start') {
      this.requestsTotal++;
      return;
    }
    if (event.outcome === 'disconnect') this.disconnects++;
    if (event.outcome === 'error') this.errors++;
  }

  /** A dead worker can no longer end its open requests: drop them from the gauges. */
  workerGone(worker: string): void {
    this.open.delete(worker);
  }

  private openTotals(): { requests: number; streams: number } {
    let requests = 0;
    let streams = 0;
    for (const o of this.open.values()) {
      requests += o.requests;
      streams += o.streams;
    }
    return { requests, streams };
  }

  snapshot(nowMs: number = performance.now()): GlobalSnapshot {
    const rate = this.window.rate(nowMs);
    const open = this.openTotals();
    return {
      throughputTokensPerSec: rate,
      peakTokensPerSec: this.window.peak,
      gpuLoad: this.gpuLoad(nowMs),
      tokensTotal: this.tokensTotal,
      tokensByWorker: Object.fromEntries(this.tokensByWorker),
      requestsTotal: this.requestsTotal,
      requestsInFlight: open.requests,
      streamsOpen: open.streams,
      disconnectsTotal: this.disconnects,
      errorsTotal: this.errors,
      workerRestarts: this.workerRestarts,
      spareReady: this.spareReady,
      ...(this.scenario ? { scenario: this.scenario } : {}),
    };
  }
}
