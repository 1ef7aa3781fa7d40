import { createServer, type RequestListener, type Server, type ServerOptions } from 'node:http';
import { type AddressInfo } from 'node:net';
import seedrandom from 'seedrandom';
import { type Config } from '../config/options.js';
import { type Corpus, loadCorpus } from '../generation/corpus.js';
import { createTokenizer, type Tokenizer, type TokenizerChoice } from '../generation/tokenizer.js';
import { type Logger } from '../logging/logger.js';
import { type TelemetrySink } from '../telemetry/events.js';
import { type GlobalSnapshot } from '../telemetry/global-state.js';
import { type PageName } from '../telemetry/metrics/hub.js';
import { TokenScheduler } from '../timing/scheduler.js';
import { type EngineClient, EngineRunner, engineConfig } from '../engine/runner.js';
import { createApp } from './app.js';
import { deferredListener } from './arrivals.js';
import { expressServerClasses } from './express-classes.js';
import { type Route, routeTable } from './routes.js';
import { faultDecider } from './fault-draw.js';
import { AppContext } from './context.js';
import { servedModels } from './models.js';
import { type VideoStore } from '../state/video-store.js';
import { type PrefixStore } from '../cache/prefix-store.js';
import { VERSION } from './version.js';
import { AccuracyOracle } from '../admin/accuracy.js';
import { type AdminStore } from '../admin/store.js';
import { type LiveConfig } from '../config/live.js';
import { QUIET_MS, startWarmUp, WARM_UP_OFF, type WarmUp } from './warm-up.js';
import { warmUpContext } from './warm-up-context.js';
import { warmUpRequests } from './warm-up-requests.js';

/** What a worker loads before it can serve: the slow part of its start-up (tokenizer, corpus). */
export interface Prepared {
  readonly tokenizer: Tokenizer;
  readonly corpus: Corpus;
}

export function prepare(config: Config, choice: TokenizerChoice): Prepared {
  const tokenizer = createTokenizer(choice);
  return { tokenizer, corpus: loadCorpus(config.corpus, tokenizer) };
}

/** A worker's request listener, the options its server needs, and how to build another on the same classes. */
export interface BuiltApp {
  readonly listener: RequestListener;
  readonly serverOptions?: ServerOptions;
  /**
   * Another app for another context (the warm-up's), whose requests and responses are objects of the
   * same classes as this one's, so code trained on one is trained for the other.
   */
  readonly twin?: (ctx: AppContext, routes: readonly Route[]) => BuiltApp;
}

/** Builds a worker's request listener from its route table. */
export type AppFactory = (ctx: AppContext, routes: readonly Route[]) => BuiltApp;

/** The product's app: express, with request/response objects built on its prototypes. */
export const expressApp: AppFactory = (ctx, routes) => {
  const app = createApp(ctx, routes);
  const serverOptions = expressServerClasses(app);
  return {
    listener: app,
    serverOptions,
    twin: (otherCtx, otherRoutes) => {
      const other = createApp(otherCtx, otherRoutes);
      // Its requests get this app's prototypes (express re-points each to `app.request`): the same shapes.
      other.request = app.request;
      other.response = app.response;
      return { listener: other, serverOptions };
    },
  };
};

export interface WorkerDeps {
  readonly config: Config;
  /** The engine model's client when it lives elsewhere (the cluster primary); local otherwise. */
  readonly engine?: EngineClient | null;
  /** Loaded ahead (a spare worker prepares before it is given a slot); prepared here otherwise. */
  readonly prepared?: Prepared;
  readonly logger: Logger;
  readonly tokenizer: TokenizerChoice;
  readonly sink: TelemetrySink;
  readonly global: () => Promise<GlobalSnapshot | null>;
  readonly metrics: (page: PageName) => Promise<string | null>;
  /** The server's video jobs (held by the primary in cluster mode). */
  readonly videos: VideoStore;
  /** The server's prefix cache (held by the primary in cluster mode); null when prefix caching is off. */
  readonly prefix: PrefixStore | null;
  readonly workerId: string;
  /** 0-based worker slot: worker k draws errors from seed + k, so workers do not fail in lockstep. */
  readonly slot: number;
  readonly startedAt: number;
  readonly startedEpochMs: number;
  /** The live config this worker reads (replaced when /admin or a scenario changes it); the start-up one if absent. */
  readonly live?: LiveConfig;
  /** The admin operations (local, or the primary's): /admin (when on) and the /accuracy tally. */
  readonly admin: AdminStore;
  /**
   * A throwaway sink of the same kind as `sink` for the warm-up's requests: their events must not
   * reach the server's telemetry.
   */
  readonly warmUpSink: () => TelemetrySink;
  /** The app on the request path: express unless a bench baseline swaps it. */
  readonly app?: AppFactory | undefined;
}

export interface RunningServer {
  readonly server: Server;
  /** The engine model, when --engine-model batch runs it. */
  readonly engine: EngineRunner | null;
  readonly url: string;
  /** Stops accepting, lets open requests finish for up to timeoutSec, then closes what is left. */
  drain(timeoutSec: number): Promise<void>;
}

export async function startServer(deps: WorkerDeps): Promise<RunningServer> {
  const { config, logger } = deps;
  const { tokenizer, corpus } = deps.prepared ?? prepare(config, deps.tokenizer);
  const scheduler = new TokenScheduler();
  const engine =
    config.engineModel === 'batch' && !deps.engine
      ? new EngineRunner(engineConfig(config), config.stepMs, scheduler)
      : null;
  let draining = false;
  const live = deps.live ?? { current: config };
  const ctx = new AppContext(live, {
    admin: deps.admin,
    accuracy: config.accuracyDataset
      ? new AccuracyOracle(config.accuracyDataset, config.accuracyCorrectRate, config.randomSeed ?? 0)
      : null,
    models: servedModels(config),
    logger,
    tokenizer,
    corpus,
    scheduler,
    sink: deps.sink,
    global: deps.global,
    metrics: deps.metrics,
    videos: deps.videos,
    prefix: deps.prefix,
    drawFault: faultDecider(live, deps.slot),
    latencyRand: seedrandom.alea(
      config.randomSeed === undefined ? String(Math.random()) : `${config.randomSeed}:latency:${deps.slot}`,
    ),
    inFlight: { llm: 0 },
    engine: deps.engine ?? engine,
    workerId: deps.workerId,
    version: VERSION,
    startedAt: deps.startedAt,
    startedEpochMs: deps.startedEpochMs,
    warnings: deps.tokenizer.warning ? [deps.tokenizer.warning] : [],
  });
  let warmUp: WarmUp = WARM_UP_OFF;
  const appFactory = deps.app ?? expressApp;
  const built = appFactory(
    ctx,
    routeTable(
      ctx,
      () => draining,
      () => warmUp.status(),
    ),
  );
  const { listener, serverOptions } = built;
  const deferred = deferredListener(listener);
  scheduler.waitFor(deferred.oldestWaiting);
  const server = createServer({ noDelay: true, keepAliveTimeout: 65_000, ...serverOptions }, deferred.listener);
  server.on('connection', deferred.onConnection);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  const url = `http://${host}:${addr.port}`;
  if (config.warmUpRequests > 0) {
    const { ctx: warmCtx, bursting } = warmUpContext(ctx, config, deps.warmUpSink(), deps.slot);
    const warmApp = (built.twin ?? appFactory)(
      warmCtx,
      routeTable(warmCtx, () => false, WARM_UP_OFF.status),
    );
    // The same listener code as the server's (its own arrival queue), so that is warmed too.
    const warmDeferred = deferredListener(warmApp.listener);
    // While it runs, the warm-up's own requests waiting for its app count as a burst being taken in,
    // so its bursts take the ordering rule and hold their headers (decision 0015) as a client's do.
    // One function for the server's life (a new one later would throw away code compiled for this one).
    let warmOldest: (() => number) | null = warmDeferred.oldestWaiting;
    scheduler.waitFor(() => {
      const oldest = deferred.oldestWaiting();
      return warmOldest === null ? oldest : Math.min(oldest, warmOldest());
    });
    warmUp = startWarmUp({
      onDone: () => (warmOldest = null),
      bursting,
      total: config.warmUpRequests,
      listener: warmDeferred.listener,
      onConnection: warmDeferred.onConnection,
      serverOptions: warmApp.serverOptions,
      requests: warmUpRequests(ctx.models[0]!, config.maxModelLen),
      // Generations in flight, requests waiting for the app, or work (not a GET) just now.
      busy: () =>
        ctx.inFlight.llm > 0 ||
        deferred.oldestWaiting() !== Infinity ||
        performance.now() - deferred.lastWorkArrival() < QUIET_MS,
      logger,
    });
  }

  const drain = (timeoutSec: number): Promise<void> =>
    new Promise((resolve) => {
      draining = true;
      warmUp.stop();
      const deadline = setTimeout(() => {
        logger.warn('shutdown timeout reached; closing open connections', { openTasks: scheduler.size });
        server.closeAllConnections();
        scheduler.clear();
      }, timeoutSec * 1000);
      deadline.unref();
      server.close(() => {
        clearTimeout(deadline);
        resolve();
      });
      server.closeIdleConnections();
    });
  return { server, url, drain, engine };
}
