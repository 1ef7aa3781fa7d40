import { type Request, type Response } from 'express';
import { CHAT_API, COMPLETIONS_API } from '../api/openai/apis.js';
import { type AppContext } from './context.js';
import { type ErrorFamily } from './errors.js';
import { generationHandler } from './inference.js';
import { healthHandler, modelsHandler, rootHandler } from './info.js';

export type Handler = (req: Request, res: Response) => void | Promise<void>;

export interface Route {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  /** Whose error shape a failure on this path takes. */
  readonly family: ErrorFamily;
  readonly summary: string;
  readonly handler: Handler;
}

/** The one route table: every endpoint the server answers. */
export function routeTable(ctx: AppContext, draining: () => boolean): Route[] {
  const routes: Route[] = [
    {
      method: 'POST',
      path: '/v1/chat/completions',
      family: 'openai',
      summary: 'OpenAI chat completions (stream or not)',
      handler: generationHandler(ctx, CHAT_API),
    },
    {
      method: 'POST',
      path: '/v1/completions',
      family: 'openai',
      summary: 'OpenAI text completions (stream or not)',
      handler: generationHandler(ctx, COMPLETIONS_API),
    },
    { method: 'GET', path: '/v1/models', family: 'openai', summary: 'Model list', handler: modelsHandler(ctx) },
    {
      method: 'GET',
      path: '/health',
      family: 'openai',
      summary: 'Health, effective config, server-wide throughput',
      handler: healthHandler(ctx, draining),
    },
  ];
  const endpoints = routes.map(({ method, path, summary }) => ({ method, path, summary }));
  endpoints.push({ method: 'GET', path: '/', summary: 'Server name, version, endpoints' });
  routes.push({
    method: 'GET',
    path: '/',
    family: 'openai',
    summary: 'Server name, version, endpoints',
    handler: rootHandler(ctx, endpoints),
  });
  return routes;
}
