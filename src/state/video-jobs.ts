import { randomBytes } from 'node:crypto';

/** What a create request asks for (JSON, or a multipart form as the openai SDK and AIPerf send it). */
export interface VideoRequest {
  readonly model: string;
  readonly prompt: string;
  readonly seconds: string;
  readonly size: string;
}

/** One job as the store keeps it: enough to say its state at any later time. */
export interface VideoJob extends VideoRequest {
  readonly id: string;
  /** Epoch ms of the create request. */
  readonly createdMs: number;
  /** Injected failure: the job fails when it would have completed. */
  readonly fail: boolean;
  /** The prompt's length in tokens (the job's usage). */
  readonly promptTokens: number;
}

export const newVideoId = (): string => `video_${randomBytes(16).toString('hex')}`;

/**
 * The jobs of the whole server (held by the process that owns the global state: the cluster primary, or
 * the only process). A job expires `expirySec` after its creation; expired ones are dropped as they are
 * looked up and whenever a job is created.
 */
export class VideoJobs {
  private readonly jobs = new Map<string, VideoJob>();

  constructor(private readonly expirySec: number) {}

  create(request: VideoRequest, promptTokens: number, fail: boolean, nowMs = Date.now()): VideoJob {
    this.sweep(nowMs);
    const job: VideoJob = { ...request, id: newVideoId(), createdMs: nowMs, fail, promptTokens };
    this.jobs.set(job.id, job);
    return job;
  }

  get(id: string, nowMs = Date.now()): VideoJob | null {
    const job = this.jobs.get(id);
    if (!job) return null;
    if (nowMs - job.createdMs >= this.expirySec * 1000) {
      this.jobs.delete(id);
      return null;
    }
    return job;
  }

  remove(id: string, nowMs = Date.now()): VideoJob | null {
    const job = this.get(id, nowMs);
    if (job) this.jobs.delete(id);
    return job;
  }

  get size(): number {
    return this.jobs.size;
  }

  private sweep(nowMs: number): void {
    for (const [id, job] of this.jobs) if (nowMs - job.createdMs >= this.expirySec * 1000) this.jobs.delete(id);
  }
}
