import { AccuracyTally } from '../admin/accuracy.js';
import { ConfigAuthority } from '../admin/config-authority.js';
import { AdminHost } from '../admin/host.js';
import { Recorder } from '../admin/recorder.js';
import { ScenarioRunner } from '../admin/scenario.js';
import { RequestSummary } from '../admin/summary.js';
import { KvEventPublisher } from '../cache/kv-events.js';
import { PrefixCache } from '../cache/prefix-cache.js';
import { VideoJobs } from '../state/video-jobs.js';
import { type Config } from '../config/options.js';
import { type EngineRunner } from '../engine/runner.js';
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
  /** The live config and the admin operations (/admin, scenarios, recording, accuracy tally). */
  readonly admin: AdminHost;
  /** Starts the --scenario timeline (once every listener of the live config is in place). */
  startScenario(): void;
  /** The engine model, once it runs: its gauges, its blocks the cache cannot use, its live knobs. */
  attachEngine(engine: EngineRunner): void;
  /** Stops serving the DCGM ports (first thing on shutdown: scrapers see the server going). */
  closePorts(): void;
  /** Stops sampling, the scenario, the KV event publisher and the recording; the process can then exit. */
  stop(): Promise<void>;
}

/**
 * Takes ownership of the global state, the same way in single-process and cluster mode: the state
 * (telemetry registries, throughput window, GPU load, DCGM fakers) with its sampler running, the
 * two simulated dcgm-exporter ports it answers, the prefix cache and, with --kv-events-endpoint, its
 * event publisher (bound before this resolves: a bad address fails start-up), the live config with its
 * scenario, the request recording and summary, and the accuracy tally.
 */
export async function ownGlobalState(config: Config, logger: Logger, startedAt?: number): Promise<GlobalOwner> {
  const state = new GlobalState(config, startedAt);
  let engine: EngineRunner | null = null;
  const publisher =
    config.prefixCaching && config.kvEventsEndpoint
      ? await KvEventPublisher.open(config.kvEventsEndpoint, config.kvEventsTopic, config.kvBlockTokens)
      : null;
  if (publisher) logger.info('publishing KV cache events', { endpoint: config.kvEventsEndpoint });
  const prefix = config.prefixCaching
    ? new PrefixCache(config.kvBlockTokens, () => config.kvBlocks - (engine?.kvUsedBlocks ?? 0), publisher)
    : null;
  state.attachPrefixCache(prefix);
  const authority = new ConfigAuthority(config, logger);
  authority.onChange((c) => {
    state.setConfig(c);
    engine?.reconfigure(c);
  });
  const summary = new RequestSummary();
  const recorder = config.recordRequests ? new Recorder(config.recordRequests, logger) : null;
  // The workers load the dataset and answer; here only their verdicts are counted.
  const accuracy = config.accuracyDataset ? new AccuracyTally() : null;
  state.onEnded = (e) => {
    summary.add(e);
    if (e.accuracy) accuracy?.count(e.accuracy);
  };
  if (recorder) state.onRecord = (r) => recorder.write(r);
  const scenario = config.scenario ? ScenarioRunner.load(config.scenario, authority, state, logger) : null;
  state.startSampling();
  const ports = serveDcgmPorts(config, state, logger);
  return {
    state,
    videos: new VideoJobs(config.videoExpirySec),
    prefix,
    admin: new AdminHost(authority, summary, prefix, recorder, accuracy),
    startScenario: () => scenario?.start(),
    attachEngine: (e) => {
      engine = e;
      state.attachEngine(e);
      e.reconfigure(authority.current);
    },
    closePorts: () => {
      for (const s of ports) s.close();
    },
    stop: async () => {
      state.stop();
      scenario?.stop();
      publisher?.close();
      await recorder?.close();
    },
  };
}
