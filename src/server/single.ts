import { type Config } from '../config/options.js';
import { chooseTokenizer } from '../generation/tokenizer.js';
import { type Logger } from '../logging/logger.js';
import { LocalSink } from '../telemetry/local-sink.js';
import { ownGlobalState } from '../telemetry/owner.js';
import { GlobalState } from '../telemetry/global-state.js';
import { type AppFactory, startServer } from './serve.js';
import { localVideoStore } from '../state/video-store.js';
import { localPrefixStore } from '../cache/prefix-store.js';
import { localAdminStore } from '../admin/store.js';
import { type LiveConfig } from '../config/live.js';

/** When the process started: start-up time and the readiness delays count from these. */
export interface StartTimes {
  readonly startedAt: number;
  readonly startedEpochMs: number;
}

/**
 * Single-process mode: this process owns the global state (as the primary does in cluster mode) and
 * serves on its own; SIGTERM/SIGINT drain open requests, then exit. `app` replaces the express app
 * (the bench's dispatcher baseline only).
 */
export async function runSingle(config: Config, logger: Logger, times: StartTimes, app?: AppFactory): Promise<void> {
  const tokenizer = chooseTokenizer(config.tokenizer, config.noTokenizer, config.tokenizerRevision);
  if (tokenizer.warning) logger.warn(tokenizer.warning);
  const owner = await ownGlobalState(config, logger, times.startedAt);
  const { state } = owner;
  const live: LiveConfig = { current: config };
  owner.admin.authority.onChange((c) => (live.current = c));
  owner.startScenario();
  const workerId = 'worker-0';
  const running = await startServer({
    config,
    logger,
    tokenizer,
    sink: new LocalSink(state, workerId),
    // A state of its own: the warm-up's requests run the same folds, into pages no one reads.
    warmUpSink: () => new LocalSink(new GlobalState(config), workerId),
    global: () => Promise.resolve(state.snapshot()),
    metrics: (page) => state.renderMetrics(page),
    videos: localVideoStore(owner.videos),
    prefix: owner.prefix && localPrefixStore(owner.prefix, config.kvEventsEndpoint !== ''),
    live,
    admin: localAdminStore(owner.admin),
    workerId,
    slot: 0,
    ...times,
    app,
  });
  if (running.engine) owner.attachEngine(running.engine);
  logger.info('listening', {
    url: running.url,
    workers: 1,
    pid: process.pid,
    startupMs: Math.round(performance.now()),
  });
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info('shutting down: draining open requests', { signal, timeoutSec: config.shutdownTimeout });
    owner.closePorts();
    void running
      .drain(config.shutdownTimeout)
      .then(() => owner.stop())
      .then(() => {
        logger.info('stopped');
        process.exit(0);
      });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}
