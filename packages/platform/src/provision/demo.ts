import type { PlatformContext } from '../context.js';
import { parseCreateStock } from '../features/busifavor/busifavor.schema.js';
import { tlsBaseUrlFor } from '../http/listen-tls.js';
import { FieldReader } from '../http/validator.js';
import { type DemoCredentials, writeCredentials, writePem } from './credentials.js';
import { addDemoRecord, readDemoRecord } from './provision.repository.js';

// First start: a demo merchant with fresh keys, an appid, a running 代金券 stock and a 商品券 stock
// (a 商家券 stock with product information, MERCHANT_API codes, so the README's 商品券 call runs as
// written). Everything
// the credentials need is kept in the database (settings), so a second start, or another instance
// on the same database, writes the same credentials without generating anything.

export const DEMO_MCHID = '1900000109';
export const DEMO_APPID = 'wxd678efh567hg6787';

interface StoredDemo {
  mchid: string;
  serial: string;
  privateKeyPem: string;
  certificatePem: string;
  apiV3Key: string;
  apiV2Key: string;
  appid: string;
  favorStockId: string;
  /** Absent in demos provisioned before the 商品券 stock existed. */
  productStockId?: string;
}

export async function provisionDemo(ctx: PlatformContext, baseURL: string): Promise<DemoCredentials> {
  let stored = await readStored(ctx);
  if (!stored) {
    const candidate = await create(ctx).catch((err) => waitForOther(ctx, err));
    await addDemoRecord(ctx.db, JSON.stringify(candidate));
    stored = (await readStored(ctx)) as StoredDemo;
  }
  const dir = ctx.dataDir;
  const creds: DemoCredentials = {
    baseURL,
    mchid: stored.mchid,
    serial: stored.serial,
    privateKeyFile: writePem(dir, 'apiclient_key.pem', stored.privateKeyPem),
    certificateFile: writePem(dir, 'apiclient_cert.pem', stored.certificatePem),
    platformPublicKeyId: ctx.keys.publicKey.id,
    platformPublicKeyFile: writePem(dir, 'pub_key.pem', ctx.keys.publicKey.publicKeyPem),
    apiV3Key: stored.apiV3Key,
    apiV2Key: stored.apiV2Key,
    appid: stored.appid,
    favorStockId: stored.favorStockId,
    ...(stored.productStockId ? { productStockId: stored.productStockId } : {}),
    tlsBaseURL: tlsBaseUrlFor(baseURL),
    caCertificateFile: writePem(dir, 'ca_cert.pem', ctx.tls.caCertificatePem),
  };
  writePem(dir, 'platform_cert.pem', ctx.keys.certificate.certificatePem ?? '');
  writeCredentials(dir, creds);
  return creds;
}

/**
 * Another instance starting on the same empty database at the same moment may be provisioning the
 * demo merchant (our insert then collides with its rows): wait for its record instead of failing.
 */
async function waitForOther(ctx: PlatformContext, err: unknown): Promise<StoredDemo> {
  for (let i = 0; i < 150; i++) {
    const stored = await readStored(ctx);
    if (stored) return stored;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw err;
}

async function readStored(ctx: PlatformContext): Promise<StoredDemo | undefined> {
  const value = await readDemoRecord(ctx.db);
  return value !== undefined ? (JSON.parse(value) as StoredDemo) : undefined;
}

async function create(ctx: PlatformContext): Promise<StoredDemo> {
  const { merchants, favor } = ctx.services;
  // Another instance may have created the merchant a moment ago; then its record wins (see above).
  const existing = await merchants.find(DEMO_MCHID);
  const mchid = existing ? `19${Date.now() % 100_000_000}` : DEMO_MCHID;
  const m = await merchants.addMerchant({ mchid, name: 'wxcoupon demo merchant' });
  await merchants.bindAppid(m.mchid, DEMO_APPID);
  const now = ctx.clock();
  const { stock_id } = await favor.createStock(m.mchid, {
    stockName: '演示代金券',
    comment: 'demo stock',
    belongMerchant: m.mchid,
    beginMs: now,
    endMs: now + 89 * 86_400_000,
    maxCoupons: 1_000_000,
    maxAmount: 100 * 1_000_000,
    maxAmountByDay: undefined,
    maxCouponsPerUser: 100,
    naturalPersonLimit: false,
    preventApiAbuse: true,
    couponAmount: 100,
    transactionMinimum: 101,
    noCash: false,
    outRequestNo: `demo${now}`,
    availableMerchants: [m.mchid],
    singleitem: false,
    rules: { description: '演示批次：满1.01元减1元', available_merchants: [m.mchid] },
  });
  await favor.start(m.mchid, stock_id, m.mchid);
  const productStockId = await createProductStock(ctx, m.mchid, now);
  return {
    mchid: m.mchid,
    serial: m.serial,
    privateKeyPem: m.privateKeyPem as string,
    certificatePem: m.certificatePem,
    apiV3Key: m.apiV3Key,
    apiV2Key: m.apiV2Key,
    appid: DEMO_APPID,
    favorStockId: stock_id,
    productStockId,
  };
}

/** A running 商家券 stock with product information: what `product-coupons/send` issues from. */
async function createProductStock(ctx: PlatformContext, mchid: string, now: number): Promise<string> {
  const body = {
    stock_name: '演示商品券',
    belong_merchant: mchid,
    goods_name: '演示商品',
    stock_type: 'NORMAL',
    coupon_use_rule: {
      coupon_available_time: {
        available_begin_time: new Date(now).toISOString(),
        available_end_time: new Date(now + 364 * 86_400_000).toISOString(),
      },
      fixed_normal_coupon: { discount_amount: 100, transaction_minimum: 101 },
      use_method: 'OFF_LINE',
    },
    stock_send_rule: { max_coupons: 1_000_000, max_coupons_per_user: 100 },
    out_request_no: `demoproduct${now}`,
    coupon_code_mode: 'MERCHANT_API',
    display_pattern_info: { description: '演示商品券：满1.01元减1元', background_color: 'Color020' },
  };
  const { stocks } = ctx.services.busifavor;
  const { stock_id } = await stocks.create(mchid, parseCreateStock(new FieldReader(body), now));
  await stocks.setProduct(stock_id, { product_id: 'demo-product', product_name: '演示商品' });
  return stock_id;
}
