/**
 * The one option table. Every option's flag, short flag, env name, type, default, bounds and help
 * live here; the CLI parser, `--help`, `/health` and the README table are derived from it.
 * Env names are `MOCK_SERVER_` + the flag upper-snake-cased (`--dcgm-num-gpus` → `MOCK_SERVER_DCGM_NUM_GPUS`).
 */

export type OptionKind = 'number' | 'integer' | 'boolean' | 'string';

export interface OptionSpec {
  readonly flag: string;
  readonly alias?: string;
  readonly kind: OptionKind;
  readonly default?: number | boolean | string;
  readonly min?: number;
  /** When true the lower bound is exclusive. */
  readonly minExclusive?: boolean;
  readonly max?: number;
  readonly choices?: readonly string[];
  readonly group: 'Server' | 'Latency' | 'Error injection' | 'Metrics' | 'GPU telemetry' | 'Tokenizer';
  readonly describe: string;
  /** Never shown in `/health`, `/` or logs. */
  readonly secret?: boolean;
  /** Accepts both a real size string ("64mb") and a byte count. */
  readonly size?: boolean;
}

export const GPU_NAMES = ['rtx6000', 'a100', 'h100', 'h100-sxm', 'h200', 'b200', 'gb200'] as const;
export const LOG_LEVELS = ['DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL'] as const;

export const OPTIONS = {
  port: {
    flag: 'port',
    alias: 'p',
    kind: 'integer',
    default: 8000,
    min: 0,
    max: 65535,
    group: 'Server',
    describe: 'Port to listen on (0 picks a free port; the log line "listening" names it)',
  },
  host: {
    flag: 'host',
    kind: 'string',
    default: '127.0.0.1',
    group: 'Server',
    describe: 'Bind address',
  },
  workers: {
    flag: 'workers',
    alias: 'w',
    kind: 'integer',
    default: 1,
    min: 1,
    max: 64,
    group: 'Server',
    describe: 'Worker processes (Node cluster); 1 serves from a single process',
  },
  fast: {
    flag: 'fast',
    alias: 'f',
    kind: 'boolean',
    default: false,
    group: 'Server',
    describe: 'Zero every latency (TTFT, ITL, embedding and ranking latencies)',
  },
  logLevel: {
    flag: 'log-level',
    kind: 'string',
    default: 'INFO',
    choices: LOG_LEVELS,
    group: 'Server',
    describe: 'Log level',
  },
  verbose: {
    flag: 'verbose',
    alias: 'v',
    kind: 'boolean',
    default: false,
    group: 'Server',
    describe: 'Debug logging (overrides --log-level)',
  },
  accessLogs: {
    flag: 'access-logs',
    kind: 'boolean',
    default: false,
    group: 'Server',
    describe: 'One log line per request (method, path, status, duration)',
  },
  maxBodySize: {
    flag: 'max-body-size',
    kind: 'string',
    default: '64mb',
    size: true,
    group: 'Server',
    describe: 'Largest accepted request body (bytes or e.g. "64mb"); larger bodies get 413',
  },
  maxTokensLimit: {
    flag: 'max-tokens-limit',
    kind: 'integer',
    default: 131072,
    min: 1,
    max: 10_000_000,
    group: 'Server',
    describe: 'Ceiling on any requested output length (a larger max_tokens is capped to it)',
  },
  shutdownTimeout: {
    flag: 'shutdown-timeout',
    kind: 'number',
    default: 30,
    min: 0,
    max: 3600,
    group: 'Server',
    describe: 'Seconds that SIGTERM/SIGINT lets open requests finish before exiting',
  },
  defaultModel: {
    flag: 'default-model',
    kind: 'string',
    default: 'mock-model',
    group: 'Server',
    describe: 'Model id listed by GET /v1/models',
  },
  config: {
    flag: 'config',
    kind: 'string',
    group: 'Server',
    describe: 'YAML or JSON file of options (keys as flags, e.g. "ttft: 50"); CLI > env > file > default',
  },
  ttft: {
    flag: 'ttft',
    alias: 't',
    kind: 'number',
    default: 20,
    min: 0,
    group: 'Latency',
    describe: 'Time to first token (ms)',
  },
  itl: {
    flag: 'itl',
    kind: 'number',
    default: 5,
    min: 0,
    group: 'Latency',
    describe: 'Inter-token latency (ms)',
  },
  embeddingBaseLatency: {
    flag: 'embedding-base-latency',
    kind: 'number',
    default: 10,
    min: 0,
    group: 'Latency',
    describe: 'Embedding base latency (ms)',
  },
  embeddingPerInputLatency: {
    flag: 'embedding-per-input-latency',
    kind: 'number',
    default: 2,
    min: 0,
    group: 'Latency',
    describe: 'Embedding latency per input (ms)',
  },
  rankingBaseLatency: {
    flag: 'ranking-base-latency',
    kind: 'number',
    default: 10,
    min: 0,
    group: 'Latency',
    describe: 'Ranking base latency (ms)',
  },
  rankingPerPassageLatency: {
    flag: 'ranking-per-passage-latency',
    kind: 'number',
    default: 1,
    min: 0,
    group: 'Latency',
    describe: 'Ranking latency per passage (ms)',
  },
  errorRate: {
    flag: 'error-rate',
    kind: 'number',
    default: 0,
    min: 0,
    max: 100,
    group: 'Error injection',
    describe: 'Percent of inference requests that fail with HTTP 500 (decided before the first byte)',
  },
  rateLimitRate: {
    flag: 'rate-limit-rate',
    kind: 'number',
    default: 0,
    min: 0,
    max: 100,
    group: 'Error injection',
    describe: 'Percent of inference requests answered 429 with Retry-After and x-ratelimit-* headers',
  },
  overloadRate: {
    flag: 'overload-rate',
    kind: 'number',
    default: 0,
    min: 0,
    max: 100,
    group: 'Error injection',
    describe: 'Percent of inference requests answered 503 (overloaded)',
  },
  contextErrorRate: {
    flag: 'context-error-rate',
    kind: 'number',
    default: 0,
    min: 0,
    max: 100,
    group: 'Error injection',
    describe: 'Percent of inference requests answered 400 context_length_exceeded',
  },
  streamAbortRate: {
    flag: 'stream-abort-rate',
    kind: 'number',
    default: 0,
    min: 0,
    max: 100,
    group: 'Error injection',
    describe: 'Percent of requests whose connection drops after --stream-fault-after tokens',
  },
  streamErrorRate: {
    flag: 'stream-error-rate',
    kind: 'number',
    default: 0,
    min: 0,
    max: 100,
    group: 'Error injection',
    describe: 'Percent of requests that get an in-band error event after --stream-fault-after tokens',
  },
  streamStallRate: {
    flag: 'stream-stall-rate',
    kind: 'number',
    default: 0,
    min: 0,
    max: 100,
    group: 'Error injection',
    describe: 'Percent of requests that stall (no bytes) for --stream-stall-ms after the first token',
  },
  streamFaultAfter: {
    flag: 'stream-fault-after',
    kind: 'integer',
    default: 5,
    min: 0,
    max: 1_000_000,
    group: 'Error injection',
    describe: 'Tokens sent before an injected abort or in-band error',
  },
  streamStallMs: {
    flag: 'stream-stall-ms',
    kind: 'number',
    default: 2000,
    min: 0,
    max: 600_000,
    group: 'Error injection',
    describe: 'Length of an injected stall (ms)',
  },
  randomSeed: {
    flag: 'random-seed',
    kind: 'integer',
    group: 'Error injection',
    describe: 'Seed for reproducible injected faults (per worker; worker k uses seed + k)',
  },
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
      'builtin (o200k_base) or a tiktoken encoding name (cl100k_base, p50k_base, r50k_base, gpt2); ' +
      'a Hugging Face name falls back to builtin with a warning (no downloads)',
  },
  tokenizerRevision: {
    flag: 'tokenizer-revision',
    kind: 'string',
    default: 'main',
    group: 'Tokenizer',
    describe: 'Accepted for compatibility (Hugging Face tokenizers are not downloaded)',
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

export type OptionName = keyof typeof OPTIONS;

type ValueOf<S extends { kind: OptionKind }> = S['kind'] extends 'boolean'
  ? boolean
  : S['kind'] extends 'string'
    ? S extends { choices: readonly (infer C)[] }
      ? C
      : string
    : number;

/** The validated configuration: one field per option; options without a default may be undefined. */
export type Config = {
  readonly [K in OptionName]: (typeof OPTIONS)[K] extends { default: unknown }
    ? ValueOf<(typeof OPTIONS)[K]>
    : ValueOf<(typeof OPTIONS)[K]> | undefined;
};

export function envName(spec: OptionSpec): string {
  return 'MOCK_SERVER_' + spec.flag.replace(/-/g, '_').toUpperCase();
}

export function optionEntries(): [OptionName, OptionSpec][] {
  return Object.entries(OPTIONS) as [OptionName, OptionSpec][];
}
