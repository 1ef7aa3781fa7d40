import { type ServerResponse } from 'node:http';
import { type OneShotApi } from '../api/contract.js';
import { type ApiRequest, type AppContext } from './context.js';
import { toApiError } from './errors.js';
import { FAULT_HEADER, httpFault, parseFault } from './faults.js';
import { checkModel } from './models.js';
import { oneShotEnded, refused } from './request-events.js';
import { sendError, sendJson } from './respond.js';
import { scheduleOnce } from './stream-loop.js';

/** parse → fault injection → one scheduler deadline → the body; telemetry as for every request. */
export function oneShotHandler<T>(ctx: AppContext, api: OneShotApi<T>) {
  return (req: ApiRequest, res: ServerResponse): void => {
    const arrival = req.arrival;
    let request: T;
    let injected = false;
    try {
      request = api.parse(req.body);
      checkModel(ctx, api.model(request));
      const fault = parseFault(req.headers[FAULT_HEADER]) ?? ctx.drawFault();
      injected = fault?.kind === 'http';
      if (fault?.kind === 'http') throw httpFault(fault.status);
    } catch (err) {
      const apiErr = toApiError(err);
      const kind = injected ? 'injected' : apiErr.status >= 500 ? 'internal' : 'validation';
      ctx.sink.request(refused(api.endpoint, false, req.body, apiErr.status, kind, performance.now() - arrival));
      sendError(res, apiErr, api.family);
      return;
    }
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
      ctx.sink.request(oneShotEnded(api.endpoint, model, promptTokens, outcome, queueMs, at - arrival));
    scheduleOnce({
      res,
      when: arrival + api.latencyMs(request, ctx),
      scheduler: ctx.scheduler,
      send: (now) => {
        sendJson(res, 200, api.respond(request, ctx), { 'x-request-id': req.requestId }, true);
        end('ok', now);
      },
      onDisconnect: (at) => end('disconnect', at),
    });
  };
}
