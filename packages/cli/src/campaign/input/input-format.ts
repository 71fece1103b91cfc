import { InputError } from './input-error.js';

/**
 * How the recipient list is laid out: one openid per line, or CSV whose header names an `openid` column and,
 * optionally, per-recipient fields. Stored in the journal so a resumed read that starts mid-file knows the header.
 */
export type InputFormat = { kind: 'lines' } | { kind: 'csv'; header: string[] };

/** Decides the format from the first non-empty line. */
export function detectFormat(firstLine: string, parse: (line: string) => string[] | undefined): InputFormat {
  const trimmed = firstLine.trim();
  if (!trimmed.includes(',') && trimmed.toLowerCase() !== 'openid') return { kind: 'lines' };
  const header = (parse(trimmed) ?? []).map((h) => h.trim());
  if (!header.some((h) => h.toLowerCase() === 'openid')) {
    throw new InputError(`CSV input needs an "openid" column; the header is: ${header.join(',')}`);
  }
  return { kind: 'csv', header: header.map((h) => (h.toLowerCase() === 'openid' ? 'openid' : h)) };
}
