import { main } from '../src/cli.js';

/**
 * Runs the CLI in this process, as the entry does, with its output captured; a child process only where a test
 * needs one. The CLI writes strings; the test runner's own reports (buffers) still pass through.
 */
export async function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const captured = { stdout: '', stderr: '' };
  const restore = (['stdout', 'stderr'] as const).map((name) => {
    const stream = process[name];
    const write = stream.write;
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      if (typeof chunk !== 'string') return (write as (...a: unknown[]) => boolean).call(stream, chunk, ...rest);
      captured[name] += chunk;
      return true;
    }) as typeof stream.write;
    return () => {
      stream.write = write;
    };
  });
  try {
    return { code: await main(args), ...captured };
  } finally {
    for (const r of restore) r();
  }
}
