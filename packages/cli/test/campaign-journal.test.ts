import assert from 'node:assert/strict';
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, test } from 'node:test';
import { requestKey } from '../src/campaign/engine/request-key.js';
import { ingestInput } from '../src/campaign/input/ingest.js';
import { Journal } from '../src/campaign/store/journal.js';
import { openids, tempDir } from './campaign-helpers.js';

const tmp = tempDir();
after(tmp.cleanup);
let n = 0;

function newJournal(): { journal: Journal; file: string } {
  const file = join(tmp.dir, `j${n++}.sqlite`);
  const journal = Journal.open(file);
  journal.create({
    campaignId: 'm:favor:s',
    api: 'favor',
    stockId: 's',
    mchid: 'm',
    createdAt: new Date().toISOString(),
  });
  return { journal, file };
}

const FAVOR_FIELDS = ['coupon_value', 'coupon_minimum'];

test('ingesting stores every recipient with its deterministic key before anything is sent', async () => {
  const { journal } = newJournal();
  const input = join(tmp.dir, 'list.txt');
  const ids = openids(25);
  writeFileSync(input, `${ids.join('\n')}\n${ids[3]}\n`);
  const r = await ingestInput({ journal, input, keyLength: 32, fields: FAVOR_FIELDS, batchSize: 4 });
  assert.deepEqual({ rows: r.rows, added: r.added, duplicates: r.duplicates }, { rows: 26, added: 25, duplicates: 1 });
  const rows = journal.todo(0, 100);
  assert.equal(rows.length, 25);
  for (const [i, row] of rows.entries()) {
    assert.equal(row.openid, ids[i]);
    assert.equal(row.requestNo, requestKey('m:favor:s', ids[i]!, 32));
    assert.equal(row.state, 'pending');
  }
  assert.equal(journal.meta()!.ingest.done, true);
  journal.close();
});

test('a rerun after a complete ingest does not read the input again', async () => {
  const { journal } = newJournal();
  const input = join(tmp.dir, 'once.txt');
  writeFileSync(input, openids(5).join('\n'));
  await ingestInput({ journal, input, keyLength: 32, fields: [] });
  const again = await ingestInput({ journal, input, keyLength: 32, fields: [] });
  assert.equal(again.read, false);
  journal.close();
});

test('a list that grew since the last run is read again and only the new recipients are added', async () => {
  const { journal } = newJournal();
  const input = join(tmp.dir, 'grows.txt');
  const ids = openids(30);
  writeFileSync(input, `${ids.slice(0, 20).join('\n')}\n`);
  await ingestInput({ journal, input, keyLength: 32, fields: [] });
  appendFileSync(input, `${ids.slice(20).join('\n')}\n`);
  const r = await ingestInput({ journal, input, keyLength: 32, fields: [] });
  assert.deepEqual([r.read, r.added, r.duplicates], [true, 10, 20]);
  assert.deepEqual(
    [...journal.all()].map((row) => row.openid),
    ids,
  );
  journal.close();
});

test('an ingest cut short resumes from the saved byte offset without duplicating anyone', async () => {
  const { journal, file } = newJournal();
  const input = join(tmp.dir, 'big.csv');
  const ids = openids(1000);
  writeFileSync(input, `openid,coupon_value\n${ids.map((id, i) => `${id},${i + 1}`).join('\n')}\n`);
  // Simulate a crash mid-read: commit the first 300 recipients and their checkpoint, then stop.
  let seen = 0;
  const { readRecipients } = await import('../src/campaign/input/input-reader.js');
  const { createReadStream } = await import('node:fs');
  journal.beginIngest(input, null, null, true);
  const batch = [];
  let checkpoint = { bytes: 0, lines: 0, rows: 0 };
  for await (const rec of readRecipients(createReadStream(input), { onFormat: (f) => journal.setFormat(f) })) {
    batch.push({ openid: rec.openid, requestNo: requestKey('m:favor:s', rec.openid, 32), fields: rec.fields });
    checkpoint = { bytes: rec.endOffset, lines: rec.endLine, rows: ++seen };
    if (seen === 300) break;
  }
  journal.ingest(batch, checkpoint);
  journal.close();

  const reopened = Journal.open(file);
  const { statSync } = await import('node:fs');
  const st = statSync(input);
  reopened.beginIngest(input, st.size, st.mtimeMs, true);
  reopened.db
    .prepare('UPDATE campaign SET ingested_bytes = ?, ingested_lines = ?, ingested_rows = ? WHERE id = 1')
    .run(checkpoint.bytes, checkpoint.lines, checkpoint.rows);
  const r = await ingestInput({ journal: reopened, input, keyLength: 32, fields: FAVOR_FIELDS });
  assert.equal(r.added, 700, 'only the rows after the offset are read');
  assert.equal(r.duplicates, 0);
  const all = [...reopened.all()];
  assert.equal(all.length, 1000);
  assert.deepEqual(all[999]!.fields, { coupon_value: '1000' });
  reopened.close();
});

test('stdin is resumed by skipping the records the journal already holds', async () => {
  const { journal } = newJournal();
  const ids = openids(10);
  const csv = (n: number) =>
    Buffer.from(
      `openid,coupon_value\n${ids
        .slice(0, n)
        .map((id) => `${id},1`)
        .join('\n')}`,
    );
  await ingestInput({ journal, input: '-', stdin: Readable.from([csv(4)]), keyLength: 32, fields: FAVOR_FIELDS });
  // As if the first read had been cut after 4 rows.
  journal.db.prepare('UPDATE campaign SET ingest_done = 0').run();
  const r = await ingestInput({
    journal,
    input: '-',
    stdin: Readable.from([csv(10)]),
    keyLength: 32,
    fields: FAVOR_FIELDS,
  });
  assert.deepEqual([r.added, r.duplicates], [6, 0]);
  assert.equal([...journal.all()].length, 10);
  journal.close();
});

test('malformed openids are kept as failed rows, and CSV columns the API does not take are left out', async () => {
  const { journal } = newJournal();
  const input = join(tmp.dir, 'bad.txt');
  writeFileSync(input, 'good_1\nbad openid\n');
  const r = await ingestInput({ journal, input, keyLength: 32, fields: [] });
  assert.equal(r.invalid, 1);
  const rows = [...journal.all()];
  assert.equal(rows[1]!.state, 'failed');
  assert.equal(rows[1]!.errorCode, 'INVALID_OPENID');

  const csv = join(tmp.dir, 'cols.csv');
  writeFileSync(csv, 'openid,colour,coupon_value\nx,red,5\n');
  const { journal: j2 } = newJournal();
  const r2 = await ingestInput({ journal: j2, input: csv, keyLength: 32, fields: FAVOR_FIELDS });
  assert.deepEqual(r2.ignoredColumns, ['colour']);
  assert.deepEqual([...j2.all()][0]!.fields, { coupon_value: '5' });
  journal.close();
  j2.close();
});

test('attempts and results survive reopening, and only unsettled recipients remain to do', async () => {
  const { journal, file } = newJournal();
  const input = join(tmp.dir, 'five.txt');
  writeFileSync(input, openids(5).join('\n'));
  await ingestInput({ journal, input, keyLength: 32, fields: [] });
  const [a, b, c, d] = journal.todo(0, 10);
  journal.recordAttempt(a!.seq);
  journal.recordResult(a!.seq, 'sent', { coupon: '123' });
  journal.recordAttempt(b!.seq);
  journal.recordResult(b!.seq, 'skipped', { errorCode: 'USER_ACCOUNT_ABNORMAL' });
  journal.recordAttempt(c!.seq);
  journal.recordResult(c!.seq, 'deferred', { errorCode: 'TIMEOUT', uncertain: true });
  journal.recordAttempt(d!.seq);
  journal.close();

  const again = Journal.open(file);
  const todo = again.todo(0, 10);
  assert.deepEqual(
    todo.map((r) => [r.openid, r.state, r.attempts, r.uncertain]),
    [
      [c!.openid, 'deferred', 1, true],
      [d!.openid, 'pending', 1, false],
      [openids(5)[4], 'pending', 0, false],
    ],
  );
  again.close();
});
