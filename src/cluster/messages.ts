import { type Config } from '../config/options.js';
import { type TokenizerChoice } from '../generation/tokenizer.js';
import { type RequestEvent } from '../telemetry/events.js';
import { type GlobalSnapshot } from '../telemetry/global-state.js';
import { type PageName } from '../telemetry/metrics/hub.js';

/** A batch of telemetry: request events in order plus the tokens served since the last batch. */
export interface TelemetryBatch {
  readonly type: 'telemetry';
  readonly requests: readonly RequestEvent[];
  readonly tokens: number;
}

export interface SnapshotQuery {
  readonly type: 'query';
  readonly id: number;
}

export interface MetricsQuery {
  readonly type: 'metrics';
  readonly id: number;
  readonly page: PageName;
}

export type WorkerToPrimary = TelemetryBatch | SnapshotQuery | MetricsQuery;

export interface SnapshotReply {
  readonly type: 'snapshot';
  readonly id: number;
  readonly snapshot: GlobalSnapshot;
}

export interface ShutdownOrder {
  readonly type: 'shutdown';
}

export interface MetricsReply {
  readonly type: 'metrics-text';
  readonly id: number;
  readonly text: string;
}

export type PrimaryToWorker = SnapshotReply | MetricsReply | ShutdownOrder;

/** What a forked worker needs to start, passed in its environment as JSON. */
export interface WorkerBootstrap {
  readonly config: Config;
  readonly tokenizer: TokenizerChoice;
  readonly slot: number;
}

export const BOOTSTRAP_ENV = 'AIPERF_MOCK_SERVER_WORKER';

export function isWorkerMessage(msg: unknown): msg is WorkerToPrimary {
  const t = (msg as { type?: unknown } | null)?.type;
  return t === 'telemetry' || t === 'query' || t === 'metrics';
}

export function isPrimaryMessage(msg: unknown): msg is PrimaryToWorker {
  const t = (msg as { type?: unknown } | null)?.type;
  return t === 'snapshot' || t === 'metrics-text' || t === 'shutdown';
}
