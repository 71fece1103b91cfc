import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { rsaSign, rsaSignAsync, rsaVerify, rsaVerifyAsync } from '../src/crypto/index.js';
import { fixtures } from './support/fixtures.js';

describe('thread-pool RSA', () => {
  test('many concurrent signatures all complete, queued one job per core, and match the synchronous ones', async () => {
    const f = await fixtures();
    const messages = Array.from({ length: 40 }, (_, i) => `GET\n/v3/x?i=${i}\n1700000000\nNONCE${i}\n\n`);
    const signatures = await Promise.all(messages.map((m) => rsaSignAsync(m, f.merchantKey)));
    // PKCS#1 v1.5 signatures are deterministic, so the async path must agree byte for byte.
    assert.deepEqual(
      signatures,
      messages.map((m) => rsaSign(m, f.merchantKey)),
    );
    const verdicts = await Promise.all(
      messages.map((m, i) => rsaVerifyAsync(m, signatures[i] as string, f.merchantPublicKey)),
    );
    assert.ok(verdicts.every(Boolean));
    assert.equal(await rsaVerifyAsync(`${messages[0]}x`, signatures[0] as string, f.merchantPublicKey), false);
    assert.equal(rsaVerify(messages[1] as string, signatures[0] as string, f.merchantPublicKey), false);
  });

  test('a failing job releases its slot for the next ones', async () => {
    const f = await fixtures();
    const bad = Array.from({ length: 10 }, () =>
      rsaSignAsync('m', f.merchantPublicKey).then(
        () => 'signed',
        () => 'failed',
      ),
    );
    assert.deepEqual(await Promise.all(bad), Array(10).fill('failed'));
    assert.ok(rsaVerify('m', await rsaSignAsync('m', f.merchantKey), f.merchantPublicKey));
  });
});
