import { createHash } from 'node:crypto';

// Idempotent writes store a digest of what their request asked for, so that a replay (same number,
// same content) can be told from a reuse of the number for something else. The digest is stored in
// the database: its canonical form must never change.

/** A key-order-independent SHA-256 (hex) of `value`; undefined members are left out. */
export function requestDigest(value: unknown): string {
  return createHash('sha256').update(canonical(value)).digest('hex');
}

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .filter((k) => o[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}
