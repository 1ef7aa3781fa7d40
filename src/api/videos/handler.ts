import { readFileSync } from 'node:fs';
import { type ServerResponse } from 'node:http';
import { type VideoJob } from '../../state/video-jobs.js';
import { parseVideoRequest, videoObject } from './videos.js';
import { SOURCE_ASSETS_DIR } from '../../generation/assets.js';
import { type ApiRequest, type AppContext } from '../../server/context.js';
import { ApiError } from '../../server/errors.js';
import { intake } from '../../server/intake.js';
import { originOf } from '../../server/origin.js';
import { oneShotEnded, reportEnd } from '../../server/request-events.js';
import { sendError, sendJson } from '../../server/respond.js';

const ENDPOINT = '/v1/videos';

/** The one small MP4 every completed job serves (assets/sample.mp4; how it was made: scripts/make-sample-video.sh). */
let sample: Buffer | undefined;
const sampleVideo = (): Buffer => (sample ??= readFileSync(`${SOURCE_ASSETS_DIR}sample.mp4`));

const noSuchVideo = (id: string): ApiError =>
  new ApiError(404, 'invalid_request_error', `Video with id '${id}' not found.`, 'video_id', 'video_not_found');
const primaryGone = (): ApiError =>
  new ApiError(503, 'service_unavailable', 'The video job store did not answer; retry', null, 503, {
    'Retry-After': '1',
  });
const videoId = (req: ApiRequest): string => String(req.params?.['id'] ?? '');

/**
 * POST /v1/videos (JSON, or the multipart form the openai SDK and AIPerf's form mode send): the job is
 * queued in the server's store (the primary's in cluster mode, so any worker answers the polls) and
 * answered at once with status `queued`. An injected HTTP fault refuses it; an injected stream fault
 * (`X-Mock-Fault: error-after=N` or `abort-after=N`, or their rates) makes the job end `failed`.
 */
export function createVideoHandler(ctx: AppContext) {
  return async (req: ApiRequest, res: ServerResponse): Promise<void> => {
    const arrival = req.arrival;
    const taken = intake(ctx, req, res, {
      endpoint: ENDPOINT,
      generation: false,
      family: 'openai',
      parse: () => parseVideoRequest(req.body),
      model: (r) => r.model,
    });
    if (!taken) return;
    const { request, fault } = taken;
    const promptTokens = ctx.tokenizer.count(request.prompt);
    const fail = fault?.kind === 'error-after' || fault?.kind === 'abort-after';
    const job = await ctx.videos.create(request, promptTokens, fail);
    if (!job) {
      sendError(res, primaryGone(), 'openai');
      return;
    }
    ctx.logger.debug('video job queued', { id: job.id, fail, requestId: req.requestId });
    ctx.sink.request({
      kind: 'start',
      endpoint: ENDPOINT,
      generation: false,
      model: request.model,
      stream: false,
      promptTokens,
      plannedTokens: 0,
    });
    const at = performance.now();
    reportEnd(ctx, req, oneShotEnded(ENDPOINT, request.model, promptTokens, 'ok', at - arrival, at - arrival));
    sendState(ctx, req, res, job);
  };
}

/** The job as it stands now, as JSON. */
function sendState(ctx: AppContext, req: ApiRequest, res: ServerResponse, job: VideoJob): void {
  sendJson(res, 200, videoObject(job, Date.now(), timing(ctx), originOf(req)), { 'x-request-id': req.requestId }, true);
}

/** The job a `{id}` route names, or null after answering 404 `video_not_found`. */
async function findJob(
  ctx: AppContext,
  req: ApiRequest,
  res: ServerResponse,
  op: 'get' | 'remove',
): Promise<{ id: string; job: VideoJob } | null> {
  const id = videoId(req);
  const job = await ctx.videos[op](id);
  if (!job) sendError(res, noSuchVideo(id), 'openai');
  return job ? { id, job } : null;
}

const timing = (ctx: AppContext) => ({
  generationMs: ctx.config.videoGenerationMs,
  expirySec: ctx.config.videoExpirySec,
});

/** GET /v1/videos/{id}: the job's state now (queued → in_progress → completed or failed). */
export function retrieveVideoHandler(ctx: AppContext) {
  return async (req: ApiRequest, res: ServerResponse): Promise<void> => {
    const found = await findJob(ctx, req, res, 'get');
    if (found) sendState(ctx, req, res, found.job);
  };
}

/** GET /v1/videos/{id}/content: the MP4 of a completed job (`video/mp4`); 404 before then or for a failed one. */
export function videoContentHandler(ctx: AppContext) {
  return async (req: ApiRequest, res: ServerResponse): Promise<void> => {
    const found = await findJob(ctx, req, res, 'get');
    if (!found) return;
    const { id, job } = found;
    const state = videoObject(job, Date.now(), timing(ctx), originOf(req));
    if (state.status !== 'completed')
      return sendError(
        res,
        new ApiError(
          404,
          'invalid_request_error',
          `Video '${id}' is ${state.status}: no content yet`,
          'video_id',
          'video_not_ready',
        ),
        'openai',
      );
    const mp4 = sampleVideo();
    res.writeHead(200, { 'Content-Type': 'video/mp4', 'Content-Length': mp4.length, 'x-request-id': req.requestId });
    res.end(mp4);
  };
}

/** DELETE /v1/videos/{id}: `{id, object: "video.deleted", deleted: true}`. */
export function deleteVideoHandler(ctx: AppContext) {
  return async (req: ApiRequest, res: ServerResponse): Promise<void> => {
    const found = await findJob(ctx, req, res, 'remove');
    if (found) sendJson(res, 200, { id: found.id, object: 'video.deleted', deleted: true });
  };
}
