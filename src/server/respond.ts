import { type ServerResponse } from 'node:http';
import { type ApiError, errorBody, type ErrorFamily } from './errors.js';

/** JSON bodies are written straight to the socket: no etag, no content negotiation on the hot path. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Readonly<Record<string, string>> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
  });
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
