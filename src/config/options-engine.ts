import { type OptionSpec } from './option-spec.js';

/** The continuous-batching engine model (off by default) and named presets. */
export const ENGINE_OPTIONS = {
  profile: {
    flag: 'profile',
    kind: 'string',
    group: 'Engine model',
    describe:
      'A preset of options (a name from profiles/, e.g. llama-8b-h100, or a YAML path); --config, env and flags override it',
  },
  engineModel: {
    flag: 'engine-model',
    kind: 'string',
    default: 'none',
    choices: ['none', 'batch'],
    group: 'Engine model',
    describe:
      'batch: a virtual continuous-batching engine decides when tokens come (queue, chunked prefill, batch, KV cache); --ttft/--itl and the open-loop knobs then do not apply',
  },
  stepMs: {
    flag: 'step-ms',
    kind: 'number',
    default: 10,
    min: 0.5,
    group: 'Engine model',
    describe: 'Duration of one engine step (ms): the decode ITL of every running sequence',
  },
  maxBatchSize: {
    flag: 'max-batch-size',
    kind: 'integer',
    default: 256,
    min: 1,
    group: 'Engine model',
    describe: 'Sequences decoded together per step (the throughput ceiling is this / step time)',
  },
  prefillChunkTokens: {
    flag: 'prefill-chunk-tokens',
    kind: 'integer',
    default: 2048,
    min: 1,
    group: 'Engine model',
    describe: 'Prompt tokens prefilled per step across all admitted sequences (chunked prefill budget)',
  },
  kvBlocks: {
    flag: 'kv-blocks',
    kind: 'integer',
    default: 8192,
    min: 1,
    group: 'Engine model',
    describe:
      'KV cache size in blocks: the prefix cache holds at most this many (less the blocks of running sequences with --engine-model batch, where a full cache preempts the newest sequence)',
  },
  kvBlockTokens: {
    flag: 'kv-block-tokens',
    kind: 'integer',
    default: 16,
    min: 1,
    group: 'Engine model',
    describe: 'Tokens per KV cache block: the prefix cache hashes and hits whole blocks',
  },
  maxWaiting: {
    flag: 'max-waiting',
    kind: 'integer',
    default: 1024,
    min: 0,
    group: 'Engine model',
    describe: 'Requests allowed in the waiting queue; past it requests are refused with --queue-full-status',
  },
  queueFullStatus: {
    flag: 'queue-full-status',
    kind: 'integer',
    default: 503,
    min: 429,
    max: 503,
    group: 'Engine model',
    describe: 'Status for a request refused by a full queue: 503 (overloaded) or 429 (rate limited), with Retry-After',
  },
} as const satisfies Record<string, OptionSpec>;
