import { Gauge } from 'prom-client';
import { type RequestEnded } from '../events.js';
import {
  DYNAMO_ISL,
  DYNAMO_ITL,
  DYNAMO_OSL,
  DYNAMO_REQUEST_DURATION,
  DYNAMO_TTFT,
  MAX_MODEL_LEN,
  RUST_DEFAULT,
} from './buckets.js';
import { FastCounter } from './fast-counter.js';
import { FastHistogram } from './fast-histogram.js';
import { type MetricsPage, newRegistry, type PageContext, perModel, seconds } from './page.js';

const ENDPOINT_NAMES: Record<string, string> = {
  '/v1/chat/completions': 'chat_completions',
  '/v1/completions': 'completions',
  '/v1/responses': 'responses',
  '/v1/messages': 'messages',
};
/** Dynamo's request_type label; at module level, one function for every page (decision 0018). */
const kind = (stream: boolean): string => (stream ? 'stream' : 'unary');
const endpointName = (path: string): string => ENDPOINT_NAMES[path] ?? path.replace(/^\//, '').replace(/\//g, '_');

/** dynamo_frontend error_type for a failed request (Dynamo `lib/llm/src/http/service/metrics.rs`). */
function errorType(e: RequestEnded): string {
  if (e.outcome === 'ok') return '';
  if (e.outcome === 'disconnect') return 'cancelled';
  if (e.status === 400 || e.status === 413) return 'validation';
  if (e.status === 404) return 'not_found';
  if (e.status === 429) return 'overload';
  if (e.status === 503) return 'unavailable';
  return 'internal';
}

/**
 * Dynamo frontend page (Dynamo `lib/llm/src/http/service/metrics.rs`). Request metrics use the lower-cased model name and the config
 * gauges the name as registered, as the real frontend does; disconnected_clients is an unlabelled gauge.
 */
export function dynamoFrontendPage(ctx: PageContext): MetricsPage {
  const registry = newRegistry();
  const reg = { registers: [registry] };
  const p = 'dynamo_frontend_';
  const M = ['model'] as const;
  const requests = new FastCounter({
    name: `${p}requests_total`,
    help: 'Total number of LLM requests processed',
    labelNames: ['model', 'endpoint', 'request_type', 'status', 'error_type'],
    ...reg,
  });
  const started = new FastCounter({
    name: `${p}requests_started_total`,
    help: 'Total number of LLM requests started',
    labelNames: ['model', 'endpoint', 'request_type'],
    ...reg,
  });
  const outputTokens = new FastCounter({
    name: `${p}output_tokens_total`,
    help: 'Total number of output tokens generated',
    labelNames: M,
    ...reg,
  });
  const inflight = new Map<string, number>();
  const modelGauge = (name: string, help: string, value: (model: string) => number) =>
    new Gauge({
      name: p + name,
      help,
      labelNames: M,
      ...reg,
      collect() {
        for (const m of inflight.keys()) this.set({ model: m }, value(m));
      },
    });
  modelGauge('inflight_requests', 'Number of inflight requests', (m) => inflight.get(m) ?? 0);
  modelGauge('active_requests', 'Number of active requests', (m) => inflight.get(m) ?? 0);
  modelGauge('queued_requests', 'Number of requests in HTTP processing queue', () => 0);
  new Gauge({
    name: `${p}disconnected_clients`,
    help: 'Number of disconnected clients',
    ...reg,
    collect() {
      this.set(ctx.load.disconnects);
    },
  });
  const hist = (name: string, help: string, buckets: number[]) => {
    const h = new FastHistogram(p + name, help, buckets, registry);
    return perModel((model) => h.bind({ model }));
  };
  const duration = hist('request_duration_seconds', 'Duration of LLM requests', DYNAMO_REQUEST_DURATION);
  const ttft = hist('time_to_first_token_seconds', 'Time to first token in seconds', DYNAMO_TTFT);
  const itl = hist('inter_token_latency_seconds', 'Inter-token latency in seconds', DYNAMO_ITL);
  const isl = hist('input_sequence_tokens', 'Input sequence length in tokens', DYNAMO_ISL);
  const osl = hist('output_sequence_tokens', 'Output sequence length in tokens', DYNAMO_OSL);
  const cached = hist('cached_tokens', 'Number of cached tokens (prefix cache hits) per request', DYNAMO_ISL);
  const registered = new Set<string>();
  const config = (name: string, help: string, value: number) =>
    new Gauge({
      name: p + name,
      help,
      labelNames: M,
      ...reg,
      collect() {
        for (const m of registered) this.set({ model: m }, value);
      },
    });
  config('model_total_kv_blocks', 'Total KV blocks available for a worker serving the model', ctx.load.kv.blocks);
  config('model_max_num_seqs', 'Maximum number of sequences for a worker serving the model', 256);
  config('model_max_num_batched_tokens', 'Maximum number of batched tokens for a worker serving the model', 8192);
  config('model_context_length', 'Maximum context length in tokens for a worker serving the model', MAX_MODEL_LEN);
  config(
    'model_kv_cache_block_size',
    'KV cache block size in tokens for a worker serving the model',
    ctx.load.kv.blockTokens,
  );
  config('model_migration_limit', 'Maximum number of request migrations allowed for the model', 0);

  return {
    registry,
    start(e) {
      if (!e.generation) return;
      const model = e.model.toLowerCase();
      registered.add(e.model);
      inflight.set(model, (inflight.get(model) ?? 0) + 1);
      started.inc({ model, endpoint: endpointName(e.endpoint), request_type: kind(e.stream) });
    },
    end(e) {
      if (!e.generation) return;
      const model = e.model.toLowerCase();
      inflight.set(model, Math.max(0, (inflight.get(model) ?? 0) - 1));
      const status = e.outcome === 'ok' ? 'success' : 'error';
      requests.inc({
        model,
        endpoint: endpointName(e.endpoint),
        request_type: kind(e.stream),
        status,
        error_type: errorType(e),
      });
      if (e.outcome === 'error') return;
      outputTokens.inc({ model }, e.completionTokens);
      duration.get(model).observe(seconds(e.e2eMs));
      if (e.ttftMs !== null) ttft.get(model).observe(seconds(e.ttftMs));
      if (e.itl) itl.get(model).addItl(e.itl);
      isl.get(model).observe(e.promptTokens);
      osl.get(model).observe(e.completionTokens);
      cached.get(model).observe(e.cachedTokens);
    },
  };
}

/**
 * A Dynamo worker's own page (Dynamo `lib/runtime/src/metrics/prometheus_names.rs`): `dynamo_component_*` with dynamo_component,
 * dynamo_endpoint, dynamo_namespace and model. The prefill worker's request duration is the time to
 * the first token; the decode worker's is the rest of the request.
 */
export function dynamoComponentPage(ctx: PageContext, role: 'prefill' | 'decode'): MetricsPage {
  const registry = newRegistry();
  const reg = { registers: [registry] };
  const p = 'dynamo_component_';
  const component = role === 'prefill' ? 'prefill' : 'backend';
  const L = ['dynamo_component', 'dynamo_endpoint', 'dynamo_namespace', 'model'] as const;
  const labels = (model: string) => ({
    dynamo_component: component,
    dynamo_endpoint: 'generate',
    dynamo_namespace: 'dynamo',
    model,
  });
  const requests = new FastCounter({
    name: `${p}requests_total`,
    help: 'Total number of requests processed by work handler',
    labelNames: L,
    ...reg,
  });
  const inflight = new Map<string, number>();
  new Gauge({
    name: `${p}inflight_requests`,
    help: 'Number of requests currently being processed by work handler',
    labelNames: L,
    ...reg,
    collect() {
      for (const [m, n] of inflight) this.set(labels(m), n);
    },
  });
  const duration = new FastHistogram(
    `${p}request_duration_seconds`,
    'Time spent processing requests by work handler',
    RUST_DEFAULT,
    registry,
  );
  const durationFor = perModel((model) => duration.bind(labels(model)));
  const K = ['dynamo_component', 'dynamo_namespace'] as const;
  const kv = { dynamo_component: component, dynamo_namespace: 'dynamo' };
  const kvGauge = (name: string, help: string, value: () => number) =>
    new Gauge({
      name: p + name,
      help,
      labelNames: K,
      ...reg,
      collect() {
        this.set(kv, value());
      },
    });
  kvGauge('kvstats_active_blocks', 'Number of active KV cache blocks', () => ctx.load.kvActiveBlocks);
  kvGauge('kvstats_total_blocks', 'Total number of KV cache blocks', () => ctx.load.kv.blocks);
  kvGauge('kvstats_gpu_cache_usage_percent', 'GPU cache usage as a percentage (0.0-1.0)', () => ctx.load.kvUsage);
  kvGauge('kvstats_gpu_prefix_cache_hit_rate', 'GPU prefix cache hit rate as a percentage (0.0-1.0)', () => hitRate());
  new Gauge({
    name: `${p}uptime_seconds`,
    help: 'Total uptime of the DistributedRuntime in seconds',
    ...reg,
    collect() {
      this.set((performance.now() - ctx.startedAt) / 1000);
    },
  });
  let hits = 0;
  let queries = 0;
  const hitRate = (): number => (queries > 0 ? hits / queries : 0);

  return {
    registry,
    start(e) {
      if (e.generation) inflight.set(e.model, (inflight.get(e.model) ?? 0) + 1);
    },
    end(e) {
      if (!e.generation) return;
      inflight.set(e.model, Math.max(0, (inflight.get(e.model) ?? 0) - 1));
      if (e.outcome === 'error' && e.status === 400) return;
      requests.inc(labels(e.model));
      hits += e.cachedTokens;
      queries += e.promptTokens;
      const ms = role === 'prefill' ? (e.ttftMs ?? e.e2eMs) : e.e2eMs - (e.ttftMs ?? e.e2eMs);
      durationFor.get(e.model).observe(seconds(ms));
    },
  };
}
