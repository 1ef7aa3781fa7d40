import { createHash, timingSafeEqual } from 'node:crypto';
import { type ServerResponse } from 'node:http';
import { LIVE_OPTIONS } from '../config/live.js';
import { publicConfig } from '../config/load.js';
import { type ApiRequest, type AppContext } from './context.js';
import { ApiError } from './errors.js';
import { sendError, sendJson } from './respond.js';
import { type Route } from './routes.js';

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

/** The key a request presents: X-Admin-Key, or Authorization: Bearer. */
function presentedKey(req: ApiRequest): string {
  const header = req.headers['x-admin-key'];
  if (typeof header === 'string') return header;
  const auth = req.headers.authorization;
  return typeof auth === 'string' && /^bearer /i.test(auth) ? auth.slice(7).trim() : '';
}

/**
 * With --admin-key, every /admin request must present it; the comparison is of fixed-length digests in
 * constant time, so neither the key's length nor its prefix leaks through timing. The key is never logged.
 */
function authorised(ctx: AppContext, req: ApiRequest, res: ServerResponse): boolean {
  const key = ctx.config.adminKey;
  if (!key) return true;
  if (timingSafeEqual(digest(presentedKey(req)), digest(key))) return true;
  sendError(
    res,
    new ApiError(
      401,
      'authentication_error',
      'The admin API needs the admin key (X-Admin-Key or Authorization: Bearer)',
      null,
      401,
    ),
    'openai',
  );
  return false;
}

function adminRoute(
  ctx: AppContext,
  method: Route['method'],
  path: string,
  summary: string,
  run: (req: ApiRequest, res: ServerResponse) => Promise<void>,
): Route {
  return {
    method,
    path,
    family: 'openai',
    guarded: false,
    summary,
    handler: async (req, res) => {
      if (authorised(ctx, req, res)) await run(req, res);
    },
  };
}

/** The runtime admin API (--admin-api or --admin-key): live config, reset, what the clients sent. */
export function adminRoutes(ctx: AppContext): Route[] {
  if (!ctx.config.adminApi && !ctx.config.adminKey) return [];
  return [
    adminRoute(
      ctx,
      'GET',
      '/admin/config',
      'Admin: the live options (secrets never shown) and which can change',
      async (_req, res) => {
        sendJson(res, 200, { config: publicConfig(ctx.config), live: LIVE_OPTIONS });
      },
    ),
    adminRoute(
      ctx,
      'PATCH',
      '/admin/config',
      'Admin: change live options (validated as the CLI does; all or nothing)',
      async (req, res) => {
        const result = await ctx.admin.call({ op: 'patch', patch: req.body });
        if (!result) throw new ApiError(503, 'server_error', 'The server state did not answer', null, 503);
        if (!result.ok) {
          sendJson(res, 400, {
            error: { message: result.problems.join('; '), type: 'invalid_request_error', param: null, code: 400 },
            problems: result.problems,
          });
          return;
        }
        sendJson(res, 200, { changes: result.changes, config: publicConfig(result.config) });
      },
    ),
    adminRoute(
      ctx,
      'POST',
      '/admin/reset',
      'Admin: live options, prefix cache, request summary and accuracy tally back to the start',
      async (_req, res) => {
        const report = await ctx.admin.call({ op: 'reset' });
        if (!report) throw new ApiError(503, 'server_error', 'The server state did not answer', null, 503);
        sendJson(res, 200, Object.assign({}, report, { config: publicConfig(report.config) }));
      },
    ),
    adminRoute(
      ctx,
      'GET',
      '/admin/requests/summary',
      'Admin: requests per route and model, ISL/OSL histograms, recording counts',
      async (_req, res) => {
        sendJson(res, 200, await ctx.admin.call({ op: 'summary' }));
      },
    ),
  ];
}

/** GET /accuracy (--accuracy-dataset): the live tally of matched prompts answered right and wrong. */
export function accuracyRoutes(ctx: AppContext): Route[] {
  if (!ctx.accuracy) return [];
  return [
    {
      method: 'GET',
      path: '/accuracy',
      family: 'openai',
      summary: 'Accuracy oracle: matched prompts answered right and wrong, server-wide',
      handler: async (_req, res) => {
        sendJson(res, 200, {
          dataset: ctx.config.accuracyDataset,
          rows: ctx.accuracy?.size,
          ...(await ctx.admin.call({ op: 'accuracy' })),
        });
      },
    },
  ];
}
