import { type PrefixCache } from '../cache/prefix-cache.js';
import { type Config } from '../config/options.js';
import { type PatchResult } from '../config/live.js';
import { type AccuracyCounts, type AccuracyTally } from './accuracy.js';
import { type ConfigAuthority } from './config-authority.js';
import { type Recorder } from './recorder.js';
import { type RequestSummary } from './summary.js';

/** An admin operation, as a worker hands it to the process that holds the state. */
export type AdminOp =
  | { readonly op: 'patch'; readonly patch: unknown }
  | { readonly op: 'reset' }
  | { readonly op: 'summary' }
  | { readonly op: 'accuracy' };

export type AdminOpName = AdminOp['op'];
export type AdminOpOf<K extends AdminOpName> = Extract<AdminOp, { readonly op: K }>;

/** The request summary as /admin/requests/summary shows it, with the recording's counts. */
export type SummaryReport = ReturnType<RequestSummary['toJSON']> & {
  readonly recording: { readonly written: number; readonly dropped: number } | null;
};

export interface ResetReport {
  readonly reset: readonly string[];
  readonly kept: readonly string[];
  readonly config: Config;
}

/** What each operation answers (accuracy: null without --accuracy-dataset). */
export interface AdminResults {
  readonly patch: PatchResult;
  readonly reset: ResetReport;
  readonly summary: SummaryReport;
  readonly accuracy: AccuracyCounts | null;
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

  /** Runs one operation; its answer's type is the operation's (AdminResults). */
  handle<K extends AdminOpName>(op: AdminOpOf<K>): AdminResults[K] {
    return this.handlers[op.op](op);
  }

  private readonly handlers: { readonly [K in AdminOpName]: (op: AdminOpOf<K>) => AdminResults[K] } = {
    patch: (op) => this.authority.patch(op.patch, 'admin'),
    reset: () => this.reset(),
    accuracy: () => this.accuracy?.tally() ?? null,
    summary: () => ({
      ...this.summary.toJSON(),
      recording: this.recorder ? { written: this.recorder.written, dropped: this.recorder.dropped } : null,
    }),
  };

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
