import { type ServerResponse } from 'node:http';
import { APIS } from '../api/registry.js';
import { type ApiRequest, type AppContext } from './context.js';
import { type ErrorFamily } from './errors.js';
import { generationHandler } from './inference.js';
import { type ControlCallName } from '../telemetry/events.js';
import { controlHandler } from './control.js';
import { healthHandler, liveHandler, rootHandler } from './info.js';
import { modelHandler, modelsHandler } from './models.js';
import { BACKEND_PAGE, metricsHandler } from './metrics-routes.js';
import { oneShotHandler } from './one-shot.js';
import { accuracyRoutes, adminRoutes } from './admin-routes.js';
import { type WarmUpStatus } from './warm-up.js';

export type Handler = (req: ApiRequest, res: ServerResponse) => void | Promise<void>;

export interface Route {
  readonly method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** How a POST body is read: JSON (default), or JSON and multipart/form-data (`form`). */
  readonly body?: 'json' | 'form';
  /** Whether the auth/readiness guard runs first (default: POST routes only). */
  readonly guarded?: boolean;
  /** An express path: static, or with `:name` parameters (read from `req.params`). */
  readonly path: string;
  /** Whose error shape a failure on this path takes. */
  readonly family: ErrorFamily;
  readonly summary: string;
  readonly handler: Handler;
}

/**
 * The one route table: every endpoint the server answers. The API families' endpoints come from the
 * registry (each API object carries its own path and summary); the server's own routes follow.
 */
export function routeTable(ctx: AppContext, draining: () => boolean, warmUp: () => WarmUpStatus): Route[] {
  const routes: Route[] = APIS.flatMap((entry): Route[] => {
    if (entry.kind === 'routes') return entry.routes(ctx);
    const { api } = entry;
    const handler = entry.kind === 'generation' ? generationHandler(ctx, entry.api) : oneShotHandler(ctx, entry.api);
    return [{ method: 'POST', path: api.endpoint, family: api.family, summary: api.summary, handler }];
  });
  routes.push(
    { method: 'GET', path: '/v1/models', family: 'openai', summary: 'Model list', handler: modelsHandler(ctx) },
    {
      method: 'GET',
      path: '/v1/models/*id',
      family: 'openai',
      summary: 'One served model (ids may contain slashes), or 404 model_not_found',
      handler: modelHandler(ctx),
    },
    {
      method: 'GET',
      path: '/health',
      family: 'openai',
      summary: 'Readiness (503 while loading or draining), effective config, server-wide throughput',
      handler: healthHandler(ctx, draining, warmUp),
    },
    { method: 'GET', path: '/health/live', family: 'openai', summary: 'Liveness', handler: liveHandler(ctx) },
  );
  // Control calls (AIPerf's --reset-kv-cache and --server-profiler), with each engine's method and answer.
  const control = (method: Route['method'], call: ControlCallName, summary: string): Route => ({
    method,
    path: `/${call}`,
    family: 'openai',
    summary,
    handler: controlHandler(ctx, call),
  });
  routes.push(
    control('POST', 'reset_prefix_cache', 'vLLM: clear the prefix cache (empty 200)'),
    control('POST', 'flush_cache', 'SGLang: flush the radix cache'),
    control('GET', 'flush_cache', 'SGLang: flush the radix cache (GET, as SGLang also serves it)'),
    control('POST', 'start_profile', 'Start the profiler (empty 200)'),
    control('POST', 'stop_profile', 'Stop the profiler (empty 200)'),
  );
  routes.push(...adminRoutes(ctx), ...accuracyRoutes(ctx));
  const page = (path: string, name: Parameters<typeof metricsHandler>[1], summary: string): Route => ({
    method: 'GET',
    path,
    family: 'openai',
    summary,
    handler: metricsHandler(ctx, name),
  });
  routes.push(
    page(
      '/metrics',
      BACKEND_PAGE[ctx.config.metricsBackend]!,
      `Prometheus: the ${ctx.config.metricsBackend} page (--metrics-backend)`,
    ),
    page('/vllm/metrics', 'vllm', 'Prometheus: vLLM V1 engine series'),
    page('/sglang/metrics', 'sglang', 'Prometheus: SGLang series'),
    page('/trtllm/metrics', 'trtllm', 'Prometheus: TensorRT-LLM (trtllm-serve) series'),
    page('/trtllm/prometheus/metrics', 'trtllm', 'Prometheus: TensorRT-LLM series at its real sub-path'),
    page(
      '/prometheus/metrics',
      'trtllm',
      "Prometheus: TensorRT-LLM series where trtllm-serve serves them (aiperf's fallback probe)",
    ),
    page('/dynamo_frontend/metrics', 'dynamo_frontend', 'Prometheus: NVIDIA Dynamo frontend series'),
    page('/dynamo_component/prefill/metrics', 'dynamo_prefill', 'Prometheus: Dynamo prefill worker series'),
    page('/dynamo_component/decode/metrics', 'dynamo_decode', 'Prometheus: Dynamo decode worker series'),
    page('/dcgm1/metrics', 'dcgm1', 'Simulated dcgm-exporter, node 1'),
    page('/dcgm2/metrics', 'dcgm2', 'Simulated dcgm-exporter, node 2 (seed + 1)'),
  );
  const endpoints = routes.map(({ method, path, summary }) => ({ method, path, summary }));
  endpoints.push({ method: 'GET', path: '/', summary: 'Server name, version, endpoints' });
  routes.push({
    method: 'GET',
    path: '/',
    family: 'openai',
    summary: 'Server name, version, endpoints',
    handler: rootHandler(ctx, endpoints),
  });
  return routes;
}
