import { type OptionSpec } from './options.js';

/** A raw value as it arrives from the CLI (already typed by yargs), env (string) or a config file (any JSON). */
export type RawValue = unknown;

export type Coerced = { ok: true; value: number | boolean | string } | { ok: false; problem: string };

const SIZE_RE = /^\d+(\.\d+)?\s*(b|kb|mb|gb)?$/i;
const TRUE_WORDS = new Set(['true', '1', 'yes', 'on']);
const FALSE_WORDS = new Set(['false', '0', 'no', 'off']);

function allowed(spec: OptionSpec): string {
  if (spec.choices) return `one of ${spec.choices.join(', ')}`;
  if (spec.size) return 'a size such as 1048576, 512kb or 64mb';
  if (spec.kind === 'boolean') return 'true or false';
  if (spec.kind === 'string') return 'a string';
  const what = spec.kind === 'integer' ? 'an integer' : 'a number';
  const lo = spec.min === undefined ? '' : `${spec.minExclusive ? '>' : '≥'} ${spec.min}`;
  const hi = spec.max === undefined ? '' : `≤ ${spec.max}`;
  const bounds = [lo, hi].filter(Boolean).join(' and ');
  return bounds ? `${what} ${bounds}` : what;
}

function show(value: RawValue): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(JSON.stringify(value) ?? value);
}

/**
 * Turns one raw value into the option's type and checks its bounds. The problem text names the
 * option, the value and what is allowed, so that a bad start-up prints one useful line per mistake.
 */
export function coerce(spec: OptionSpec, raw: RawValue, source: string): Coerced {
  const fail = (): Coerced => ({
    ok: false,
    problem: `--${spec.flag} (${source}): ${show(raw)} is not allowed; expected ${allowed(spec)}`,
  });
  if (spec.kind === 'boolean') {
    if (typeof raw === 'boolean') return { ok: true, value: raw };
    if (typeof raw === 'string' && TRUE_WORDS.has(raw.trim().toLowerCase())) return { ok: true, value: true };
    if (typeof raw === 'string' && FALSE_WORDS.has(raw.trim().toLowerCase())) return { ok: true, value: false };
    return fail();
  }
  if (spec.kind === 'string') {
    if (typeof raw === 'number' && !spec.choices) return { ok: true, value: String(raw) };
    if (typeof raw !== 'string') return fail();
    if (spec.choices) {
      const hit = spec.choices.find((c) => c.toLowerCase() === raw.trim().toLowerCase());
      return hit === undefined ? fail() : { ok: true, value: hit };
    }
    if (spec.size && !SIZE_RE.test(raw.trim())) return fail();
    return { ok: true, value: raw };
  }
  let n: number;
  if (typeof raw === 'number') n = raw;
  else if (typeof raw === 'string' && raw.trim() !== '') n = Number(raw.trim());
  else return fail();
  if (!Number.isFinite(n)) return fail();
  if (spec.kind === 'integer' && !Number.isInteger(n)) return fail();
  if (spec.min !== undefined && (spec.minExclusive ? n <= spec.min : n < spec.min)) return fail();
  if (spec.max !== undefined && n > spec.max) return fail();
  return { ok: true, value: n };
}
