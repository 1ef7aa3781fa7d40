import { Gauge } from 'prom-client';
import { FastCounter } from './fast-counter.js';
import { FastHistogram, type HistogramSeries } from './fast-histogram.js';
import { TRTLLM_PREFILL, VLLM_ITL, VLLM_REQUEST_LATENCY, VLLM_TTFT } from './buckets.js';
import { type MetricsPage, newRegistry, type PageContext, perModel, seconds } from './page.js';

const FINISH_REASONS = ['stop', 'length', 'abort', 'error'] as const;

/**
 * trtllm-serve page (TensorRT-LLM `tensorrt_llm/metrics/collector.py`): labels model_name and engine_type="trtllm". Current TRT-LLM names
 * its metrics `trtllm_*`; `legacy` gives the `trtllm:*` names older Dynamo added (and aiperf's docs use).
 */
export function trtllmPage(ctx: PageContext, legacy: boolean): MetricsPage {
  const registry = newRegistry();
  const reg = { registers: [registry] };
  const p = legacy ? 'trtllm:' : 'trtllm_';
  const L = ['model_name', 'engine_type'] as const;
  const base = (model: string) => ({ model_name: model, engine_type: 'trtllm' });
  const counter = (name: string, help: string, extra: string[] = []) =>
    new FastCounter({ name: p + name, help, labelNames: [...L, ...extra], ...reg });
  const hist = (name: string, help: string, buckets: number[]) => new FastHistogram(p + name, help, buckets, registry);
  const gauge = (name: string, help: string, value: () => number) =>
    new Gauge({
      name: p + name,
      help,
      labelNames: L,
      ...reg,
      collect() {
        this.set(base(ctx.defaultModel), value());
      },
    });

  const success = counter('request_success_total', 'Count of successfully processed requests.', ['finished_reason']);
  const promptTokens = counter('prompt_tokens_total', 'Number of prefill tokens processed.');
  const generationTokens = counter('generation_tokens_total', 'Number of generation tokens processed.');
  const cachedTokens = counter('prompt_cached_tokens_total', 'Number of prompt tokens served from the KV cache.');
  const completed = counter('num_requests_completed_total', 'Number of completed requests.');
  const errors = counter('request_error_total', 'Number of failed requests.', ['http_code']);
  const h = {
    e2e: hist(
      'e2e_request_latency_seconds',
      'Histogram of end to end request latency in seconds.',
      VLLM_REQUEST_LATENCY,
    ),
    ttft: hist('time_to_first_token_seconds', 'Histogram of time to first token in seconds.', VLLM_TTFT),
    tpot: hist('time_per_output_token_seconds', 'Histogram of time per output token in seconds.', VLLM_ITL),
    queue: hist(
      'request_queue_time_seconds',
      'Histogram of time spent in WAITING phase for request.',
      VLLM_REQUEST_LATENCY,
    ),
    prefill: hist(
      'request_prefill_time_seconds',
      'Histogram of time spent in PREFILL phase for request.',
      TRTLLM_PREFILL,
    ),
    decode: hist(
      'request_decode_time_seconds',
      'Histogram of time spent in DECODE phase for request.',
      VLLM_REQUEST_LATENCY,
    ),
    inference: hist(
      'request_inference_time_seconds',
      'Histogram of time spent in RUNNING phase for request.',
      VLLM_REQUEST_LATENCY,
    ),
  };
  gauge('num_requests_running', 'Number of requests currently running.', () => ctx.load.running);
  gauge('num_requests_waiting', 'Number of requests waiting to be scheduled.', () => ctx.load.waiting);
  gauge('kv_cache_utilization', 'KV cache utilization (0-1).', () => ctx.load.kvUsage);

  // Every series a successful request's end touches, bound once per model: the end then does no label
  // work (the cluster primary folds every request of every worker).
  const bound = perModel((model) => {
    const labels = base(model);
    return {
      ...(Object.fromEntries(Object.entries(h).map(([k, v]) => [k, v.bind(labels)])) as Record<
        keyof typeof h,
        HistogramSeries
      >),
      success: perModel((reason) => success.labels({ ...labels, finished_reason: reason })),
      completed: completed.labels(labels),
      promptTokens: promptTokens.labels(labels),
      generationTokens: generationTokens.labels(labels),
      cachedTokens: cachedTokens.labels(labels),
    };
  });
  // The default model's series exist from the start, at 0: binding creates the counters and histograms;
  // every finish reason is created here, in the page's order.
  bound.get(ctx.defaultModel);
  const labels0 = base(ctx.defaultModel);
  for (const r of FINISH_REASONS) success.inc({ ...labels0, finished_reason: r }, 0);

  return {
    registry,
    start() {},
    end(e) {
      if (!e.generation) return;
      if (e.outcome === 'error') {
        // Rare: by label set, so that a model that only ever failed gets no other series.
        const labels = base(e.model);
        errors.inc({ ...labels, http_code: String(e.status) });
        if (e.status !== 400) success.inc({ ...labels, finished_reason: 'error' });
        return;
      }
      const b = bound.get(e.model);
      b.success.get(e.outcome === 'disconnect' ? 'abort' : (e.finishReason ?? 'stop')).inc();
      b.completed.inc();
      b.promptTokens.inc(e.promptTokens);
      b.generationTokens.inc(e.completionTokens);
      b.cachedTokens.inc(e.cachedTokens);
      const prefill = e.ttftMs === null ? 0 : e.ttftMs - e.queueMs;
      const decode = e.ttftMs === null || e.lastTokenMs === null ? 0 : e.lastTokenMs - e.ttftMs;
      b.e2e.observe(seconds(e.e2eMs));
      if (e.ttftMs !== null) b.ttft.observe(seconds(e.ttftMs));
      if (e.completionTokens > 1) b.tpot.observe(seconds(decode / (e.completionTokens - 1)));
      b.queue.observe(seconds(e.queueMs));
      b.prefill.observe(seconds(prefill));
      b.decode.observe(seconds(decode));
      b.inference.observe(seconds(prefill + decode));
    },
  };
}
