import assert from 'node:assert/strict';
import { generateKeyPairSync, verify } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import type * as Sdk from '../src/index.js';

// The SDK bundled as for Cloudflare Workers (platform neutral, node:* left to the runtime's
// nodejs_compat): the bundle must load, sign a request through a plain fetch, and a bundle that
// imports only parseNotification must leave the client, undici and the XML parser out.

const sdkDir = new URL('..', import.meta.url).pathname;
let dir: string;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'wxcoupon-neutral-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

async function bundle(entry: string): Promise<string> {
  const result = await build({
    stdin: { contents: entry, resolveDir: sdkDir, loader: 'ts' },
    bundle: true,
    platform: 'neutral',
    format: 'esm',
    target: 'es2022',
    external: ['node:*'],
    // Neutral resolves no package fields by default; these are what Workers' bundler uses.
    mainFields: ['module', 'main'],
    conditions: ['source', 'workerd', 'worker', 'import'],
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]?.text ?? '';
}

describe('a neutral (Workers-style) bundle', () => {
  test('loads and signs an APIv3 request through a plain fetch', async () => {
    const code = await bundle("export * from '@wxcoupon/sdk';");
    const file = join(dir, 'sdk.mjs');
    writeFileSync(file, code);
    const sdk = (await import(pathToFileURL(file).href)) as typeof Sdk;

    const merchant = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const platformKey = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const seen: { method: string; target: string; authorization: string; body: string }[] = [];
    const wxpay = new sdk.Wechatpay({
      mchid: '1900000001',
      serial: '5157F09EFDC096DE15EBE81A47057A7232F1B8E1',
      privateKey: merchant.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
      certs: { PUB_KEY_ID_01: platformKey.publicKey.export({ type: 'spki', format: 'pem' }) as string },
      fetch: async (req) => {
        const url = new URL(req.url);
        seen.push({
          method: req.method,
          target: `${url.pathname}${url.search}`,
          authorization: req.headers.get('authorization') ?? '',
          body: await req.text(),
        });
        return new Response(JSON.stringify({ code: 'RESOURCE_NOT_EXISTS', message: '批次不存在' }), { status: 404 });
      },
    });
    await assert.rejects(
      wxpay.request('POST /v3/marketing/favor/users/{openid}/coupons', {
        params: { openid: 'o1' },
        body: { stock_id: '1', out_request_no: 'n1', appid: 'wx1', stock_creator_mchid: '1900000001' },
      }),
      (err: unknown) => err instanceof sdk.ApiError && err.code === 'RESOURCE_NOT_EXISTS',
    );
    const [req] = seen;
    assert.ok(req);
    const auth = sdk.parseAuthorization(req.authorization);
    assert.ok(auth, req.authorization);
    const message = `${req.method}\n${req.target}\n${auth.timestamp}\n${auth.nonce_str}\n${req.body}\n`;
    assert.ok(verify('sha256', Buffer.from(message), merchant.publicKey, Buffer.from(auth.signature, 'base64')));
  });

  test('importing only parseNotification leaves the client, undici and the XML parser out', async () => {
    const code = await bundle("export { parseNotification } from '@wxcoupon/sdk';");
    assert.ok(!code.includes('undici'), 'no undici');
    assert.ok(!code.includes('XMLParser'), 'no XML parser');
    assert.ok(!code.includes('WechatpayClient'), 'no client');
    assert.ok(code.length < 40_000, `${code.length} bytes`);
  });
});
