import { type Worker } from 'node:cluster';
import { type Config } from '../config/options.js';
import { EngineRunner, engineConfig, TokenGate } from '../engine/runner.js';
import { TokenScheduler } from '../timing/scheduler.js';
import { type EngineSubmit, type PrimaryToWorker } from './messages.js';

type Update = [number, number, number, number];

/**
 * The one engine of a cluster (engine model with --workers > 1), in the primary: every worker's
 * requests share its queue, batch and KV cache, so its state is the server's. Admission is answered at
 * once; each step's grants leave as one message per worker that has news.
 */
export class EngineHost {
  readonly runner: EngineRunner;
  private readonly byWorker = new Map<Worker, Map<number, TokenGate>>();
  private readonly outgoing = new Map<Worker, Update[]>();

  constructor(config: Config) {
    this.runner = new EngineRunner(engineConfig(config), config.stepMs, new TokenScheduler());
    this.runner.onStep(() => this.flush());
  }

  submit(worker: Worker, msg: EngineSubmit): void {
    const gate = new TokenGate(msg.model);
    const push = (admitted: number): void => {
      let list = this.outgoing.get(worker);
      if (!list) this.outgoing.set(worker, (list = []));
      list.push([msg.id, gate.granted, gate.finished ? 1 : 0, admitted]);
    };
    gate.onAdmitted = () => push(1);
    gate.onProgress = () => push(0);
    const accepted = this.runner.submit(gate, msg.prompt, msg.output);
    if (accepted) {
      let gates = this.byWorker.get(worker);
      if (!gates) this.byWorker.set(worker, (gates = new Map()));
      gates.set(msg.id, gate);
    }
    send(worker, { type: 'engine-answer', id: msg.id, accepted });
  }

  cancel(worker: Worker, id: number): void {
    const gates = this.byWorker.get(worker);
    const gate = gates?.get(id);
    if (!gate) return;
    gates!.delete(id);
    this.runner.cancel(gate);
  }

  /** A worker died: its requests are gone with their connections. */
  workerGone(worker: Worker): void {
    for (const gate of this.byWorker.get(worker)?.values() ?? []) this.runner.cancel(gate);
    this.byWorker.delete(worker);
    this.outgoing.delete(worker);
  }

  private flush(): void {
    for (const [worker, updates] of this.outgoing) {
      const gates = this.byWorker.get(worker);
      for (const [id, , finished] of updates) if (finished === 1) gates?.delete(id);
      send(worker, { type: 'engine-progress', updates });
    }
    this.outgoing.clear();
  }
}

function send(worker: Worker, msg: PrimaryToWorker): void {
  if (worker.isConnected()) worker.send(msg);
}
