import cluster from 'node:cluster';
import { createPlatform, type Platform, PlatformStartError } from '@wxcoupon/platform';
import { BASE_URL_ENV, type WorkerMessage } from './messages.js';
import type { ServeConfig } from './run.js';

// One worker of `serve --workers N`: the whole platform on the primary's database, listening on ports the
// primary holds (node:cluster hands each worker the connections it accepts). The primary has prepared the
// data directory, schema, keys and demo merchant, so this start only reads them.
//
// A worker whose primary vanishes (kill -9) is ended by node:cluster itself as soon as the IPC channel
// closes; its copies of the listening sockets close with it, so a new `serve` can bind the ports at once.

export async function serveWorker(config: ServeConfig): Promise<number> {
  // Listened for from the start: a stop may come while the platform is still starting. The primary forwards
  // its signal, and one sent to the whole process group (Ctrl-C) arrives here as well: each starts the same
  // drain. The primary alone decides that a second signal exits at once.
  const stop = new Promise<void>((resolve) => {
    process.on('SIGINT', () => resolve());
    process.on('SIGTERM', () => resolve());
  });
  const baseURL = process.env[BASE_URL_ENV];
  let platform: Platform;
  try {
    platform = await createPlatform({ ...config.platform, ...(baseURL ? { baseURL } : {}) });
    try {
      const l = await platform.listen(config.listen);
      await tell({ type: 'listening', url: l.url, tlsUrl: l.tlsUrl, maxConnections: l.maxConnections });
    } catch (err) {
      await platform.close({ drainTimeoutMs: 0 });
      throw err;
    }
  } catch (err) {
    await tell({
      type: 'failed',
      message:
        err instanceof Error
          ? err instanceof PlatformStartError
            ? err.message
            : (err.stack ?? err.message)
          : String(err),
      startError: err instanceof PlatformStartError,
    });
    cluster.worker?.disconnect();
    return 1;
  }
  await stop;
  const result = await platform.close({ drainTimeoutMs: config.drainTimeoutMs });
  await tell({ type: 'stopped', ...result });
  // Closes the IPC channel as an intended exit; the process ends when nothing else is left to do.
  cluster.worker?.disconnect();
  return 0;
}

function tell(message: WorkerMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send || !process.connected) resolve();
    else process.send(message, undefined, {}, () => resolve());
  });
}
