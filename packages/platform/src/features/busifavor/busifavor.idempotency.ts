import type { Transaction } from 'kysely';
import { createOrReplay, type Db } from '../../db/database.js';
import type { Database } from '../../db/schema.js';
import { writeTransaction } from '../../db/transaction.js';
import { ApiError } from '../../errors/api-error.js';
import { requestDigest } from '../../request-digest.js';
import * as repo from './busifavor.repository.js';

// Request numbers (use_request_no, return_request_no, …) make a write happen once: the first
// request's answer is stored in the same transaction as its change, keyed by (merchant, kind,
// number). A replay with the same content gets that answer again; the same number with other
// content is RESOURCE_ALREADY_EXISTS (coupon-api.md §1.6: the busifavor table's answer to a reused
// request number). Concurrent replays meet at the primary key, never at a read.

export interface RequestKey {
  mchid: string;
  kind: string;
  requestNo: string;
  field: string;
}

export async function once<T>(
  db: Db,
  now: number,
  key: RequestKey,
  content: unknown,
  work: (trx: Transaction<Database>) => Promise<T>,
): Promise<T> {
  const hash = requestDigest(content);
  const stored = {
    hash,
    find: () => repo.findRequest(db, key.mchid, key.kind, key.requestNo),
    answer: (row: { response_json: string }) => JSON.parse(row.response_json) as T,
    reused: () => reused(key.field, key.requestNo),
  };
  return createOrReplay(stored, () =>
    writeTransaction(db, async (trx) => {
      const result = await work(trx);
      await repo.insertRequest(trx, {
        mchid: key.mchid,
        kind: key.kind,
        request_no: key.requestNo,
        request_hash: hash,
        response_json: JSON.stringify(result ?? null),
        create_ms: now,
      });
      return result;
    }),
  );
}

export function reused(field: string, value: string): ApiError {
  return new ApiError('RESOURCE_ALREADY_EXISTS', `${field} 已被使用，且请求内容与首次请求不同`, {
    field: `/${field}`,
    value,
    issue: 'the same request number was used before with different parameters',
    location: 'body',
  });
}
