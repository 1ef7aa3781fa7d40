import { AssertionError } from 'node:assert';
import type { TestContext } from 'node:test';

/**
 * Runs a timing measurement with its checks up to `tries` times, until one attempt passes.
 *
 * On a shared host one descheduling of the server or of the client for 10-30 ms moves a measured latency
 * past any bound tight enough to catch a regression. Such disturbances come and go within a second; a
 * regression fails every attempt, so the test still goes red when the code is wrong. Only failed bounds
 * (`assert.ok`) are retried: an exact check (`equal`, `deepEqual`, `match`: a count, a status, a body) or
 * any other error (a crash, a refused connection) fails at once, as it would not be the host's doing. Each
 * retried attempt is reported as a test diagnostic, and a final failure lists what every attempt saw.
 */
export async function retryTiming(t: TestContext, attempt: (n: number) => Promise<void>, tries = 3): Promise<void> {
  const seen: string[] = [];
  for (let n = 0; n < tries; n++) {
    try {
      await attempt(n);
      return;
    } catch (e) {
      if (!(e instanceof AssertionError) || e.operator !== '==') throw e;
      seen.push(`attempt ${n + 1}: ${e.message}`);
      t.diagnostic(`timing attempt ${n + 1} of ${tries} failed: ${e.message}`);
    }
  }
  throw new AssertionError({ message: seen.join('\n') });
}
