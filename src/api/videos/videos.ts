import { type VideoJob, type VideoRequest } from '../../state/video-jobs.js';
import { badRequest } from '../../server/errors.js';
import { formCount, optionalString, requireObject, requiredString } from '../fields.js';

/** The timing of every job: from the options (`--video-generation-ms`, `--video-expiry-sec`). */
export interface VideoTiming {
  readonly generationMs: number;
  readonly expirySec: number;
}

export function parseVideoRequest(raw: unknown): VideoRequest {
  const body = requireObject(raw);
  const seconds = formCount(body, 'seconds');
  const size = optionalString(body, 'size') ?? '720x1280';
  if (!/^\d+x\d+$/.test(size))
    throw badRequest(`Field 'size' must look like 1280x720, got ${JSON.stringify(size)}`, 'size');
  return {
    model: optionalString(body, 'model') ?? 'sora-2',
    prompt: requiredString(body, 'prompt'),
    seconds: String(seconds ?? 4),
    size,
  };
}

/**
 * The job as `GET /v1/videos/{id}` shows it at `nowMs` (OpenAI's Video object): `queued` for the first
 * tenth of the generation time, then `in_progress` with a rising `progress`, then `completed` (with
 * `completed_at` and the content `url`) or, for an injected failure, `failed` with `error`.
 */
export function videoObject(job: VideoJob, nowMs: number, timing: VideoTiming, origin: string) {
  const elapsed = nowMs - job.createdMs;
  const queuedMs = Math.min(timing.generationMs * 0.1, 1000);
  const done = elapsed >= timing.generationMs;
  const status = done ? (job.fail ? 'failed' : 'completed') : elapsed < queuedMs ? 'queued' : 'in_progress';
  const createdAt = Math.floor(job.createdMs / 1000);
  const progress = done
    ? 100
    : status === 'queued'
      ? 0
      : Math.min(99, Math.max(1, Math.floor((100 * elapsed) / timing.generationMs)));
  return {
    id: job.id,
    object: 'video',
    created_at: createdAt,
    status,
    model: job.model,
    prompt: job.prompt,
    progress,
    seconds: job.seconds,
    size: job.size,
    remixed_from_video_id: null,
    completed_at: done && !job.fail ? Math.floor((job.createdMs + timing.generationMs) / 1000) : null,
    expires_at: createdAt + timing.expirySec,
    error:
      done && job.fail
        ? { code: 'video_generation_failed', message: 'Injected failure: the video could not be generated' }
        : null,
    // Not in OpenAI's Video object; AIPerf reads `usage` from video answers (--use-server-token-count).
    usage: { input_tokens: job.promptTokens, output_tokens: 0, total_tokens: job.promptTokens },
    ...(done && !job.fail ? { url: `${origin}/v1/videos/${job.id}/content` } : {}),
  };
}
