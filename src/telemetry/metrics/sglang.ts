import { Gauge } from 'prom-client';
import { SGLANG_E2E, SGLANG_ITL, SGLANG_QUEUE, SGLANG_TTFT } from './buckets.js';
import { FastCounter } from './fast-counter.js';
import { FastHistogram } from './fast-histogram.js';
import { type MetricsPage, newRegistry, type PageContext, perModel, seconds } from './page.js';

/**
 * SGLang page (SGLang `python/sglang/srt/metrics/collector.py`). Scheduler series carry engine_type, model_name, moe_ep_rank, pp_rank,
 * tp_rank (sorted, as the real multiprocess page prints them); tokenizer series carry model_name only
 * and, as on the real server, appear after the first observation.
 */
export function sglangPage(ctx: PageContext): MetricsPage {
  const registry = newRegistry();
  const reg = { registers: [registry] };
  const S = ['engine_type', 'model_name', 'moe_ep_rank', 'pp_rank', 'tp_rank'] as const;
  const sched = (model: string) => ({
    engine_type: 'unified',
    model_name: model,
    moe_ep_rank: '0',
    pp_rank: '0',
    tp_rank: '0',
  });
  const gauge = (name: string, help: string, value: () => number) =>
    new Gauge({
      name,
      help,
      labelNames: S,
      ...reg,
      collect() {
        this.set(sched(ctx.defaultModel), value());
      },
    });

  gauge('sglang:num_running_reqs', 'The number of running requests.', () => ctx.load.running);
  gauge('sglang:num_used_tokens', 'The number of used tokens.', () =>
    Math.min(ctx.load.activeTokens, ctx.load.kvCapacityTokens),
  );
  gauge('sglang:token_usage', 'The token usage.', () => ctx.load.kvUsage);
  gauge('sglang:gen_throughput', 'The generation throughput (token/s).', () => ctx.load.genThroughput);
  gauge('sglang:num_queue_reqs', 'The number of requests in the waiting queue.', () => ctx.load.waiting);
  gauge('sglang:cache_hit_rate', 'The prefix cache hit rate.', () => (cacheQueried > 0 ? cacheHit / cacheQueried : 0));
  gauge(
    'sglang:max_total_num_tokens',
    'Maximum total number of tokens in the KV cache pool.',
    () => ctx.load.kvCapacityTokens,
  );
  const queue = new FastHistogram(
    'sglang:queue_time_seconds',
    'Histogram of queueing time in seconds.',
    SGLANG_QUEUE,
    registry,
  ).bind(sched(ctx.defaultModel));
  let cacheHit = 0;
  let cacheQueried = 0;

  const T = ['model_name'] as const;
  const counter = (name: string, help: string) => new FastCounter({ name, help, labelNames: T, ...reg });
  const c = {
    prompt: counter('sglang:prompt_tokens_total', 'Number of prefill tokens processed.'),
    generation: counter('sglang:generation_tokens_total', 'Number of generation tokens processed.'),
    cached: counter('sglang:cached_tokens_total', 'Number of cached prompt tokens.'),
    requests: counter('sglang:num_requests_total', 'Number of requests processed.'),
    aborted: counter('sglang:num_aborted_requests_total', 'Number of requests aborted.'),
  };
  const hist = (name: string, help: string, buckets: number[]) => {
    const h = new FastHistogram(name, help, buckets, registry);
    return perModel((model) => h.bind({ model_name: model }));
  };
  const ttft = hist('sglang:time_to_first_token_seconds', 'Histogram of time to first token in seconds.', SGLANG_TTFT);
  const itl = hist('sglang:inter_token_latency_seconds', 'Histogram of inter-token latency in seconds.', SGLANG_ITL);
  const e2e = hist(
    'sglang:e2e_request_latency_seconds',
    'Histogram of End-to-end request latency in seconds',
    SGLANG_E2E,
  );

  return {
    registry,
    start() {},
    end(e) {
      if (!e.generation || e.status === 400) return;
      const labels = { model_name: e.model };
      c.requests.inc(labels);
      if (e.outcome === 'disconnect') c.aborted.inc(labels);
      if (e.outcome === 'error') return;
      c.prompt.inc(labels, e.promptTokens);
      c.generation.inc(labels, e.completionTokens);
      c.cached.inc(labels, e.cachedTokens); // the series exists from the first request, 0 or not
      cacheHit += e.cachedTokens;
      cacheQueried += e.promptTokens;
      queue.observe(seconds(e.queueMs));
      if (e.ttftMs !== null) ttft.get(e.model).observe(seconds(e.ttftMs));
      if (e.itl) itl.get(e.model).addItl(e.itl);
      e2e.get(e.model).observe(seconds(e.e2eMs));
    },
  };
}
