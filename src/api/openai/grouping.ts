import { choicesOf, type OutputPlan } from '../../generation/planner.js';

/**
 * How a stream's tokens fall into events: with `--stream-interval` N the first token goes alone and
 * then N tokens per event (vLLM's rule), the last event taking what is left; with n choices, event j
 * carries the j-th group of every choice that still has one (choices are decoded side by side).
 */
export class Grouping {
  /** Every choice, choice 0 first, with its token count (reasoning + content). */
  readonly choices: readonly { readonly plan: OutputPlan; readonly index: number; readonly tokens: number }[];
  readonly events: number;
  readonly tokenEvents: number;
  private readonly longest: number;

  constructor(
    plan: OutputPlan,
    readonly interval: number,
    tokensOf: (p: OutputPlan) => number,
  ) {
    this.choices = choicesOf(plan).map((p, index) => ({ plan: p, index, tokens: tokensOf(p) }));
    this.longest = Math.max(...this.choices.map((c) => c.tokens));
    this.tokenEvents = this.longest === 0 ? 0 : this.eventsFor(this.longest);
    this.events = Math.max(this.tokenEvents, 1);
  }

  /** Events a choice of `tokens` tokens takes (one empty event for none: it still ends with a reason). */
  eventsFor(tokens: number): number {
    return tokens <= 1 ? 1 : 1 + Math.ceil((tokens - 1) / this.interval);
  }

  /** Token positions [from, to) of event j, before clipping to a choice's length. */
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
