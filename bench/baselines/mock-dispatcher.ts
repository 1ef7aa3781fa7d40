/**
 * Baseline: the mock itself with the plain node:http dispatcher it had before express came back on the
 * request path (docs/decisions/0006): the same route table, context and handlers, served by an exact-path
 * Map lookup and a connect-style chain instead of express's router. The bench runs it beside the product
 * so the report shows what express costs the mock. Started like the server: the mock's own CLI flags.
 */
import { randomUUID } from 'node:crypto';
import { type IncomingMessage, type ServerResponse } from 'node:http';
import express from 'express';
import { hideBin } from 'yargs/helpers';
import { loadConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/logging/logger.js';
import { inferenceGuard } from '../../src/server/access.js';
import { type Stamped } from '../../src/server/arrivals.js';
import { type ApiRequest } from '../../src/server/context.js';
import { ApiError, type ErrorFamily, notFound, toApiError } from '../../src/server/errors.js';
import { sendError } from '../../src/server/respond.js';
import { type AppFactory } from '../../src/server/serve.js';
import { runSingle } from '../../src/server/single.js';

type Step = (req: ApiRequest, res: ServerResponse, next: (err?: unknown) => void) => unknown;

/** Paths compare as express compares them: case-insensitive, one optional trailing slash. */
function routeKey(url: string): string {
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  return (path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path).toLowerCase();
}

function runChain(chain: readonly Step[], req: ApiRequest, res: ServerResponse, done: (err?: unknown) => void): void {
  let i = 0;
  const next = (err?: unknown): void => {
    const step = err === undefined || err === null ? chain[i++] : undefined;
    if (!step) return done(err);
    try {
      const out = step(req, res, next);
      if (out instanceof Promise) out.catch(done);
    } catch (e) {
      done(e);
    }
  };
  next();
}

const dispatcherApp: AppFactory = (ctx, routes) => {
  const json = express.json({ limit: ctx.config.maxBodySize, type: () => true, strict: false }) as unknown as Step;
  const byPath = new Map<string, { family: ErrorFamily; methods: Map<string, Step[]> }>();
  for (const route of routes) {
    const key = routeKey(route.path);
    const entry = byPath.get(key) ?? { family: route.family, methods: new Map<string, Step[]>() };
    const guard = inferenceGuard(ctx.config, ctx.startedEpochMs, route.family) as Step;
    entry.methods.set(route.method, route.method === 'POST' ? [guard, json, route.handler] : [route.handler]);
    byPath.set(key, entry);
  }
  const listener = (incoming: IncomingMessage, res: ServerResponse): void => {
    const req = incoming as ApiRequest;
    // The server stamps on arrival and defers this listener (arrivals.ts), as for the express app.
    req.arrival = (incoming as Stamped).arrival ?? performance.now();
    const given = req.headers['x-request-id'];
    req.requestId = typeof given === 'string' && given.length > 0 && given.length <= 200 ? given : randomUUID();
    const entry = byPath.get(routeKey(req.url ?? '/'));
    const chain = entry?.methods.get(req.method === 'HEAD' ? 'GET' : (req.method ?? 'GET'));
    if (!entry) return sendError(res, notFound(`No route for ${req.method} ${req.url}`), 'openai');
    if (!chain) {
      const allow = [...entry.methods.keys()].join(', ');
      return sendError(
        res,
        new ApiError(405, 'invalid_request_error', 'Method not allowed', null, 405, { Allow: allow }),
        entry.family,
      );
    }
    runChain(chain, req, res, (err) => {
      if (err !== undefined && err !== null) sendError(res, toApiError(err), entry.family);
    });
  };
  return { listener };
};

const result = loadConfig(hideBin(process.argv), process.env);
if (result.kind !== 'ok') throw new Error('mock-dispatcher: bad arguments');
await runSingle(
  result.config,
  createLogger(result.config.logLevel),
  { startedAt: 0, startedEpochMs: Date.now() },
  dispatcherApp,
);
