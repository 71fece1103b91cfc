import { createServer as createHttpsServer } from 'node:https';
import { createAdaptorServer, type ServerType } from '@hono/node-server';
import type { LocalTls } from './local-tls.js';

/**
 * The HTTPS listener. It asks every client for a certificate but lets the handshake succeed
 * without one (`rejectUnauthorized: false`): the APIv2 routes that need mutual TLS decide, and
 * answer in v2's own XML format instead of a reset connection.
 */
export async function createTlsServer(
  fetch: (req: Request, env: unknown) => Response | Promise<Response>,
  tls: LocalTls,
  hostname: string,
  /** Timeouts and the like (see http/listener.ts). */
  extra: Record<string, unknown> = {},
): Promise<ServerType> {
  const server = createAdaptorServer({
    fetch,
    hostname,
    createServer: createHttpsServer,
    serverOptions: { ...extra, ...(await tls.serverOptions()), requestCert: true, rejectUnauthorized: false },
  });
  // A client that breaks off the handshake (wrong protocol, untrusted server certificate) must not
  // take anything down; Node already drops that socket, this only keeps the event handled.
  server.on('tlsClientError', () => {});
  return server;
}
