/** API families whose error bodies differ on the wire. */
export type ErrorFamily = 'openai' | 'tgi' | 'cohere' | 'anthropic';

/** The one error type: every failure the server answers goes through renderError. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
    readonly param: string | null = null,
    readonly code: string | number | null = null,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const badRequest = (message: string, param: string | null = null): ApiError =>
  new ApiError(400, 'invalid_request_error', message, param, 400);

export const notFound = (message: string): ApiError => new ApiError(404, 'not_found_error', message, null, 404);

/** Anthropic's error types by status (its docs' table); 503 is how our overload and loading answer. */
const ANTHROPIC_ERROR_TYPES: Record<number, string> = {
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  503: 'overloaded_error',
  529: 'overloaded_error',
};

/**
 * The error body in the called API's shape: OpenAI's (as vLLM also returns it)
 * `{"error":{"message","type","param","code"}}`; HF TGI's and TEI's `{"error","error_type"}`;
 * Cohere's `{"message"}`; Anthropic's `{"type":"error","error":{"type","message"}}`.
 */
export function errorBody(err: ApiError, family: ErrorFamily): Record<string, unknown> {
  if (family === 'tgi') return { error: err.message, error_type: err.status >= 500 ? 'generation' : 'validation' };
  if (family === 'cohere') return { message: err.message };
  if (family === 'anthropic') {
    const type = ANTHROPIC_ERROR_TYPES[err.status] ?? (err.status >= 500 ? 'api_error' : 'invalid_request_error');
    return { type: 'error', error: { type, message: err.message } };
  }
  return { error: { message: err.message, type: err.type, param: err.param, code: err.code } };
}

/**
 * Maps anything thrown while handling a request to an ApiError. Errors raised by the body parser
 * (bad JSON, too large, bad encoding) carry a status; anything else is our bug and stays a 500.
 */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  const e = err as { status?: unknown; type?: unknown; message?: unknown; limit?: unknown };
  if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) {
    if (e.type === 'entity.too.large') {
      return new ApiError(
        413,
        'invalid_request_error',
        `Request body is larger than the limit of ${String(e.limit)} bytes`,
        null,
        413,
      );
    }
    if (e.type === 'entity.parse.failed') {
      return badRequest(`Request body is not valid JSON: ${String(e.message)}`);
    }
    return new ApiError(e.status, 'invalid_request_error', String(e.message ?? 'Bad request'), null, e.status);
  }
  return new ApiError(500, 'server_error', 'Internal server error', null, 500);
}

/** The engine model's waiting queue is full (--max-waiting): 503 overloaded or 429, with Retry-After. */
export function queueFull(status: number): ApiError {
  return new ApiError(
    status,
    status === 429 ? 'rate_limit_error' : 'service_unavailable',
    'The server is overloaded: the waiting queue is full (--max-waiting); retry later',
    null,
    status,
    { 'Retry-After': '1' },
  );
}
