import assert from 'node:assert/strict';

// The seed pages put typesetting spaces between Chinese and Latin text (`appid 必填`); the service
// does not. A message matches a seed text when both are equal with those spaces removed.

const TYPESETTING =
  /(?<=[\p{Script=Han}，。（）])\s+(?=[\p{Script=Latin}\d])|(?<=[\p{Script=Latin}\d])\s+(?=[\p{Script=Han}（）])/gu;

export function untypeset(text: string): string {
  return text.replace(TYPESETTING, '');
}

export function assertSeedText(actual: string, seed: string, row: string): void {
  assert.equal(untypeset(actual), untypeset(seed), `${row}: message`);
}

/** An error answer checked against one row of a seed page's error table. */
export function assertRow(
  res: { status: number; code?: string; message?: string },
  row: { status: number; code: string; text: string },
  name = `${row.status} ${row.code} ${row.text}`,
): void {
  assert.equal(res.status, row.status, `${name}: status`);
  assert.equal(res.code, row.code, `${name}: code`);
  assertSeedText(res.message ?? '', row.text, name);
}
