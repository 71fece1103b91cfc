import type { AddressInfo } from 'node:net';
import type { ServerType } from '@hono/node-server';
import { PlatformStartError } from '../errors/platform-start-error.js';
import { createTlsServer } from '../tls/https-server.js';
import type { LocalTls } from '../tls/local-tls.js';
import { type ConnectionLimits, serverOptions } from './listener.js';

/** The HTTPS port when none is given: the next one after the HTTP port (any free one for port 0 or 65535). */
export function defaultTlsPort(httpPort: number): number {
  return httpPort === 0 || httpPort >= 65535 ? 0 : httpPort + 1;
}

/** Starts the HTTPS listener; resolves with it and its URL, or fails with a message a person can act on. */
export async function listenTls(
  fetch: (req: Request, env: unknown) => Response | Promise<Response>,
  tls: LocalTls,
  host: string,
  port: number,
  limits: ConnectionLimits,
): Promise<{ server: ServerType; url: string }> {
  const server = await createTlsServer(fetch, tls, host, serverOptions(limits));
  await new Promise<void>((ok, fail) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      fail(
        new PlatformStartError(
          err.code === 'EADDRINUSE'
            ? `HTTPS port ${port} on ${host} is already in use (HTTPS listens on the HTTP port + 1 unless tlsPort is given): stop the other server or choose another port`
            : `cannot listen for HTTPS on ${host}:${port}: ${err.message}`,
        ),
      );
    });
    server.listen(port, host, () => ok());
  });
  const { port: bound } = server.address() as AddressInfo;
  return { server, url: `https://${host.includes(':') ? `[${host}]` : host}:${bound}` };
}

/** The HTTPS address that goes with an HTTP one before the platform listens (`…:8080` → `https://…:8081`). */
export function tlsBaseUrlFor(baseURL: string): string {
  try {
    const u = new URL(baseURL);
    const port = u.port ? Number(u.port) : u.protocol === 'https:' ? 443 : 80;
    u.protocol = 'https:';
    u.port = String(defaultTlsPort(port));
    return u.origin;
  } catch {
    return 'https://127.0.0.1:8081';
  }
}
