import assert from 'node:assert/strict';
import { test } from 'node:test';
import { requestDigest } from '../src/request-digest.js';

// The digest is stored beside every idempotent write, so its canonical form is pinned: these are the
// values the recursive form gave before the digest was rewritten without recursion.

test('the digest of known values is unchanged', () => {
  const known: Array<[unknown, string]> = [
    [1, '6b86b273ff34fce19d6b804eff5a3f5747ada4eaa22f1d49c01e52ddb7875b4b'],
    ['a', 'ac8d8342bbb2362d13f0a559a3621bb407011368895164b628a54f7fc33fc43c'],
    [null, '74234e98afe7498fb5daf1f36ac2d78acc339464f950703b8c019892f982b90b'],
    [[], '4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945'],
    [{}, '44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a'],
    [[1, [2, [3]], {}], '8fa07fd2f9ff0f8ab49b086cbc12e0c4d654d5114f3b01c43f956b3072d599f1'],
    [
      { b: 1, a: [undefined, null, { z: 'x"y', y: undefined }] },
      '1e1b1554b5a13ae6ae3333e1b9cbcb7732a4cc5730e88fa6e84f60900c471096',
    ],
    [{ '': 0, é: [true, false] }, 'd5625546504f3ef91b8431154d16f675be3fcf2308d1bbb934bdd836dfdb9d10'],
    [1.5, '9f29a130438b81170b92a42650f9a94291ecad60bd47af2a3886e75f7f728725'],
  ];
  for (const [value, digest] of known) assert.equal(requestDigest(value), digest, JSON.stringify(value));
});

test('key order does not matter, and undefined members are left out', () => {
  assert.equal(requestDigest({ a: 1, b: [1, { c: 2, d: 3 }] }), requestDigest({ b: [1, { d: 3, c: 2 }], a: 1 }));
  assert.equal(requestDigest({ a: 1, b: undefined }), requestDigest({ a: 1 }));
});

test('no value, however deeply nested, makes the digest throw', () => {
  let array: unknown = 1;
  let object: unknown = 1;
  for (let i = 0; i < 200_000; i++) {
    array = [array];
    object = { a: object };
  }
  assert.match(requestDigest(array), /^[0-9a-f]{64}$/);
  assert.match(requestDigest(object), /^[0-9a-f]{64}$/);
  assert.match(requestDigest(undefined), /^[0-9a-f]{64}$/);
});
