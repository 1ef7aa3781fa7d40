/**
 * Real bucket boundaries (upper bounds; +Inf implied), restated from the engines' sources: vLLM
 * `vllm/v1/metrics/buckets.py`, SGLang `python/sglang/srt/metrics/collector.py`, TensorRT-LLM
 * `tensorrt_llm/metrics/collector.py`, Dynamo `lib/llm/src/http/service/metrics.rs`.
 */

export const VLLM_TTFT = [
  0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0, 80.0, 160.0,
  640.0, 2560.0,
];
export const VLLM_ITL = [
  0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0, 80.0,
];
export const VLLM_REQUEST_LATENCY = [
  0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 2.5, 5.0, 10.0, 15.0, 20.0, 30.0, 40.0, 50.0, 60.0, 120.0, 240.0, 480.0, 960.0, 1920.0,
  7680.0,
];
export const VLLM_ITERATION_TOKENS = [1, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384];
export const VLLM_PARAMS_N = [1, 2, 5, 10, 20];

/** The context length the simulated engines report (vLLM's 1-2-5 token buckets stop below it). */
export const MAX_MODEL_LEN = 32768;

/** vLLM's 1-2-5 series up to max_model_len: 1, 2, 5, 10, 20, 50, ... */
export function vllmTokenBuckets(maxModelLen: number = MAX_MODEL_LEN): number[] {
  const out: number[] = [];
  for (let scale = 1; ; scale *= 10) {
    for (const m of [1, 2, 5]) {
      if (m * scale > maxModelLen) return out;
      out.push(m * scale);
    }
  }
}

export const SGLANG_TTFT = [0.1, 0.2, 0.4, 0.6, 0.8, 1, 2, 4, 6, 8, 10, 20, 40, 60, 80, 100, 200, 400];
export const SGLANG_ITL = [
  0.002, 0.004, 0.006, 0.008, 0.01, 0.015, 0.02, 0.025, 0.03, 0.035, 0.04, 0.06, 0.08, 0.1, 0.2, 0.4, 0.6, 0.8, 1.0,
  2.0, 4.0, 6.0, 8.0,
];
export const SGLANG_E2E = [
  0.1, 0.2, 0.4, 0.6, 0.8, 1, 2, 4, 6, 8, 10, 20, 40, 60, 80, 100, 200, 400, 600, 1200, 1800, 2400,
];
export const SGLANG_QUEUE = [
  0.0, 0.1, 0.2, 0.5, 1, 2, 3, 4, 5, 10, 15, 20, 30, 40, 50, 60, 70, 80, 90, 100, 200, 300, 400, 500, 600, 700, 800,
  900, 1000, 1200, 1400, 1600, 1800, 2000, 2500, 3000,
];

export const TRTLLM_PREFILL = [
  0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0, 40.0, 80.0, 160.0, 640.0, 2560.0,
];

// Dynamo's log-spaced buckets as the current frontend generates them (Dynamo `lib/llm/src/http/service/metrics.rs`).
export const DYNAMO_REQUEST_DURATION = [0, 2, 4, 8, 16, 32, 64, 130, 260, 510];
export const DYNAMO_TTFT = [
  0, 0.0022, 0.0047, 0.01, 0.022, 0.047, 0.1, 0.22, 0.47, 1, 2.2, 4.7, 10, 22, 48, 100, 220, 480,
];
export const DYNAMO_ITL = [0, 0.0019, 0.0035, 0.0067, 0.013, 0.024, 0.045, 0.084, 0.16, 0.3, 0.56, 1.1, 2];
export const DYNAMO_ISL = [0, 100, 210, 430, 870, 1800, 3600, 7400, 15000, 31000, 63000, 130000];
export const DYNAMO_OSL = [0, 100, 210, 430, 880, 1800, 3700, 7600, 16000, 32000];
/** Rust prometheus crate defaults, used by dynamo_component_request_duration_seconds. */
export const RUST_DEFAULT = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

// The mock's own page keeps upstream's fine-grained buckets (aiperf's auto-collected metrics use them).
export const MOCK_LATENCY = [
  0.0001, 0.00025, 0.0005, 0.00075, 0.001, 0.0025, 0.005, 0.0075, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 1, 2.5, 5,
  10,
];
export const MOCK_TTFT = [
  0.00001, 0.000025, 0.00005, 0.000075, 0.0001, 0.00025, 0.0005, 0.00075, 0.001, 0.0025, 0.005, 0.0075, 0.01, 0.025,
  0.05, 0.075, 0.1, 0.25, 0.5, 1, 2.5,
];
export const MOCK_ITL = [
  0.000001, 0.0000025, 0.000005, 0.0000075, 0.00001, 0.000025, 0.00005, 0.000075, 0.0001, 0.00025, 0.0005, 0.00075,
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
];
