import { createHash } from 'node:crypto';

/**
 * Stable hex digest of request content. Determinism is keyed by the request, never by the process,
 * so the same request gives the same output on every worker and in every run.
 */
export function stableKey(...parts: readonly string[]): string {
  const h = createHash('sha1');
  for (const p of parts) {
    h.update(p);
    h.update('\u001f');
  }
  return h.digest('hex');
}

/** First 32 bits of a stableKey as an unsigned integer. */
export function keyToUint32(key: string): number {
  return Number.parseInt(key.slice(0, 8), 16) >>> 0;
}
