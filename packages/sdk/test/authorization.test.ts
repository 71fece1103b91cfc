import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { authorization, parseAuthorization } from '../src/crypto/index.js';

// The APIv3 Authorization header: `WECHATPAY2-SHA256-RSA2048 k="v",k="v"…`, parameters in any order,
// separated by a comma with optional spaces around it, and nothing else.

const PARAMS = {
  mchid: '1900009191',
  nonce_str: '593BEC0C930BF1AFEB40B4A08C8FB242',
  timestamp: '1554208460',
  serial_no: '1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C',
  signature:
    'uOVRnA4qG/MNnYzdQxJanN+zU+lTgIcnU9BxGw5dKjK+VdEUz2FeIoC+D5sB/LN+nGzX3hfZg6r5wT1pl2ZobmIc6p0ldN7J6yDgUzbX8Uk3sD4a4eZVPTBvqNDoUqcYMlZ9uuDdCvNv4TM3c1WzsXUrExwVkI1XO5jCNbgDJ25nkT/c1gIFvqoogl7MdSFGc4W4xZsqCItnqbypR3RuGIlR9h9vlRsy7zJR9PBI83X8alLDIfR1ukt1P7tMnmogZ0cuDY8cZsd8ZlCgLadmvej58SLsIkVxFJ8XyUgx9FmutKSYTmYtWBZ0+tNvfGmbXU7cob8H/4nLBiCwIUFluw==',
};
const SCHEME = 'WECHATPAY2-SHA256-RSA2048';
const pairs = Object.entries(PARAMS).map(([k, v]) => `${k}="${v}"`);

describe('parseAuthorization', () => {
  test('reads the header the SDK writes (the form of the WeChat Pay documentation)', () => {
    assert.equal(
      authorization(PARAMS),
      `${SCHEME} mchid="1900009191",nonce_str="593BEC0C930BF1AFEB40B4A08C8FB242",timestamp="1554208460",serial_no="1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C",signature="${PARAMS.signature}"`,
    );
    assert.deepEqual(parseAuthorization(authorization(PARAMS)), PARAMS);
  });

  test('accepts the parameters in any order and spaces around the commas', () => {
    assert.deepEqual(parseAuthorization(`${SCHEME} ${[...pairs].reverse().join(',')}`), PARAMS);
    assert.deepEqual(parseAuthorization(`${SCHEME} ${pairs.join(', ')}`), PARAMS);
    assert.deepEqual(parseAuthorization(`${SCHEME}  ${pairs.join(' , ')} `), PARAMS);
  });

  for (const separator of [';', 'X', ' ', '', ',,', ', ,', '\t;', '&', ',X']) {
    test(`refuses parameters separated by ${JSON.stringify(separator)}`, () => {
      assert.equal(parseAuthorization(`${SCHEME} ${pairs.join(separator)}`), undefined);
    });
  }

  test('refuses a leading or trailing comma, a repeated or missing parameter, and another scheme', () => {
    assert.equal(parseAuthorization(`${SCHEME} ,${pairs.join(',')}`), undefined);
    assert.equal(parseAuthorization(`${SCHEME} ${pairs.join(',')},`), undefined);
    assert.equal(parseAuthorization(`${SCHEME} ${pairs.join(',')},mchid="1"`), undefined);
    assert.equal(parseAuthorization(`${SCHEME} ${pairs.slice(1).join(',')}`), undefined);
    assert.equal(parseAuthorization(`WECHATPAY2-SHA256-RSA ${pairs.join(',')}`), undefined);
    assert.equal(parseAuthorization(`${SCHEME} ${pairs.join(',')} junk`), undefined);
  });
});
