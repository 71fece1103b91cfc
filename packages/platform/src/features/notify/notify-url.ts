import { isIP } from 'node:net';

/**
 * Why a notification URL is refused, or undefined when it is acceptable. The real service demands
 * https without a query (coupon-api.md §1.5); http:// is accepted on loopback hosts (127.0.0.0/8,
 * ::1, localhost) so that a developer's local receiver works.
 */
export function notifyUrlProblem(text: string): string | undefined {
  if (!URL.canParse(text)) return 'must be an absolute https URL';
  const url = new URL(text);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url.hostname)))
    return 'must use https (http is accepted on loopback hosts only: 127.0.0.0/8, ::1, localhost)';
  if (url.search || text.includes('?')) return 'must not carry query parameters';
  if (url.hash) return 'must not carry a fragment';
  if (url.username || url.password) return 'must not carry credentials';
  return undefined;
}

export function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) === 6) return host === '::1' || host === '0:0:0:0:0:0:0:1';
  return false;
}
