import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readCredentials } from '@wxcoupon/platform';
import { UsageError } from './usage-error.js';

/** A failure answered by the platform's admin API, with its WeChat-style code. */
export class AdminApiError extends Error {
  override name = 'AdminApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(`${code}: ${message}`);
  }
}

export const ADMIN_FLAGS = {
  data: { type: 'string', default: './.wxcoupon' },
  url: { type: 'string' },
  json: { type: 'boolean', default: false },
} as const;

/**
 * Calls the admin API of a running platform. The token comes from `<data>/admin-token`; the URL from
 * --url, else the baseURL in `<data>/demo/credentials.json`, else http://127.0.0.1:8080.
 */
export function adminClient(flags: { data?: string | boolean | undefined; url?: string | boolean | undefined }) {
  const dataDir = resolve(String(flags.data ?? './.wxcoupon'));
  let token: string;
  try {
    token = readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();
  } catch {
    throw new UsageError(
      `no admin token in ${dataDir}: start the platform with \`wxcoupon serve --data ${dataDir}\` first, or pass --data`,
    );
  }
  const base =
    (typeof flags.url === 'string' ? flags.url : readCredentials(dataDir)?.baseURL) ?? 'http://127.0.0.1:8080';
  return async function call<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<T> {
    let res: Response;
    try {
      res = await fetch(`${base.replace(/\/$/, '')}/admin${path}`, {
        method,
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    } catch (err) {
      throw new UsageError(
        `cannot reach the platform at ${base} (${(err as Error).cause ?? (err as Error).message}): is \`wxcoupon serve\` running? pass --url otherwise`,
      );
    }
    const text = await res.text();
    const data = text ? JSON.parse(text) : {};
    if (!res.ok) throw new AdminApiError(res.status, data.code ?? String(res.status), data.message ?? text);
    return data as T;
  };
}

/** Prints a result: JSON with --json, else `key: value` lines. */
export function printResult(data: unknown, json: boolean): void {
  if (json || typeof data !== 'object' || data === null) {
    process.stdout.write(`${JSON.stringify(data, null, 2)}\n`);
    return;
  }
  for (const [k, v] of Object.entries(data)) {
    process.stdout.write(`${k}: ${typeof v === 'object' ? JSON.stringify(v) : String(v)}\n`);
  }
}
