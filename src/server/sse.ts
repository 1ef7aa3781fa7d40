/**
 * Response headers of every SSE stream (each family frames its own events: see StreamBody). No
 * `Connection` header of our own: node writes `keep-alive` or `close` from what the request asked
 * (HTTP/1.1 `Connection: close`, HTTP/1.0) and closes the socket after the response when asked; a fixed
 * `keep-alive` here overrode a client's `close` and left its socket open for the keep-alive timeout.
 */
export const SSE_HEADERS = {
  'Content-Type': 'text/event-stream; charset=utf-8',
  'Cache-Control': 'no-cache',
} as const;
