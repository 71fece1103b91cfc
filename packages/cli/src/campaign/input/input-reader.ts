import { parseCsvRecord } from './csv.js';
import { InputError } from './input-error.js';
import { detectFormat, type InputFormat } from './input-format.js';

/** One recipient row as read from the input, with where the input stands after it (for resuming). */
export interface InputRecord {
  openid: string;
  fields: Record<string, string>;
  /** 1-based physical line the record started on, for messages. */
  line: number;
  /** Absolute byte offset just past this record: the place to seek to when resuming after it. */
  endOffset: number;
  /** Physical lines consumed up to and including this record. */
  endLine: number;
}

export interface ReadOptions {
  /** Known from the journal when resuming; detected from the first line otherwise. */
  format?: InputFormat | undefined;
  /** Absolute byte offset at which `chunks` begins (a file opened at a saved offset). */
  startOffset?: number;
  /** Lines already behind `startOffset`, so line numbers stay true after a seek. */
  startLine?: number;
  /** Records to read and drop first (stdin cannot seek, so a resumed read skips what the journal holds). */
  skipRecords?: number;
  /** Called once the format is known, before the first record. */
  onFormat?: (format: InputFormat) => void;
}

const NEWLINE = 0x0a;

/**
 * Streams recipients from raw input chunks. Only the current line is held in memory, so a list of a million
 * openids costs no more than a list of ten; offsets are counted in bytes so a resumed run can seek straight to
 * where the journal stopped.
 */
export async function* readRecipients(chunks: AsyncIterable<Buffer>, options: ReadOptions = {}) {
  let format = options.format;
  let offset = options.startOffset ?? 0;
  let lineNo = options.startLine ?? 0;
  let toSkip = options.skipRecords ?? 0;
  let pendingText: string | undefined;
  let pendingLine = 0;
  if (format) options.onFormat?.(format);

  function* takeLine(raw: string, bytes: number): Generator<InputRecord> {
    const isFirst = offset === 0;
    offset += bytes;
    lineNo++;
    let text = raw;
    if (isFirst && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    if (text.endsWith('\r')) text = text.slice(0, -1);

    if (pendingText !== undefined) {
      text = `${pendingText}\n${text}`;
    } else {
      if (text.trim() === '') return;
      pendingLine = lineNo;
    }
    if (!format) {
      format = detectFormat(text, parseCsvRecord);
      options.onFormat?.(format);
      if (format.kind === 'csv') return;
    }
    let openid: string;
    const fields: Record<string, string> = {};
    if (format.kind === 'lines') {
      openid = text.trim();
    } else {
      const cells = parseCsvRecord(text);
      if (cells === undefined) {
        pendingText = text;
        return;
      }
      pendingText = undefined;
      if (cells.every((c) => c.trim() === '')) return;
      openid = '';
      format.header.forEach((name, i) => {
        const value = (cells[i] ?? '').trim();
        if (name === 'openid') openid = value;
        else if (value !== '') fields[name] = value;
      });
    }
    if (toSkip > 0) {
      toSkip--;
      return;
    }
    yield { openid, fields, line: pendingLine, endOffset: offset, endLine: lineNo };
  }

  // Whole lines are decoded a region at a time; byte lengths are only measured when the region is not pure ASCII.
  function* takeRegion(region: Buffer, final: boolean): Generator<InputRecord> {
    const text = region.toString('utf8');
    const ascii = text.length === region.length;
    const lines = text.split('\n');
    const last = lines.length - 1;
    for (let i = 0; i <= last; i++) {
      const line = lines[i]!;
      if (i === last && !final) break;
      if (i === last && line === '') break;
      const bytes = (ascii ? line.length : Buffer.byteLength(line)) + (i < last ? 1 : 0);
      yield* takeLine(line, bytes);
    }
  }

  let carry: Buffer | undefined;
  for await (const chunk of chunks) {
    const nl = chunk.lastIndexOf(NEWLINE);
    if (nl === -1) {
      carry = carry ? Buffer.concat([carry, chunk]) : chunk;
      continue;
    }
    const head = chunk.subarray(0, nl + 1);
    yield* takeRegion(carry ? Buffer.concat([carry, head]) : head, false);
    carry = nl + 1 < chunk.length ? chunk.subarray(nl + 1) : undefined;
  }
  if (carry && carry.length > 0) yield* takeRegion(carry, true);
  if (pendingText !== undefined) {
    throw new InputError(`line ${pendingLine}: a quoted CSV field is never closed`);
  }
}
