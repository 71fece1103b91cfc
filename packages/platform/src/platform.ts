import { accessSync, constants as fsConstants } from 'node:fs';
import type { Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { createAdaptorServer, type ServerType } from '@hono/node-server';
import { sql } from 'kysely';
import { loadAdminToken } from './admin-token.js';
import { buildApp } from './app.js';
import { systemClock } from './clock.js';
import type { PlatformContext, PlatformServices } from './context.js';
import { type Db, databaseTarget, openDatabase } from './db/database.js';
import { committedSoFar } from './db/durability.js';
import { migrateToLatest } from './db/migrate.js';
import { PlatformStartError } from './errors/platform-start-error.js';
import { PlatformClock } from './features/clock/platform-clock.js';
import type { StopFunction } from './features/feature.js';
import { features as allFeatures } from './features/index.js';
import { DEFAULT_JOURNAL } from './features/journal/journal.service.js';
import { Hooks } from './hooks.js';
import { accessLog } from './http/access-log.js';
import { connectionCap, openFileLimit } from './http/fd-limit.js';
import { defaultTlsPort, listenTls } from './http/listen-tls.js';
import { type ConnectionLimits, DEFAULT_TIMEOUTS, Listener, serverOptions } from './http/listener.js';
import { PlatformKeys } from './keys/platform-keys.js';
import type { PlatformOptions } from './options.js';
import { preparePrivateDir } from './private-files.js';
import { type DemoCredentials, writeCredentials } from './provision/credentials.js';
import { provisionDemo } from './provision/demo.js';
import { DatabaseRateLimiter } from './rate-limit/database-rate-limiter.js';
import { RATE_LIMIT_APIS, resolveRateLimits, unknownRateLimitNames } from './rate-limit/limits.js';
import { LocalTls } from './tls/local-tls.js';

export interface ListenOptions {
  host?: string;
  port?: number;
  /** The HTTPS (mutual TLS) port: default the HTTP port + 1 (any free port when port is 0); false: none. */
  tlsPort?: number | false;
  /** A request's headers must arrive within this long of its first byte; default 10 s. */
  headersTimeoutMs?: number;
  /** The whole request, body included, must arrive within this long of its first byte; default 30 s. */
  bodyTimeoutMs?: number;
  /** An idle keep-alive connection is closed after this long; default 5 s. */
  keepAliveTimeoutMs?: number;
  /**
   * Open connections per listener. Beyond it the connection idle longest is closed for the newcomer.
   * Default: the open-file limit less a reserve, shared by the listeners.
   */
  maxConnections?: number;
}

export interface CloseOptions {
  /** How long requests in flight get to be answered; then their connections are closed. Default 10 s. */
  drainTimeoutMs?: number;
}

export interface CloseResult {
  /** Requests in a handler when close() began. */
  inFlight: number;
  /** Of those, how many were still unanswered at the drain deadline (their connections were closed). */
  cut: number;
}

export const DEFAULT_DRAIN_TIMEOUT_MS = 10_000;

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
  listen(options?: ListenOptions): Promise<{
    url: string;
    server: ServerType;
    tlsUrl: string | undefined;
    tlsServer: ServerType | undefined;
    /** The connection cap of each listener. */
    maxConnections: number;
  }>;
  /**
   * Stops accepting connections, lets every request in a handler be answered (up to the drain timeout),
   * lets background work finish or hand it back, commits, and closes the database. Calling it again
   * returns the same promise.
   */
  close(options?: CloseOptions): Promise<CloseResult>;
}

export async function createPlatform(options: PlatformOptions): Promise<Platform> {
  const dataDir = resolve(options.dataDir);
  // Before anything is opened: a limit for an API that does not exist is a typo, not a setting.
  const unknownLimits = unknownRateLimitNames(options.rateLimits ?? {});
  if (unknownLimits.length > 0)
    throw new PlatformStartError(
      `rateLimits names no API: ${unknownLimits.join(', ')}; the APIs are ${RATE_LIMIT_APIS.join(', ')}`,
    );
  prepareDataDir(dataDir, options.insecurePermissions);
  const log = options.log ?? ((line: string) => console.error(line));
  const target = databaseTarget(options.database, dataDir);
  const db = openDatabase(target);
  const stops: StopFunction[] = [];
  const listeners: Listener[] = [];
  let closing: Promise<CloseResult> | undefined;
  try {
    await reachDatabase(db, target.display);
    await migrateToLatest(db);
    // Keys and certificates are transport: their validity is real time, whatever the platform clock says.
    // Both may generate keys on a first start: in parallel, they take the time of one.
    const [keys, tls, platformClock] = await Promise.all([
      PlatformKeys.load(db, systemClock),
      LocalTls.load(db, systemClock),
      PlatformClock.load(db, options.clock ?? systemClock),
    ]);
    const rateLimits = resolveRateLimits(options.rateLimits);
    const ctx: PlatformContext = {
      db,
      engine: target.engine,
      clock: platformClock.now,
      platformClock,
      keys,
      tls,
      // Counted in the database so that instances sharing it share each merchant's allowance; in real
      // time, since a rate limit guards the transport, not a business rule.
      rateLimiter:
        options.rateLimiter ??
        new DatabaseRateLimiter(db, systemClock, Math.max(...Object.values(rateLimits).map((r) => r.windowMs))),
      rateLimits,
      hooks: new Hooks(),
      dataDir,
      maxSkewSeconds: options.maxSkewSeconds ?? 300,
      autoRegisterUsers: options.autoRegisterUsers ?? true,
      allowFaultHeaders: options.allowFaultHeaders ?? false,
      services: {} as PlatformServices,
      log,
      journal: options.journal === false ? undefined : { ...DEFAULT_JOURNAL, ...options.journal },
      observers: options.accessLog ? [accessLog(options.accessLog)] : [],
      lifecycle: { closing: false },
    };
    for (const f of allFeatures) await f.setup?.(ctx);
    const adminToken = loadAdminToken(dataDir);
    const app = buildApp(ctx, allFeatures, adminToken);
    const credentials = await provisionDemo(ctx, options.baseURL ?? 'http://127.0.0.1:8080');
    // Keys, the demo merchant and its stock are committed before any file or answer refers to them.
    await committedSoFar(db);
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
        const limits: ConnectionLimits = {
          headersTimeoutMs: opts.headersTimeoutMs ?? DEFAULT_TIMEOUTS.headersTimeoutMs,
          bodyTimeoutMs: opts.bodyTimeoutMs ?? DEFAULT_TIMEOUTS.bodyTimeoutMs,
          keepAliveTimeoutMs: opts.keepAliveTimeoutMs ?? DEFAULT_TIMEOUTS.keepAliveTimeoutMs,
          maxConnections: opts.maxConnections ?? connectionCap(opts.tlsPort === false ? 1 : 2, openFileLimit()),
        };
        const server = createAdaptorServer({ fetch: app.fetch, hostname: host, serverOptions: serverOptions(limits) });
        listeners.push(new Listener(server as HttpServer, limits, false));
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
        const { port } = server.address() as AddressInfo;
        const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
        credentials.baseURL = url;
        let tls: { server: ServerType; url: string } | undefined;
        if (opts.tlsPort !== false) {
          tls = await listenTls(app.fetch, ctx.tls, host, opts.tlsPort ?? defaultTlsPort(opts.port ?? 8080), limits);
          listeners.push(new Listener(tls.server as HttpServer, limits, true));
          credentials.tlsBaseURL = tls.url;
        }
        writeCredentials(dataDir, credentials);
        return { url, server, tlsUrl: tls?.url, tlsServer: tls?.server, maxConnections: limits.maxConnections };
      },
      close(opts = {}) {
        closing ??= (async () => {
          ctx.lifecycle.closing = true;
          const drainMs = opts.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS;
          const deadline = Date.now() + drainMs;
          const hurry = new AbortController();
          const timer = setTimeout(() => hurry.abort(), drainMs);
          // Requests drain and background work winds down side by side, within the same deadline.
          const [drained] = await Promise.all([
            Promise.all(listeners.splice(0).map((l) => l.drain(deadline))),
            Promise.all(stops.splice(0).map((stop) => stop(hurry.signal))),
          ]).finally(() => clearTimeout(timer));
          const result = {
            inFlight: drained.reduce((n, d) => n + d.inFlight, 0),
            cut: drained.reduce((n, d) => n + d.cut, 0),
          };
          if (result.cut > 0)
            log(`platform: ${result.cut} requests were still unanswered after ${drainMs} ms and were cut off`);
          // After the last answer: what was answered is journaled and logged before the database closes.
          await Promise.all(ctx.observers.map((o) => o.close?.()));
          // Every answer waited for its group commit; what a cut-off request wrote is committed here.
          await db.destroy();
          return result;
        })();
        return closing;
      },
    };
    return platform;
  } catch (err) {
    for (const stop of stops) await stop(AbortSignal.abort()).catch(() => {});
    await db.destroy().catch(() => {});
    throw err;
  }
}

/**
 * The first statement of a start: a database that cannot be reached (wrong host or port, refused login,
 * missing database, unreadable file) is a start error naming the database, not a stack trace.
 */
async function reachDatabase(db: Db, display: string): Promise<void> {
  try {
    await sql`select 1`.execute(db);
  } catch (err) {
    throw new PlatformStartError(`cannot reach the database ${display}: ${describeDbError(err)}`);
  }
}

function describeDbError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = (err as { code?: unknown }).code;
  // Node's network errors put the code in the message already ("connect ECONNREFUSED 127.0.0.1:5432").
  const message = err.message || (err as AggregateError).errors?.map((e: Error) => e.message).join('; ') || '';
  return typeof code === 'string' && !message.includes(code) ? `${message} (${code})` : message;
}

function prepareDataDir(dataDir: string, insecurePermissions: boolean | undefined): void {
  try {
    preparePrivateDir(dataDir, { insecurePermissions });
    accessSync(dataDir, fsConstants.R_OK | fsConstants.W_OK);
  } catch (err) {
    if (err instanceof PlatformStartError) throw err;
    throw new PlatformStartError(
      `the data directory ${dataDir} cannot be created or is not readable and writable (${(err as NodeJS.ErrnoException).code ?? 'error'}): choose another with --data`,
    );
  }
}
