import { type VideoJob, type VideoJobs, type VideoRequest } from './video-jobs.js';

/** The server's video jobs as a worker reaches them: held here, or asked of the cluster primary. */
export interface VideoStore {
  create(request: VideoRequest, promptTokens: number, fail: boolean): Promise<VideoJob | null>;
  get(id: string): Promise<VideoJob | null>;
  remove(id: string): Promise<VideoJob | null>;
}

/** The jobs held by this process (single-process mode). */
export function localVideoStore(jobs: VideoJobs): VideoStore {
  return {
    create: (request, promptTokens, fail) => Promise.resolve(jobs.create(request, promptTokens, fail)),
    get: (id) => Promise.resolve(jobs.get(id)),
    remove: (id) => Promise.resolve(jobs.remove(id)),
  };
}
