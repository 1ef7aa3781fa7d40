/**
 * The one option table. Every option's flag, short flag, env name, type, default, bounds and help
 * live here (one file per group of options); the CLI parser, `--help`, `/health` and docs/options.md
 * are derived from it. Env names are `MOCK_SERVER_` + the flag upper-snake-cased
 * (`--dcgm-num-gpus` → `MOCK_SERVER_DCGM_NUM_GPUS`).
 */
import { type OptionKind, type OptionSpec } from './option-spec.js';
import { LATENCY_AND_FAULT_OPTIONS } from './options-latency.js';
import { ENGINE_OPTIONS } from './options-engine.js';
import { PREFIX_CACHE_OPTIONS } from './options-cache.js';
import { OUTPUT_OPTIONS } from './options-output.js';
import { ADMIN_OPTIONS } from './options-admin.js';
import { SERVER_OPTIONS } from './options-server.js';
import { TELEMETRY_AND_TOKENIZER_OPTIONS } from './options-telemetry.js';

export { GPU_NAMES, LOG_LEVELS, type OptionKind, type OptionSpec } from './option-spec.js';

export const OPTIONS = {
  ...SERVER_OPTIONS,
  ...LATENCY_AND_FAULT_OPTIONS,
  ...ENGINE_OPTIONS,
  ...PREFIX_CACHE_OPTIONS,
  ...OUTPUT_OPTIONS,
  ...ADMIN_OPTIONS,
  ...TELEMETRY_AND_TOKENIZER_OPTIONS,
} as const;

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
