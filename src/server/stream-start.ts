import { type ServerResponse } from 'node:http';
import { type TokenGate } from '../engine/runner.js';
import { type LatencyPlan } from '../timing/latency.js';
import { type TokenScheduler } from '../timing/scheduler.js';
import { type Fault } from './faults.js';
import { type StreamBody } from '../api/contract.js';

export type StreamOutcome = 'ok' | 'disconnect' | 'fault';

export interface StreamHooks {
  onTokens(n: number): void;
  /** `tokenTimes[0..delivered)`: performance.now() of the write of every token delivered, in order. */
  onEnd(outcome: StreamOutcome, at: number, tokenTimes: Float64Array, delivered: number): void;
}

/** Everything one stream needs: the response, its timing, its family's body and who hears about it. */
export interface StreamStart {
  readonly res: ServerResponse;
  /** performance.now() of the request's arrival: every deadline is measured from it. */
  readonly arrival: number;
  readonly latency: LatencyPlan;
  readonly body: StreamBody;
  readonly scheduler: TokenScheduler;
  readonly hooks: StreamHooks;
  readonly headers?: Readonly<Record<string, string>>;
  readonly fault?: Fault | null;
  /** Engine model: the request's batch slot (tokens come when the engine grants them). */
  readonly gate?: TokenGate | null;
  /** Lateness (ms) past which the rest of the schedule re-anchors at the late write; 0: always catch up. */
  readonly reanchorAfterMs?: number;
}
