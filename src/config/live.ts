import { type Config, type OptionName, optionEntries } from './options.js';
import { coerce } from './validate.js';

/**
 * The options a running server can change (PATCH /admin/config, --scenario phases): latency and its
 * penalties, fault rates, engine knobs that take effect at the next step, output shaping and the
 * simulated GPU load. Everything else (ports, workers, tokenizer, cache sizes) is fixed at start-up.
 */
export const LIVE_OPTIONS: readonly OptionName[] = [
  'ttft',
  'itl',
  'ttftJitterCv',
  'itlJitterCv',
  'ttftPerIslTokenMs',
  'itlPerOslTokenMs',
  'ttftConcurrencyQuadMs',
  'itlConcurrencyLinMs',
  'embeddingBaseLatency',
  'embeddingPerInputLatency',
  'rankingBaseLatency',
  'rankingPerPassageLatency',
  'imageGenerationMs',
  'videoGenerationMs',
  'reanchorAfterMs',
  'errorRate',
  'rateLimitRate',
  'overloadRate',
  'contextErrorRate',
  'streamAbortRate',
  'streamErrorRate',
  'streamStallRate',
  'streamFaultAfter',
  'streamStallMs',
  'stepMs',
  'maxBatchSize',
  'prefillChunkTokens',
  'maxWaiting',
  'queueFullStatus',
  'maxTokensLimit',
  'streamInterval',
  'toolCallRate',
  'dcgmAutoLoad',
  'dcgmMinThroughput',
];

/** One option's change, as logged and answered. */
export interface ConfigChange {
  readonly option: OptionName;
  readonly from: unknown;
  readonly to: unknown;
}

export type PatchResult =
  | { readonly ok: true; readonly config: Config; readonly changes: readonly ConfigChange[] }
  | { readonly ok: false; readonly problems: readonly string[] };

/** A worker's view of the config: replaced whole when the server's changes (never mutated in place). */
export interface LiveConfig {
  current: Config;
}

/** An option by its name (`errorRate`), flag (`error-rate`) or snake_case (`error_rate`, as in scenario files). */
export function optionByKey(key: string): OptionName | undefined {
  const flag = key.replace(/_/g, '-');
  for (const [name, spec] of optionEntries()) if (name === key || spec.flag === flag) return name;
  return undefined;
}

/**
 * Applies a patch as the CLI would validate it: every key a live option, every value coerced and bounded
 * by the option table. Any problem and nothing changes (all problems are reported, each naming its option).
 */
export function applyPatch(current: Config, patch: unknown): PatchResult {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch))
    return { ok: false, problems: ['the body must be a JSON object of options and values'] };
  const problems: string[] = [];
  const next: Record<string, unknown> = { ...current };
  const changes: ConfigChange[] = [];
  const specs = new Map(optionEntries());
  for (const [key, raw] of Object.entries(patch)) {
    const name = optionByKey(key);
    if (!name) {
      problems.push(`${key}: no such option`);
      continue;
    }
    const spec = specs.get(name)!;
    if (!LIVE_OPTIONS.includes(name)) {
      problems.push(`--${spec.flag} cannot change while the server runs (restart with the new value)`);
      continue;
    }
    const result = coerce(spec, raw, 'admin');
    if (!result.ok) {
      problems.push(result.problem);
      continue;
    }
    if (result.value !== current[name]) changes.push({ option: name, from: current[name], to: result.value });
    next[name] = result.value;
  }
  if (next['queueFullStatus'] !== 429 && next['queueFullStatus'] !== 503)
    problems.push(`--queue-full-status must be 429 or 503, got ${String(next['queueFullStatus'])}`);
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, config: next as Config, changes };
}
