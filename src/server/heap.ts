import { setFlagsFromString } from 'node:v8';

/**
 * Caps V8's old-generation growth between full collections at `percent` (0: V8's own heuristic).
 *
 * Why: by default V8 lets the old generation grow up to 4× what the last full collection kept, and a
 * mock under a saturating load promotes ~5 MB/s of finished requests' state, so a worker grew to
 * ~180 MB resident and kept the pages. With 20 % it collects earlier: ~150 MB after the same load,
 * same throughput, and young-generation pauses ~40 % shorter at 200 timed streams (less old space to
 * scan). Unlike --max-old-space-size it is not a limit: a larger live heap still grows (bench/README.md).
 * The flag is read at every full collection, so setting it once the process runs takes effect.
 */
export function applyHeapGrowth(percent: number): void {
  if (percent > 0) setFlagsFromString(`--heap-growing-percent=${Math.round(percent)}`);
}

/**
 * The young generation's size, on Node's command line where the server is launched (`npm start`, the
 * image's NODE_OPTIONS, cluster workers; not the bin's `#!` line, which would need `env -S`, missing
 * from BusyBox). Why: V8's default lets each of its two semi-spaces grow to 16 MB, which kept a worker
 * at ~125 MB resident at rest and ~145 MB after a saturating load; with 4 MB, ~101 and ~120 MB
 * (bench/README.md, "Memory"). It sizes only the nursery (more frequent, shorter young collections), so
 * unlike --max-old-space-size it cannot make a worker run out of memory. V8 sizes the heap when the
 * isolate is created, so this cannot be set at run time like the growth factor above.
 */
export const SEMI_SPACE_FLAG = '--max-semi-space-size=4';

/** Node takes V8 flags with dashes or underscores. */
const SEMI_SPACE_OPTION = /(^|\s)--max[-_]semi[-_]space[-_]size(=|\s|$)/;

/**
 * Node flags for a cluster worker: the primary's own, plus SEMI_SPACE_FLAG unless the primary's command
 * line or NODE_OPTIONS already chose a size (theirs wins; workers read NODE_OPTIONS themselves).
 */
export function workerExecArgv(execArgv: readonly string[], nodeOptions: string | undefined): string[] {
  const chosen = execArgv.some((a) => SEMI_SPACE_OPTION.test(a)) || SEMI_SPACE_OPTION.test(nodeOptions ?? '');
  return chosen ? [...execArgv] : [...execArgv, SEMI_SPACE_FLAG];
}
