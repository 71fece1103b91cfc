import { accessSync, constants as fsConstants, mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { createAdaptorServer, type ServerType } from '@hono/node-server';
import { systemClock } from './clock.js';
import type { PlatformContext, PlatformServices } from './context.js';
import { databaseTarget, durable, openDatabase } from './db/database.js';
import { migrateToLatest } from './db/migrate.js';
import { PlatformStartError } from './errors/platform-start-error.js';
import { features as allFeatures } from './features/index.js';
import { Hooks } from './hooks.js';
import { buildApp } from './http/app.js';
import { PlatformKeys } from './keys/platform-keys.js';
import type { PlatformOptions } from './options.js';
import { loadAdminToken } from './provision/admin-token.js';
import { type DemoCredentials, writeCredentials } from './provision/credentials.js';
import { provisionDemo } from './provision/demo.js';
import { DatabaseRateLimiter } from './rate-limit/database-rate-limiter.js';
import { resolveRateLimits } from './rate-limit/limits.js';
import { defaultTlsPort, listenTls } from './tls/listen-tls.js';
import { LocalTls } from './tls/local-tls.js';

export interface ListenOptions {
  host?: string;
  port?: number;
  /** The HTTPS (mutual TLS) port: default the HTTP port + 1 (any free port when port is 0); false: none. */
  tlsPort?: number | false;
}

export interface Platform {
  /** The fetch handler: use it in-process (`new Wechatpay({ fetch: platform.fetch })`). */
  fetch: (req: Request) => Promise<Response>;
  /** The demo merchant's credentials (as in `<dataDir>/demo/credentials.json`). */
  credentials: DemoCredentials;
  /** The admin API token (as in `<dataDir>/admin-token`). */
  adminToken: string;
  /** The shared context: database, keys, services. For features, tools and tests. */
  context: PlatformContext;
  /** Starts the HTTP and HTTPS servers; resolves with their URLs. Updates credentials.json's baseURL and tlsBaseURL. */
  listen(
    options?: ListenOptions,
  ): Promise<{ url: string; server: ServerType; tlsUrl: string | undefined; tlsServer: ServerType | undefined }>;
  /** Stops servers and background work and closes the database. */
  close(): Promise<void>;
}

export async function createPlatform(options: PlatformOptions): Promise<Platform> {
  const dataDir = resolve(options.dataDir);
  prepareDataDir(dataDir);
  const clock = options.clock ?? systemClock;
  const log = options.log ?? ((line: string) => console.error(line));
  const target = databaseTarget(options.database, dataDir);
  const db = openDatabase(target);
  const stops: Array<() => Promise<void>> = [];
  const servers: ServerType[] = [];
  try {
    await migrateToLatest(db);
    // Both may generate keys on a first start: in parallel, they take the time of one.
    const [keys, tls] = await Promise.all([PlatformKeys.load(db, clock), LocalTls.load(db, clock)]);
    const ctx: PlatformContext = {
      db,
      engine: target.engine,
      clock,
      keys,
      tls,
      // Counted in the database so that instances sharing it share each merchant's allowance.
      rateLimiter: options.rateLimiter ?? new DatabaseRateLimiter(db, clock),
      rateLimits: resolveRateLimits(options.rateLimits),
      hooks: new Hooks(),
      dataDir,
      maxSkewSeconds: options.maxSkewSeconds ?? 300,
      autoRegisterUsers: options.autoRegisterUsers ?? true,
      allowFaultHeaders: options.allowFaultHeaders ?? false,
      services: {} as PlatformServices,
      log,
    };
    for (const f of allFeatures) await f.setup?.(ctx);
    const adminToken = loadAdminToken(dataDir);
    const app = buildApp(ctx, allFeatures, adminToken);
    const credentials = await provisionDemo(ctx, options.baseURL ?? 'http://127.0.0.1:8080');
    // Keys, the demo merchant and its stock are committed before any file or answer refers to them.
    await durable(db);
    for (const f of allFeatures) {
      const stop = await f.start?.(ctx);
      if (stop) stops.push(stop);
    }
    const fetch = async (req: Request): Promise<Response> => app.fetch(req);
    const platform: Platform = {
      fetch,
      credentials,
      adminToken,
      context: ctx,
      async listen(opts = {}) {
        const host = opts.host ?? '127.0.0.1';
        const server = createAdaptorServer({ fetch: app.fetch, hostname: host });
        await new Promise<void>((ok, fail) => {
          server.once('error', (err: NodeJS.ErrnoException) => {
            fail(
              new PlatformStartError(
                err.code === 'EADDRINUSE'
                  ? `port ${opts.port ?? 8080} on ${host} is already in use: stop the other server or choose another --port`
                  : err.code === 'EACCES'
                    ? `not allowed to listen on ${host}:${opts.port ?? 8080}: choose a port above 1024`
                    : `cannot listen on ${host}:${opts.port ?? 8080}: ${err.message}`,
              ),
            );
          });
          server.listen(opts.port ?? 8080, host, () => ok());
        });
        servers.push(server);
        const { port } = server.address() as AddressInfo;
        const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
        credentials.baseURL = url;
        let tls: { server: ServerType; url: string } | undefined;
        if (opts.tlsPort !== false) {
          tls = await listenTls(app.fetch, ctx.tls, host, opts.tlsPort ?? defaultTlsPort(opts.port ?? 8080));
          servers.push(tls.server);
          credentials.tlsBaseURL = tls.url;
        }
        writeCredentials(dataDir, credentials);
        return { url, server, tlsUrl: tls?.url, tlsServer: tls?.server };
      },
      async close() {
        for (const stop of stops.splice(0)) await stop();
        await Promise.all(
          servers.splice(0).map(
            (s) =>
              new Promise<void>((ok) => {
                s.close(() => ok());
                (s as { closeAllConnections?: () => void }).closeAllConnections?.();
              }),
          ),
        );
        await db.destroy();
      },
    };
    return platform;
  } catch (err) {
    for (const stop of stops) await stop().catch(() => {});
    await db.destroy().catch(() => {});
    throw err;
  }
}

function prepareDataDir(dataDir: string): void {
  try {
    mkdirSync(dataDir, { recursive: true });
    accessSync(dataDir, fsConstants.R_OK | fsConstants.W_OK);
  } catch (err) {
    throw new PlatformStartError(
      `the data directory ${dataDir} cannot be created or is not readable and writable (${(err as NodeJS.ErrnoException).code ?? 'error'}): choose another with --data`,
    );
  }
}
