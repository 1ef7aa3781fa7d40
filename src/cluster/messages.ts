import { type VideoJob, type VideoRequest } from '../state/video-jobs.js';
import { type AdminOp } from '../admin/host.js';
import { type Config } from '../config/options.js';
import { type TokenizerChoice } from '../generation/tokenizer.js';
import { type WireEvent } from './event-wire.js';
import { type GlobalSnapshot } from '../telemetry/global-state.js';
import { type PageName } from '../telemetry/metrics/hub.js';

/** A batch of telemetry: request events in order plus the tokens served since the last batch. */
export interface TelemetryBatch {
  readonly type: 'telemetry';
  /** Packed (event-wire.ts): the primary parses every one. */
  readonly requests: readonly WireEvent[];
  readonly tokens: number;
  /** --record-requests lines (absent when none). */
  readonly records?: readonly Readonly<Record<string, unknown>>[];
}

/** An admin operation for the primary's AdminHost. */
export interface AdminCall {
  readonly type: 'admin';
  readonly id: number;
  readonly call: AdminOp;
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

/** A spare worker has loaded everything and waits for a slot. */
export interface SpareReady {
  readonly type: 'spare-ready';
}

/** Engine model in cluster mode: a request asks the primary's engine for a place in its queue. */
export interface EngineSubmit {
  readonly type: 'engine-submit';
  readonly id: number;
  readonly model: string;
  readonly prompt: number;
  readonly output: number;
}

export interface EngineCancel {
  readonly type: 'engine-cancel';
  readonly id: number;
}

/** A video-job operation on the jobs the primary holds for the whole server. */
export type VideoCall = { readonly type: 'video'; readonly id: number } & (
  | { readonly op: 'create'; readonly request: VideoRequest; readonly promptTokens: number; readonly fail: boolean }
  | { readonly op: 'get' | 'remove'; readonly videoId: string }
);

/** A prefix-cache operation on the cache the primary holds for the whole server (store: no reply). */
export type PrefixCall = { readonly type: 'prefix'; readonly id: number } & (
  | { readonly op: 'lookup'; readonly hashes: readonly number[]; readonly max: number }
  | { readonly op: 'store'; readonly hashes: readonly number[]; readonly tokenIds: readonly number[] | null }
  | { readonly op: 'clear' }
);

export type WorkerToPrimary =
  | TelemetryBatch
  | SnapshotQuery
  | MetricsQuery
  | SpareReady
  | EngineSubmit
  | EngineCancel
  | VideoCall
  | PrefixCall
  | AdminCall;

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

/** Promotes a spare: serve as this slot from now on. */
export interface ActivateOrder {
  readonly type: 'activate';
  readonly slot: number;
}

export interface EngineAnswer {
  readonly type: 'engine-answer';
  readonly id: number;
  readonly accepted: boolean;
}

/**
 * One engine step's news for one worker: per request [id, tokens granted so far, finished 0/1,
 * admitted 0/1]. One message per worker per step, never one per token.
 */
export interface EngineProgress {
  readonly type: 'engine-progress';
  readonly updates: readonly (readonly [number, number, number, number])[];
}

export interface VideoReply {
  readonly type: 'video-reply';
  readonly id: number;
  readonly job: VideoJob | null;
}

/** A lookup's cached blocks; 0 for a clear. */
export interface PrefixReply {
  readonly type: 'prefix-reply';
  readonly id: number;
  readonly blocks: number;
}

export interface AdminReply {
  readonly type: 'admin-reply';
  readonly id: number;
  readonly result: unknown;
}

/** The live config changed: every worker uses this one from now on. */
export interface ConfigUpdate {
  readonly type: 'config';
  readonly config: Config;
}

export type PrimaryToWorker =
  | SnapshotReply
  | MetricsReply
  | ShutdownOrder
  | ActivateOrder
  | EngineAnswer
  | EngineProgress
  | VideoReply
  | PrefixReply
  | AdminReply
  | ConfigUpdate;

/** What a forked worker needs to start, passed in its environment as JSON. */
export interface WorkerBootstrap {
  readonly config: Config;
  readonly tokenizer: TokenizerChoice;
  /** A slot to serve at once, or null for a spare that prepares and waits for an ActivateOrder. */
  readonly slot: number | null;
  /** The primary's wall-clock start: a replaced worker keeps the server's readiness clock. */
  readonly startedEpochMs: number;
}

export const BOOTSTRAP_ENV = 'AIPERF_MOCK_SERVER_WORKER';

export function isWorkerMessage(msg: unknown): msg is WorkerToPrimary {
  const t = (msg as { type?: unknown } | null)?.type;
  return (
    t === 'telemetry' ||
    t === 'query' ||
    t === 'metrics' ||
    t === 'spare-ready' ||
    t === 'engine-submit' ||
    t === 'engine-cancel' ||
    t === 'video' ||
    t === 'prefix' ||
    t === 'admin'
  );
}

export function isPrimaryMessage(msg: unknown): msg is PrimaryToWorker {
  const t = (msg as { type?: unknown } | null)?.type;
  return (
    t === 'snapshot' ||
    t === 'metrics-text' ||
    t === 'shutdown' ||
    t === 'activate' ||
    t === 'engine-answer' ||
    t === 'engine-progress' ||
    t === 'video-reply' ||
    t === 'prefix-reply' ||
    t === 'admin-reply' ||
    t === 'config'
  );
}
