import { Counter, Gauge } from 'prom-client';
import { MOCK_ITL, MOCK_LATENCY, MOCK_TTFT } from './buckets.js';
import { CONTROL_CALLS } from '../events.js';
import { FastCounter } from './fast-counter.js';
import { FastHistogram } from './fast-histogram.js';
import { type LoadTracker } from './load.js';
import { type MetricsPage, newRegistry, type PageContext, perModel, seconds } from './page.js';

/**
 * The mock's own page: upstream's `aiperf_mock_*` names (so AIPerf's auto-collected server metrics keep
 * working), fed by every request, failures and injected errors included, plus disconnects.
 */
export function mockPage(ctx: PageContext): MetricsPage {
  const registry = newRegistry();
  const reg = { registers: [registry] };
  const p = 'aiperf_mock_';
  const counter = (name: string, help: string, labelNames: string[]) =>
    new FastCounter({ name: p + name, help, labelNames, ...reg });
  const hist = (name: string, help: string, buckets: number[]) => {
    const h = new FastHistogram(p + name, help, buckets, registry);
    return perModel((endpoint) => h.bind({ endpoint }));
  };
  const requests = counter('requests_total', 'Total requests by endpoint, method and HTTP status', [
    'endpoint',
    'method',
    'status',
  ]);
  // Counted here and set at scrape time: prom-client's labelled inc/dec hashes the label object on every call.
  const inProgress = new Map<string, number>();
  new Gauge({
    name: `${p}requests_in_progress`,
    help: 'Requests in progress',
    labelNames: ['endpoint'],
    ...reg,
    collect() {
      for (const [endpoint, n] of inProgress) this.set({ endpoint }, n);
    },
  });
  const latency = hist('request_latency_seconds', 'End-to-end request latency (seconds)', MOCK_LATENCY);
  const prompt = counter('prompt_tokens_total', 'Prompt tokens processed', ['endpoint', 'model']);
  const completion = counter('completion_tokens_total', 'Completion tokens delivered', ['endpoint', 'model']);
  const streaming = counter('streaming_requests_total', 'Streaming requests started', ['endpoint', 'model']);
  const streamed = counter('tokens_streamed_total', 'Tokens delivered on streams (reasoning included)', [
    'endpoint',
    'model',
  ]);
  const ttft = hist('time_to_first_token_seconds', 'Time to first token (seconds), measured at the write', MOCK_TTFT);
  const itl = hist('inter_token_latency_seconds', 'Inter-token latency (seconds), measured at the writes', MOCK_ITL);
  const errors = counter('errors_total', 'Failed requests by error type', ['endpoint', 'error_type']);
  const byModel = counter('requests_by_model_total', 'Requests by model', ['model', 'endpoint']);
  const disconnects = counter('client_disconnects_total', 'Clients that went away before the answer was complete', [
    'endpoint',
  ]);
  const control = counter('control_calls_total', 'Control calls by route (prefix-cache resets, profiler)', ['call']);
  for (const call of CONTROL_CALLS) control.labels({ call }); // every route's series from the start, at 0
  const cacheStats = () => ctx.load.prefix?.stats();
  new Gauge({
    name: `${p}prefix_cache_blocks`,
    help: 'KV blocks held by the prefix cache (0 with --no-prefix-caching)',
    ...reg,
    collect() {
      this.set(cacheStats()?.blocks ?? 0);
    },
  });
  new Gauge({
    name: `${p}prefix_cache_capacity_blocks`,
    help: 'KV blocks the prefix cache may hold now (--kv-blocks, less those of running sequences in the engine model)',
    ...reg,
    collect() {
      this.set(cacheStats()?.capacity ?? 0);
    },
  });
  new Counter({
    name: `${p}prefix_cache_evicted_blocks_total`,
    help: 'Prefix cache blocks evicted (least recently used first) to stay within capacity',
    ...reg,
    collect() {
      this.reset();
      this.inc(cacheStats()?.evictedTotal ?? 0);
    },
  });
  new Gauge({
    name: `${p}uptime_seconds`,
    help: 'Seconds since the server started',
    ...reg,
    collect() {
      this.set((performance.now() - ctx.startedAt) / 1000);
    },
  });

  return {
    registry,
    control(call) {
      control.inc({ call });
    },
    start(e) {
      inProgress.set(e.endpoint, (inProgress.get(e.endpoint) ?? 0) + 1);
      if (e.stream) streaming.inc({ endpoint: e.endpoint, model: e.model });
    },
    end(e) {
      const endpoint = e.endpoint;
      if (e.admitted) inProgress.set(endpoint, (inProgress.get(endpoint) ?? 0) - 1);
      requests.inc({ endpoint, method: 'POST', status: String(e.status) });
      byModel.inc({ model: e.model, endpoint });
      if (e.errorType) errors.inc({ endpoint, error_type: e.errorType });
      if (e.outcome === 'disconnect') disconnects.inc({ endpoint });
      if (!e.admitted) return;
      latency.get(endpoint).observe(seconds(e.e2eMs));
      prompt.inc({ endpoint, model: e.model }, e.promptTokens);
      completion.inc({ endpoint, model: e.model }, e.completionTokens);
      if (!e.stream) return;
      streamed.inc({ endpoint, model: e.model }, e.completionTokens);
      if (e.ttftMs !== null) ttft.get(endpoint).observe(seconds(e.ttftMs));
      if (e.itl) itl.get(endpoint).addItl(e.itl);
    },
  };
}

/**
 * With --scenario: 1 for the active phase, 0 for the others. Registered on the mock page only when a
 * scenario runs (a page without one has no such family).
 */
export function scenarioGauge(load: LoadTracker): Gauge {
  return new Gauge({
    name: 'aiperf_mock_scenario_phase',
    help: 'With --scenario: 1 for the active phase, 0 for the others (a graph shows when each phase began)',
    labelNames: ['phase'],
    registers: [],
    collect() {
      const s = load.scenario;
      if (!s) return;
      const active = s.active();
      s.phases.forEach((phase, i) => this.set({ phase }, i === active ? 1 : 0));
    },
  });
}
