import { hash } from 'node:crypto';

/**
 * Stable hex digest of request content. Determinism is keyed by the request, never by the process,
 * so the same request gives the same output on every worker and in every run.
 */
export function stableKey(...parts: readonly string[]): string {
  // One-shot: the same digest as hashing each part and a separator in turn, without a Hash object per
  // request (it showed in a burst's profile).
  let text = '';
  for (const p of parts) text += `${p}\u001f`;
  return hash('sha1', text, 'hex');
}

/** First 32 bits of a stableKey as an unsigned integer. */
export function keyToUint32(key: string): number {
  return Number.parseInt(key.slice(0, 8), 16) >>> 0;
}
