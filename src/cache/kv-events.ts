import { type KvEventListener } from './prefix-cache.js';

/**
 * vLLM's KV cache events as its ZmqEventPublisher sends them (vllm/distributed/kv_events.py): a
 * multipart message [topic, 8-byte big-endian sequence number, msgpack payload], the payload an
 * EventBatch map `{ts, events, data_parallel_rank}` whose events are tagged maps
 * (`{"type": "BlockStored", ...}`, msgspec's tag=True encoding), fields without a default always
 * present, defaulted ones (extra_keys, group_idx, ...) omitted. Block hashes are integers, as with
 * VLLM_KV_EVENTS_USE_INT_BLOCK_HASHES (the default).
 */
export type KvEvent =
  | {
      readonly type: 'BlockStored';
      readonly block_hashes: readonly number[];
      readonly parent_block_hash: number | null;
      readonly token_ids: readonly number[];
      readonly block_size: number;
      readonly lora_id: null;
      readonly medium: 'GPU';
      readonly lora_name: null;
    }
  | { readonly type: 'BlockRemoved'; readonly block_hashes: readonly number[]; readonly medium: 'GPU' }
  | { readonly type: 'AllBlocksCleared' };

type Encode = (value: unknown) => Uint8Array;

/** One message's frames: topic, sequence number, payload. Pure (the tests decode it back). */
export function kvEventFrames(
  encode: Encode,
  topic: string,
  seq: number,
  ts: number,
  events: readonly KvEvent[],
): Buffer[] {
  const seqBytes = Buffer.alloc(8);
  seqBytes.writeBigUInt64BE(BigInt(seq));
  const payload = encode({ ts, events, data_parallel_rank: 0 });
  return [Buffer.from(topic, 'utf8'), seqBytes, Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength)];
}

/** What the publisher needs of a ZeroMQ PUB socket (zeromq's Publisher). */
interface PubSocket {
  bind(address: string): Promise<void>;
  connect(address: string): void;
  send(frames: Buffer[]): Promise<void>;
  close(): void;
}

/**
 * Collects the cache's events and publishes them, one batch per turn of the event loop (vLLM publishes
 * one batch per engine step), sequence numbers from 0. ZeroMQ is loaded only when the option is set.
 */
export class KvEventPublisher implements KvEventListener {
  private pending: KvEvent[] = [];
  private seq = 0;
  private flushing = false;
  private sending: Promise<void> = Promise.resolve();

  private constructor(
    private readonly encode: Encode,
    private readonly socket: PubSocket,
    private readonly topic: string,
    private readonly blockTokens: number,
  ) {}

  /** Binds (an address with `*` or `::`, or ipc/inproc) or connects, as vLLM's publisher decides. */
  static async open(endpoint: string, topic: string, blockTokens: number): Promise<KvEventPublisher> {
    // Both loaded only when --kv-events-endpoint is set.
    const zmq = await import('zeromq');
    const { encode } = await import('@msgpack/msgpack');
    const socket = new zmq.Publisher({ sendHighWaterMark: 100_000 });
    const bind =
      endpoint.includes('*') ||
      endpoint.includes('::') ||
      endpoint.startsWith('ipc://') ||
      endpoint.startsWith('inproc://');
    if (bind) await socket.bind(endpoint);
    else socket.connect(endpoint);
    return new KvEventPublisher(encode, socket, topic, blockTokens);
  }

  stored(hashes: readonly number[], parent: number | null, tokenIds: readonly number[] | null): void {
    this.push({
      type: 'BlockStored',
      block_hashes: hashes,
      parent_block_hash: parent,
      token_ids: tokenIds ?? [],
      block_size: this.blockTokens,
      lora_id: null,
      medium: 'GPU',
      lora_name: null,
    });
  }

  removed(hashes: readonly number[]): void {
    this.push({ type: 'BlockRemoved', block_hashes: hashes, medium: 'GPU' });
  }

  cleared(): void {
    this.push({ type: 'AllBlocksCleared' });
  }

  close(): void {
    this.socket.close();
  }

  private push(event: KvEvent): void {
    this.pending.push(event);
    if (this.flushing) return;
    this.flushing = true;
    setImmediate(() => this.flush());
  }

  private flush(): void {
    this.flushing = false;
    const events = this.pending;
    this.pending = [];
    const frames = kvEventFrames(this.encode, this.topic, this.seq++, Date.now() / 1000, events);
    // One send at a time on a zeromq socket; a PUB socket never blocks (it drops past its high-water mark).
    this.sending = this.sending.then(
      () => this.socket.send(frames),
      () => this.socket.send(frames),
    );
  }
}
