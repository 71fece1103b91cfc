import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { nonce } from '../src/crypto/index.js';
import { randomHex, randomString } from '../src/crypto/random.js';

describe('pooled randomness', () => {
  test('nonces are 32 base62 characters and never repeat, across many refills of the pool', () => {
    const seen = new Set<string>();
    // 20,000 nonces use far more bytes than one 4 KiB pool holds.
    for (let i = 0; i < 20_000; i++) {
      const n = nonce();
      assert.match(n, /^[0-9A-Za-z]{32}$/);
      seen.add(n);
    }
    assert.equal(seen.size, 20_000);
    assert.match(nonce(7), /^[0-9A-Za-z]{7}$/);
  });

  test('hex values have the asked length and differ each time', () => {
    const values = Array.from({ length: 5000 }, () => randomHex(16));
    for (const v of values) assert.match(v, /^[0-9a-f]{32}$/);
    assert.equal(new Set(values).size, values.length);
    assert.equal(randomHex(4096).length, 8192);
    assert.throws(() => randomHex(4097), RangeError);
  });

  test('characters are drawn evenly, also from an alphabet whose size does not divide 256', () => {
    // 3 letters: byte 255 must be rejected. Without that, 'a' would come up 86 times in 256 instead of
    // a third: ~7,800 too often in 3,000,000 draws, where chance alone moves a count by ~820 (one sd).
    const counts = new Map<string, number>();
    for (const ch of randomString('abc', 3_000_000)) counts.set(ch, (counts.get(ch) ?? 0) + 1);
    assert.deepEqual([...counts.keys()].sort(), ['a', 'b', 'c']);
    for (const n of counts.values()) assert.ok(Math.abs(n - 1_000_000) < 4_000, `count ${n}`);
    assert.throws(() => randomString('a', 4), RangeError);
  });
});
