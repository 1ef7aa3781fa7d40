import { type ServerResponse } from 'node:http';
import { type ControlCallName } from '../telemetry/events.js';
import { type ApiRequest, type AppContext } from './context.js';

/** How a control route answers: as the engine whose route it is. */
interface ControlAnswer {
  readonly status: number;
  readonly contentType?: string;
  readonly body: string;
}

/** vLLM answers its control routes with an empty 200 (`Response(status_code=200)`). */
const EMPTY_OK: ControlAnswer = { status: 200, body: '' };

/** SGLang's `/flush_cache` answer (python/sglang/srt/entrypoints/http_server.py). */
const SGLANG_FLUSHED: ControlAnswer = {
  status: 200,
  contentType: 'text/plain; charset=utf-8',
  body:
    'Cache flushed.\nPlease check backend logs for more details. ' +
    '(When there are running or waiting requests, the operation will not be performed.)\n',
};

const CONTROL_ANSWERS: Readonly<Record<ControlCallName, ControlAnswer>> = {
  reset_prefix_cache: EMPTY_OK,
  flush_cache: SGLANG_FLUSHED,
  start_profile: EMPTY_OK,
  stop_profile: EMPTY_OK,
};

/** The calls that empty the server's prefix cache (vLLM's and SGLang's names for it). */
const CLEARS_CACHE: ReadonlySet<ControlCallName> = new Set(['reset_prefix_cache', 'flush_cache']);

/**
 * A control call as AIPerf makes it (`--reset-kv-cache`, `--server-profiler`): answered in the engine's
 * own way, logged, and counted on the mock's metrics page. The reset routes empty the server's one
 * prefix cache (the primary's, in cluster mode) before they answer, so the next request misses.
 */
export function controlHandler(ctx: AppContext, call: ControlCallName) {
  const answer = CONTROL_ANSWERS[call];
  return async (req: ApiRequest, res: ServerResponse): Promise<void> => {
    ctx.logger.info(`control call: ${call}`, { requestId: req.requestId });
    if (CLEARS_CACHE.has(call)) await ctx.prefix?.clear();
    ctx.sink.request({ kind: 'control', call });
    const length = Buffer.byteLength(answer.body);
    res.writeHead(
      answer.status,
      answer.contentType
        ? { 'Content-Type': answer.contentType, 'Content-Length': length }
        : { 'Content-Length': length },
    );
    res.end(answer.body);
  };
}
