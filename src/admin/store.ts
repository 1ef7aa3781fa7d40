import { type AdminHost, type AdminOpName, type AdminOpOf, type AdminResults } from './host.js';

/**
 * The admin operations as a worker reaches them: the local host, or the cluster primary's over IPC.
 * null: the primary did not answer in time.
 */
export interface AdminStore {
  call<K extends AdminOpName>(op: AdminOpOf<K>): Promise<AdminResults[K] | null>;
}

export function localAdminStore(host: AdminHost): AdminStore {
  return { call: (op) => Promise.resolve(host.handle(op)) };
}
