import { createReadStream, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { requestKey } from '../engine/request-key.js';
import type { Journal, NewRecipient } from '../store/journal.js';
import { InputError } from './input-error.js';
import type { InputFormat } from './input-format.js';
import { readRecipients } from './input-reader.js';

export interface IngestOptions {
  journal: Journal;
  /** A file path, or '-' for stdin. */
  input: string;
  stdin?: Readable;
  keyLength: number;
  /** CSV columns accepted besides openid. */
  fields: readonly string[];
  batchSize?: number;
}

export interface IngestResult {
  /** False when the journal already held the whole input and nothing was read. */
  read: boolean;
  rows: number;
  added: number;
  /** Recipients already journalled, not yet sent, whose row in a changed input has other fields: sent with those. */
  corrected: number;
  duplicates: number;
  invalid: number;
  /** CSV columns this API does not take (a name or phone column, or a misspelt field): read and left out. */
  ignoredColumns: string[];
}

const OPENID = /^[A-Za-z0-9_-]{1,128}$/;

/**
 * Copies the recipient list into the journal, with each recipient's idempotency key, before anything is sent.
 * Reading is streamed in batches, each committed together with the input offset it reaches, so a run killed
 * mid-read resumes by seeking to that offset (or, for stdin, by skipping that many records) instead of starting over.
 */
export async function ingestInput(o: IngestOptions): Promise<IngestResult> {
  const { journal } = o;
  const meta = journal.meta();
  if (!meta) throw new Error('journal has no campaign');
  const fromStdin = o.input === '-';
  const source = fromStdin ? '-' : resolve(o.input);
  let size: number | null = null;
  let mtimeMs: number | null = null;
  if (!fromStdin) {
    try {
      const st = statSync(source);
      size = st.size;
      mtimeMs = st.mtimeMs;
    } catch (cause) {
      throw new InputError(`cannot read --input ${o.input}: ${(cause as Error).message}`);
    }
  }
  const prior = meta.ingest;
  const sameInput = prior.source === source && (fromStdin || (prior.size === size && prior.mtimeMs === mtimeMs));
  if (prior.done && (sameInput || fromStdin)) {
    return { read: false, rows: prior.rows, added: 0, corrected: 0, duplicates: 0, invalid: 0, ignoredColumns: [] };
  }
  const resumeAt = sameInput && prior.format !== null && !prior.done;
  // A pass over a changed input corrects what earlier passes journalled; a resumed pass is the same input.
  const correctBefore = resumeAt || prior.source === null ? undefined : Date.now();
  journal.beginIngest(source, size, mtimeMs, !resumeAt);

  let chunks: AsyncIterable<Buffer>;
  let startOffset = 0;
  let startLine = 0;
  let skipRecords = 0;
  let rows = 0;
  if (resumeAt && !fromStdin) {
    startOffset = prior.bytes;
    startLine = prior.lines;
    rows = prior.rows;
    chunks = createReadStream(source, { start: startOffset, highWaterMark: 1 << 18 });
  } else if (fromStdin) {
    skipRecords = resumeAt ? prior.rows : 0;
    rows = skipRecords;
    chunks = o.stdin ?? process.stdin;
  } else {
    chunks = createReadStream(source, { highWaterMark: 1 << 18 });
  }

  const accepted = new Set(o.fields);
  const batchSize = o.batchSize ?? 2000;
  let batch: NewRecipient[] = [];
  let checkpoint = { bytes: startOffset, lines: startLine, rows };
  const result: IngestResult = {
    read: true,
    rows: 0,
    added: 0,
    corrected: 0,
    duplicates: 0,
    invalid: 0,
    ignoredColumns: [],
  };
  const flush = () => {
    if (batch.length === 0) return;
    const { added, corrected } = journal.ingest(batch, checkpoint, correctBefore);
    result.added += added;
    result.corrected += corrected;
    result.duplicates += batch.length - added - corrected;
    batch = [];
  };

  const records = readRecipients(chunks, {
    // stdin starts again from its first byte, header included, so its format is detected again.
    format: resumeAt && !fromStdin ? (prior.format as InputFormat) : undefined,
    startOffset,
    startLine,
    skipRecords,
    onFormat: (format) => {
      if (format.kind === 'csv') {
        result.ignoredColumns = format.header.filter((h) => h !== 'openid' && !accepted.has(h));
      }
      journal.setFormat(format);
    },
  });
  for await (const r of records) {
    rows++;
    checkpoint = { bytes: r.endOffset, lines: r.endLine, rows };
    if (r.openid === '') {
      result.invalid++;
      continue;
    }
    const entry: NewRecipient = {
      openid: r.openid,
      requestNo: requestKey(meta.campaignId, r.openid, o.keyLength),
      fields: pick(r.fields, accepted),
    };
    if (!OPENID.test(r.openid)) {
      result.invalid++;
      entry.state = 'failed';
      entry.errorCode = 'INVALID_OPENID';
      entry.errorMessage = `line ${r.line}: an openid is 1-128 letters, digits, "_" or "-"`;
    }
    batch.push(entry);
    if (batch.length >= batchSize) flush();
  }
  flush();
  journal.finishIngest();
  result.rows = rows;
  return result;
}

function pick(fields: Record<string, string>, accepted: Set<string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(fields)) if (accepted.has(k)) out[k] = v;
  return out;
}
