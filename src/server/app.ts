import { randomUUID } from 'node:crypto';
import { type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import bodyParser from 'body-parser';
import { inferenceGuard } from './access.js';
import { type ApiRequest, type AppContext } from './context.js';
import { Dispatcher, pathOf, runChain } from './dispatch.js';
import { ApiError, notFound, toApiError } from './errors.js';
import { sendError } from './respond.js';
import { routeTable } from './routes.js';

/**
 * Builds one worker's request listener (no listen). Order: arrival time first (every deadline is
 * measured from it), request id, access log, then the route table; POST routes run the auth/readiness
 * guard and the JSON body parser before their handler. Unknown paths get 404, known paths with another
 * method 405, both in the OpenAI error shape; any other failure goes through `toApiError` in the
 * route's shape. Plain node:http, no framework on the request path: docs/decisions/0005.
 */
export function createApp(ctx: AppContext, draining: () => boolean = () => false): RequestListener {
  // Any content type is read as JSON: `curl -d` without -H still works; bad JSON is a clear 400.
  const json = bodyParser.json({ limit: ctx.config.maxBodySize, type: () => true, strict: false });
  const dispatcher = new Dispatcher();
  for (const route of routeTable(ctx, draining)) {
    // Inference routes (POST) pass the auth/readiness guard and the JSON parser first.
    const chain =
      route.method === 'POST'
        ? [inferenceGuard(ctx.config, ctx.startedEpochMs, route.family), json, route.handler]
        : [route.handler];
    dispatcher.add(route.method, route.path, route.family, chain);
  }

  const unrouted = (req: ApiRequest, res: ServerResponse, path: string): void => {
    const allowed = dispatcher.methods(path);
    if (!allowed) {
      sendError(res, notFound(`No route for ${req.method} ${path}`), 'openai');
      return;
    }
    const list = allowed.join(', ');
    const err = new ApiError(
      405,
      'invalid_request_error',
      `Method ${req.method} is not allowed on ${path}; use ${list}`,
      null,
      405,
      {
        Allow: list,
      },
    );
    sendError(res, err, dispatcher.family(path));
  };

  const failed = (err: unknown, res: ServerResponse, path: string): void => {
    const apiErr = toApiError(err);
    if (apiErr.status >= 500)
      ctx.logger.error('unhandled error', { path, error: String((err as Error)?.stack ?? err) });
    else ctx.logger.debug('rejected request', { path, status: apiErr.status, error: apiErr.message });
    sendError(res, apiErr, dispatcher.family(path));
  };

  return (incoming: IncomingMessage, res: ServerResponse): void => {
    const req = incoming as ApiRequest;
    req.arrival = performance.now();
    const given = req.headers['x-request-id'];
    req.requestId = typeof given === 'string' && given.length > 0 && given.length <= 200 ? given : randomUUID();
    const path = pathOf(req.url ?? '/');
    if (ctx.config.accessLogs) {
      res.once('finish', () => {
        const ms = (performance.now() - req.arrival).toFixed(1);
        ctx.logger.info(`${req.method} ${path} ${res.statusCode} ${ms}ms`, { requestId: req.requestId });
      });
    }
    const chain = dispatcher.chain(req.method ?? 'GET', path);
    if (!chain) {
      unrouted(req, res, path);
      return;
    }
    runChain(chain, req, res, (err) => {
      if (err !== undefined && err !== null) failed(err, res, path);
      else if (!res.headersSent) unrouted(req, res, path);
    });
  };
}
