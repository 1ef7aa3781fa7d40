import { KvEventPublisher } from '../cache/kv-events.js';
import { PrefixCache } from '../cache/prefix-cache.js';
import { VideoJobs } from '../state/video-jobs.js';
import { type Config } from '../config/options.js';
import { type EngineGauges } from '../engine/runner.js';
import { type Logger } from '../logging/logger.js';
import { serveDcgmPorts } from './dcgm/ports.js';
import { GlobalState } from './global-state.js';

/** The process that holds the server-wide state: the only process, or the cluster primary. */
export interface GlobalOwner {
  readonly state: GlobalState;
  /** The server's video-generation jobs. */
  readonly videos: VideoJobs;
  /** The server's one prefix cache (null with --no-prefix-caching). */
  readonly prefix: PrefixCache | null;
  /** The engine model, once it runs: its gauges, and its running sequences' blocks, which the cache cannot use. */
  attachEngine(engine: EngineGauges): void;
  /** Stops serving the DCGM ports (first thing on shutdown: scrapers see the server going). */
  closePorts(): void;
  /** Stops the state's sampling and the KV event publisher; the process can then exit. */
  stop(): void;
}

/**
 * Takes ownership of the global state, the same way in single-process and cluster mode: the state
 * (telemetry registries, throughput window, GPU load, DCGM fakers) with its sampler running, the
 * two simulated dcgm-exporter ports it answers, the prefix cache and, with --kv-events-endpoint, its
 * event publisher (bound before this resolves: a bad address fails start-up).
 */
export async function ownGlobalState(config: Config, logger: Logger, startedAt?: number): Promise<GlobalOwner> {
  const state = new GlobalState(config, startedAt);
  let engine: EngineGauges | null = null;
  const publisher =
    config.prefixCaching && config.kvEventsEndpoint
      ? await KvEventPublisher.open(config.kvEventsEndpoint, config.kvEventsTopic, config.kvBlockTokens)
      : null;
  if (publisher) logger.info('publishing KV cache events', { endpoint: config.kvEventsEndpoint });
  const prefix = config.prefixCaching
    ? new PrefixCache(config.kvBlockTokens, () => config.kvBlocks - (engine?.kvUsedBlocks ?? 0), publisher)
    : null;
  state.attachPrefixCache(prefix);
  state.startSampling();
  const ports = serveDcgmPorts(config, state, logger);
  return {
    state,
    videos: new VideoJobs(config.videoExpirySec),
    prefix,
    attachEngine: (e) => {
      engine = e;
      state.attachEngine(e);
    },
    closePorts: () => {
      for (const s of ports) s.close();
    },
    stop: () => {
      state.stop();
      publisher?.close();
    },
  };
}
