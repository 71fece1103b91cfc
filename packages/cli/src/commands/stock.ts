import { randomBytes } from 'node:crypto';
import { ADMIN_FLAGS, adminClient, printResult } from '../admin-client.js';
import { intFlag, parseFlags, printUsage, subcommand } from '../args.js';
import { loadCliCredentials, SDK_FLAGS, sdkClient } from '../sdk-client.js';
import { UsageError } from '../usage-error.js';

const USAGE = `Usage:
  wxcoupon stock create --name NAME [--amount 100] [--minimum 200] [--count 1000] [--per-user 1] [--days 30] [--start]
  wxcoupon stock start|pause|restart|stop|get --stock STOCK_ID
  wxcoupon stock list [--offset 0] [--limit 10]
  wxcoupon stock specified-value --stock STOCK_ID [--off] [--url URL]
Common: [--data ./.wxcoupon | --credentials FILE] [--json]
Manages 代金券 stocks of the credentials' merchant through the SDK. Amounts are in fen (分).
specified-value turns 指定面额发券 on (or off with --off) through the admin API: sends to that stock then
name coupon_value (and may name coupon_minimum); elsewhere both are refused. No WeChat Pay API makes
such a stock.
`;

export async function stock(argv: string[]): Promise<number> {
  const [sub, rest] = subcommand(argv);
  const { values } = parseFlags(
    rest,
    {
      ...SDK_FLAGS,
      stock: { type: 'string' },
      name: { type: 'string' },
      amount: { type: 'string' },
      minimum: { type: 'string' },
      count: { type: 'string' },
      'per-user': { type: 'string' },
      days: { type: 'string' },
      start: { type: 'boolean', default: false },
      offset: { type: 'string' },
      limit: { type: 'string' },
      off: { type: 'boolean', default: false },
      url: ADMIN_FLAGS.url,
    },
    USAGE,
  );
  if (values.help || sub === undefined) return printUsage(USAGE, values.help);
  if (sub === 'specified-value') {
    if (!values.stock) throw new UsageError(`--stock is required\n\n${USAGE}`);
    const call = adminClient(values);
    const res = await call('PUT', `/favor/stocks/${encodeURIComponent(values.stock as string)}/specified-value`, {
      enabled: !values.off,
    });
    printResult(res, Boolean(values.json));
    return 0;
  }
  const creds = loadCliCredentials(values);
  const wxpay = sdkClient(creds);
  const json = Boolean(values.json);
  const mchid = creds.mchid;
  try {
    if (sub === 'create') {
      if (!values.name) throw new UsageError(`--name is required\n\n${USAGE}`);
      const amount = intFlag(values.amount as string | undefined, 'amount', 100, 1, 100_000);
      const count = intFlag(values.count as string | undefined, 'count', 1000, 5, 10_000_000);
      const days = intFlag(values.days as string | undefined, 'days', 30, 1, 90);
      const now = Date.now();
      const res = await wxpay.request('POST /v3/marketing/favor/coupon-stocks', {
        body: {
          stock_name: values.name as string,
          belong_merchant: mchid,
          available_begin_time: new Date(now).toISOString(),
          available_end_time: new Date(now + days * 86_400_000).toISOString(),
          stock_use_rule: {
            max_coupons: count,
            max_amount: amount * count,
            max_coupons_per_user: intFlag(values['per-user'] as string | undefined, 'per-user', 1, 1, 100),
            natural_person_limit: false,
            prevent_api_abuse: false,
          },
          coupon_use_rule: {
            fixed_normal_coupon: {
              coupon_amount: amount,
              transaction_minimum: intFlag(values.minimum as string | undefined, 'minimum', amount + 1, amount + 1),
            },
            available_merchants: [mchid],
          },
          no_cash: false,
          stock_type: 'NORMAL',
          out_request_no: `cli${now}${randomBytes(4).toString('hex')}`,
        },
      });
      let out: object = res.data;
      if (values.start) {
        const started = await wxpay.request('POST /v3/marketing/favor/stocks/{stock_id}/start', {
          params: { stock_id: res.data.stock_id },
          body: { stock_creator_mchid: mchid },
        });
        out = { ...out, ...started.data };
      }
      printResult(out, json);
      return 0;
    }
    if (sub === 'list') {
      const res = await wxpay.request('GET /v3/marketing/favor/stocks', {
        query: {
          offset: intFlag(values.offset as string | undefined, 'offset', 0),
          limit: intFlag(values.limit as string | undefined, 'limit', 10, 1, 10),
          stock_creator_mchid: mchid,
        },
      });
      printResult(res.data, true);
      return 0;
    }
    const stockId = values.stock as string | undefined;
    if (!stockId) throw new UsageError(`--stock is required\n\n${USAGE}`);
    if (sub === 'get') {
      printResult(
        (
          await wxpay.request('GET /v3/marketing/favor/stocks/{stock_id}', {
            params: { stock_id: stockId },
            query: { stock_creator_mchid: mchid },
          })
        ).data,
        true,
      );
      return 0;
    }
    if (sub === 'start' || sub === 'pause' || sub === 'restart' || sub === 'stop') {
      const res = await wxpay.request(`POST /v3/marketing/favor/stocks/{stock_id}/${sub}`, {
        params: { stock_id: stockId },
        body: { stock_creator_mchid: mchid },
      });
      printResult(res.data, json);
      return 0;
    }
    throw new UsageError(`unknown stock command "${sub}"\n\n${USAGE}`);
  } finally {
    wxpay.close();
  }
}
