/** SSE framing for OpenAI-style streams: exactly `data: <json>\n\n`, no event:/id:/comment lines. */
export const SSE_HEADERS = {
  'Content-Type': 'text/event-stream; charset=utf-8',
  'Cache-Control': 'no-cache',
  Connection: 'keep-alive',
} as const;

export const DONE_FRAME = 'data: [DONE]\n\n';

/**
 * What a family's pure formatter hands to the one streaming loop: `events` timed events
 * (event i is due at arrival + TTFT + i × ITL), of which `tokenEvents` carry a token, then a
 * trailer written right after the last event (usage chunk, [DONE]).
 */
export interface StreamBody {
  readonly events: number;
  readonly tokenEvents: number;
  frame(i: number): string;
  readonly trailer: string;
  /** The family's in-band error event (default: OpenAI's `data: {"error":{...}}`). */
  errorFrame?(message: string): string;
}
