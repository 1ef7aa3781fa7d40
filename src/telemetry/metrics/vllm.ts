import { Counter, Gauge } from 'prom-client';
import { type RequestEnded } from '../events.js';
import {
  VLLM_ITERATION_TOKENS,
  VLLM_ITL,
  VLLM_PARAMS_N,
  VLLM_REQUEST_LATENCY,
  VLLM_TTFT,
  vllmTokenBuckets,
} from './buckets.js';
import { FastCounter } from './fast-counter.js';
import { FastHistogram, type HistogramSeries } from './fast-histogram.js';
import { type MetricsPage, newRegistry, type PageContext, type PerModel, perModel, seconds } from './page.js';

const FINISH_REASONS = ['stop', 'length', 'abort', 'error'] as const;

/** vLLM V1 engine page (vLLM `vllm/v1/metrics/loggers.py`): labels model_name and engine="0"; series pre-created at zero. */
export function vllmPage(ctx: PageContext): MetricsPage {
  const registry = newRegistry();
  const L = ['model_name', 'engine'] as const;
  const reg = { registers: [registry] };
  const gauge = (name: string, help: string, value: (model: string) => number) =>
    new Gauge({
      name,
      help,
      labelNames: L,
      ...reg,
      collect() {
        for (const m of models()) this.set({ model_name: m, engine: '0' }, value(m));
      },
    });
  const models = (): string[] => [...new Set([ctx.defaultModel, ...ctx.load.models])];

  gauge('vllm:num_requests_running', 'Number of requests in model execution batches.', (m) => ctx.load.runningFor(m));
  gauge('vllm:num_requests_waiting', 'Number of requests waiting to be processed.', (m) => ctx.load.waitingFor(m));
  gauge('vllm:kv_cache_usage_perc', 'KV-cache usage. 1 means 100 percent usage.', () => ctx.load.kvUsage);
  new Gauge({
    name: 'vllm:engine_sleep_state',
    help: 'Engine sleep state; awake = 0 means engine is sleeping; awake = 1 means engine is awake.',
    labelNames: [...L, 'sleep_state'],
    ...reg,
    collect() {
      for (const m of models()) {
        this.set({ model_name: m, engine: '0', sleep_state: 'awake' }, 1);
        this.set({ model_name: m, engine: '0', sleep_state: 'weights_offloaded' }, 0);
        this.set({ model_name: m, engine: '0', sleep_state: 'discard_all' }, 0);
      }
    },
  });
  new Gauge({
    name: 'vllm:cache_config_info',
    help: 'Information of the LLMEngine CacheConfig',
    labelNames: [
      'block_size',
      'cache_dtype',
      'enable_prefix_caching',
      'gpu_memory_utilization',
      'num_gpu_blocks',
      'engine',
    ],
    ...reg,
  }).set(
    {
      block_size: String(ctx.load.kv.blockTokens),
      cache_dtype: 'auto',
      enable_prefix_caching: ctx.load.kv.prefixCaching ? 'True' : 'False',
      gpu_memory_utilization: '0.9',
      num_gpu_blocks: String(ctx.load.kv.blocks),
      engine: '0',
    },
    1,
  );

  const counter = (name: string, help: string, extra: string[] = []) =>
    new FastCounter({ name, help, labelNames: [...L, ...extra], ...reg });
  const promptTokens = counter('vllm:prompt_tokens_total', 'Number of prefill tokens processed.');
  const generationTokens = counter('vllm:generation_tokens_total', 'Number of generation tokens processed.');
  const success = counter('vllm:request_success_total', 'Count of successfully processed requests.', [
    'finished_reason',
  ]);
  let preemptionsSeen = 0;
  const preemptions = new Counter({
    name: 'vllm:num_preemptions_total',
    help: 'Cumulative number of preemption from the engine.',
    labelNames: L,
    ...reg,
    // The engine model counts preemptions; the counter catches up at each scrape.
    collect() {
      const d = ctx.load.preemptions - preemptionsSeen;
      if (d > 0) this.inc({ model_name: ctx.defaultModel, engine: '0' }, d);
      preemptionsSeen += Math.max(0, d);
    },
  });
  const cacheQueries = counter(
    'vllm:prefix_cache_queries_total',
    'Prefix cache queries, in terms of number of queried tokens.',
  );
  const cacheHits = counter('vllm:prefix_cache_hits_total', 'Prefix cache hits, in terms of number of cached tokens.');

  const hist = (name: string, help: string, buckets: number[]) => new FastHistogram(name, help, buckets, registry);
  const tokens = vllmTokenBuckets();
  const h = {
    ttft: hist('vllm:time_to_first_token_seconds', 'Histogram of time to first token in seconds.', VLLM_TTFT),
    tpot: hist(
      'vllm:request_time_per_output_token_seconds',
      'Histogram of time_per_output_token_seconds per request.',
      VLLM_ITL,
    ),
    e2e: hist('vllm:e2e_request_latency_seconds', 'Histogram of e2e request latency in seconds.', VLLM_REQUEST_LATENCY),
    queue: hist(
      'vllm:request_queue_time_seconds',
      'Histogram of time spent in WAITING phase for request.',
      VLLM_REQUEST_LATENCY,
    ),
    inference: hist(
      'vllm:request_inference_time_seconds',
      'Histogram of time spent in RUNNING phase for request.',
      VLLM_REQUEST_LATENCY,
    ),
    prefill: hist(
      'vllm:request_prefill_time_seconds',
      'Histogram of time spent in PREFILL phase for request.',
      VLLM_REQUEST_LATENCY,
    ),
    decode: hist(
      'vllm:request_decode_time_seconds',
      'Histogram of time spent in DECODE phase for request.',
      VLLM_REQUEST_LATENCY,
    ),
    promptLen: hist('vllm:request_prompt_tokens', 'Number of prefill tokens processed.', tokens),
    genLen: hist('vllm:request_generation_tokens', 'Number of generation tokens processed.', tokens),
    maxGen: hist(
      'vllm:request_max_num_generation_tokens',
      'Histogram of maximum number of requested generation tokens.',
      tokens,
    ),
    maxTokens: hist('vllm:request_params_max_tokens', 'Histogram of the max_tokens request parameter.', tokens),
    n: hist('vllm:request_params_n', 'Histogram of the n request parameter.', VLLM_PARAMS_N),
    iteration: hist(
      'vllm:iteration_tokens_total',
      'Histogram of number of tokens per engine_step.',
      VLLM_ITERATION_TOKENS,
    ),
  };

  const itl = new FastHistogram(
    'vllm:inter_token_latency_seconds',
    'Histogram of inter-token latency in seconds.',
    VLLM_ITL,
    registry,
  );
  const precreate = (model: string): void => {
    itl.bind({ model_name: model, engine: '0' });
    const labels = { model_name: model, engine: '0' };
    for (const c of [promptTokens, generationTokens, preemptions, cacheQueries, cacheHits]) c.inc(labels, 0);
    for (const r of FINISH_REASONS) success.inc({ ...labels, finished_reason: r }, 0);
    for (const x of Object.values(h)) x.bind(labels);
  };
  precreate(ctx.defaultModel);
  const seen = new Set([ctx.defaultModel]);
  let engineSteps = false;
  const bound = perModel((model) => {
    const labels = { model_name: model, engine: '0' };
    const reasons = perModel((r) => success.labels({ ...labels, finished_reason: r }));
    return {
      success: reasons,
      promptTokens: promptTokens.labels(labels),
      generationTokens: generationTokens.labels(labels),
      cacheQueries: cacheQueries.labels(labels),
      cacheHits: cacheHits.labels(labels),
      itl: itl.bind(labels),
      ...Object.fromEntries(Object.entries(h).map(([k, v]) => [k, v.bind(labels)])),
    } as { success: PerModel<ReturnType<typeof success.labels>>; itl: HistogramSeries } & Record<
      'promptTokens' | 'generationTokens' | 'cacheQueries' | 'cacheHits',
      ReturnType<typeof promptTokens.labels>
    > &
      Record<keyof typeof h, HistogramSeries>;
  });

  return {
    registry,
    engineStep(tokens) {
      // vLLM observes the tokens of every engine step; without the engine model each request's prompt
      // stands in for its prefill step (below).
      engineSteps = true;
      bound.get(ctx.defaultModel).iteration.observe(tokens);
    },
    start(e) {
      if (!e.generation || seen.has(e.model)) return;
      seen.add(e.model);
      precreate(e.model);
    },
    end(e: RequestEnded) {
      if (!e.generation || e.status === 400) return; // rejected before the engine saw it
      const b = bound.get(e.model);
      const reason =
        e.outcome === 'disconnect' ? 'abort' : e.outcome === 'error' ? 'error' : (e.finishReason ?? 'stop');
      b.success.get(reason).inc();
      if (e.outcome === 'error') return;
      b.promptTokens.inc(e.promptTokens);
      b.generationTokens.inc(e.completionTokens);
      if (ctx.load.kv.prefixCaching) b.cacheQueries.inc(e.promptTokens); // vLLM counts queries only with caching on
      b.cacheHits.inc(e.cachedTokens);
      if (e.ttftMs !== null) b.ttft.observe(seconds(e.ttftMs));
      b.itl.addItl(e.itl);
      if (e.ttftMs !== null && e.lastTokenMs !== null && e.completionTokens > 1) {
        b.tpot.observe(seconds((e.lastTokenMs - e.ttftMs) / (e.completionTokens - 1)));
      }
      const prefill = e.ttftMs === null ? 0 : e.ttftMs - e.queueMs;
      const decode = e.ttftMs === null || e.lastTokenMs === null ? 0 : e.lastTokenMs - e.ttftMs;
      b.e2e.observe(seconds(e.e2eMs));
      b.queue.observe(seconds(e.queueMs));
      b.prefill.observe(seconds(prefill));
      b.decode.observe(seconds(decode));
      b.inference.observe(seconds(prefill + decode));
      b.promptLen.observe(e.promptTokens);
      b.genLen.observe(e.completionTokens);
      b.maxGen.observe(e.maxTokens ?? e.completionTokens);
      if (e.maxTokens !== null) b.maxTokens.observe(e.maxTokens);
      b.n.observe(1);
      if (!engineSteps) b.iteration.observe(e.promptTokens);
    },
  };
}
