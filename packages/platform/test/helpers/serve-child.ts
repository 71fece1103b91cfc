// A platform in a child process, for tests that kill it: `serve-child.ts <dataDir>` prints its URL.
import { createPlatform } from '../../src/index.js';

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: serve-child.ts <dataDir>');
const platform = await createPlatform({ dataDir, rateLimits: { 'favor.coupons.send': 1_000_000 }, log: () => {} });
const { url } = await platform.listen({ host: '127.0.0.1', port: 0, tlsPort: false });
process.stdout.write(`${url}\n`);
