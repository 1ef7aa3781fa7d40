/**
 * A continuous-batching engine, as a pure step simulation (no clock: whoever drives it calls step()
 * every step-ms). vLLM-like: a FIFO waiting queue; up to maxBatchSize running sequences; each step
 * spends a prefill token budget (chunked prefill) on admitted sequences in admission order, then gives
 * every decoding sequence one token; a paged KV cache of kvBlocks × kvBlockTokens that each sequence
 * fills as it grows; when a decode step finds no free block, the newest running sequence is preempted
 * (its blocks freed, back to the head of the queue, its prompt and generated tokens recomputed).
 */
export interface EngineConfig {
  readonly maxBatchSize: number;
  readonly prefillChunkTokens: number;
  readonly kvBlocks: number;
  readonly kvBlockTokens: number;
  /** Requests allowed to wait; submit() refuses past it. */
  readonly maxWaiting: number;
}

interface Seq {
  readonly id: number;
  readonly prompt: number;
  readonly output: number;
  generated: number;
  /** Tokens still to prefill (prompt, or prompt + generated after a preemption). */
  toPrefill: number;
  blocks: number;
  running: boolean;
}

export interface StepResult {
  /** Sequences that got a batch slot this step (again, after a preemption). */
  readonly admitted: readonly number[];
  /** Sequences that produced one token this step (the first token when their prefill completed). */
  readonly emitted: readonly number[];
  readonly finished: readonly number[];
  readonly preempted: readonly number[];
  /** Prompt tokens prefilled plus tokens generated this step (vLLM's iteration tokens). */
  readonly prefillTokens: number;
  readonly decodeTokens: number;
}

export class BatchEngine {
  private readonly waiting: Seq[] = [];
  /** Running sequences in admission order (preemption takes the newest). */
  private readonly running: Seq[] = [];
  private readonly byId = new Map<number, Seq>();
  private freeBlocks: number;
  preemptionsTotal = 0;

  constructor(public config: EngineConfig) {
    this.freeBlocks = config.kvBlocks;
  }

  get numRunning(): number {
    return this.running.length;
  }
  get numWaiting(): number {
    return this.waiting.length;
  }
  get kvUsedBlocks(): number {
    return this.config.kvBlocks - this.freeBlocks;
  }
  get kvUsage(): number {
    return this.kvUsedBlocks / this.config.kvBlocks;
  }

  /** Queues a request; false when the waiting queue is full (the caller answers 503/429). */
  submit(id: number, promptTokens: number, outputTokens: number): boolean {
    if (this.waiting.length >= this.config.maxWaiting) return false;
    const seq: Seq = {
      id,
      prompt: Math.max(1, promptTokens),
      output: Math.max(0, outputTokens),
      generated: 0,
      toPrefill: Math.max(1, promptTokens),
      blocks: 0,
      running: false,
    };
    this.waiting.push(seq);
    this.byId.set(id, seq);
    return true;
  }

  /** A client went away: its slot and blocks are free at once. */
  cancel(id: number): void {
    const seq = this.byId.get(id);
    if (!seq) return;
    this.remove(seq);
  }

  step(): StepResult {
    const emitted: number[] = [];
    const finished: number[] = [];
    const preempted: number[] = [];
    const admitted = this.admit();
    // Decode first for sequences already past prefill (they were decoding when the step began).
    let decodeTokens = 0;
    for (const seq of [...this.running]) {
      if (!seq.running || seq.toPrefill > 0) continue;
      if (!this.growFor(seq, preempted)) continue;
      seq.generated++;
      decodeTokens++;
      emitted.push(seq.id);
      if (seq.generated >= seq.output) finished.push(seq.id);
    }
    // Chunked prefill with the step's token budget; a completed prefill yields the next token.
    let budget = this.config.prefillChunkTokens;
    let prefillTokens = 0;
    for (const seq of this.running) {
      if (budget <= 0) break;
      if (seq.toPrefill <= 0) continue;
      const take = Math.min(budget, seq.toPrefill);
      seq.toPrefill -= take;
      budget -= take;
      prefillTokens += take;
      if (seq.toPrefill === 0) {
        if (seq.generated < seq.output) {
          seq.generated++;
          emitted.push(seq.id);
        }
        if (seq.generated >= seq.output) finished.push(seq.id);
      }
    }
    for (const id of finished) this.remove(this.byId.get(id)!);
    return { admitted, emitted, finished, preempted, prefillTokens, decodeTokens };
  }

  /** FIFO admission while a batch slot and the blocks for the sequence's tokens so far are free. */
  private admit(): number[] {
    const admitted: number[] = [];
    while (this.waiting.length > 0 && this.running.length < this.config.maxBatchSize) {
      const head = this.waiting[0]!;
      const need = this.blocksFor(head.prompt + head.generated + 1);
      if (need > this.freeBlocks) {
        // Nothing running and it still does not fit: it never will; let it run on what there is.
        if (this.running.length > 0) break;
      }
      this.waiting.shift();
      const take = Math.min(need, this.freeBlocks);
      this.freeBlocks -= take;
      head.blocks = take;
      head.running = true;
      this.running.push(head);
      admitted.push(head.id);
    }
    return admitted;
  }

  /** Ids of the waiting sequences, in queue order. */
  waitingIds(): number[] {
    return this.waiting.map((s) => s.id);
  }

  /** Ids of the running sequences (for per-model gauges at scrape time; at most maxBatchSize). */
  runningIds(): number[] {
    return this.running.map((s) => s.id);
  }

  /** Makes room for one more token of `seq`, preempting the newest sequences if the cache is full. */
  private growFor(seq: Seq, preempted: number[]): boolean {
    while (this.blocksFor(seq.prompt + seq.generated + 1) > seq.blocks) {
      if (this.freeBlocks > 0) {
        this.freeBlocks--;
        seq.blocks++;
        continue;
      }
      const victim = this.running[this.running.length - 1]!;
      this.preempt(victim);
      preempted.push(victim.id);
      if (victim === seq) return false;
    }
    return true;
  }

  private preempt(seq: Seq): void {
    this.preemptionsTotal++;
    this.freeBlocks += seq.blocks;
    seq.blocks = 0;
    seq.running = false;
    seq.toPrefill = seq.prompt + seq.generated;
    this.running.splice(this.running.indexOf(seq), 1);
    this.waiting.unshift(seq);
  }

  private remove(seq: Seq): void {
    this.byId.delete(seq.id);
    this.freeBlocks += seq.blocks;
    seq.blocks = 0;
    const r = this.running.indexOf(seq);
    if (r >= 0) this.running.splice(r, 1);
    const w = this.waiting.indexOf(seq);
    if (w >= 0) this.waiting.splice(w, 1);
    seq.running = false;
  }

  private blocksFor(tokens: number): number {
    return Math.ceil(tokens / this.config.kvBlockTokens);
  }
}
