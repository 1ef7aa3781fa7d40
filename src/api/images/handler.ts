import { type ServerResponse } from 'node:http';
import { type ImageRequest, imageStreamBody, imagesBody, pngForName } from './images.js';
import { planLatency } from '../../timing/latency.js';
import { type ApiRequest, type AppContext } from '../../server/context.js';
import { notFound } from '../../server/errors.js';
import { httpFault } from '../../server/faults.js';
import { intake } from '../../server/intake.js';
import { originOf } from '../../server/origin.js';
import { oneShotEnded, reportEnd } from '../../server/request-events.js';
import { sendError, sendJson } from '../../server/respond.js';
import { scheduleOnce } from '../../server/answer-once.js';
import { startStream } from '../../server/stream-loop.js';

/** How a route reads its image request: from the JSON body, or a multipart form with its files. */
export type ImageParser = (req: ApiRequest) => ImageRequest;

/**
 * Image generation and edits: parse, fault injection, then the images after `--image-generation-ms`
 * each. Non-streaming: one deadline for all `n`. Streaming: the one streaming loop writes each partial
 * image and each final one, evenly spaced over each image's generation time.
 */
export function imagesHandler(ctx: AppContext, endpoint: string, parse: ImageParser) {
  return (req: ApiRequest, res: ServerResponse): void => {
    const arrival = req.arrival;
    const taken = intake(ctx, req, res, {
      endpoint,
      generation: false,
      family: 'openai',
      parse: () => parse(req),
      model: (r) => r.model,
    });
    if (!taken) return;
    const { request, fault } = taken;
    const { model, stream } = request;
    const promptTokens = ctx.tokenizer.count(request.prompt);
    const created = Math.floor(Date.now() / 1000);
    const queueMs = performance.now() - arrival;
    ctx.sink.request({ kind: 'start', endpoint, generation: false, model, stream, promptTokens, plannedTokens: 0 });
    const end = (outcome: 'ok' | 'disconnect' | 'fault', at: number): void =>
      reportEnd(ctx, req, oneShotEnded(endpoint, model, promptTokens, outcome, queueMs, at - arrival));
    const headers = { 'x-request-id': req.requestId };
    const perImage = ctx.config.imageGenerationMs;
    if (!stream) {
      const stallMs = fault?.kind === 'stall' ? fault.ms : 0;
      scheduleOnce({
        res,
        when: arrival + perImage * request.n + stallMs,
        scheduler: ctx.scheduler,
        send: (now) => {
          if (fault?.kind === 'abort-after' || fault?.kind === 'error-after') {
            if (fault.kind === 'abort-after') res.destroy();
            else sendError(res, httpFault(500), 'openai');
            end('fault', now);
            return;
          }
          sendJson(res, 200, imagesBody(request, created, promptTokens, originOf(req)), headers, true);
          end('ok', now);
        },
        onDisconnect: (at) => end('disconnect', at),
      });
      return;
    }
    const stage = perImage / (request.partialImages + 1);
    startStream({
      res,
      arrival,
      latency: planLatency({ ttft: stage, itl: stage }),
      body: imageStreamBody(request, created, promptTokens),
      scheduler: ctx.scheduler,
      headers,
      fault,
      reanchorAfterMs: ctx.config.reanchorAfterMs,
      hooks: { onTokens: () => undefined, onEnd: (outcome, at) => end(outcome, at) },
    });
  };
}

/** GET /v1/images/content/{name}: the picture a `response_format: url` answer pointed at. */
export function imageContentHandler() {
  return (req: ApiRequest, res: ServerResponse): void => {
    const name = String(req.params?.['name'] ?? '');
    const png = pngForName(name);
    if (!png) {
      sendError(res, notFound(`No image ${name}`), 'openai');
      return;
    }
    res.writeHead(200, { 'Content-Type': 'image/png', 'Content-Length': png.length });
    res.end(png);
  };
}
