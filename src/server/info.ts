import { type Request, type Response } from 'express';
import { publicConfig } from '../config/load.js';
import { type AppContext } from './context.js';
import { sendJson } from './respond.js';

/** GET /health: liveness plus the effective config (never a secret) and the server-wide telemetry. */
export function healthHandler(ctx: AppContext, draining: () => boolean) {
  return async (_req: Request, res: Response): Promise<void> => {
    const telemetry = await ctx.global();
    sendJson(res, draining() ? 503 : 200, {
      status: draining() ? 'draining' : 'healthy',
      version: ctx.version,
      worker: ctx.workerId,
      pid: process.pid,
      uptime_sec: (performance.now() - ctx.startedAt) / 1000,
      tokenizer: ctx.tokenizer.name,
      corpus: { source: ctx.corpus.source, tokens: ctx.corpus.tokens.length },
      warnings: ctx.warnings,
      // This worker's own state: pending deadlines (0 when idle: nothing left behind by a disconnect) and memory.
      scheduledTasks: ctx.scheduler.size,
      memory: process.memoryUsage(),
      telemetry,
      config: publicConfig(ctx.config),
    });
  };
}

export function modelsHandler(ctx: AppContext) {
  const created = Math.floor(Date.now() / 1000);
  return (_req: Request, res: Response): void => {
    const id = ctx.config.defaultModel;
    sendJson(res, 200, {
      object: 'list',
      data: [{ id, object: 'model', created, owned_by: 'aiperf-mock-server', root: id, parent: null }],
    });
  };
}

export function rootHandler(ctx: AppContext, endpoints: readonly { method: string; path: string; summary: string }[]) {
  return (_req: Request, res: Response): void => {
    sendJson(res, 200, {
      name: 'aiperf-mock-server',
      message: 'aiperf-mock-server: a mock LLM inference server',
      version: ctx.version,
      endpoints,
    });
  };
}
