/**
 * The precise half of the token scheduler. libuv timers have 1 ms resolution; instead of busy-polling
 * the event loop for the last millisecond (which burns a core that the benchmark client on the same
 * machine needs), this thread sleeps on a futex (Atomics.wait, sub-millisecond timeouts) until the
 * earliest deadline and then wakes the event loop with one message. The loop itself stays idle in epoll.
 *
 * Shared memory: ctl[0] = sequence number (bumped on every deadline change), deadline[0] = absolute
 * due time in epoch ms (timeOrigin + performance.now()), Infinity when nothing is scheduled.
 */
import { parentPort, workerData } from 'node:worker_threads';

const { ctl, deadline } = workerData as { ctl: Int32Array; deadline: Float64Array };
const origin = performance.timeOrigin;
parentPort!.postMessage('ready');

for (;;) {
  const seq = Atomics.load(ctl, 0);
  const due = deadline[0]!;
  if (due === Infinity) {
    Atomics.wait(ctl, 0, seq);
    continue;
  }
  const remaining = due - (origin + performance.now());
  if (remaining > 0) {
    Atomics.wait(ctl, 0, seq, remaining);
    continue;
  }
  parentPort!.postMessage(seq);
  // One wake per deadline: sleep until the event loop has run and set the next one.
  Atomics.wait(ctl, 0, seq);
}
