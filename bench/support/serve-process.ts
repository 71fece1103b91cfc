// `wxcoupon serve` as a separate process for the benchmarks, started as the command starts it (the thread
// pool set up first, then the CLI from its sources), on a data directory of its own.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../packages/cli/src/main.ts', import.meta.url));
const THREAD_POOL = fileURLToPath(new URL('../../packages/cli/bin/thread-pool.cjs', import.meta.url));

export interface ServeProcess {
  child: ChildProcess;
  pid: number;
  url: string;
  /** SIGTERM, then the exit (the workers drain and exit first). */
  stop(): Promise<void>;
}

export async function startServeProcess(dataDir: string, args: string[]): Promise<ServeProcess> {
  const child = spawn(
    process.execPath,
    [
      '--require',
      THREAD_POOL,
      '--conditions=source',
      '--import',
      'tsx',
      MAIN,
      'serve',
      '--port',
      '0',
      '--data',
      dataDir,
      '--log-format',
      'off',
      ...args,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  const exited = once(child, 'exit');
  const url = await new Promise<string>((ok, fail) => {
    const onData = (d: Buffer) => {
      out += d;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m?.[1] && out.includes('Ctrl-C')) ok(m[1]);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    exited.then(() => fail(new Error(`serve exited before listening: ${out}`)));
  });
  return {
    child,
    pid: child.pid as number,
    url,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
