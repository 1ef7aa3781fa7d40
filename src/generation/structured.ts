import { generateSync, type JsonSchema } from 'json-schema-faker';
import { type Tokenizer } from './tokenizer.js';

type Schema = Readonly<Record<string, unknown>>;

/** A string whose value the schema leaves free: no enum, const, format or pattern to honour. */
function isFreeString(schema: unknown): schema is Schema {
  if (typeof schema !== 'object' || schema === null) return false;
  const s = schema as Schema;
  return s['type'] === 'string' && !('enum' in s) && !('const' in s) && !('format' in s) && !('pattern' in s);
}

/** Sizes a schema may ask of one value before the mock refuses to generate it (a 400, not a stall). */
export const MAX_SCHEMA_SIZE = 4096;
const SIZE_KEYWORDS = ['minItems', 'minLength', 'minProperties', 'minContains'];

/** Why `schema` cannot be generated here (an absurd size, too deep), or null when it can. */
export function schemaProblem(schema: unknown, depth = 0): string | null {
  if (depth > 32) return 'the schema is nested more than 32 levels deep';
  if (typeof schema !== 'object' || schema === null) return null;
  for (const [key, value] of Object.entries(schema)) {
    if (SIZE_KEYWORDS.includes(key) && typeof value === 'number' && value > MAX_SCHEMA_SIZE)
      return `${key} ${value} is more than the ${MAX_SCHEMA_SIZE} the server generates`;
    const inner = schemaProblem(value, depth + 1);
    if (inner) return inner;
  }
  return null;
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/**
 * JSON text that validates against `schema` (json-schema-faker draws the value, seeded), with its free
 * strings filled with corpus text so the whole text comes near `budgetTokens` tokens, as far as the
 * schema allows (required fields, enums, bounds stay as drawn; maxLength is kept). Deterministic for a
 * seed. `words(from, n)` gives n consecutive corpus tokens.
 */
export function jsonText(
  schema: Schema,
  seed: number,
  budgetTokens: number,
  tokenizer: Tokenizer,
  words: (from: number, n: number) => string,
): string {
  const draw = (fill: ((s: Schema, k: number) => string) | null): unknown => {
    let k = 0;
    return generateSync(schema as JsonSchema, {
      seed,
      maxDepth: 4,
      failOnInvalidTypes: true,
      outputTransform: (value, s) => (fill && typeof value === 'string' && isFreeString(s) ? fill(s, k++) : value),
    });
  };
  let free = 0;
  const bare = JSON.stringify(
    draw(() => {
      free++;
      return '';
    }),
  );
  if (free === 0) return bare;
  const filled = (per: number): string =>
    JSON.stringify(
      draw((s, k) => {
        let text = words(seed + k * 7919, per).trim();
        const max = num(s['maxLength']);
        const min = num(s['minLength']) ?? 0;
        if (max !== undefined) text = Array.from(text).slice(0, max).join('');
        while (Array.from(text).length < min) text += 'a';
        return text;
      }),
    );
  // Corpus tokens re-tokenise a little differently inside JSON strings: shrink until the text fits.
  let per = Math.max(1, Math.floor((budgetTokens - tokenizer.count(bare)) / free));
  let text = filled(per);
  for (let tries = 0; tries < 6 && per > 1; tries++) {
    const used = tokenizer.count(text);
    if (used <= budgetTokens) break;
    per = Math.max(1, Math.floor((per * budgetTokens) / used) - 1);
    text = filled(per);
  }
  return text;
}
