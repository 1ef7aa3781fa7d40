import { type ServerResponse } from 'node:http';
import { type ApiError, errorBody, type ErrorFamily } from './errors.js';
import { SECURITY_HEADERS } from './security-headers.js';

/**
 * JSON bodies are written straight to the socket: no etag, no content negotiation on the hot path.
 * helmet's headers go on every response except inference answers (`inference: true`): vLLM and the
 * other engines send none of them, so a client sees the same headers as from the real server.
 */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Readonly<Record<string, string>> = {},
  inference = false,
): void {
  sendJsonText(res, status, JSON.stringify(body), headers, inference);
}

/** sendJson for a body serialised ahead (built while the request waited for its deadline). */
export function sendJsonText(
  res: ServerResponse,
  status: number,
  text: string,
  headers: Readonly<Record<string, string>> = {},
  inference = false,
): void {
  // Object.assign, not spreads into a literal (~7 × dearer, on every JSON answer: docs/decisions/0014).
  res.writeHead(
    status,
    Object.assign({}, inference ? undefined : SECURITY_HEADERS, headers, {
      'Content-Type': 'application/json',
      'Content-Length': Buffer.byteLength(text),
    }),
  );
  res.end(text);
}

/** The one exit for errors, in the shape of the API family that was called. */
export function sendError(res: ServerResponse, err: ApiError, family: ErrorFamily): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, err.status, errorBody(err, family), err.headers);
}
