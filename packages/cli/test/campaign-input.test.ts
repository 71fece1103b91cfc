import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parseCsvRecord } from '../src/campaign/input/csv.js';
import { InputError } from '../src/campaign/input/input-error.js';
import { type InputRecord, type ReadOptions, readRecipients } from '../src/campaign/input/input-reader.js';

/** Feeds the text in small uneven chunks, so lines and multi-byte characters straddle chunk borders. */
function chunked(text: string, size = 7): AsyncIterable<Buffer> {
  const buf = Buffer.from(text);
  const parts: Buffer[] = [];
  for (let i = 0; i < buf.length; i += size) parts.push(buf.subarray(i, i + size));
  return Readable.from(parts);
}

async function collect(text: string, options: ReadOptions = {}): Promise<InputRecord[]> {
  const out: InputRecord[] = [];
  for await (const r of readRecipients(chunked(text), options)) out.push(r);
  return out;
}

test('a plain list gives one recipient per non-empty line, with CRLF and a BOM tolerated', async () => {
  const rows = await collect('\ufeffo-1\r\n\r\no_2\no3');
  assert.deepEqual(
    rows.map((r) => [r.openid, r.line]),
    [
      ['o-1', 1],
      ['o_2', 3],
      ['o3', 4],
    ],
  );
});

test('CSV with an openid column carries the other columns as per-row fields', async () => {
  const rows = await collect('name,OpenID,coupon_value\n"Li, Lei",o1,100\nHan,o2,\n');
  assert.deepEqual(
    rows.map((r) => [r.openid, r.fields]),
    [
      ['o1', { name: 'Li, Lei', coupon_value: '100' }],
      ['o2', { name: 'Han' }],
    ],
  );
});

test('a quoted CSV field may span lines', async () => {
  const rows = await collect('openid,note\no1,"two\nlines"\no2,x\n');
  assert.deepEqual(
    rows.map((r) => [r.openid, r.fields['note'], r.line]),
    [
      ['o1', 'two\nlines', 2],
      ['o2', 'x', 4],
    ],
  );
});

test('CSV without an openid column is refused with the header shown', async () => {
  await assert.rejects(collect('user,amount\nx,1\n'), (e: unknown) => {
    assert.ok(e instanceof InputError);
    assert.match(e.message, /openid.*user,amount/);
    return true;
  });
});

test('an unclosed quote is reported with its line', async () => {
  await assert.rejects(collect('openid,note\no1,"never closed\n'), /line 2/);
});

test('reading from a saved byte offset continues exactly after the last recorded row', async () => {
  const text = 'openid,coupon_value\no1,1\n\no2,2\no3,3\n';
  const all = await collect(text);
  const cut = all[1]!;
  const rest: InputRecord[] = [];
  const tail = Buffer.from(text).subarray(cut.endOffset);
  for await (const r of readRecipients(Readable.from([tail]), {
    format: { kind: 'csv', header: ['openid', 'coupon_value'] },
    startOffset: cut.endOffset,
    startLine: cut.endLine,
  })) {
    rest.push(r);
  }
  assert.deepEqual(
    rest.map((r) => [r.openid, r.line, r.endOffset]),
    [['o3', 5, Buffer.byteLength(text)]],
  );
});

test('skipping records resumes an unseekable stream', async () => {
  const rows = await collect('a\nb\nc\nd\n', { skipRecords: 2 });
  assert.deepEqual(
    rows.map((r) => r.openid),
    ['c', 'd'],
  );
});

test('CSV records parse quotes, escaped quotes and empty fields', () => {
  assert.deepEqual(parseCsvRecord('a,"b ""c""",,d'), ['a', 'b "c"', '', 'd']);
  assert.equal(parseCsvRecord('a,"open'), undefined);
});

test('a large list streams with flat memory', async () => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const lines = 500_000;
  const block = Buffer.from(
    `${Array.from({ length: 5000 }, (_, i) => `oOPENID_${String(i).padStart(20, '0')}`).join('\n')}\n`,
  );
  async function* generate() {
    for (let i = 0; i < lines / 5000; i++) yield block;
  }
  gc();
  const before = process.memoryUsage().heapUsed;
  let n = 0;
  let peak = 0;
  for await (const r of readRecipients(generate())) {
    n++;
    if (r.openid.length === 0) throw new Error('empty');
    if (n % 100_000 === 0) {
      gc();
      peak = Math.max(peak, process.memoryUsage().heapUsed - before);
    }
  }
  assert.equal(n, lines);
  // 14 MB of openids went through; keeping them (as strings and records) would cost several times that.
  assert.ok(peak < 4 * 1024 * 1024, `heap grew by ${(peak / 1048576).toFixed(1)} MB`);
});
