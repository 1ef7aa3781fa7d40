import { type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';

/** A request that may carry the time it reached the server (stamped before the app sees it). */
export interface Stamped extends IncomingMessage {
  arrival?: number;
}

/** A request stamped and not yet handed to the app. */
interface Waiting {
  readonly arrival: number;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
}

/** The deferring listener, and what the server tells it about new connections. */
export interface Deferred {
  readonly listener: RequestListener;
  /** Call on the server's 'connection' event. */
  readonly onConnection: () => void;
  /** When the oldest request not yet handed to the app arrived (Infinity: none waiting). */
  readonly oldestWaiting: () => number;
  /**
   * When the last request other than a GET arrived (-Infinity: none yet): work, as opposed to the
   * health probes, scrapes and polls that read.
   */
  readonly lastWorkArrival: () => number;
}

/**
 * Stamps each request's arrival as node's parser hands it over and runs the app on it a moment later
 * (a check-phase turn), instead of inside the socket read that delivered it (docs/decisions/0009).
 *
 * Why: when N requests arrive at once, libuv reports their N sockets in one poll and node handles them
 * one after the other. Run inline, request k is only seen (and stamped) after the app has finished
 * requests 0..k-1, so its TTFT clock starts late by k × the app's per-request cost, and a client that
 * times from its write sees that on top of the promised TTFT. Deferred, every request of the burst is
 * stamped within the cost of parsing the ones before it, its TTFT runs from there, and the app's work
 * on it overlaps its TTFT instead of preceding it.
 *
 * The deferred requests run in slices of `sliceMs`: between slices the event loop comes round to due
 * tokens (the scheduler's wake-up) and to sockets with new requests (stamped on arrival), so the first
 * tokens of a burst's early requests do not wait for the whole burst to be handled.
 */
export function deferredListener(app: RequestListener, sliceMs = 2): Deferred {
  /** When the current check phase's first deferred request ran; -1 between phases. */
  let sliceStart = -1;
  /** When the previous check phase began: a connection accepted after it came in the poll just before. */
  let lastSliceStart = -Infinity;
  let lastAcceptAt = -Infinity;
  /** Since when the phases have only accepted (handling nothing); -1 when the last one handled. */
  let acceptingSince = -1;
  /** The rest of this check phase's requests wait for the next turn (an accept-only phase, or the slice is spent). */
  let hold = false;
  /** Requests handed to the app in this check phase, and in the one before it. */
  let handled = 0;
  let handledBefore = 0;
  const endSlice = (): void => {
    sliceStart = -1;
    handledBefore = handled;
    handled = 0;
  };
  // The requests not yet handed to the app, oldest first (they are handed over in arrival order): the
  // token scheduler holds back work that fell due after the oldest of them.
  const waiting: Waiting[] = [];
  let head = 0;
  let lastWorkArrival = -Infinity;
  /** Pulls queued (immediates not yet run). */
  let posted = 0;
  /** How many pulls to keep queued for a turn: twice what a phase handled lately, at least 8. */
  const carry = (): number => Math.max(8, 2 * Math.max(handled, handledBefore));
  const post = (): void => {
    posted++;
    setImmediate(pull);
  };
  // One immediate per request handed over, not one loop over a queue: node runs the ticks and promise
  // jobs an immediate leaves (body reading, parsing, planning: most of a request's work) before the next
  // immediate, so the clock read here covers whole requests and the slice really bounds the work.
  // An immediate is a pull: it hands over the oldest waiting request, whichever arrival posted it. A
  // pull that must wait for the next turn carries over only while fewer than `carry` pulls are queued:
  // with one immediate per waiting request carried from turn to turn, a burst of N arrivals handled a
  // few per slice cost O(N²) immediates (tens per request at 200 arrivals, measured).
  const pull = (): void => {
    posted--;
    if (head === waiting.length) return; // the request it was posted for went with an earlier pull
    const now = performance.now();
    if (sliceStart < 0) {
      // The first pull of this check phase decides what the phase does.
      // libuv accepts one connection per loop turn: when clients open many connections at once (a
      // benchmark's start, one connection per request), each turn that handles requests delays every
      // connection still queued in the kernel, and with it the stamp of its request. While
      // connections keep coming and requests are waiting, a phase only accepts (hands nothing to
      // the app), for at most one slice in a row, so the next turns accept and stamp at once.
      // (A request on a fresh connection at rest waits one extra turn, tens of µs: its deadlines run from
      // its stamp, so a client does not see it.)
      const fresh = lastAcceptAt > lastSliceStart;
      if (fresh && acceptingSince < 0) acceptingSince = now;
      hold = fresh && now - acceptingSince <= sliceMs;
      if (!hold) acceptingSince = -1;
      lastSliceStart = sliceStart = now;
      // Queued before any pull posted below, so it opens the next phase's slice first.
      setImmediate(endSlice);
    } else if (now - sliceStart > sliceMs) hold = true;
    if (hold) {
      // Into the next loop turn: enough pulls for what a slice handled lately (always one at least).
      if (posted < carry()) post();
      return;
    }
    const next = waiting[head]!;
    head++;
    if (head === waiting.length) {
      waiting.length = 0;
      head = 0;
    } else if (head >= 1024 && head * 2 >= waiting.length) {
      // Under a sustained overload the queue may never empty: drop the handed-over front now and then.
      waiting.splice(0, head);
      head = 0;
    }
    handled++;
    // The others wait for pulls: this phase's, or, if none is left, the next turn's.
    for (let n = Math.min(waiting.length - head, carry()); posted < n;) post();
    app(next.req, next.res);
  };
  return {
    listener: (req, res) => {
      const arrival = performance.now();
      if (req.method !== 'GET') lastWorkArrival = arrival;
      (req as Stamped).arrival = arrival;
      waiting.push({ arrival, req, res });
      post();
    },
    onConnection: () => {
      lastAcceptAt = performance.now();
    },
    oldestWaiting: () => (head < waiting.length ? waiting[head]!.arrival : Infinity),
    lastWorkArrival: () => lastWorkArrival,
  };
}
