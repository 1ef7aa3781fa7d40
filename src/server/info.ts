import { type ServerResponse } from 'node:http';
import { publicConfig } from '../config/load.js';
import { type ApiRequest, type AppContext } from './context.js';
import { secondsUntilReady } from './access.js';
import { sendJson } from './respond.js';
import { type WarmUpStatus } from './warm-up.js';

/** GET /health/live: the process answers (Kubernetes liveness; /health is readiness). */
export function liveHandler(ctx: AppContext) {
  return (_req: ApiRequest, res: ServerResponse): void => {
    sendJson(res, 200, { status: 'alive', version: ctx.version, worker: ctx.workerId });
  };
}

/** GET /health: liveness plus the effective config (never a secret) and the server-wide telemetry. */
export function healthHandler(ctx: AppContext, draining: () => boolean, warmUp: () => WarmUpStatus) {
  return async (_req: ApiRequest, res: ServerResponse): Promise<void> => {
    const telemetry = await ctx.global();
    const loading = secondsUntilReady(ctx.startedEpochMs, ctx.config.inferenceReadyDelaySeconds);
    const status = draining() ? 'draining' : loading > 0 ? 'loading' : 'healthy';
    sendJson(res, status === 'healthy' ? 200 : 503, {
      status,
      ...(loading > 0 ? { ready_in_sec: loading } : {}),
      version: ctx.version,
      worker: ctx.workerId,
      pid: process.pid,
      uptime_sec: (performance.now() - ctx.startedAt) / 1000,
      tokenizer: ctx.tokenizer.name,
      corpus: { source: ctx.corpus.source, tokens: ctx.corpus.tokens.length },
      warnings: ctx.warnings,
      // This worker's own state: pending deadlines (0 when idle: nothing left behind by a disconnect) and memory.
      scheduledTasks: ctx.scheduler.size,
      // Requests the worker sends itself after start-up while idle (--warm-up-requests).
      warm_up: warmUp(),
      memory: process.memoryUsage(),
      telemetry,
      config: publicConfig(ctx.config),
    });
  };
}

export function rootHandler(ctx: AppContext, endpoints: readonly { method: string; path: string; summary: string }[]) {
  return (_req: ApiRequest, res: ServerResponse): void => {
    sendJson(res, 200, {
      name: 'aiperf-mock-server',
      message: 'aiperf-mock-server: a mock LLM inference server',
      version: ctx.version,
      endpoints,
    });
  };
}
