import { type ChildProcess, spawn } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { fileURLToPath } from 'node:url';

// `wxcoupon serve` itself as a child process, started as the command starts it (thread pool first, then
// the CLI), for tests of what the command does with signals, limits and its settings.

const MAIN = fileURLToPath(new URL('../../../../cli/src/main.ts', import.meta.url));
const LIMITED = fileURLToPath(new URL('./serve-limited.ts', import.meta.url));
const THREAD_POOL = fileURLToPath(new URL('../../../../cli/bin/thread-pool.cjs', import.meta.url));

export interface ServeProcess {
  child: ChildProcess;
  url: string;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  /** Resolves with the exit code (or the signal that ended it). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Ends it with SIGKILL if it is still running (cleanup after a failed test). */
  kill(): Promise<void>;
}

export interface ServeConfig {
  dataDir: string;
  /** Passed as --database (the test database on PostgreSQL). */
  database?: string | undefined;
  args?: string[];
  env?: Record<string, string>;
  /** Limits it to this many open files (soft and hard), from once its modules are loaded (serve-limited.ts). */
  openFiles?: number;
}

export async function startServe(config: ServeConfig): Promise<ServeProcess> {
  const args = [
    '--require',
    THREAD_POOL,
    '--conditions=source',
    '--import',
    'tsx',
    config.openFiles ? LIMITED : MAIN,
    'serve',
    '--port',
    '0',
    '--data',
    config.dataDir,
    ...(config.database ? ['--database', config.database] : []),
    ...(config.args ?? []),
  ];
  const env = {
    ...process.env,
    ...config.env,
    ...(config.openFiles ? { WXCOUPON_TEST_OPEN_FILES: String(config.openFiles) } : {}),
  };
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
  let out = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.once('exit', (code, signal) => done({ code, signal })),
  );
  const url = await new Promise<string>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`serve did not start in 60 s: ${out}`)), 60_000);
    const onData = (d: Buffer) => {
      out += d;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m?.[1] && out.includes('Ctrl-C')) {
        clearTimeout(timer);
        ok(m[1]);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    exited.then(({ code }) => {
      clearTimeout(timer);
      fail(new Error(`serve exited with ${code} before listening: ${out}`));
    });
  });
  return {
    child,
    url,
    output: () => out,
    exited,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

/**
 * A request on a connection of its own (no keep-alive pool), closed after the answer: a fetch for
 * SignedClient, for tests that must know which connection each request travelled on.
 */
export function fetchOnFreshConnection(req: Request): Promise<Response> {
  return req.text().then(
    (body) =>
      new Promise<Response>((ok, fail) => {
        const headers = Object.fromEntries(req.headers);
        const r = httpRequest(req.url, { method: req.method, headers, agent: false }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', fail);
          res.on('end', () => {
            const h = new Headers();
            for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) h.set(k, String(v));
            ok(
              new Response(res.statusCode === 204 ? null : Buffer.concat(chunks), {
                status: res.statusCode ?? 0,
                headers: h,
              }),
            );
          });
        });
        r.on('error', fail);
        r.end(body);
      }),
  );
}
