import { randomBytes } from 'node:crypto';
import { rfc3339 } from '@wxcoupon/platform';
import type { Wechatpay } from '@wxcoupon/sdk';
import { ADMIN_FLAGS, adminClient, printResult } from '../admin-client.js';
import { intFlag, parseFlags, printUsage, subcommand } from '../args.js';
import { loadCliCredentials, SDK_FLAGS, sdkClient } from '../sdk-client.js';
import { UsageError } from '../usage-error.js';

const USAGE = `Usage:
  wxcoupon busifavor stock create --name NAME [--goods 描述] [--discount 100] [--minimum 1000] [--count 1000]
                                  [--per-user 1] [--per-day N] [--days 30] [--code-mode WECHATPAY_MODE]
                                  [--product SKU [--product-name NAME]]
  wxcoupon busifavor stock get --stock STOCK_ID
  wxcoupon busifavor stock list [--offset 0] [--limit 20]
  wxcoupon busifavor stock budget --stock STOCK_ID [--max N] [--max-per-day N]
  wxcoupon busifavor product set --stock STOCK_ID --product SKU [--product-name NAME]
  wxcoupon busifavor product clear --stock STOCK_ID
  wxcoupon busifavor coupon use --stock STOCK_ID --code CODE [--openid OPENID] [--appid APPID]
  wxcoupon busifavor coupon return|deactivate --stock STOCK_ID --code CODE [--reason TEXT]
Common: [--data ./.wxcoupon | --credentials FILE] [--url URL] [--json]

Manages 商家券 stocks and coupons of the credentials' merchant: create (B1), get (B2), budget (B4), use (B8),
return (B17) and deactivate (B18) through the SDK. list, product and the stock listing use the admin API
(WeChat Pay has no list API, and attaches product information outside its APIs): a stock with product
information is a 商品券 stock, the one product-coupons/send issues. --code-mode is WECHATPAY_MODE,
MERCHANT_API or MERCHANT_UPLOAD; amounts are in fen (分).
`;

const FLAGS = {
  ...SDK_FLAGS,
  url: ADMIN_FLAGS.url,
  stock: { type: 'string' },
  name: { type: 'string' },
  goods: { type: 'string' },
  discount: { type: 'string' },
  minimum: { type: 'string' },
  count: { type: 'string' },
  'per-user': { type: 'string' },
  'per-day': { type: 'string' },
  days: { type: 'string' },
  'code-mode': { type: 'string' },
  product: { type: 'string' },
  'product-name': { type: 'string' },
  offset: { type: 'string' },
  limit: { type: 'string' },
  max: { type: 'string' },
  'max-per-day': { type: 'string' },
  code: { type: 'string' },
  openid: { type: 'string' },
  appid: { type: 'string' },
  reason: { type: 'string' },
} as const;

type Values = Record<string, string | boolean | undefined>;

export async function busifavor(argv: string[]): Promise<number> {
  const [group, afterGroup] = subcommand(argv);
  const [action, rest] = subcommand(afterGroup);
  const { values } = parseFlags(rest, FLAGS, USAGE);
  if (values.help || group === undefined || action === undefined) return printUsage(USAGE, values.help);
  const json = Boolean(values.json);
  if (group === 'product' || (group === 'stock' && action === 'list')) {
    printResult(await admin(group, action, values), group === 'stock' || json);
    return 0;
  }
  if (group !== 'stock' && group !== 'coupon') throw new UsageError(`unknown busifavor command "${group}"\n\n${USAGE}`);
  const creds = loadCliCredentials(values);
  const wxpay = sdkClient(creds);
  try {
    const result =
      group === 'stock'
        ? await stockCommand(wxpay, action, values, creds.mchid)
        : await couponCommand(wxpay, action, values, creds.appid);
    printResult(result.data, result.asJson || json);
    return 0;
  } finally {
    wxpay.close();
  }
}

function required(values: Values, name: string): string {
  const v = values[name];
  if (typeof v !== 'string' || v === '') throw new UsageError(`--${name} is required\n\n${USAGE}`);
  return v;
}

function optionalInt(values: Values, name: string, min: number, max: number): number | undefined {
  const v = values[name];
  return typeof v === 'string' ? intFlag(v, name, 0, min, max) : undefined;
}

/** A request number for the idempotent calls: unique per invocation (a retry of the command is a new request). */
function requestNo(prefix: string): string {
  return `${prefix}${Date.now()}${randomBytes(4).toString('hex')}`;
}

async function admin(group: string, action: string, values: Values): Promise<unknown> {
  const call = adminClient(values);
  if (group === 'stock') {
    const creds = loadCliCredentials(values);
    const query = new URLSearchParams({
      mchid: creds.mchid,
      offset: String(intFlag(values.offset as string | undefined, 'offset', 0)),
      limit: String(intFlag(values.limit as string | undefined, 'limit', 20, 1, 100)),
    });
    return call('GET', `/busifavor/stocks?${query}`);
  }
  const stock = encodeURIComponent(required(values, 'stock'));
  if (action === 'set') {
    return call('PUT', `/busifavor/stocks/${stock}/product`, {
      product_id: required(values, 'product'),
      ...(values['product-name'] ? { product_name: values['product-name'] } : {}),
    });
  }
  if (action === 'clear') return call('DELETE', `/busifavor/stocks/${stock}/product`);
  throw new UsageError(`unknown busifavor product command "${action}"\n\n${USAGE}`);
}

async function stockCommand(
  wxpay: Wechatpay,
  action: string,
  values: Values,
  mchid: string,
): Promise<{ data: unknown; asJson?: boolean }> {
  const stocks = wxpay.v3.marketing.busifavor.stocks;
  if (action === 'create') {
    const name = required(values, 'name');
    const discount = intFlag(values.discount as string | undefined, 'discount', 100, 1, 1_000_000);
    const days = intFlag(values.days as string | undefined, 'days', 30, 1, 365);
    const perDay = optionalInt(values, 'per-day', 1, 1_000_000_000);
    const mode = (values['code-mode'] as string | undefined) ?? 'WECHATPAY_MODE';
    if (!['WECHATPAY_MODE', 'MERCHANT_API', 'MERCHANT_UPLOAD'].includes(mode))
      throw new UsageError(`--code-mode must be WECHATPAY_MODE, MERCHANT_API or MERCHANT_UPLOAD\n\n${USAGE}`);
    const now = Date.now();
    const res = await stocks.post({
      json: {
        stock_name: name,
        belong_merchant: mchid,
        goods_name: (values.goods as string | undefined) ?? name,
        stock_type: 'NORMAL',
        coupon_use_rule: {
          coupon_available_time: {
            available_begin_time: rfc3339(now),
            available_end_time: rfc3339(now + days * 86_400_000),
          },
          fixed_normal_coupon: {
            discount_amount: discount,
            transaction_minimum: intFlag(values.minimum as string | undefined, 'minimum', discount * 10, discount),
          },
          use_method: 'OFF_LINE',
        },
        stock_send_rule: {
          max_coupons: intFlag(values.count as string | undefined, 'count', 1000, 1, 1_000_000_000),
          max_coupons_per_user: intFlag(values['per-user'] as string | undefined, 'per-user', 1, 1, 100),
          ...(perDay !== undefined ? { max_coupons_by_day: perDay } : {}),
        },
        out_request_no: requestNo('clib'),
        coupon_code_mode: mode as 'WECHATPAY_MODE' | 'MERCHANT_API' | 'MERCHANT_UPLOAD',
      },
    });
    if (typeof values.product !== 'string') return { data: res.data };
    const set = (await admin('product', 'set', { ...values, stock: res.data.stock_id })) as { product?: unknown };
    return { data: { ...res.data, product: set.product } };
  }
  const stockId = required(values, 'stock');
  if (action === 'get') return { data: (await stocks._stock_id_.get({ stock_id: stockId })).data, asJson: true };
  if (action === 'budget') {
    const max = optionalInt(values, 'max', 1, 1_000_000_000);
    const perDay = optionalInt(values, 'max-per-day', 1, 1_000_000_000);
    if (max === undefined && perDay === undefined)
      throw new UsageError(`budget needs --max or --max-per-day\n\n${USAGE}`);
    // The budget call names the current figure too (WeChat Pay refuses a change based on a stale one).
    const current = (await stocks._stock_id_.get({ stock_id: stockId })).data.stock_send_rule;
    const res = await stocks._stock_id_.budget.patch({
      stock_id: stockId,
      json: {
        ...(max !== undefined ? { target_max_coupons: max, current_max_coupons: current.max_coupons } : {}),
        ...(perDay !== undefined
          ? {
              target_max_coupons_by_day: perDay,
              ...(current.max_coupons_by_day !== undefined
                ? { current_max_coupons_by_day: current.max_coupons_by_day }
                : {}),
            }
          : {}),
        modify_budget_request_no: requestNo('clibud'),
      },
    });
    return { data: res.data };
  }
  throw new UsageError(`unknown busifavor stock command "${action}"\n\n${USAGE}`);
}

async function couponCommand(
  wxpay: Wechatpay,
  action: string,
  values: Values,
  appid: string,
): Promise<{ data: unknown; asJson?: boolean }> {
  const coupons = wxpay.v3.marketing.busifavor.coupons;
  const coupon_code = required(values, 'code');
  const stock_id = required(values, 'stock');
  if (action === 'use') {
    const res = await coupons.use.post({
      json: {
        coupon_code,
        stock_id,
        appid: (values.appid as string | undefined) ?? appid,
        use_time: rfc3339(Date.now()),
        use_request_no: requestNo('cliuse'),
        ...(values.openid ? { openid: String(values.openid) } : {}),
      },
    });
    return { data: res.data };
  }
  if (action === 'return') {
    return {
      data: (await coupons.return.post({ json: { coupon_code, stock_id, return_request_no: requestNo('cliret') } }))
        .data,
    };
  }
  if (action === 'deactivate') {
    const res = await coupons.deactivate.post({
      json: {
        coupon_code,
        stock_id,
        deactivate_request_no: requestNo('clideact'),
        ...(values.reason ? { deactivate_reason: String(values.reason) } : {}),
      },
    });
    return { data: res.data };
  }
  throw new UsageError(`unknown busifavor coupon command "${action}"\n\n${USAGE}`);
}
