import { type ServerResponse } from 'node:http';
import { type ApiRequest, type AppContext } from './context.js';

/** Body keys that can hold credentials: never recorded, whatever --record-bodies says. */
const SECRET_KEY = /^(authorization|api[-_]?key|x-api-key|password|secret|access[-_]?token)$/i;

function redacted(value: unknown, depth = 0): unknown {
  if (depth > 32 || typeof value !== 'object' || value === null) return value;
  if (Buffer.isBuffer(value)) return `<${value.length} bytes>`;
  if (Array.isArray(value)) return value.map((v) => redacted(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEY.test(k) ? '<redacted>' : redacted(v, depth + 1);
  return out;
}

const round = (ms: number | null | undefined): number | null =>
  typeof ms === 'number' ? Math.round(ms * 1000) / 1000 : null;

/**
 * One --record-requests line: when and what was asked (method, path, the client's ids, model, stream,
 * lengths), what was served (status, tokens, finish, the fault injected, TTFT and end-to-end time as the
 * server measured them). Headers are never recorded; bodies only with --record-bodies, credentials redacted.
 */
export function requestRecord(ctx: AppContext, req: ApiRequest, res: ServerResponse): Record<string, unknown> {
  const e = req.ended;
  const correlation = req.headers['x-correlation-id'];
  const now = performance.now();
  return {
    time: new Date(Date.now() - (now - req.arrival)).toISOString(),
    method: req.method,
    path: (req.url ?? '').split('?')[0],
    status: res.statusCode,
    worker: ctx.workerId,
    request_id: req.requestId,
    client_request_id: req.clientRequestId ?? null,
    correlation_id: typeof correlation === 'string' ? correlation.slice(0, 200) : null,
    model: e?.model ?? null,
    stream: e?.stream ?? null,
    input_tokens: e?.promptTokens ?? null,
    max_tokens: e?.maxTokens ?? null,
    output_tokens: e?.completionTokens ?? null,
    finish_reason: e?.finishReason ?? null,
    error_type: e?.errorType ?? null,
    fault: req.fault ?? null,
    ttft_ms: round(e?.ttftMs),
    e2e_ms: round(e ? e.e2eMs : now - req.arrival),
    ...(ctx.config.recordBodies && req.body !== undefined ? { body: redacted(req.body) } : {}),
  };
}
