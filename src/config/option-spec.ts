/** The shape of one entry of the option table (options.ts). */
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
  readonly group:
    | 'Server'
    | 'Access and readiness'
    | 'Latency'
    | 'Engine model'
    | 'Prefix cache'
    | 'Output'
    | 'Admin and scenarios'
    | 'Error injection'
    | 'Metrics'
    | 'GPU telemetry'
    | 'Tokenizer';
  readonly describe: string;
  /** Never shown in `/health`, `/` or logs. */
  readonly secret?: boolean;
  /** Accepts both a real size string ("64mb") and a byte count. */
  readonly size?: boolean;
}

export const GPU_NAMES = ['rtx6000', 'a100', 'h100', 'h100-sxm', 'h200', 'b200', 'gb200'] as const;
export const LOG_LEVELS = ['DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL'] as const;
