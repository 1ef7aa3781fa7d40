import { applyPatch, LIVE_OPTIONS, type PatchResult } from '../config/live.js';
import { type Config } from '../config/options.js';
import { type Logger } from '../logging/logger.js';

/**
 * The server's live config, held where the global state is (the only process, or the cluster primary):
 * every change (PATCH /admin/config, a scenario phase) is validated here, logged with old and new values,
 * and handed to the listeners (the local worker, or every cluster worker and the engine).
 */
export class ConfigAuthority {
  private readonly listeners: ((config: Config) => void)[] = [];

  constructor(
    public current: Config,
    private readonly logger: Logger,
    /** The start-up values, restored by POST /admin/reset. */
    private readonly initial: Config = current,
  ) {}

  onChange(listener: (config: Config) => void): void {
    this.listeners.push(listener);
  }

  /** `quiet`: a ramp's small steps are logged at debug level only (its phase start is logged). */
  patch(patch: unknown, source: string, quiet = false): PatchResult {
    const result = applyPatch(this.current, patch);
    if (!result.ok || result.changes.length === 0) return result;
    this.current = result.config;
    for (const c of result.changes)
      this.logger[quiet ? 'debug' : 'info']('config changed', { source, option: c.option, from: c.from, to: c.to });
    for (const l of this.listeners) l(result.config);
    return result;
  }

  /** Every live option back to its start-up value. */
  restore(source: string): PatchResult {
    const patch: Record<string, unknown> = {};
    for (const name of LIVE_OPTIONS) patch[name] = this.initial[name];
    return this.patch(patch, source);
  }
}
