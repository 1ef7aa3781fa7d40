import { GPU_NAMES, type OptionSpec } from './option-spec.js';

/** Metrics, GPU telemetry and tokenizer options. */
export const TELEMETRY_AND_TOKENIZER_OPTIONS = {
  metricsBackend: {
    flag: 'metrics-backend',
    kind: 'string',
    default: 'mock',
    choices: ['mock', 'vllm', 'sglang', 'trtllm', 'dynamo'],
    group: 'Metrics',
    describe:
      'Which page plain GET /metrics serves (dynamo: the frontend page), so a scraper of <url>/metrics sees that engine',
  },
  trtllmLegacyNames: {
    flag: 'trtllm-legacy-names',
    kind: 'boolean',
    default: false,
    group: 'Metrics',
    describe:
      'Name TRT-LLM metrics trtllm:* (as older Dynamo re-prefixed them and aiperf docs show) instead of trtllm_*',
  },
  dcgmGpuName: {
    flag: 'dcgm-gpu-name',
    kind: 'string',
    default: 'h200',
    choices: GPU_NAMES,
    group: 'GPU telemetry',
    describe: 'Simulated GPU model',
  },
  dcgmNumGpus: {
    flag: 'dcgm-num-gpus',
    kind: 'integer',
    default: 2,
    min: 1,
    max: 8,
    group: 'GPU telemetry',
    describe: 'GPUs per simulated node',
  },
  dcgmAutoLoad: {
    flag: 'dcgm-auto-load',
    kind: 'boolean',
    default: true,
    group: 'GPU telemetry',
    describe: 'GPU load follows token throughput (--no-dcgm-auto-load to disable)',
  },
  dcgmMinThroughput: {
    flag: 'dcgm-min-throughput',
    kind: 'integer',
    default: 100,
    min: 1,
    max: 100_000,
    group: 'GPU telemetry',
    describe: 'Floor for the peak throughput (tokens/s) that counts as 100 % load',
  },
  dcgmWindowSec: {
    flag: 'dcgm-window-sec',
    kind: 'number',
    default: 1,
    min: 0.1,
    max: 60,
    group: 'GPU telemetry',
    describe: 'Sliding window for the global token throughput (s)',
  },
  dcgmHostname: {
    flag: 'dcgm-hostname',
    kind: 'string',
    default: 'localhost',
    group: 'GPU telemetry',
    describe: 'Hostname label on DCGM metrics',
  },
  dcgmPort: {
    flag: 'dcgm-port',
    kind: 'integer',
    default: 9400,
    min: 0,
    max: 65534,
    group: 'GPU telemetry',
    describe:
      "Also serve DCGM node 1 at http://HOST:PORT/metrics and node 2 at PORT+1 (aiperf's default GPU-telemetry URLs); 0 turns this off",
  },
  dcgmSeed: {
    flag: 'dcgm-seed',
    kind: 'integer',
    group: 'GPU telemetry',
    describe: 'Seed for deterministic DCGM metrics',
  },
  tokenizer: {
    flag: 'tokenizer',
    kind: 'string',
    default: 'builtin',
    group: 'Tokenizer',
    describe:
      'builtin (o200k_base), a tiktoken encoding name (cl100k_base, p50k_base, r50k_base, gpt2), a Qwen3 model name ' +
      '(Qwen/Qwen3-0.6B: shipped), a tokenizer.json path or directory, or a Hugging Face repo id in the local cache ' +
      '(HF_HUB_CACHE, HF_HOME); anything else falls back to builtin with a warning (no downloads)',
  },
  tokenizerRevision: {
    flag: 'tokenizer-revision',
    kind: 'string',
    default: 'main',
    group: 'Tokenizer',
    describe: 'The Hugging Face cache snapshot to read (refs/<revision>); nothing is downloaded',
  },
  tokenizerTrustRemoteCode: {
    flag: 'tokenizer-trust-remote-code',
    kind: 'boolean',
    default: false,
    group: 'Tokenizer',
    describe: 'Accepted for compatibility (no remote code is ever run)',
  },
  noTokenizer: {
    flag: 'no-tokenizer',
    kind: 'boolean',
    default: false,
    group: 'Tokenizer',
    describe: 'Use the ~4-characters-per-token chunker instead of tiktoken (prompt counting and corpus)',
  },
  corpus: {
    flag: 'corpus',
    kind: 'string',
    group: 'Tokenizer',
    describe: 'Text file to draw output tokens from instead of the built-in corpus',
  },
} as const satisfies Record<string, OptionSpec>;
