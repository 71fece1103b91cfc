import { randomBytes } from 'node:crypto';
import { rfc3339 } from '../../clock.js';
import type { JournalSettings, PlatformContext } from '../../context.js';
import { ApiError } from '../../errors/api-error.js';
import type { RequestObserver, RequestRecord } from '../../http/observe.js';
import { keptBody, keptHeaders } from './journal.redact.js';
import {
  getRow,
  insertRows,
  type JournalFilter,
  type JournalRow,
  type JournalSummaryRow,
  listRows,
  pruneRows,
} from './journal.repository.js';

export const DEFAULT_JOURNAL: JournalSettings = { maxRows: 100_000, maxAgeMs: 7 * 86_400_000 };

/** How long a record may wait in memory before its batch is written. */
const FLUSH_MS = 50;
/** A batch this size is written without waiting. */
const BATCH = 500;
/** Records held while the database is slower than the requests; beyond this the oldest are dropped. */
const MAX_QUEUED = 20_000;
/** Retention runs at most this often (each run is two indexed deletes). */
const PRUNE_EVERY_MS = 5000;

/**
 * The request journal. Requests are queued in memory as they are answered and written in batches
 * afterwards, so no answer waits for its own record; close() writes whatever is still queued, after
 * the last answer. Every instance on one database writes to and reads from the same table.
 */
export class JournalService implements RequestObserver {
  private queue: RequestRecord[] = [];
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private lastPrune = 0;
  private lost = 0;
  private closed = false;

  constructor(
    private readonly ctx: PlatformContext,
    readonly settings: JournalSettings,
  ) {}

  observe(record: RequestRecord): void {
    if (!record.api || this.closed) return;
    if (this.queue.length >= MAX_QUEUED) {
      this.queue.shift();
      this.lost++;
    }
    this.queue.push(record);
    if (this.queue.length >= BATCH) this.schedule(0);
    else this.schedule(FLUSH_MS);
  }

  /** Writes every record queued so far (and runs retention if it is due); resolves once they are stored. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.writing = this.writing.then(() => this.writeQueued());
    return this.writing;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
  }

  /** Deletes what retention no longer keeps; returns how many rows went. */
  async prune(now = Date.now()): Promise<number> {
    this.lastPrune = now;
    return pruneRows(this.ctx.db, now - this.settings.maxAgeMs, this.settings.maxRows);
  }

  async list(filter: JournalFilter): Promise<{ data: Record<string, unknown>[]; next: string | null }> {
    const rows = await listRows(this.ctx.db, filter);
    const page = rows.slice(0, filter.limit);
    return { data: page.map(summary), next: rows.length > filter.limit ? (page.at(-1)?.id ?? null) : null };
  }

  async get(id: string): Promise<Record<string, unknown>> {
    const row = await getRow(this.ctx.db, id);
    if (!row) throw new ApiError('RESOURCE_NOT_EXISTS', `no journaled request ${id}`);
    return detail(row);
  }

  private schedule(ms: number): void {
    if (this.timer && ms > 0) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.flush(), ms);
    this.timer.unref();
  }

  private async writeQueued(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, BATCH);
      try {
        await insertRows(this.ctx.db, await Promise.all(batch.map(toRow)));
      } catch (err) {
        this.lost += batch.length;
        this.ctx.log(`platform: journal: ${batch.length} requests not recorded: ${(err as Error).message}`);
      }
    }
    if (this.lost > 0) {
      this.ctx.log(`platform: journal: ${this.lost} requests were not recorded (the database fell behind)`);
      this.lost = 0;
    }
    const now = Date.now();
    if (now - this.lastPrune >= PRUNE_EVERY_MS) {
      await this.prune(now).catch((err: Error) => this.ctx.log(`platform: journal: retention failed: ${err.message}`));
    }
  }
}

let sequence = 0;
// Processes that share a database (instances, `serve --workers`) each tag their ids: with 48 random bits two
// of them started together (same millisecond, same sequence) do not pick the same tag in practice.
const INSTANCE = randomBytes(6).toString('hex');

/** Sorts by time: milliseconds, then this instance's sequence, then the instance. */
function journalId(ms: number): string {
  sequence = (sequence + 1) % 0x1000000;
  return `${String(ms).padStart(13, '0')}${sequence.toString(16).padStart(6, '0')}${INSTANCE}`;
}

async function toRow(r: RequestRecord): Promise<JournalRow> {
  const responseText = await r.responseBody;
  const request = keptBody(r.note.body);
  const response = keptBody(responseText);
  const signature = r.note.signature ?? { verdict: 'not_applicable' as const, reason: null };
  const responseHeaders = keptHeaders(r.responseHeaders);
  if (r.status !== 0) responseHeaders['request-id'] = r.requestId;
  return {
    id: journalId(r.startMs),
    time_ms: r.startMs,
    request_id: r.requestId,
    mchid: r.note.mchid ?? null,
    method: r.method,
    path: r.target,
    api: r.note.api ?? null,
    status: r.status,
    code: wechatCode(responseText ?? null, r.status),
    latency_ms: Math.round(r.latencyMs * 100) / 100,
    signature_verdict: signature.verdict,
    signature_reason: signature.reason,
    signature_message: signature.message !== undefined ? keptBody(signature.message).body : null,
    signature_explanation: signature.explanation ?? null,
    fault: r.note.fault ?? null,
    request_headers: JSON.stringify(keptHeaders(r.requestHeaders)),
    request_body: request.body,
    request_truncated: request.truncated ? 1 : 0,
    response_headers: JSON.stringify(responseHeaders),
    response_body: response.body,
    response_truncated: response.truncated ? 1 : 0,
  };
}

/** The WeChat code of an answer: v3's `code`, v2's `err_code` (or `return_code` FAIL). */
function wechatCode(body: string | null, status: number): string | null {
  if (!body) return null;
  if (body.startsWith('<xml>')) {
    const err = /<err_code>(?:<!\[CDATA\[)?([^<\]]*)/.exec(body)?.[1];
    if (err) return err;
    return /<return_code>(?:<!\[CDATA\[)?FAIL/.test(body) ? 'FAIL' : null;
  }
  if (status < 400) return null;
  try {
    const code = (JSON.parse(body) as { code?: unknown }).code;
    return typeof code === 'string' ? code : null;
  } catch {
    return null;
  }
}

function summary(r: JournalSummaryRow): Record<string, unknown> {
  return {
    id: r.id,
    request_id: r.request_id,
    time: rfc3339(Number(r.time_ms)),
    mchid: r.mchid,
    method: r.method,
    path: r.path,
    api: r.api,
    status: Number(r.status),
    code: r.code,
    latency_ms: Number(r.latency_ms),
    signature: { verdict: r.signature_verdict, reason: r.signature_reason },
    fault: r.fault,
  };
}

function detail(r: JournalRow): Record<string, unknown> {
  const s = summary(r);
  return {
    ...s,
    signature: {
      ...(s['signature'] as object),
      ...(r.signature_message !== null ? { message: r.signature_message } : {}),
      ...(r.signature_explanation !== null ? { explanation: r.signature_explanation } : {}),
    },
    request: {
      headers: JSON.parse(r.request_headers) as Record<string, string>,
      body: r.request_body,
      truncated: Number(r.request_truncated) === 1,
    },
    response: {
      headers: JSON.parse(r.response_headers) as Record<string, string>,
      body: r.response_body,
      truncated: Number(r.response_truncated) === 1,
    },
  };
}
