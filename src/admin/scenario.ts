import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { applyPatch, optionByKey } from '../config/live.js';
import { OPTIONS } from '../config/options.js';
import { type Logger } from '../logging/logger.js';
import { type GlobalState } from '../telemetry/global-state.js';
import { type ConfigAuthority } from './config-authority.js';

type Values = Readonly<Record<string, number | boolean | string>>;

/** One phase of a --scenario timeline, validated. */
export interface Phase {
  readonly name: string;
  /** Starts this many ms after the server started (or after the timeline last repeated) ... */
  readonly atMs?: number;
  /** ... or once the server has seen this many requests. */
  readonly afterRequests?: number;
  /** Options set when the phase begins. */
  readonly set: Values;
  /** Options moved linearly from their values at the phase's start to these, over `rampMs`. */
  readonly rampTo: Readonly<Record<string, number>>;
  readonly rampMs: number;
}

export interface Timeline {
  readonly phases: readonly Phase[];
  /** The timeline starts over every this many ms (time-based phases only); null: once. */
  readonly repeatMs: number | null;
}

/** "90s", "500ms", "2m", or a number of seconds. */
export function durationMs(v: unknown, where: string): number {
  if (typeof v === 'number' && v >= 0) return v * 1000;
  const m = typeof v === 'string' ? /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/.exec(v.trim()) : null;
  if (!m) throw new Error(`${where}: ${JSON.stringify(v)} is not a duration (e.g. 30s, 500ms, 2m)`);
  const n = Number(m[1]);
  return n * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
}

/**
 * Reads a timeline. Every phase's options are checked as PATCH /admin/config checks them (live options,
 * the option table's types and bounds), so a bad file stops the start with the phase and option named.
 */
export function parseTimeline(text: string, base: Parameters<typeof applyPatch>[0]): Timeline {
  const doc = parse(text) as { phases?: unknown; repeat?: unknown } | null;
  if (!doc || !Array.isArray(doc.phases) || doc.phases.length === 0)
    throw new Error('a scenario needs a list of phases');
  const phases = doc.phases.map((raw: unknown, i): Phase => {
    const p = (raw ?? {}) as Record<string, unknown>;
    const where = `phase ${i + 1}`;
    const name = typeof p['name'] === 'string' ? p['name'] : `phase-${i + 1}`;
    const set = (p['set'] ?? {}) as Values;
    const ramp = (p['ramp'] ?? null) as { to?: Record<string, number>; over?: unknown } | null;
    const rampTo = ramp?.to ?? {};
    for (const values of [set, rampTo]) {
      const r = applyPatch(base, values);
      if (!r.ok) throw new Error(`${where} (${name}): ${r.problems.join('; ')}`);
    }
    for (const [k, v] of Object.entries(rampTo))
      if (typeof v !== 'number') throw new Error(`${where} (${name}): ramp.to.${k} must be a number`);
    const hasAt = p['at'] !== undefined;
    const hasCount = p['after_requests'] !== undefined;
    if (hasAt === hasCount) throw new Error(`${where} (${name}): give exactly one of at (a time) or after_requests`);
    const count = p['after_requests'];
    if (hasCount && (typeof count !== 'number' || !Number.isInteger(count) || count < 0))
      throw new Error(`${where} (${name}): after_requests must be a whole number`);
    return {
      name,
      ...(hasAt ? { atMs: durationMs(p['at'], `${where} at`) } : { afterRequests: count as number }),
      set,
      rampTo,
      rampMs: ramp ? durationMs(ramp.over, `${where} ramp.over`) : 0,
    };
  });
  const repeatMs = doc.repeat === undefined || doc.repeat === false ? null : durationMs(doc.repeat, 'repeat');
  if (repeatMs !== null && phases.some((p) => p.atMs === undefined))
    throw new Error('repeat works with time-based phases (at) only');
  return { phases, repeatMs };
}

/** Which phase is active: the last one whose trigger has passed (phases are in file order). */
export function activePhase(t: Timeline, elapsedMs: number, requests: number): number {
  const at = t.repeatMs ? elapsedMs % t.repeatMs : elapsedMs;
  let active = -1;
  t.phases.forEach((p, i) => {
    if ((p.atMs !== undefined && at >= p.atMs) || (p.afterRequests !== undefined && requests >= p.afterRequests))
      active = i;
  });
  return active;
}

/**
 * Runs a timeline in the process that holds the global state: every tick it finds the active phase by
 * elapsed time (or the server's request count), applies its options through the config authority (so
 * every worker gets them within one tick), moves ramps along, and reports the phase on /health and the
 * mock's metrics page.
 */
export class ScenarioRunner {
  private timer: NodeJS.Timeout | undefined;
  private current = -1;
  private rampFrom: Record<string, number> = {};
  private phaseStart = 0;

  constructor(
    private readonly timeline: Timeline,
    private readonly authority: ConfigAuthority,
    private readonly state: GlobalState,
    private readonly logger: Logger,
    private readonly startedAt = performance.now(),
  ) {}

  static load(file: string, authority: ConfigAuthority, state: GlobalState, logger: Logger): ScenarioRunner {
    const timeline = parseTimeline(readFileSync(file, 'utf8'), authority.current);
    state.scenarioPhases = timeline.phases.map((p) => p.name);
    return new ScenarioRunner(timeline, authority, state, logger);
  }

  start(everyMs = 50): void {
    this.tick();
    this.timer = setInterval(() => this.tick(), everyMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  tick(now = performance.now()): void {
    const elapsed = now - this.startedAt;
    const i = activePhase(this.timeline, elapsed, this.state.requests);
    if (i !== this.current && i >= 0) {
      const phase = this.timeline.phases[i]!;
      this.current = i;
      this.phaseStart = now;
      this.authority.patch(phase.set, `scenario phase ${phase.name}`);
      const cfg = this.authority.current as unknown as Record<string, unknown>;
      this.rampFrom = {};
      for (const key of Object.keys(phase.rampTo)) {
        const name = optionByKey(key);
        const v = name ? cfg[name] : undefined;
        this.rampFrom[key] = typeof v === 'number' ? v : 0;
      }
      this.state.scenario = { phase: phase.name, index: i, sinceSec: elapsed / 1000 };
      this.logger.info('scenario phase', { phase: phase.name, index: i, elapsedSec: Math.round(elapsed) / 1000 });
    }
    if (this.current < 0) return;
    const phase = this.timeline.phases[this.current]!;
    if (phase.rampMs <= 0 && Object.keys(phase.rampTo).length === 0) return;
    const f = phase.rampMs <= 0 ? 1 : Math.min(1, (now - this.phaseStart) / phase.rampMs);
    const values: Record<string, number> = {};
    for (const [key, to] of Object.entries(phase.rampTo)) {
      const v = this.rampFrom[key]! + (to - this.rampFrom[key]!) * f;
      const name = optionByKey(key);
      values[key] = name && OPTIONS[name].kind === 'integer' ? Math.round(v) : v;
    }
    this.authority.patch(values, `scenario ramp ${phase.name}`, true);
  }
}
