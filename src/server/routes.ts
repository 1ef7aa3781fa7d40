import { type ServerResponse } from 'node:http';
import { MESSAGES_API } from '../api/anthropic/messages.js';
import { CHAT_EMBEDDINGS_API, EMBEDDINGS_API } from '../api/embeddings/embeddings.js';
import { CUSTOM_MULTIMODAL_API } from '../api/multimodal/custom.js';
import { RESPONSES_API } from '../api/responses/responses.js';
import { CHAT_API, COMPLETIONS_API } from '../api/openai/apis.js';
import { COHERE_RERANK_API, NIM_RANKING_API, TEI_RERANK_API } from '../api/rankings/rankings.js';
import { TGI_GENERATE_API, TGI_STREAM_API } from '../api/tgi/tgi.js';
import { type ApiRequest, type AppContext } from './context.js';
import { type ErrorFamily } from './errors.js';
import { generationHandler } from './inference.js';
import { healthHandler, liveHandler, modelsHandler, rootHandler } from './info.js';
import { BACKEND_PAGE, metricsHandler } from './metrics-routes.js';
import { oneShotHandler } from './one-shot.js';

export type Handler = (req: ApiRequest, res: ServerResponse) => void | Promise<void>;

export interface Route {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  /** Whose error shape a failure on this path takes. */
  readonly family: ErrorFamily;
  readonly summary: string;
  readonly handler: Handler;
}

/** The one route table: every endpoint the server answers. */
export function routeTable(ctx: AppContext, draining: () => boolean): Route[] {
  const routes: Route[] = [
    {
      method: 'POST',
      path: '/v1/chat/completions',
      family: 'openai',
      summary: 'OpenAI chat completions (stream or not)',
      handler: generationHandler(ctx, CHAT_API),
    },
    {
      method: 'POST',
      path: '/v1/completions',
      family: 'openai',
      summary: 'OpenAI text completions (stream or not)',
      handler: generationHandler(ctx, COMPLETIONS_API),
    },
    {
      method: 'POST',
      path: '/v1/responses',
      family: 'openai',
      summary: 'OpenAI Responses (stream or not)',
      handler: generationHandler(ctx, RESPONSES_API),
    },
    {
      method: 'POST',
      path: '/v1/messages',
      family: 'anthropic',
      summary: 'Anthropic Messages (stream or not; thinking, tools)',
      handler: generationHandler(ctx, MESSAGES_API),
    },
    ...[TGI_GENERATE_API, TGI_STREAM_API].map((api): Route => ({
      method: 'POST',
      path: api.endpoint,
      family: api.family,
      summary: api === TGI_GENERATE_API ? 'HF TGI generation' : 'HF TGI streaming generation (SSE)',
      handler: generationHandler(ctx, api),
    })),
    {
      method: 'POST',
      path: '/v1/embeddings',
      family: 'openai',
      summary: 'OpenAI embeddings (float or base64)',
      handler: oneShotHandler(ctx, EMBEDDINGS_API),
    },
    {
      method: 'POST',
      path: '/v1/chat/embeddings',
      family: 'openai',
      summary: 'Embeddings of each chat message (chat-shaped body)',
      handler: oneShotHandler(ctx, CHAT_EMBEDDINGS_API),
    },
    {
      method: 'POST',
      path: '/v1/custom-multimodal',
      family: 'openai',
      summary: 'Custom multimodal format (text fragments, images, videos, audio)',
      handler: generationHandler(ctx, CUSTOM_MULTIMODAL_API),
    },
    {
      method: 'POST',
      path: '/v1/ranking',
      family: 'openai',
      summary: 'NVIDIA NIM reranking',
      handler: oneShotHandler(ctx, NIM_RANKING_API),
    },
    {
      method: 'POST',
      path: '/rerank',
      family: 'tgi',
      summary: 'HF TEI reranking',
      handler: oneShotHandler(ctx, TEI_RERANK_API),
    },
    {
      method: 'POST',
      path: '/v2/rerank',
      family: 'cohere',
      summary: 'Cohere v2 rerank',
      handler: oneShotHandler(ctx, COHERE_RERANK_API),
    },
    { method: 'GET', path: '/v1/models', family: 'openai', summary: 'Model list', handler: modelsHandler(ctx) },
    {
      method: 'GET',
      path: '/health',
      family: 'openai',
      summary: 'Readiness (503 while loading or draining), effective config, server-wide throughput',
      handler: healthHandler(ctx, draining),
    },
    { method: 'GET', path: '/health/live', family: 'openai', summary: 'Liveness', handler: liveHandler(ctx) },
  ];
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
