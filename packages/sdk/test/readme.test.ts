import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { createPlatform } from '@wxcoupon/platform';
import { nonce, v2Sign, v2Verify } from '../src/index.js';
import { buildXml, parseXml } from '../src/xml.js';
import { type Fixtures, fixtures } from './support/fixtures.js';
import {
  type ServerReply,
  type ServerRequest,
  type SigningServer,
  startSigningServer,
} from './support/signing-server.js';

// Runs the TypeScript blocks of the README's `sdk` section, concatenated and unchanged, in a child
// process against a local server that verifies requests and signs answers like WeChat Pay.

const root = new URL('../../../', import.meta.url).pathname;
const run = promisify(execFile);

let f: Fixtures;
let server: SigningServer;
let dir: string;
const favorStockId = '9856000';

function reply(req: ServerRequest): ServerReply {
  if (req.path === '/mmpaymkttransfers/send_coupon') {
    if (req.clientCertSerial !== f.merchantSerial) {
      return { unsigned: true, body: buildXml({ return_code: 'FAIL', return_msg: '证书有误' }) };
    }
    const fields = parseXml(req.body);
    if (!v2Verify(fields, f.apiV2Key))
      return { unsigned: true, body: buildXml({ return_code: 'FAIL', return_msg: '签名错误' }) };
    const out: Record<string, string> = {
      return_code: 'SUCCESS',
      appid: fields['appid'] ?? '',
      mch_id: fields['mch_id'] ?? '',
      nonce_str: nonce(),
      result_code: 'SUCCESS',
      coupon_stock_id: fields['coupon_stock_id'] ?? '',
      resp_count: '1',
      success_count: '1',
      failed_count: '0',
      openid: fields['openid'] ?? '',
      ret_code: 'SUCCESS',
      coupon_id: '6954',
    };
    if (fields['coupon_stock_id'] !== favorStockId)
      return { unsigned: true, body: buildXml({ return_code: 'FAIL', return_msg: 'bad stock' }) };
    return { unsigned: true, body: buildXml({ ...out, sign: v2Sign(out, f.apiV2Key) }) };
  }
  const json = req.body ? (JSON.parse(req.body) as Record<string, string>) : {};
  if (/^\/v3\/marketing\/favor\/users\/[^/]+\/coupons$/.test(req.path)) {
    if (json['stock_id'] !== favorStockId) {
      return { status: 404, unsigned: true, json: { code: 'RESOURCE_NOT_EXISTS', message: '批次不存在' } };
    }
    return { json: { coupon_id: String(9867041 + server.requests.length) } };
  }
  if (req.path === '/v3/marketing/busifavor/product-coupons/send') {
    return {
      json: { stock_id: json['stock_id'], coupon_code: json['coupon_code'], out_request_no: json['out_request_no'] },
    };
  }
  return { status: 404, unsigned: true, json: { code: 'RESOURCE_NOT_EXISTS', message: 'no such path' } };
}

before(async () => {
  f = await fixtures();
  server = await startSigningServer({
    ...f,
    handler: reply,
    tls: { key: f.serverKeyPem, cert: f.serverCertPem, ca: f.caPem },
  });
  dir = mkdtempSync(join(tmpdir(), 'wxcoupon-readme-'));
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
  const write = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };
  write(
    'credentials.json',
    JSON.stringify({
      baseURL: server.url,
      mchid: f.mchid,
      serial: f.merchantSerial,
      privateKeyFile: write('apiclient_key.pem', f.merchantKeyPem),
      certificateFile: write('apiclient_cert.pem', f.merchantCertPem),
      platformPublicKeyId: f.platformSerial,
      platformPublicKeyFile: write('platform_public_key.pem', f.platformPublicKeyPem),
      apiV3Key: f.apiV3Key,
      apiV2Key: f.apiV2Key,
      appid: f.appid,
      favorStockId,
      productStockId: '12312354',
      tlsBaseURL: server.url,
      caCertificateFile: write('ca.pem', f.caPem),
    }),
  );
});

after(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

async function runScript(name: string, blocks: string[], credentials: string): Promise<string> {
  const script = join(dir, name);
  writeFileSync(script, blocks.join('\n'));
  const { stdout } = await run(process.execPath, ['--conditions=source', '--import', 'tsx', script], {
    cwd: dir,
    env: { ...process.env, WXCOUPON_CREDENTIALS: credentials },
    timeout: 60_000,
  });
  return stdout;
}

function sdkSectionBlocks(): string[] {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const section = /<!-- section:sdk -->([\s\S]*?)<!-- \/section:sdk -->/.exec(readme)?.[1] ?? '';
  return [...section.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1] as string);
}

describe('README', () => {
  test('the sdk section shows every call style and its examples run as written', async () => {
    const blocks = sdkSectionBlocks();
    assert.ok(blocks.length >= 5, 'setup, v2, favor, product coupons, errors and notifications');
    const stdout = await runScript('readme.mts', blocks, join(dir, 'credentials.json'));
    assert.match(stdout, /^v2 send_coupon 6954 SUCCESS SUCCESS$/m);
    assert.match(stdout, /^favor send \d+ \d+ \d+ REQ-/m);
    assert.match(stdout, /^favor request string$/m);
    assert.match(stdout, /^product-coupons send 202007019999 12312354 2335465$/m);
    assert.match(stdout, /^api error 404 RESOURCE_NOT_EXISTS true$/m);
    assert.match(stdout, /^coupon used 98674556$/m);
    const paths = server.requests.map((r) => r.path);
    assert.equal(paths.filter((p) => p === '/mmpaymkttransfers/send_coupon').length, 3);
    assert.equal(paths.filter((p) => p === '/v3/marketing/busifavor/product-coupons/send').length, 3);
  });

  test('the examples also run as written against the wxcoupon platform', async () => {
    const data = join(dir, 'platform');
    const platform = await createPlatform({ dataDir: data, log: () => {} });
    try {
      await platform.listen({ host: '127.0.0.1', port: 0, tlsPort: 0 });
      const stdout = await runScript('platform.mts', sdkSectionBlocks(), join(data, 'demo', 'credentials.json'));
      assert.match(stdout, /^v2 send_coupon \d+ SUCCESS SUCCESS$/m);
      assert.match(stdout, /^favor send (\d+) \1 \1 \S+$/m);
      assert.match(stdout, /^favor request string$/m);
      // The seed's own example (NORMAL with member_card_id), on the demo's 商品券 stock.
      assert.match(stdout, /^product-coupons send 202007019999 \d+ 2335465$/m);
      assert.match(stdout, /^api error 404 RESOURCE_NOT_EXISTS true$/m);
      assert.match(stdout, /^coupon used 98674556$/m);
    } finally {
      await platform.close();
    }
  });

  test('the sdk section examples type-check under strict settings', async () => {
    const script = join(dir, 'typed.mts');
    writeFileSync(script, sdkSectionBlocks().join('\n'));
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    const args = [
      tsc,
      '--noEmit',
      '--strict',
      '--exactOptionalPropertyTypes',
      '--target',
      'es2022',
      '--module',
      'nodenext',
    ];
    args.push(
      '--moduleResolution',
      'nodenext',
      '--customConditions',
      'source',
      '--skipLibCheck',
      '--types',
      'node',
      script,
    );
    try {
      await run(process.execPath, args, { cwd: dir, timeout: 120_000 });
    } catch (err) {
      assert.fail(`README examples do not type-check:\n${(err as { stdout?: string }).stdout ?? String(err)}`);
    }
  });
});
