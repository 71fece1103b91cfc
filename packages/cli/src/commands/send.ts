import { randomBytes } from 'node:crypto';
import { printResult } from '../admin-client.js';
import { parseFlags } from '../args.js';
import { loadCliCredentials, SDK_FLAGS, sdkClient } from '../sdk-client.js';
import { UsageError } from '../usage-error.js';

const USAGE = `Usage: wxcoupon send --openid OPENID [--stock STOCK_ID] [--appid APPID] [--out-request-no NO]
                     [--data ./.wxcoupon | --credentials FILE] [--json]
Sends one 代金券 through the SDK (POST /v3/marketing/favor/users/{openid}/coupons). Defaults: the demo
stock and appid from the credentials, a fresh out_request_no (reuse one to retry idempotently).
`;

export async function send(argv: string[]): Promise<number> {
  const { values } = parseFlags(
    argv,
    {
      ...SDK_FLAGS,
      openid: { type: 'string' },
      stock: { type: 'string' },
      appid: { type: 'string' },
      'out-request-no': { type: 'string' },
    },
    USAGE,
  );
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (!values.openid) throw new UsageError(`--openid is required\n\n${USAGE}`);
  const creds = loadCliCredentials(values);
  const stockId = (values.stock as string | undefined) ?? creds.favorStockId;
  if (!stockId) throw new UsageError('--stock is required (the credentials name no favorStockId)');
  const wxpay = sdkClient(creds);
  try {
    const res = await wxpay.request('POST /v3/marketing/favor/users/{openid}/coupons', {
      params: { openid: values.openid as string },
      body: {
        stock_id: stockId,
        out_request_no:
          (values['out-request-no'] as string | undefined) ?? `cli${Date.now()}${randomBytes(4).toString('hex')}`,
        appid: (values.appid as string | undefined) ?? creds.appid,
        stock_creator_mchid: creds.mchid,
      },
    });
    printResult(res.data, Boolean(values.json));
  } finally {
    wxpay.close();
  }
  return 0;
}
