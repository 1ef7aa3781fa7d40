import { type EngineClient, TokenGate } from '../engine/runner.js';
import { type EngineAnswer, type EngineProgress, type WorkerToPrimary } from './messages.js';

/**
 * A worker's view of the primary's engine (cluster mode): submits and cancels go to the primary at
 * once; grants come back once per engine step for all of this worker's requests.
 */
export class RemoteEngine implements EngineClient {
  private nextId = 1;
  private readonly gates = new Map<number, TokenGate>();
  private readonly ids = new Map<TokenGate, number>();
  private readonly answers = new Map<number, (accepted: boolean) => void>();

  constructor(private readonly send: (msg: WorkerToPrimary) => void) {}

  submit(gate: TokenGate, promptTokens: number, outputTokens: number): Promise<boolean> {
    const id = this.nextId++;
    this.gates.set(id, gate);
    this.ids.set(gate, id);
    this.send({ type: 'engine-submit', id, model: gate.model, prompt: promptTokens, output: outputTokens });
    return new Promise((resolve) => this.answers.set(id, resolve));
  }

  cancel(gate: TokenGate): void {
    const id = this.ids.get(gate);
    if (id === undefined) return;
    this.forget(id, gate);
    this.send({ type: 'engine-cancel', id });
  }

  receive(msg: EngineAnswer | EngineProgress): void {
    if (msg.type === 'engine-answer') {
      const resolve = this.answers.get(msg.id);
      this.answers.delete(msg.id);
      if (!msg.accepted) {
        const gate = this.gates.get(msg.id);
        if (gate) this.forget(msg.id, gate);
      }
      resolve?.(msg.accepted);
      return;
    }
    const now = performance.now();
    for (const [id, granted, finished, admitted] of msg.updates) {
      const gate = this.gates.get(id);
      if (!gate) continue;
      if (admitted === 1 && gate.admittedAt === null) gate.admittedAt = now;
      gate.granted = Math.max(gate.granted, granted);
      if (finished === 1) {
        gate.finished = true;
        this.forget(id, gate);
      }
      gate.onProgress?.();
    }
  }

  private forget(id: number, gate: TokenGate): void {
    this.gates.delete(id);
    this.ids.delete(gate);
  }
}
