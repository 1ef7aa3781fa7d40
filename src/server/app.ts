import { randomUUID } from 'node:crypto';
import express, { type NextFunction, type Request, type Response } from 'express';
import { type AppContext } from './context.js';
import { ApiError, type ErrorFamily, notFound, toApiError } from './errors.js';
import { inferenceGuard } from './access.js';
import { sendError } from './respond.js';
import { routeTable } from './routes.js';

/**
 * Builds one worker's express app (no listen). Middleware order: arrival time first (every deadline
 * is measured from it), request id, access log, then the route table; unknown paths get 404,
 * known paths with another method 405, both in the OpenAI error shape.
 */
export function createApp(ctx: AppContext, draining: () => boolean = () => false): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  app.use((req: Request, _res: Response, next: NextFunction) => {
    req.arrival = performance.now();
    const given = req.headers['x-request-id'];
    req.requestId = typeof given === 'string' && given.length > 0 && given.length <= 200 ? given : randomUUID();
    next();
  });
  // helmet's headers are added by writeHead on every response (see security-headers.ts).
  if (ctx.config.accessLogs) {
    app.use((req: Request, res: Response, next: NextFunction) => {
      res.once('finish', () => {
        const ms = (performance.now() - req.arrival).toFixed(1);
        ctx.logger.info(`${req.method} ${req.path} ${res.statusCode} ${ms}ms`, { requestId: req.requestId });
      });
      next();
    });
  }

  // Any content type is read as JSON: `curl -d` without -H still works; bad JSON is a clear 400.
  const guard = (family: ErrorFamily) => inferenceGuard(ctx.config, ctx.startedEpochMs, family);
  const json = express.json({ limit: ctx.config.maxBodySize, type: () => true, strict: false });
  const methodsByPath = new Map<string, string[]>();
  const familyByPath = new Map<string, ErrorFamily>();
  for (const route of routeTable(ctx, draining)) {
    methodsByPath.set(route.path, [...(methodsByPath.get(route.path) ?? []), route.method]);
    familyByPath.set(route.path, route.family);
    if (route.method === 'POST') app.post(route.path, guard(route.family), json, route.handler);
    else app.get(route.path, route.handler);
  }

  app.use((req: Request, res: Response) => {
    const allowed = methodsByPath.get(req.path);
    if (allowed) {
      const err = new ApiError(
        405,
        'invalid_request_error',
        `Method ${req.method} is not allowed on ${req.path}; use ${allowed.join(', ')}`,
        null,
        405,
        {
          Allow: allowed.join(', '),
        },
      );
      sendError(res, err, familyByPath.get(req.path) ?? 'openai');
      return;
    }
    sendError(res, notFound(`No route for ${req.method} ${req.path}`), 'openai');
  });

  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const apiErr = toApiError(err);
    if (apiErr.status >= 500)
      ctx.logger.error('unhandled error', { path: req.path, error: String((err as Error)?.stack ?? err) });
    else ctx.logger.debug('rejected request', { path: req.path, status: apiErr.status, error: apiErr.message });
    sendError(res, apiErr, familyByPath.get(req.path) ?? 'openai');
  });
  return app;
}
