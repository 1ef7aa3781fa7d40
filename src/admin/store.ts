import { type AdminHost, type AdminOp } from './host.js';

/** The admin operations as a worker reaches them: the local host, or the cluster primary's over IPC. */
export interface AdminStore {
  call(op: AdminOp): Promise<unknown>;
}

export function localAdminStore(host: AdminHost): AdminStore {
  return { call: (op) => Promise.resolve(host.handle(op)) };
}
