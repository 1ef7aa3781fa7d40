import { type OptionSpec } from './option-spec.js';

/** The prefix cache (on by default, as in vLLM V1) and its KV events for KV-aware routers. */
export const PREFIX_CACHE_OPTIONS = {
  prefixCaching: {
    flag: 'prefix-caching',
    kind: 'boolean',
    default: true,
    group: 'Prefix cache',
    describe:
      'Reuse the KV blocks of a shared prompt prefix: usage reports cached tokens and TTFT pays only for the uncached ones (--no-prefix-caching: 0 cached tokens always)',
  },
  prefixCacheHitRate: {
    flag: 'prefix-cache-hit-rate',
    kind: 'number',
    min: 0,
    max: 1,
    group: 'Prefix cache',
    describe:
      'Synthetic: every request hits this share of its cacheable blocks, whatever came before (quick scenarios; the cache is then not consulted). Unset: the real cache',
  },
  prefixCacheAnswers: {
    flag: 'prefix-cache-answers',
    kind: 'boolean',
    default: false,
    group: 'Prefix cache',
    describe:
      "Also cache a delivered chat answer's blocks, as vLLM caches generated tokens, so a conversation's next turn hits the previous answer (costs one encode of prompt + answer per chat answer, and in cluster mode one more IPC message)",
  },
  kvEventsEndpoint: {
    flag: 'kv-events-endpoint',
    kind: 'string',
    default: '',
    group: 'Prefix cache',
    describe:
      "Publish vLLM's KV cache events (msgpack, ZeroMQ PUB) here, e.g. tcp://*:5557 (an address with * binds, others connect, as vLLM decides); empty: off",
  },
  kvEventsTopic: {
    flag: 'kv-events-topic',
    kind: 'string',
    default: '',
    group: 'Prefix cache',
    describe: "The topic frame of every KV event message (vLLM's kv_events_config.topic)",
  },
} as const satisfies Record<string, OptionSpec>;
