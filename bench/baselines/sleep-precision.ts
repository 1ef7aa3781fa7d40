/**
 * Baseline for the timing scenario: how late this machine wakes a thread that sleeps 5 ms, measured
 * the same way the server's ticker thread sleeps (Atomics.wait on a futex). Whatever this shows at
 * p99 is a floor under any server's ITL error here, because a late wake makes two tokens share a read.
 * Prints JSON: the lateness (ms) p50, p99 and max over `seconds` of back-to-back sleeps.
 */
const seconds = Number(process.argv[2] ?? '5');
const sleepMs = Number(process.argv[3] ?? '5');
const cell = new Int32Array(new SharedArrayBuffer(4));
const late: number[] = [];
const end = performance.now() + seconds * 1000;
while (performance.now() < end) {
  const t0 = performance.now();
  Atomics.wait(cell, 0, 0, sleepMs);
  late.push(performance.now() - t0 - sleepMs);
}
late.sort((a, b) => a - b);
const at = (q: number): number => late[Math.min(late.length - 1, Math.floor(q * late.length))]!;
console.log(JSON.stringify({ sleepMs, n: late.length, p50: at(0.5), p99: at(0.99), max: late[late.length - 1]! }));
