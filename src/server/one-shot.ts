import { type ServerResponse } from 'node:http';
import { type OneShotApi } from '../api/contract.js';
import { type ApiRequest, type AppContext } from './context.js';
import { intake } from './intake.js';
import { oneShotEnded, reportEnd } from './request-events.js';
import { sendJsonText } from './respond.js';
import { scheduleOnce } from './answer-once.js';

/** parse → fault injection → one scheduler deadline → the body; telemetry as for every request. */
export function oneShotHandler<T>(ctx: AppContext, api: OneShotApi<T>) {
  return (req: ApiRequest, res: ServerResponse): void => {
    const arrival = req.arrival;
    const taken = intake(ctx, req, res, {
      endpoint: api.endpoint,
      generation: false,
      family: api.family,
      parse: () => api.parse(req.body),
      model: (r) => api.model(r),
    });
    if (!taken) return;
    const { request } = taken;
    const model = api.model(request);
    const promptTokens = api.promptTokens(request, ctx);
    const queueMs = performance.now() - arrival;
    ctx.sink.request({
      kind: 'start',
      endpoint: api.endpoint,
      generation: false,
      model,
      stream: false,
      promptTokens,
      plannedTokens: 0,
    });
    const end = (outcome: 'ok' | 'disconnect', at: number): void =>
      reportEnd(ctx, req, oneShotEnded(api.endpoint, model, promptTokens, outcome, queueMs, at - arrival));
    // Built now, while the request waits, so that building it (20 vectors are ~300 KB of JSON) is not
    // added to the latency the client was promised (it was, by 10+ ms on a loaded machine).
    const body = JSON.stringify(api.respond(request, ctx));
    scheduleOnce({
      res,
      when: arrival + api.latencyMs(request, ctx),
      scheduler: ctx.scheduler,
      send: (now) => {
        sendJsonText(res, 200, body, { 'x-request-id': req.requestId }, true);
        end('ok', now);
      },
      onDisconnect: (at) => end('disconnect', at),
    });
  };
}
