import { type VideoJob } from '../state/video-jobs.js';
import { type VideoStore } from '../state/video-store.js';
import { type PrefixStore } from '../cache/prefix-store.js';
import { type AdminStore } from '../admin/store.js';
import { type AdminOpName, type AdminOpOf, type AdminResults } from '../admin/host.js';
import { type RequestEvent, type TelemetrySink } from '../telemetry/events.js';
import { type GlobalSnapshot } from '../telemetry/global-state.js';
import { type PageName } from '../telemetry/metrics/hub.js';
import { type PrimaryToWorker, type WorkerToPrimary } from './messages.js';
import { packEvent, type WireEvent } from './event-wire.js';

/**
 * Why 50 ms: what a batch costs the primary is mostly per message (waking an idle process), not per
 * event, so the interval sets the primary's share of the CPU (bench/README.md, "Telemetry over IPC").
 * A page or /health sees another worker's events at most this late; a worker's own are flushed first.
 */
const FLUSH_MS = 50;
const QUERY_TIMEOUT_MS = 2000;

/**
 * Cluster workers batch telemetry to the primary: tokens are summed and request events queued,
 * then sent in one IPC message at most every FLUSH_MS (never one message per token).
 */
export class IpcSink implements TelemetrySink {
  private pendingTokens = 0;
  private pendingRequests: WireEvent[] = [];
  private pendingRecords: Readonly<Record<string, unknown>>[] = [];
  private timer: NodeJS.Timeout | undefined;
  private nextQuery = 1;
  private readonly waiting = new Map<number, (reply: PrimaryToWorker | null) => void>();
  private lastSnapshot: GlobalSnapshot | null = null;

  constructor(
    private readonly send: (msg: WorkerToPrimary) => void,
    /** Whether cache stores carry token ids (the primary publishes KV events). */
    wantsTokenIds = false,
  ) {
    this.prefix = {
      // A lookup is on every request's path: it does not flush the telemetry batch first.
      lookup: (hashes, max) =>
        this.ask((id) => ({ type: 'prefix', id, op: 'lookup', hashes, max }), false).then((r) =>
          r?.type === 'prefix-reply' ? r.blocks : 0,
        ),
      store: (hashes, tokenIds) => this.send({ type: 'prefix', id: 0, op: 'store', hashes, tokenIds }),
      clear: () => this.ask((id) => ({ type: 'prefix', id, op: 'clear' }), false).then(() => undefined),
      wantsTokenIds,
    };
  }

  /** The primary's prefix cache (PrefixStore); a lookup the primary does not answer in time hits nothing. */
  readonly prefix: PrefixStore;

  request(event: RequestEvent): void {
    this.pendingRequests.push(packEvent(event));
    this.arm();
  }

  tokens(n: number): void {
    this.pendingTokens += n;
    this.arm();
  }

  record(record: Readonly<Record<string, unknown>>): void {
    this.pendingRecords.push(record);
    this.arm();
  }

  /** The primary's admin host (AdminStore); null when it does not answer in time. */
  readonly admin: AdminStore = {
    call: <K extends AdminOpName>(op: AdminOpOf<K>) =>
      this.ask((id) => ({ type: 'admin', id, call: op })).then((r) =>
        // The primary answers op K with its AdminHost.handle's AdminResults[K] (primary.ts).
        r?.type === 'admin-reply' ? (r.result as AdminResults[K]) : null,
      ),
  };

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pendingTokens === 0 && this.pendingRequests.length === 0 && this.pendingRecords.length === 0) return;
    const batch: WorkerToPrimary = {
      type: 'telemetry',
      requests: this.pendingRequests,
      tokens: this.pendingTokens,
      ...(this.pendingRecords.length > 0 ? { records: this.pendingRecords } : {}),
    };
    this.pendingTokens = 0;
    this.pendingRequests = [];
    this.pendingRecords = [];
    this.send(batch);
  }

  /** Asks the primary for the server-wide state (after flushing, so our own tokens are in it). */
  async snapshot(): Promise<GlobalSnapshot | null> {
    const reply = await this.ask((id) => ({ type: 'query', id }));
    if (reply?.type === 'snapshot') this.lastSnapshot = reply.snapshot;
    return reply?.type === 'snapshot' ? reply.snapshot : this.lastSnapshot;
  }

  /** One Prometheus page as the primary renders it; null if the primary does not answer in time. */
  async metrics(page: PageName): Promise<string | null> {
    const reply = await this.ask((id) => ({ type: 'metrics', id, page }));
    return reply?.type === 'metrics-text' ? reply.text : null;
  }

  /** The primary's video jobs (VideoStore); null when it does not answer in time. */
  readonly videos: VideoStore = {
    create: (request, promptTokens, fail) =>
      this.video((id) => ({ type: 'video', id, op: 'create', request, promptTokens, fail })),
    get: (videoId) => this.video((id) => ({ type: 'video', id, op: 'get', videoId })),
    remove: (videoId) => this.video((id) => ({ type: 'video', id, op: 'remove', videoId })),
  };

  private async video(make: (id: number) => WorkerToPrimary): Promise<VideoJob | null> {
    const reply = await this.ask(make);
    return reply?.type === 'video-reply' ? reply.job : null;
  }

  receive(msg: PrimaryToWorker): void {
    if (
      msg.type !== 'snapshot' &&
      msg.type !== 'metrics-text' &&
      msg.type !== 'video-reply' &&
      msg.type !== 'prefix-reply' &&
      msg.type !== 'admin-reply'
    )
      return;
    const done = this.waiting.get(msg.id);
    this.waiting.delete(msg.id);
    done?.(msg);
  }

  private ask(make: (id: number) => WorkerToPrimary, flushFirst = true): Promise<PrimaryToWorker | null> {
    if (flushFirst) this.flush();
    const id = this.nextQuery++;
    return new Promise((resolve) => {
      const timeout = setTimeout(() => {
        this.waiting.delete(id);
        resolve(null);
      }, QUERY_TIMEOUT_MS);
      this.waiting.set(id, (reply) => {
        clearTimeout(timeout);
        resolve(reply);
      });
      this.send(make(id));
    });
  }

  private arm(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => this.flush(), FLUSH_MS);
  }
}
