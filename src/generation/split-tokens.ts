/**
 * A token-id sequence as one string per output token: each id decoded alone, except where a multi-byte
 * character spans tokens: the group widens (up to 4 ids) until it decodes cleanly.
 */
export function splitByDecode(ids: readonly number[], decode: (ids: number[]) => string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < ids.length) {
    let j = i + 1;
    let piece = decode(ids.slice(i, j));
    while (piece.endsWith('\uFFFD') && j < ids.length && j - i < 4) {
      j++;
      piece = decode(ids.slice(i, j));
    }
    out.push(piece);
    i = j;
  }
  return out;
}
