/**
 * A tiktoken encoding's rank table in flat typed arrays: every token's bytes back to back (`bytes`,
 * token r at `offsets[r]..offsets[r + 1]`, empty for an unused rank) and an open-addressing hash table
 * from a byte string to its rank.
 *
 * Why not js-tiktoken's own `Map<string, number>` keyed by comma-joined bytes: for o200k_base that map
 * holds 200k key strings and a 200k-entry hash table, ~14 MB of a worker's ~30 MB heap, and every
 * worker has its own. This table is ~4 MB, loads from a build-time file without parsing 200k strings
 * (decision 0013), and looks a piece up from its UTF-8 bytes without joining them into a string.
 * The library keeps doing the byte-pair merges: it only ever calls `get` on its rank map (with a
 * comma-joined key) and on its decode map (with a rank), and this class answers both.
 */

/** FNV-1a over a byte range: cheap, and spreads token byte strings well enough for linear probing. */
function fnv(bytes: Uint8Array, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  return h >>> 0;
}

/** What an encoding needs besides its ranks (js-tiktoken's field names). */
export interface EncodingMeta {
  readonly pat_str: string;
  readonly special_tokens: Record<string, number>;
}

/** File layout: u32 meta length, meta JSON (UTF-8), padding to 4, u32 offsets (count + 1), bytes. */
interface FileMeta extends EncodingMeta {
  /** Rank slots (highest rank + 1). */
  readonly count: number;
}

export class RankTable {
  /** Rank + 1 per slot, 0 when empty (so a fresh Int32Array is an empty table); at least twice the ranks. */
  private readonly slots: Int32Array;
  private readonly mask: number;
  /** Scratch for `get`'s comma-joined keys; grows to the longest key seen. */
  private scratch = new Uint8Array(64);
  /** js-tiktoken's decode map (`textMap.get(rank)`), answered from the same arrays. */
  readonly texts: { get(rank: number): Uint8Array | undefined };

  private constructor(
    private readonly bytes: Uint8Array,
    private readonly offsets: Uint32Array,
  ) {
    const count = offsets.length - 1;
    let size = 1;
    while (size < count * 2) size *= 2;
    this.slots = new Int32Array(size);
    this.mask = size - 1;
    for (let r = 0; r < count; r++) {
      const start = offsets[r]!;
      const end = offsets[r + 1]!;
      if (end === start) continue;
      let i = fnv(bytes, start, end) & this.mask;
      while (this.slots[i] !== 0) i = (i + 1) & this.mask;
      this.slots[i] = r + 1;
    }
    this.texts = { get: (rank) => this.textOf(rank) };
  }

  /** From each rank's bytes, in rank order (null or empty: an unused rank). */
  static fromTokens(tokens: readonly (Uint8Array | null)[]): RankTable {
    const offsets = new Uint32Array(tokens.length + 1);
    let total = 0;
    tokens.forEach((t, r) => {
      offsets[r] = total;
      total += t?.length ?? 0;
    });
    offsets[tokens.length] = total;
    const bytes = new Uint8Array(total);
    tokens.forEach((t, r) => {
      if (t) bytes.set(t, offsets[r]!);
    });
    return new RankTable(bytes, offsets);
  }

  /** Reads what `toFile` wrote. */
  static fromFile(file: Uint8Array): { table: RankTable; meta: EncodingMeta } {
    const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
    const metaLength = view.getUint32(0, true);
    const meta = JSON.parse(new TextDecoder().decode(file.subarray(4, 4 + metaLength))) as FileMeta;
    const offsetsAt = (4 + metaLength + 3) & ~3;
    const offsets = new Uint32Array(meta.count + 1);
    for (let r = 0; r <= meta.count; r++) offsets[r] = view.getUint32(offsetsAt + 4 * r, true);
    const bytesAt = offsetsAt + 4 * (meta.count + 1);
    // A copy: the table must not keep the whole file buffer alive through a view.
    const bytes = file.slice(bytesAt, bytesAt + offsets[meta.count]!);
    return { table: new RankTable(bytes, offsets), meta };
  }

  /** The build-time file: `meta` and this table's arrays. */
  toFile(meta: EncodingMeta): Uint8Array {
    const count = this.offsets.length - 1;
    const json = new TextEncoder().encode(JSON.stringify(Object.assign({}, meta, { count })));
    const offsetsAt = (4 + json.length + 3) & ~3;
    const file = new Uint8Array(offsetsAt + 4 * (count + 1) + this.bytes.length);
    const view = new DataView(file.buffer);
    view.setUint32(0, json.length, true);
    file.set(json, 4);
    for (let r = 0; r <= count; r++) view.setUint32(offsetsAt + 4 * r, this.offsets[r]!, true);
    file.set(this.bytes, offsetsAt + 4 * (count + 1));
    return file;
  }

  /** Rank slots: highest rank + 1. */
  get count(): number {
    return this.offsets.length - 1;
  }

  /** The rank of `key[start..end)`, or -1. */
  rankOf(key: Uint8Array, start = 0, end = key.length): number {
    const length = end - start;
    for (let i = fnv(key, start, end) & this.mask; ; i = (i + 1) & this.mask) {
      const slot = this.slots[i]!;
      if (slot === 0) return -1;
      const r = slot - 1;
      const at = this.offsets[r]!;
      if (this.offsets[r + 1]! - at !== length) continue;
      let k = 0;
      while (k < length && this.bytes[at + k] === key[start + k]) k++;
      if (k === length) return r;
    }
  }

  /** js-tiktoken's rank-map lookup: `key` is the token's bytes joined with commas ("104,105"). */
  get(key: string): number | undefined {
    let n = 0;
    let value = 0;
    for (let i = 0; i <= key.length; i++) {
      const c = i < key.length ? key.charCodeAt(i) : 44;
      if (c !== 44) {
        value = value * 10 + (c - 48);
        continue;
      }
      if (n === this.scratch.length) {
        const grown = new Uint8Array(n * 2);
        grown.set(this.scratch);
        this.scratch = grown;
      }
      this.scratch[n++] = value;
      value = 0;
    }
    const r = key.length === 0 ? -1 : this.rankOf(this.scratch, 0, n);
    return r < 0 ? undefined : r;
  }

  /** A rank's bytes (a copy-free view), or undefined for an unused or unknown rank. */
  textOf(rank: number): Uint8Array | undefined {
    if (!(rank >= 0 && rank < this.count)) return undefined;
    const start = this.offsets[rank]!;
    const end = this.offsets[rank + 1]!;
    return end === start ? undefined : this.bytes.subarray(start, end);
  }
}
