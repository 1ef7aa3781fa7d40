import { setFlagsFromString } from 'node:v8';

/**
 * V8's default `--interrupt-budget` on the V8 versions this was measured on (`node --v8-options`; V8 11.3
 * is Node 20's, the image's). The default differs between V8 versions (66, 132 and 144 KB in V8's
 * history), and V8 has no API to read a flag, so where the version is not listed here the budget is left
 * alone: it could not be put back.
 */
const DEFAULT_BUDGET: Readonly<Record<string, number>> = { '11.3': 67_584 };

/** The warm-up runs with this share of the default budget (docs/decisions/0014). */
export const WARM_UP_BUDGET_DIVISOR = 4;

/**
 * Makes V8 count a function as hot after a quarter of the work it otherwise needs, and returns what puts
 * the default back (idempotent), or null where that cannot be done: the V8 version's default is not
 * known, or the command line chose a budget (theirs wins). Why, for the warm-up only:
 * docs/decisions/0014.
 */
export function quickTierUp(
  v8Version: string = process.versions.v8,
  execArgv: readonly string[] = process.execArgv,
): (() => void) | null {
  if (execArgv.some((a) => /^--interrupt[-_]budget(=|$)/.test(a))) return null;
  const budget = DEFAULT_BUDGET[v8Version.split('.').slice(0, 2).join('.')];
  if (budget === undefined) return null;
  setFlagsFromString(`--interrupt-budget=${Math.round(budget / WARM_UP_BUDGET_DIVISOR)}`);
  let restored = false;
  return () => {
    if (restored) return;
    restored = true;
    setFlagsFromString(`--interrupt-budget=${budget}`);
  };
}
