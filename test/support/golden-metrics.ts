/**
 * Golden series lists restated from the engines' sources (vLLM `vllm/v1/metrics/loggers.py` and
 * `buckets.py`, SGLang `collector.py`, TensorRT-LLM `metrics/collector.py`, Dynamo `metrics.rs`) (name, type, label names,
 * bucket bounds), written independently of src/ so that a wrong constant there fails the test.
 */
export interface Golden {
  readonly type: 'COUNTER' | 'GAUGE' | 'HISTOGRAM';
  readonly labels: readonly string[];
  readonly buckets?: readonly number[];
}

const V = ['model_name', 'engine'];
const vllmTtft = [
  0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 20, 40, 80, 160, 640, 2560,
];
const vllmItl = [0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 20, 40, 80];
const vllmLatency = [0.3, 0.5, 0.8, 1, 1.5, 2, 2.5, 5, 10, 15, 20, 30, 40, 50, 60, 120, 240, 480, 960, 1920, 7680];
const tokens125 = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000]; // max_model_len 32768
const h = (labels: string[], buckets: number[]): Golden => ({ type: 'HISTOGRAM', labels, buckets });
const c = (labels: string[]): Golden => ({ type: 'COUNTER', labels });
const g = (labels: string[]): Golden => ({ type: 'GAUGE', labels });

export const VLLM: Record<string, Golden> = {
  'vllm:num_requests_running': g(V),
  'vllm:num_requests_waiting': g(V),
  'vllm:kv_cache_usage_perc': g(V),
  'vllm:engine_sleep_state': g([...V, 'sleep_state']),
  'vllm:cache_config_info': g([
    'block_size',
    'cache_dtype',
    'enable_prefix_caching',
    'gpu_memory_utilization',
    'num_gpu_blocks',
    'engine',
  ]),
  'vllm:prompt_tokens_total': c(V),
  'vllm:generation_tokens_total': c(V),
  'vllm:request_success_total': c([...V, 'finished_reason']),
  'vllm:num_preemptions_total': c(V),
  'vllm:prefix_cache_queries_total': c(V),
  'vllm:prefix_cache_hits_total': c(V),
  'vllm:time_to_first_token_seconds': h(V, vllmTtft),
  'vllm:inter_token_latency_seconds': h(V, vllmItl),
  'vllm:request_time_per_output_token_seconds': h(V, vllmItl),
  'vllm:e2e_request_latency_seconds': h(V, vllmLatency),
  'vllm:request_queue_time_seconds': h(V, vllmLatency),
  'vllm:request_inference_time_seconds': h(V, vllmLatency),
  'vllm:request_prefill_time_seconds': h(V, vllmLatency),
  'vllm:request_decode_time_seconds': h(V, vllmLatency),
  'vllm:request_prompt_tokens': h(V, tokens125),
  'vllm:request_generation_tokens': h(V, tokens125),
  'vllm:request_max_num_generation_tokens': h(V, tokens125),
  'vllm:request_params_max_tokens': h(V, tokens125),
  'vllm:request_params_n': h(V, [1, 2, 5, 10, 20]),
  'vllm:iteration_tokens_total': h(V, [1, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384]),
};

const S = ['engine_type', 'model_name', 'moe_ep_rank', 'pp_rank', 'tp_rank'];
const T = ['model_name'];
export const SGLANG: Record<string, Golden> = {
  'sglang:num_running_reqs': g(S),
  'sglang:num_used_tokens': g(S),
  'sglang:token_usage': g(S),
  'sglang:gen_throughput': g(S),
  'sglang:num_queue_reqs': g(S),
  'sglang:cache_hit_rate': g(S),
  'sglang:max_total_num_tokens': g(S),
  'sglang:queue_time_seconds': h(
    S,
    [
      0, 0.1, 0.2, 0.5, 1, 2, 3, 4, 5, 10, 15, 20, 30, 40, 50, 60, 70, 80, 90, 100, 200, 300, 400, 500, 600, 700, 800,
      900, 1000, 1200, 1400, 1600, 1800, 2000, 2500, 3000,
    ],
  ),
  'sglang:prompt_tokens_total': c(T),
  'sglang:generation_tokens_total': c(T),
  'sglang:cached_tokens_total': c(T),
  'sglang:num_requests_total': c(T),
  'sglang:num_aborted_requests_total': c(T),
  'sglang:time_to_first_token_seconds': h(
    T,
    [0.1, 0.2, 0.4, 0.6, 0.8, 1, 2, 4, 6, 8, 10, 20, 40, 60, 80, 100, 200, 400],
  ),
  'sglang:inter_token_latency_seconds': h(
    T,
    [
      0.002, 0.004, 0.006, 0.008, 0.01, 0.015, 0.02, 0.025, 0.03, 0.035, 0.04, 0.06, 0.08, 0.1, 0.2, 0.4, 0.6, 0.8, 1,
      2, 4, 6, 8,
    ],
  ),
  'sglang:e2e_request_latency_seconds': h(
    T,
    [0.1, 0.2, 0.4, 0.6, 0.8, 1, 2, 4, 6, 8, 10, 20, 40, 60, 80, 100, 200, 400, 600, 1200, 1800, 2400],
  ),
};

const R = ['model_name', 'engine_type'];
export function trtllm(prefix: 'trtllm_' | 'trtllm:'): Record<string, Golden> {
  const list: Record<string, Golden> = {
    request_success_total: c([...R, 'finished_reason']),
    prompt_tokens_total: c(R),
    generation_tokens_total: c(R),
    prompt_cached_tokens_total: c(R),
    num_requests_completed_total: c(R),
    request_error_total: c([...R, 'http_code']),
    e2e_request_latency_seconds: h(R, vllmLatency),
    time_to_first_token_seconds: h(R, vllmTtft),
    time_per_output_token_seconds: h(R, vllmItl),
    request_queue_time_seconds: h(R, vllmLatency),
    request_prefill_time_seconds: h(
      R,
      [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 40, 80, 160, 640, 2560],
    ),
    request_decode_time_seconds: h(R, vllmLatency),
    request_inference_time_seconds: h(R, vllmLatency),
    num_requests_running: g(R),
    num_requests_waiting: g(R),
    kv_cache_utilization: g(R),
  };
  return Object.fromEntries(Object.entries(list).map(([k, v]) => [prefix + k, v]));
}

const M = ['model'];
export const DYNAMO_FRONTEND: Record<string, Golden> = {
  dynamo_frontend_requests_total: c(['model', 'endpoint', 'request_type', 'status', 'error_type']),
  dynamo_frontend_requests_started_total: c(['model', 'endpoint', 'request_type']),
  dynamo_frontend_output_tokens_total: c(M),
  dynamo_frontend_inflight_requests: g(M),
  dynamo_frontend_active_requests: g(M),
  dynamo_frontend_queued_requests: g(M),
  dynamo_frontend_disconnected_clients: g([]),
  dynamo_frontend_request_duration_seconds: h(M, [0, 2, 4, 8, 16, 32, 64, 130, 260, 510]),
  dynamo_frontend_time_to_first_token_seconds: h(
    M,
    [0, 0.0022, 0.0047, 0.01, 0.022, 0.047, 0.1, 0.22, 0.47, 1, 2.2, 4.7, 10, 22, 48, 100, 220, 480],
  ),
  dynamo_frontend_inter_token_latency_seconds: h(
    M,
    [0, 0.0019, 0.0035, 0.0067, 0.013, 0.024, 0.045, 0.084, 0.16, 0.3, 0.56, 1.1, 2],
  ),
  dynamo_frontend_input_sequence_tokens: h(M, [0, 100, 210, 430, 870, 1800, 3600, 7400, 15000, 31000, 63000, 130000]),
  dynamo_frontend_output_sequence_tokens: h(M, [0, 100, 210, 430, 880, 1800, 3700, 7600, 16000, 32000]),
  dynamo_frontend_cached_tokens: h(M, [0, 100, 210, 430, 870, 1800, 3600, 7400, 15000, 31000, 63000, 130000]),
  dynamo_frontend_model_total_kv_blocks: g(M),
  dynamo_frontend_model_max_num_seqs: g(M),
  dynamo_frontend_model_max_num_batched_tokens: g(M),
  dynamo_frontend_model_context_length: g(M),
  dynamo_frontend_model_kv_cache_block_size: g(M),
  dynamo_frontend_model_migration_limit: g(M),
};

const D = ['dynamo_component', 'dynamo_endpoint', 'dynamo_namespace', 'model'];
const K = ['dynamo_component', 'dynamo_namespace'];
export const DYNAMO_COMPONENT: Record<string, Golden> = {
  dynamo_component_requests_total: c(D),
  dynamo_component_inflight_requests: g(D),
  dynamo_component_request_duration_seconds: h(D, [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]),
  dynamo_component_kvstats_active_blocks: g(K),
  dynamo_component_kvstats_total_blocks: g(K),
  dynamo_component_kvstats_gpu_cache_usage_percent: g(K),
  dynamo_component_kvstats_gpu_prefix_cache_hit_rate: g(K),
  dynamo_component_uptime_seconds: g([]),
};

const E = ['endpoint'];
export const MOCK: Record<string, Golden> = {
  aiperf_mock_requests_total: c(['endpoint', 'method', 'status']),
  aiperf_mock_requests_in_progress: g(E),
  aiperf_mock_request_latency_seconds: h(
    E,
    [
      0.0001, 0.00025, 0.0005, 0.00075, 0.001, 0.0025, 0.005, 0.0075, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 1, 2.5,
      5, 10,
    ],
  ),
  aiperf_mock_prompt_tokens_total: c(['endpoint', 'model']),
  aiperf_mock_completion_tokens_total: c(['endpoint', 'model']),
  aiperf_mock_streaming_requests_total: c(['endpoint', 'model']),
  aiperf_mock_tokens_streamed_total: c(['endpoint', 'model']),
  aiperf_mock_time_to_first_token_seconds: h(
    E,
    [
      0.00001, 0.000025, 0.00005, 0.000075, 0.0001, 0.00025, 0.0005, 0.00075, 0.001, 0.0025, 0.005, 0.0075, 0.01, 0.025,
      0.05, 0.075, 0.1, 0.25, 0.5, 1, 2.5,
    ],
  ),
  aiperf_mock_inter_token_latency_seconds: h(
    E,
    [
      0.000001, 0.0000025, 0.000005, 0.0000075, 0.00001, 0.000025, 0.00005, 0.000075, 0.0001, 0.00025, 0.0005, 0.00075,
      0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
    ],
  ),
  aiperf_mock_errors_total: c(['endpoint', 'error_type']),
  aiperf_mock_requests_by_model_total: c(['model', 'endpoint']),
  aiperf_mock_client_disconnects_total: c(E),
  // Ours, not upstream's: AIPerf's control calls (--reset-kv-cache, --server-profiler) by route.
  aiperf_mock_control_calls_total: c(['call']),
  // Ours: the prefix cache (docs/prefix-cache.md).
  aiperf_mock_prefix_cache_blocks: g([]),
  aiperf_mock_prefix_cache_capacity_blocks: g([]),
  aiperf_mock_prefix_cache_evicted_blocks_total: c([]),
  aiperf_mock_uptime_seconds: g([]),
};
