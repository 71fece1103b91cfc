import { FieldReader } from '../../http/validator.js';
import type { JournalFilter } from './journal.repository.js';

export const DEFAULT_PAGE = 50;
export const MAX_PAGE = 500;

/** `GET /admin/requests` query: filters, page size and the cursor of the previous page. */
export function parseListQuery(query: Record<string, string>): JournalFilter {
  const q = new FieldReader(query, 'query');
  const mchid = q.string('/mchid', { max: 32 });
  const api = q.string('/api', { max: 100 });
  const status = q.string('/status', {
    pattern: /^(?:[1-5]xx|[0-9]{1,3})$/,
    patternIssue: 'must be a status such as 200 or 401, or a class such as 4xx',
  });
  const code = q.string('/code', { max: 64 });
  const requestId = q.string('/request_id', { max: 64 });
  const before = q.string('/before', { pattern: /^[0-9a-f]{1,32}$/, patternIssue: 'must be a next cursor' });
  return {
    ...(mchid !== undefined ? { mchid } : {}),
    ...(api !== undefined ? { api } : {}),
    ...(status !== undefined ? { status: statusRange(status) } : {}),
    ...(code !== undefined ? { code } : {}),
    ...(requestId !== undefined ? { requestId } : {}),
    ...(before !== undefined ? { before } : {}),
    limit: q.integer('/limit', { min: 1, max: MAX_PAGE }) ?? DEFAULT_PAGE,
  };
}

function statusRange(status: string): { from: number; to: number } {
  if (status.endsWith('xx')) {
    const from = Number(status[0]) * 100;
    return { from, to: from + 99 };
  }
  return { from: Number(status), to: Number(status) };
}
