import type { Instance } from './cluster.js';

// biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON
export type AdminAnswer = { status: number; data: any };

/** Calls the admin API of an instance over HTTP; `token` undefined sends no Authorization at all. */
export async function adminCall(
  instance: Instance,
  token: string | undefined,
  method: string,
  path: string,
  body?: unknown,
): Promise<AdminAnswer> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (token !== undefined) headers.Authorization = `Bearer ${token}`;
  const res = await fetch(`${instance.url}/admin${path}`, {
    method,
    headers,
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, data: text ? JSON.parse(text) : undefined };
}
