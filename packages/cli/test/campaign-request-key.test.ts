import assert from 'node:assert/strict';
import { test } from 'node:test';
import { campaignIdFor, REQUEST_KEY_LENGTH, requestKey } from '../src/campaign/engine/request-key.js';

const ALLOWED = /^[A-Za-z0-9|_*-]+$/;

test('the same campaign and openid always give the same key', () => {
  const a = requestKey('1900000001:favor:9856000', 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o', 32);
  const b = requestKey('1900000001:favor:9856000', 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o', 32);
  assert.equal(a, b);
});

test('different openids or campaigns give different keys', () => {
  const keys = new Set<string>();
  for (let i = 0; i < 10_000; i++) keys.add(requestKey('c1', `openid-${i}`, 28));
  keys.add(requestKey('c2', 'openid-0', 28));
  assert.equal(keys.size, 10_001);
});

test('keys fit every API: length within its limit and only documented characters', () => {
  assert.ok(REQUEST_KEY_LENGTH.busifavor <= 32, 'busifavor send_request_no is string[1,32]');
  assert.ok(REQUEST_KEY_LENGTH.v2 < 32, 'v2 partner_trade_no keeps a margin under String(32)');
  for (const [api, length] of Object.entries(REQUEST_KEY_LENGTH)) {
    const key = requestKey(`m:${api}:s`, 'o-Ab_9', length);
    assert.equal(key.length, length);
    assert.match(key, ALLOWED);
    assert.match(key, /^[A-Za-z0-9]+$/, 'v2 numbers are alphanumeric in every sample');
  }
});

test('a campaign name separates repeat campaigns on one stock', () => {
  assert.equal(campaignIdFor('1900000001', 'favor', 's1'), '1900000001:favor:s1');
  assert.notEqual(campaignIdFor('1900000001', 'favor', 's1', 'spring'), campaignIdFor('1900000001', 'favor', 's1'));
});
