import { type ServerResponse } from 'node:http';
import { type TokenGate } from '../engine/runner.js';
import { type ScheduledTask, type TokenScheduler } from '../timing/scheduler.js';

/** A non-streaming answer's timing: when it is due, and what to do then or when the client leaves first. */
export interface OnceStart {
  readonly res: ServerResponse;
  readonly when: number | { readonly gate: TokenGate; readonly extraMs: number };
  readonly scheduler: TokenScheduler;
  readonly send: (now: number) => void;
  readonly onDisconnect: (at: number) => void;
}

/**
 * A non-streaming answer: one write when it is due. Open loop: one deadline in the same scheduler.
 * Engine model: when the engine produced the last token (plus `extraMs`, an injected stall).
 */
export function scheduleOnce({ res, when, scheduler, send, onDisconnect }: OnceStart): void {
  const now = performance.now();
  if (typeof when === 'number' && when <= now) {
    send(now); // nothing to wait for (fast mode): no task, no close listener
    return;
  }
  let sent = false;
  const task: ScheduledTask = {
    due: typeof when === 'number' ? when : Infinity,
    slot: -1,
    run(now) {
      sent = true;
      send(now);
    },
  };
  res.once('close', () => {
    if (sent) return;
    sent = true;
    scheduler.cancel(task);
    onDisconnect(performance.now());
  });
  if (typeof when === 'number') {
    scheduler.schedule(task);
    return;
  }
  const check = (): void => {
    if (!when.gate.finished || sent || task.slot >= 0) return;
    task.due = performance.now() + when.extraMs;
    scheduler.schedule(task);
  };
  when.gate.onProgress = check;
  check(); // it may have finished before we got here (cluster mode, see StreamTask.wake)
}
