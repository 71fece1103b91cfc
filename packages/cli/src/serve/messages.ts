// What workers tell the primary over the cluster's IPC channel. The primary tells them to stop as a terminal
// or a container would: with SIGTERM or SIGINT.

/** A worker to the primary. */
export type WorkerMessage =
  | { type: 'listening'; url: string; tlsUrl: string | undefined; maxConnections: number }
  | { type: 'failed'; message: string; startError: boolean }
  | { type: 'stopped'; inFlight: number; cut: number };

/** Set in a worker's environment: its number (1…N), which also marks the process as a worker of serve. */
export const WORKER_ENV = 'WXCOUPON_SERVE_WORKER';
/** Set for a worker started after the first ones: the address credentials.json names until it listens. */
export const BASE_URL_ENV = 'WXCOUPON_SERVE_BASE_URL';

export function isWorkerMessage(m: unknown): m is WorkerMessage {
  const type = typeof m === 'object' && m !== null ? (m as { type?: unknown }).type : undefined;
  return type === 'listening' || type === 'failed' || type === 'stopped';
}
