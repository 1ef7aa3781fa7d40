const WS = /\s/u;

/**
 * The ~4-characters-per-token chunker (upstream's `--no-tokenizer` tokenizer): take 4 code points;
 * when the 5th is not whitespace but the 6th is, take 6 so the chunk swallows the word's end and
 * its space. "Hello world" → "Hello ", "worl", "d".
 */
export function chunkText(text: string): string[] {
  const cps = Array.from(text);
  const out: string[] = [];
  let i = 0;
  while (i < cps.length) {
    let len = 4;
    const fifth = cps[i + 4];
    const sixth = cps[i + 5];
    if (fifth !== undefined && !WS.test(fifth) && sixth !== undefined && WS.test(sixth)) len = 6;
    out.push(cps.slice(i, i + len).join(''));
    i += len;
  }
  return out;
}

/** Token count of the chunker without building the chunks (hot path for prompt counting). */
export function countChunks(text: string): number {
  // Fast path: for ASCII text code points are UTF-16 units, so indexing the string is enough.
  // eslint-disable-next-line no-control-regex
  if (!/[^\x00-\x7f]/.test(text)) {
    let n = 0;
    let i = 0;
    const len = text.length;
    while (i < len) {
      let step = 4;
      if (i + 5 < len && !WS.test(text[i + 4]!) && WS.test(text[i + 5]!)) step = 6;
      i += step;
      n++;
    }
    return n;
  }
  return chunkText(text).length;
}
