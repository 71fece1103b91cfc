import type { Readable } from 'node:stream';
import type { FetchLike } from '@wxcoupon/sdk';

/** The process surroundings a command uses, passed in so tests can run commands in-process. */
export interface CommandIO {
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stdin: Readable;
  env: NodeJS.ProcessEnv;
  /** Aborted on SIGINT/SIGTERM: the run stops taking recipients and records what is in flight. */
  signal?: AbortSignal;
  /** Send through this fetch instead of the network (an in-process platform, a fault injector). */
  fetch?: FetchLike;
}

export function processIO(signal?: AbortSignal): CommandIO {
  const io: CommandIO = { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env };
  if (signal) io.signal = signal;
  return io;
}
