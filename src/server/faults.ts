import { ApiError, badRequest } from './errors.js';

/** A fault forced for one request by its `X-Mock-Fault` header, so client tests need no randomness. */
export type Fault =
  | { readonly kind: 'http'; readonly status: 400 | 429 | 500 | 503 }
  | { readonly kind: 'abort-after'; readonly tokens: number }
  | { readonly kind: 'error-after'; readonly tokens: number }
  | { readonly kind: 'stall'; readonly ms: number };

export const FAULT_HEADER = 'x-mock-fault';

/**
 * Parses `X-Mock-Fault`: `429`, `503`, `500`, `400` (context length), `abort-after=N`, `error-after=N`,
 * `stall=MS`. A value it does not know is a 400 that names the header, never ignored silently.
 */
export function parseFault(value: string | string[] | undefined): Fault | null {
  if (value === undefined) return null;
  const v = (Array.isArray(value) ? value[0]! : value).trim().toLowerCase();
  if (v === '') return null;
  if (v === '400' || v === '429' || v === '500' || v === '503')
    return { kind: 'http', status: Number(v) as 400 | 429 | 500 | 503 };
  const m = /^(abort-after|error-after|stall)=(\d+)$/.exec(v);
  if (m) {
    const n = Number(m[2]);
    if (m[1] === 'stall') return { kind: 'stall', ms: Math.min(n, 600_000) };
    return { kind: m[1] as 'abort-after' | 'error-after', tokens: n };
  }
  throw badRequest(
    `Header X-Mock-Fault: ${JSON.stringify(v)} is not a fault; use 400, 429, 500, 503, abort-after=N, error-after=N or stall=MS`,
    'X-Mock-Fault',
  );
}

/** The HTTP failure of a forced status, with the headers real servers send with it. */
export function httpFault(status: 400 | 429 | 500 | 503): ApiError {
  switch (status) {
    case 429:
      return new ApiError(
        429,
        'rate_limit_error',
        'Rate limit reached for requests (injected fault)',
        null,
        'rate_limit_exceeded',
        {
          'Retry-After': '1',
          'x-ratelimit-limit-requests': '100',
          'x-ratelimit-remaining-requests': '0',
          'x-ratelimit-reset-requests': '1s',
        },
      );
    case 503:
      return new ApiError(
        503,
        'server_error',
        'The server is overloaded or not ready yet (injected fault)',
        null,
        503,
        { 'Retry-After': '1' },
      );
    case 400:
      return new ApiError(
        400,
        'invalid_request_error',
        "This model's maximum context length is 32768 tokens. However, your request has more tokens than that (injected fault).",
        'messages',
        'context_length_exceeded',
      );
    default:
      return new ApiError(500, 'server_error', 'Internal server error (injected fault)', null, 500);
  }
}
