import { badRequest } from '../server/errors.js';

/** A parsed JSON request body: always a plain object by the time a parser sees it. */
export type JsonObject = Record<string, unknown>;

const describe = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'an array' : `a ${typeof v}`);

export function requireObject(body: unknown, what = 'Request body'): JsonObject {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw badRequest(`${what} must be a JSON object, got ${describe(body)}`);
  }
  return body as JsonObject;
}

export function requiredString(obj: JsonObject, field: string): string {
  const v = obj[field];
  if (v === undefined || v === null) throw badRequest(`Missing required field '${field}'`, field);
  if (typeof v !== 'string') throw badRequest(`Field '${field}' must be a string, got ${describe(v)}`, field);
  return v;
}

export function optionalString(obj: JsonObject, field: string): string | null {
  const v = obj[field];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string') throw badRequest(`Field '${field}' must be a string, got ${describe(v)}`, field);
  return v;
}

export function optionalBool(obj: JsonObject, field: string): boolean {
  const v = obj[field];
  if (v === undefined || v === null) return false;
  if (typeof v !== 'boolean') throw badRequest(`Field '${field}' must be a boolean, got ${describe(v)}`, field);
  return v;
}

/** A non-negative integer or null/absent. Floats, negatives and strings name the field in a 400. */
export function optionalCount(obj: JsonObject, field: string): number | null {
  const v = obj[field];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'number' || !Number.isInteger(v)) {
    throw badRequest(`Field '${field}' must be an integer, got ${JSON.stringify(v)}`, field);
  }
  if (v < 0) throw badRequest(`Field '${field}' must be >= 0, got ${v}`, field);
  return v;
}

export function optionalObject(obj: JsonObject, field: string): JsonObject | null {
  const v = obj[field];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'object' || Array.isArray(v))
    throw badRequest(`Field '${field}' must be an object, got ${describe(v)}`, field);
  return v as JsonObject;
}

export function optionalChoice<T extends string>(obj: JsonObject, field: string, choices: readonly T[]): T | null {
  const v = obj[field];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string' || !(choices as readonly string[]).includes(v)) {
    throw badRequest(`Field '${field}' must be one of ${choices.join(', ')}, got ${JSON.stringify(v)}`, field);
  }
  return v as T;
}

/** The `text` of every part that has one (text blocks, input_text parts), joined by newlines. */
export function partsText(parts: readonly unknown[]): string {
  return parts
    .map((p) =>
      typeof p === 'object' && p !== null && typeof (p as JsonObject)['text'] === 'string'
        ? ((p as JsonObject)['text'] as string)
        : '',
    )
    .filter(Boolean)
    .join('\n');
}

/**
 * Form-friendly readers: multipart/form-data sends every value as a string (AIPerf's form bodies send
 * booleans as `true`/`false`), JSON sends numbers and booleans. Both are accepted; anything else is a 400.
 */
export function formCount(obj: JsonObject, field: string): number | null {
  const v = obj[field];
  if (typeof v === 'string' && /^\d+$/.test(v.trim())) return Number(v.trim());
  return optionalCount(obj, field);
}

export function formBool(obj: JsonObject, field: string): boolean {
  const v = obj[field];
  if (v === 'true') return true;
  if (v === 'false') return false;
  return optionalBool(obj, field);
}

/** Whether an Accept header asks for an event stream (AIPerf sends `text/event-stream` when streaming). */
export function acceptsEventStream(accept: string | string[] | undefined): boolean {
  const value = Array.isArray(accept) ? accept.join(',') : (accept ?? '');
  return /(^|,)\s*text\/event-stream\b/i.test(value);
}
