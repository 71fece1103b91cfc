import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { createPlatform, type Platform } from '@wxcoupon/platform';
import { build } from 'esbuild';

// The SDK on Deno and on Bun, each with its default transport (the runtime's own fetch), sending a
// coupon to the platform over HTTP and verifying the signed answer. The runtimes are found through
// WXCOUPON_DENO / WXCOUPON_BUN or on PATH; .ci/run installs both from the npm registry.

const run = promisify(execFile);
const sdkDir = new URL('..', import.meta.url).pathname;

function find(name: string, variable: string): string | undefined {
  const given = process.env[variable];
  if (given) return given;
  try {
    return execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

const runtimes = [
  { name: 'Deno', bin: find('deno', 'WXCOUPON_DENO'), variable: 'WXCOUPON_DENO', args: ['run', '--allow-all'] },
  { name: 'Bun', bin: find('bun', 'WXCOUPON_BUN'), variable: 'WXCOUPON_BUN', args: [] },
];

const SMOKE = `
import { readFileSync } from 'node:fs';
import { RequestError, Wechatpay } from './sdk.mjs';

const c = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const wxpay = new Wechatpay({
  mchid: c.mchid,
  serial: c.serial,
  privateKey: readFileSync(c.privateKeyFile),
  certs: { [c.platformPublicKeyId]: readFileSync(c.platformPublicKeyFile) },
  secret: c.apiV2Key,
  baseURL: c.baseURL,
});
const { data } = await wxpay.request('POST /v3/marketing/favor/users/{openid}/coupons', {
  params: { openid: 'oRuntimeSmoke' },
  body: { stock_id: c.favorStockId, out_request_no: 'rt' + Date.now(), appid: c.appid, stock_creator_mchid: c.mchid },
});
console.log('sent ' + data.coupon_id);
try {
  await wxpay.request('POST /v2/mmpaymkttransfers/send_coupon', {
    body: { coupon_stock_id: c.favorStockId, openid_count: 1, partner_trade_no: 'p' + Date.now(), openid: 'o', appid: c.appid },
    security: true,
  });
  console.log('mutual TLS call was sent');
} catch (err) {
  console.log(err instanceof RequestError ? 'mutual TLS refused' : 'unexpected ' + err);
}
`;

let dir: string;
let platform: Platform;
let credentials: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wxcoupon-runtimes-'));
  platform = await createPlatform({ dataDir: join(dir, 'data'), log: () => {} });
  const { url } = await platform.listen({ host: '127.0.0.1', port: 0 });
  credentials = join(dir, 'credentials.json');
  writeFileSync(credentials, JSON.stringify({ ...platform.credentials, baseURL: `${url}/` }));
  const bundled = await build({
    entryPoints: [join(sdkDir, 'src/index.ts')],
    bundle: true,
    platform: 'neutral',
    format: 'esm',
    target: 'es2022',
    external: ['node:*'],
    mainFields: ['module', 'main'],
    write: false,
    logLevel: 'silent',
  });
  writeFileSync(join(dir, 'sdk.mjs'), bundled.outputFiles[0]?.text ?? '');
  writeFileSync(join(dir, 'smoke.mjs'), SMOKE);
});

after(async () => {
  await platform.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('other runtimes', () => {
  for (const runtime of runtimes) {
    const skip = runtime.bin
      ? false
      : `${runtime.name} not found: put it on PATH or set ${runtime.variable} (.ci/run installs it from npm)`;
    test(`${runtime.name}: sends a coupon with its own fetch and refuses a mutual-TLS call`, { skip }, async () => {
      const { stdout } = await run(runtime.bin as string, [...runtime.args, join(dir, 'smoke.mjs'), credentials], {
        cwd: dir,
        env: { ...process.env, NO_COLOR: '1' },
        timeout: 120_000,
      });
      assert.match(stdout, /^sent \d+$/m);
      assert.match(stdout, /^mutual TLS refused$/m);
    });
  }
});
