/**
 * HTTP/1.1 chunks built by the formatters themselves, for the common streams (one token per event).
 *
 * Why: a stream's events go onto the socket as chunks (src/server/stream-wire.ts), and a chunk's size
 * line needs the event's UTF-8 length. Measured on the event's string (`Buffer.byteLength`), that
 * flattens the event's rope into a copy, and the socket write then flattens the chunk's rope into a
 * second one: two copies of every event, young garbage whose scavenges delay every other stream's next
 * token. A formatter that builds an event from pieces it made once per stream knows their lengths, so it
 * adds the token's and builds the chunk in one rope, which the write flattens once (bench/README.md).
 */

/**
 * A string built once and sent with every event (a stream's chunk prefix) as one flat string. A template
 * literal is a rope of its pieces; written inside each event's rope, V8 walks all of them again on every
 * write (the socket write flattens the event), where a flat piece is one copy. Reading a character
 * flattens a rope in place.
 */
export function flat(s: string): string {
  s.charCodeAt(0);
  return s;
}

/** A string sent with many chunks (flat), with its UTF-8 length. */
export interface Piece {
  readonly s: string;
  /** UTF-8 bytes that count toward the chunk size (the chunk's closing CRLF does not). */
  readonly bytes: number;
}

/** A piece; `closesChunk`: `s` ends with the chunk's CRLF, which its size line does not count. */
export function piece(s: string, closesChunk = false): Piece {
  return { s: flat(s), bytes: Buffer.byteLength(s) - (closesChunk ? 2 : 0) };
}

/** Size lines of the usual chunk sizes, built once: the hex string and its concatenations were per-event garbage. */
const SIZE_LINES: string[] = [];
const CACHED_SIZES = 4096;

/** An HTTP/1.1 chunk's size line for `bytes` bytes of data. */
export function sizeLine(bytes: number): string {
  if (bytes >= CACHED_SIZES) return `${bytes.toString(16)}\r\n`;
  return (SIZE_LINES[bytes] ??= `${bytes.toString(16)}\r\n`);
}

/** Characters JSON.stringify would escape (or might: any surrogate, in case it is a lone one). */
// eslint-disable-next-line no-control-regex -- control characters are exactly what JSON must escape
export const ESCAPED = /["\\\u0000-\u001f\ud800-\udfff]/;

/**
 * One chunk: `open` (ends inside a JSON string, after its opening quote), `text` escaped as that string's
 * content, `close` (its closing quote to the chunk's CRLF). Most tokens need no escaping and go in as
 * they are; the others through JSON.stringify, without its quotes.
 */
export function textChunk(open: Piece, text: string, close: Piece): string {
  const inner = ESCAPED.test(text) ? JSON.stringify(text).slice(1, -1) : text;
  return `${sizeLine(open.bytes + Buffer.byteLength(inner) + close.bytes)}${open.s}${inner}${close.s}`;
}
