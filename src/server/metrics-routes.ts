import { type ServerResponse } from 'node:http';
import { PROMETHEUS_CONTENT_TYPE, type PageName } from '../telemetry/metrics/hub.js';
import { type ApiRequest, type AppContext } from './context.js';
import { ApiError } from './errors.js';
import { sendError } from './respond.js';

/** Which page plain `/metrics` serves for each `--metrics-backend`. */
export const BACKEND_PAGE: Record<string, PageName> = {
  mock: 'mock',
  vllm: 'vllm',
  sglang: 'sglang',
  trtllm: 'trtllm',
  dynamo: 'dynamo_frontend',
};

/** A Prometheus text page, rendered by whoever owns the global state (the primary in cluster mode). */
export function metricsHandler(ctx: AppContext, page: PageName) {
  return async (_req: ApiRequest, res: ServerResponse): Promise<void> => {
    const text = await ctx.metrics(page);
    if (text === null) {
      sendError(
        res,
        new ApiError(503, 'server_error', 'Metrics are unavailable: the primary process did not answer', null, 503),
        'openai',
      );
      return;
    }
    res.writeHead(200, { 'Content-Type': PROMETHEUS_CONTENT_TYPE, 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  };
}
