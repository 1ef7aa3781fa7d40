import { VideoJobs } from '../state/video-jobs.js';
import { type Config } from '../config/options.js';
import { type Logger } from '../logging/logger.js';
import { serveDcgmPorts } from './dcgm/ports.js';
import { GlobalState } from './global-state.js';

/** The process that holds the server-wide state: the only process, or the cluster primary. */
export interface GlobalOwner {
  readonly state: GlobalState;
  /** The server's video-generation jobs. */
  readonly videos: VideoJobs;
  /** Stops serving the DCGM ports (first thing on shutdown: scrapers see the server going). */
  closePorts(): void;
  /** Stops the state's sampling; the process can then exit. */
  stop(): void;
}

/**
 * Takes ownership of the global state, the same way in single-process and cluster mode: the state
 * (telemetry registries, throughput window, GPU load, DCGM fakers) with its sampler running, and the
 * two simulated dcgm-exporter ports it answers.
 */
export function ownGlobalState(config: Config, logger: Logger, startedAt?: number): GlobalOwner {
  const state = new GlobalState(config, startedAt);
  state.startSampling();
  const ports = serveDcgmPorts(config, state, logger);
  return {
    state,
    videos: new VideoJobs(config.videoExpirySec),
    closePorts: () => {
      for (const s of ports) s.close();
    },
    stop: () => state.stop(),
  };
}
