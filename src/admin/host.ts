import { type PrefixCache } from '../cache/prefix-cache.js';
import { type Config } from '../config/options.js';
import { type PatchResult } from '../config/live.js';
import { type AccuracyTally } from './accuracy.js';
import { type ConfigAuthority } from './config-authority.js';
import { type Recorder } from './recorder.js';
import { type RequestSummary } from './summary.js';

/** An admin operation, as a worker hands it to the process that holds the state. */
export type AdminOp =
  | { readonly op: 'patch'; readonly patch: unknown }
  | { readonly op: 'reset' }
  | { readonly op: 'summary' }
  | { readonly op: 'accuracy' };

export interface ResetReport {
  readonly reset: readonly string[];
  readonly kept: readonly string[];
  readonly config: Config;
}

/**
 * The admin side of the global state (the only process, or the cluster primary): the live config, the
 * request summary, the recording's counts, the accuracy tally and the prefix cache to clear on reset.
 */
export class AdminHost {
  constructor(
    readonly authority: ConfigAuthority,
    readonly summary: RequestSummary,
    private readonly prefix: PrefixCache | null,
    readonly recorder: Recorder | null,
    readonly accuracy: AccuracyTally | null,
  ) {}

  handle(op: AdminOp): PatchResult | ResetReport | unknown {
    if (op.op === 'patch') return this.authority.patch(op.patch, 'admin');
    if (op.op === 'reset') return this.reset();
    if (op.op === 'accuracy') return this.accuracy?.tally() ?? null;
    return {
      ...this.summary.toJSON(),
      recording: this.recorder ? { written: this.recorder.written, dropped: this.recorder.dropped } : null,
    };
  }

  /** Back to the start: live options, the prefix cache, the request summary, the accuracy tally. */
  private reset(): ResetReport {
    this.authority.restore('admin reset');
    this.prefix?.clear();
    this.summary.reset();
    this.accuracy?.reset();
    return {
      reset: ['live options (start-up values)', 'prefix cache', 'request summary', 'accuracy tally'],
      kept: ['Prometheus counters and histograms (monotonic)', 'the request recording file', 'video jobs'],
      config: this.authority.current,
    };
  }
}
