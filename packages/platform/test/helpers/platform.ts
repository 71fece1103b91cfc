import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPlatform, type Platform, type PlatformOptions } from '../../src/index.js';
import { conforming } from './conformance.js';
import { clientFor, type SignedClient } from './signed-fetch.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';

export interface TestPlatform {
  platform: Platform;
  client: SignedClient;
  dataDir: string;
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON
  admin: (method: string, path: string, body?: unknown) => Promise<{ status: number; data: any }>;
  close: () => Promise<void>;
}

/** A platform on a fresh temp data directory, with a signed client for the demo merchant. */
export async function startTestPlatform(options: Partial<PlatformOptions> = {}): Promise<TestPlatform> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'wxcoupon-platform-'));
  // On the PostgreSQL pass each platform gets its own database (see test-database.ts).
  let database: TestDatabase | undefined;
  let platform: Platform;
  try {
    database = options.database === undefined ? await createTestDatabase({ keepIn: options.dataDir }) : undefined;
    platform = await createPlatform({
      log: () => {},
      ...(database?.url ? { database: database.url } : {}),
      ...options,
      dataDir,
    });
  } catch (err) {
    // A platform that failed to start leaves nothing behind either.
    await database?.drop();
    if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  // Every answer a test receives in-process is held to the platform's API document.
  platform.fetch = conforming(platform.fetch);
  const client = clientFor(platform.credentials, platform.fetch, 'http://platform.test');
  const admin = async (method: string, path: string, body?: unknown) => {
    const res = await platform.fetch(
      new Request(`http://platform.test/admin${path}`, {
        method,
        headers: { Authorization: `Bearer ${platform.adminToken}`, 'Content-Type': 'application/json' },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      }),
    );
    const text = await res.text();
    return { status: res.status, data: text ? JSON.parse(text) : undefined };
  };
  return {
    platform,
    client,
    dataDir,
    admin,
    async close() {
      await platform.close();
      await database?.drop();
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
