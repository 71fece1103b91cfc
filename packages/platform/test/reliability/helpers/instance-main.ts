import { createPlatform } from '../../../src/index.js';
import type { RateLimitSetting } from '../../../src/rate-limit/limits.js';

// One platform instance as its own process, for tests that kill instances. Prints one JSON line
// `{"url": …}` on stdout once it listens; SIGTERM closes it cleanly (SIGKILL is the crash case).
//
//   node --conditions=source --import tsx instance-main.ts '{"dataDir": …, "database": …, "rateLimits": …}'

const config = JSON.parse(process.argv[2] ?? '{}') as {
  dataDir: string;
  database?: string;
  rateLimits?: Record<string, RateLimitSetting>;
};
const platform = await createPlatform({
  dataDir: config.dataDir,
  ...(config.database ? { database: config.database } : {}),
  ...(config.rateLimits ? { rateLimits: config.rateLimits } : {}),
  log: (line) => process.stderr.write(`${line}\n`),
});
const { url } = await platform.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(`${JSON.stringify({ url })}\n`);
process.once('SIGTERM', () => {
  platform.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
});
