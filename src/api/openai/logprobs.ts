/**
 * Deterministic logprobs: the sampled token is always the most likely (probability 0.35–0.99, a pure
 * function of the request seed, the choice and the position), the alternatives share what is left,
 * halving each time, so a position's probabilities never sum past 1. Alternatives are common English
 * tokens, distinct from the sampled one and from each other.
 */
const ALTERNATIVES = [
  ' the',
  ' a',
  ' of',
  ' and',
  ' to',
  ' in',
  ' is',
  ' that',
  ' it',
  ' for',
  ' was',
  ' on',
  ' with',
  ' as',
  ' be',
  ' at',
  ' by',
  ' this',
  ' have',
  ' from',
  ' or',
];

export interface TokenLogprob {
  readonly token: string;
  readonly logprob: number;
}

/** Uniform [0, 1) from (seed, choice, position): a few integer mixes, no allocation. */
function draw(seed: number, choice: number, i: number): number {
  let h = (seed ^ Math.imul(choice + 1, 0x9e3779b1) ^ Math.imul(i + 1, 0x85ebca6b)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return ((h ^ (h >>> 16)) >>> 0) / 2 ** 32;
}

/** Rounded as engines print them (float32-ish precision is plenty for a client). */
const round = (x: number): number => Math.round(x * 1e6) / 1e6;

/** The sampled token's logprob, then `top − 1` alternatives: `top` entries, most likely first. */
export function topLogprobs(token: string, seed: number, choice: number, i: number, top: number): TokenLogprob[] {
  const p = 0.35 + 0.64 * draw(seed, choice, i);
  const out: TokenLogprob[] = [{ token, logprob: round(Math.log(p)) }];
  let rest = 1 - p;
  const start = Math.floor(draw(seed, choice + 7, i) * ALTERNATIVES.length);
  for (let j = 0; out.length < top && j < ALTERNATIVES.length; j++) {
    const alt = ALTERNATIVES[(start + j) % ALTERNATIVES.length]!;
    if (alt === token) continue;
    rest /= 2;
    out.push({ token: alt, logprob: round(Math.log(rest)) });
  }
  return out;
}

export const utf8Bytes = (token: string): number[] => Array.from(Buffer.from(token, 'utf8'));
