/**
 * A window of `length` tokens read cyclically from the corpus, starting at `start`.
 * Plans hold spans instead of token arrays so that a 100k-token answer costs a few bytes until
 * (and unless) it is sent: a disconnect storm of huge max_tokens requests leaves no big garbage.
 */
export class TokenSpan {
  constructor(
    private readonly corpus: readonly string[],
    private readonly start: number,
    readonly length: number,
    /** The text of the last token when a stop sequence cut it short. */
    private readonly lastText?: string,
  ) {}

  /** The first `length` tokens, the last of them replaced by `lastText` when given (a cut token). */
  cut(length: number, lastText?: string): TokenSpan {
    return new TokenSpan(this.corpus, this.start, length, lastText);
  }

  /** Spans over literal tokens (tests, fixed texts). */
  static of(tokens: readonly string[]): TokenSpan {
    return new TokenSpan(tokens, 0, tokens.length);
  }

  /** Token i (0 ≤ i < length). */
  at(i: number): string {
    if (this.lastText !== undefined && i === this.length - 1) return this.lastText;
    const n = this.corpus.length;
    let j = this.start + i;
    if (j >= n) j %= n;
    return this.corpus[j]!;
  }

  /** The whole text, built only when a non-streaming body or a final event needs it. */
  join(): string {
    let out = '';
    for (let i = 0; i < this.length; i++) out += this.at(i);
    return out;
  }

  map<T>(f: (token: string, i: number) => T): T[] {
    const out = new Array<T>(this.length);
    for (let i = 0; i < this.length; i++) out[i] = f(this.at(i), i);
    return out;
  }
}
