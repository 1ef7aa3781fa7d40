import { type RequestEvent, type TelemetrySink } from './events.js';
import { type GlobalState } from './global-state.js';

/** Single-process mode: events go straight into the global state. */
export class LocalSink implements TelemetrySink {
  constructor(
    private readonly state: GlobalState,
    private readonly worker: string,
  ) {}

  request(event: RequestEvent): void {
    this.state.applyRequest(this.worker, event);
  }

  tokens(n: number): void {
    this.state.addTokens(this.worker, n);
  }

  record(record: Readonly<Record<string, unknown>>): void {
    this.state.record(record);
  }
}
