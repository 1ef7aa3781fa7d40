import { randomUUID } from 'node:crypto';
import { type ServerResponse } from 'node:http';
import express, { type Express, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { inferenceGuard } from './access.js';
import { formBody, jsonBody } from './body.js';
import { requestRecord } from './record.js';
import { type ApiRequest, type AppContext } from './context.js';
import { ApiError, type ErrorFamily, notFound, toApiError } from './errors.js';
import { sendError } from './respond.js';
import { type Stamped } from './arrivals.js';
import { type Handler, type Route } from './routes.js';

/** One step of a route's chain, called as express middleware is: `next(err)` stops it. */
type Step = (req: ApiRequest, res: ServerResponse, next: (err?: unknown) => void) => unknown;

/** Our handlers are written against node's request/response plus what the app stamps on the request. */
const asExpress = (step: Step | Handler): RequestHandler => step as unknown as RequestHandler;

/** What express's router stamps on a matched request: the route whose path gives its error family. */
type Routed = Request & { route?: { path?: unknown } };

/**
 * Builds one worker's express 5 application (no listen). Order: arrival time first (every deadline is
 * measured from it), request id, access log, then the route table: one express route per path, its
 * methods' chains (POST: the auth/readiness guard, express.json, the handler), then a 405 for every
 * other method on that path. Unknown paths get 404 in OpenAI's shape; every failure reaches the one
 * error handler and is rendered in its route's family. Why express and what it costs:
 * docs/decisions/0006.
 */
export function createApp(ctx: AppContext, routes: readonly Route[]): Express {
  const app = express();
  // Nothing here uses them, and each costs work on every response.
  app.disable('x-powered-by');
  app.disable('etag');
  const parsers = { json: jsonBody(ctx.config.maxBodySize), form: formBody(ctx.config.maxBodySize) };
  const families = new Map<string, ErrorFamily>();

  app.use(stamp(ctx));
  const byPath = new Map<string, Route[]>();
  for (const route of routes) byPath.set(route.path, [...(byPath.get(route.path) ?? []), route]);
  for (const [path, list] of byPath) {
    const family = list[0]!.family;
    families.set(path, family);
    const r = app.route(path);
    for (const route of list) {
      const chain: RequestHandler[] = [];
      if (route.guarded ?? route.method === 'POST')
        chain.push(asExpress(inferenceGuard(ctx.config, ctx.startedEpochMs, family)));
      if (route.method === 'POST' || route.method === 'PATCH') chain.push(parsers[route.body ?? 'json']);
      chain.push(asExpress(route.handler));
      if (route.method === 'POST') r.post(...chain);
      else if (route.method === 'PATCH') r.patch(...chain);
      else if (route.method === 'DELETE') r.delete(...chain);
      else r.get(...chain);
    }
    // Express would answer OPTIONS itself (200 with Allow); clients here always saw 405, as for any other method.
    const allowed = list.map((route) => route.method).join(', ');
    r.all((req: Request, res: Response) => {
      const err = new ApiError(
        405,
        'invalid_request_error',
        `Method ${req.method} is not allowed on ${req.path}; use ${allowed}`,
        null,
        405,
        { Allow: allowed },
      );
      sendError(res, err, family);
    });
  }
  app.use((req: Request, res: Response) => {
    sendError(res, notFound(`No route for ${req.method} ${req.path}`), 'openai');
  });
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const apiErr = toApiError(err);
    const path = (req as Routed).route?.path;
    const family = (typeof path === 'string' ? families.get(path) : undefined) ?? 'openai';
    if (apiErr.status >= 500)
      ctx.logger.error('unhandled error', { path: req.path, error: String((err as Error)?.stack ?? err) });
    else ctx.logger.debug('rejected request', { path: req.path, status: apiErr.status, error: apiErr.message });
    sendError(res, apiErr, family);
  });
  return app;
}

/** A client request id that is safe to echo into ids, headers and logs. */
const SAFE_ID = /^[\w.:@+=-]+$/;

/** Arrival time (before anything else), the request id (the client's X-Request-ID if sane), the access log. */
function stamp(ctx: AppContext): RequestHandler {
  return (incoming: Request, res: Response, next: NextFunction): void => {
    const req = incoming as unknown as ApiRequest;
    // Stamped as node handed it over when the server defers the app (arrivals.ts); now otherwise.
    req.arrival = (incoming as unknown as Stamped).arrival ?? performance.now();
    const given = req.headers['x-request-id'];
    const sane = typeof given === 'string' && given.length > 0 && given.length <= 200 && SAFE_ID.test(given);
    // Both set on every request, in this order: one object shape whether or not the client sent an id
    // (code that V8 compiled for one shape is thrown away when the other comes).
    req.clientRequestId = sane ? given : undefined;
    req.requestId = sane ? given : randomUUID();
    // After the response and every close listener (a stream's end event comes from one): the record.
    if (ctx.config.recordRequests)
      res.once('close', () => setImmediate(() => ctx.sink.record(requestRecord(ctx, req, res))));
    if (ctx.config.accessLogs) {
      res.once('finish', () => {
        const ms = (performance.now() - req.arrival).toFixed(1);
        const correlation = req.headers['x-correlation-id'];
        ctx.logger.info(`${req.method} ${incoming.path} ${res.statusCode} ${ms}ms`, {
          requestId: req.requestId,
          ...(typeof correlation === 'string' ? { correlationId: correlation.slice(0, 200) } : {}),
        });
      });
    }
    next();
  };
}
