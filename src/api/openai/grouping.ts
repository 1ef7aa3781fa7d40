import { choicesOf, type OutputPlan } from '../../generation/planner.js';
import { type StreamBody } from '../contract.js';

/** One choice's place in the stream: `slots` positions laid out in events, the first `tokens` of them real tokens. */
export interface GroupedChoice {
  readonly plan: OutputPlan;
  readonly index: number;
  /** Positions (tokens, plus an empty closing chunk where the API ends a token-less answer with one). */
  readonly slots: number;
  readonly tokens: number;
  /** The choice's last event (it carries the finish reason). */
  readonly last: number;
}

/**
 * How a stream's positions fall into events: with `--stream-interval` N the first goes alone and then N
 * per event (vLLM's rule), the last event taking what is left; with n choices, event j carries the j-th
 * group of every choice that still has one (choices are decoded side by side).
 */
export class Grouping {
  readonly choices: readonly GroupedChoice[];
  readonly events: number;
  /** Events that deliver tokens (the ones after only close token-less choices). */
  readonly tokenEvents: number;
  private readonly longest: number;

  constructor(
    plan: OutputPlan,
    readonly interval: number,
    measure: (p: OutputPlan) => { readonly slots: number; readonly tokens: number },
  ) {
    this.choices = choicesOf(plan).map((p, index) => {
      const { slots, tokens } = measure(p);
      return { plan: p, index, slots, tokens, last: this.eventsFor(slots) - 1 };
    });
    this.longest = Math.max(...this.choices.map((c) => c.tokens));
    this.tokenEvents = this.longest === 0 ? 0 : this.eventsFor(this.longest);
    this.events = Math.max(...this.choices.map((c) => c.last + 1));
  }

  eventsFor(positions: number): number {
    return positions <= 1 ? 1 : 1 + Math.ceil((positions - 1) / this.interval);
  }

  /** Positions [from, to) of event j, before clipping to a choice's length. */
  from(j: number): number {
    return j === 0 ? 0 : 1 + (j - 1) * this.interval;
  }
  to(j: number): number {
    return j === 0 ? 1 : 1 + j * this.interval;
  }

  /** Tokens event j delivers over all choices. */
  tokensIn(j: number): number {
    let n = 0;
    for (const c of this.choices) n += Math.max(0, Math.min(this.to(j), c.tokens) - this.from(j));
    return n;
  }

  /** Decode steps event j spans: its group's size in the longest choice. */
  stepsIn(j: number): number {
    return Math.max(1, Math.min(this.to(j), this.longest) - this.from(j));
  }

  /** Whether the body needs the grouped path (n > 1 or an interval): the plain path stays lean. */
  get grouped(): boolean {
    return this.interval > 1 || this.choices.length > 1;
  }
}

/**
 * The StreamBody of a grouped stream: event j is the chunk of every choice still running (one choice: its
 * chunk alone), then `trailer` (built when the stream ends, not held for its whole life).
 */
export function groupedBody<C extends GroupedChoice>(
  g: Grouping,
  choices: readonly C[],
  chunk: (c: C, j: number) => string,
  trailer: () => string,
  errorFrame: (message: string) => string,
  /** `chunk` as the HTTP chunk it is written as, where the formatter builds that itself (chunked.ts). */
  httpChunk?: (c: C, j: number) => string,
): StreamBody {
  const single = choices.length === 1 ? choices[0]! : undefined;
  return {
    events: g.events,
    tokenEvents: g.tokenEvents,
    frame(j: number): string {
      if (choices.length === 1) return chunk(choices[0]!, j);
      let out = '';
      for (const c of choices) if (j <= c.last) out += chunk(c, j);
      return out;
    },
    get trailer() {
      return trailer();
    },
    errorFrame,
    // One choice only: with several, an event holds several choices' chunks.
    chunk: httpChunk && single ? (j: number) => httpChunk(single, j) : undefined,
    // Undefined when ungrouped (one token per event): a conditional spread here cost a third of the literal.
    tokensIn: g.grouped ? (j: number) => g.tokensIn(j) : undefined,
    stepsIn: g.grouped ? (j: number) => g.stepsIn(j) : undefined,
  };
}
