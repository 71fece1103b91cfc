import { createPlatform, credentialsFile } from '@wxcoupon/platform';
import { intFlag, parseFlags } from '../args.js';
import { UsageError } from '../usage-error.js';

const USAGE = `Usage: wxcoupon serve [--host 127.0.0.1] [--port 8080] [--data ./.wxcoupon] [--database URL]
                      [--rate-limits favor.coupons.send=5000,…] [--allow-fault-headers]

Starts the platform. The first start on an empty data directory provisions a demo merchant and a
running 代金券 stock and writes <data>/demo/credentials.json. --database takes sqlite:<path> (relative
to the data directory) or postgres://user:pass@host:port/db; the default is SQLite in the data directory.
--rate-limits sets calls per second per merchant and API (default: WeChat's, e.g. 500 for sends).
--allow-fault-headers honours a request's Wxcoupon-Fault header (a fault for that one request; headers are
not signed, so only on a sandbox).

Environment: UV_THREADPOOL_SIZE, the threads that sign answers (default: one per core);
WXCOUPON_POOL_NICE, how many nice levels below the event loop they run on Linux (default 4; 0 = same);
WXCOUPON_ALLOW_FAULT_HEADERS=1, the same as --allow-fault-headers.
`;

export async function serve(argv: string[]): Promise<number> {
  const { values } = parseFlags(
    argv,
    {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '8080' },
      data: { type: 'string', default: './.wxcoupon' },
      database: { type: 'string' },
      'rate-limits': { type: 'string' },
      'allow-fault-headers': { type: 'boolean' },
    },
    USAGE,
  );
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const port = intFlag(values.port as string, 'port', 8080, 0, 65535);
  const platform = await createPlatform({
    dataDir: values.data as string,
    ...(values.database ? { database: values.database as string } : {}),
    ...(values['rate-limits'] ? { rateLimits: parseRateLimits(values['rate-limits'] as string) } : {}),
    allowFaultHeaders:
      values['allow-fault-headers'] === true || /^(1|true|yes)$/i.test(process.env.WXCOUPON_ALLOW_FAULT_HEADERS ?? ''),
  });
  let url: string;
  try {
    ({ url } = await platform.listen({ host: values.host as string, port }));
  } catch (err) {
    await platform.close();
    throw err;
  }
  const c = platform.credentials;
  process.stdout.write(quickStart(url, credentialsFile(platform.context.dataDir), c.favorStockId, c.appid));
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  process.stdout.write('\nwxcoupon: stopping\n');
  await platform.close();
  return 0;
}

/** `api=perSecond,…`, e.g. `favor.coupons.send=5000`. */
function parseRateLimits(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of text.split(',')) {
    const m = /^([a-z.]+)=(\d+)$/.exec(part.trim());
    if (!m?.[1] || !m[2])
      throw new UsageError(`--rate-limits: "${part}" is not api=callsPerSecond (e.g. favor.coupons.send=5000)`);
    out[m[1]] = Number(m[2]);
  }
  return out;
}

function quickStart(url: string, credentials: string, stockId: string, appid: string): string {
  return `wxcoupon platform listening on ${url}
credentials: ${credentials}

Send a 代金券 with the SDK:

  import { readFileSync } from 'node:fs';
  import { Wechatpay } from '@wxcoupon/sdk';
  const c = JSON.parse(readFileSync('${credentials}', 'utf8'));
  const wxpay = new Wechatpay({
    mchid: c.mchid, serial: c.serial, privateKey: readFileSync(c.privateKeyFile),
    certs: { [c.platformPublicKeyId]: readFileSync(c.platformPublicKeyFile) }, baseURL: c.baseURL,
  });
  const res = await wxpay.v3.marketing.favor.users._openid_.coupons.post({
    openid: 'o-demo-user',
    json: { stock_id: c.favorStockId, out_request_no: 'demo-1', appid: c.appid, stock_creator_mchid: c.mchid },
  });
  console.log(res.data.coupon_id);

or from the shell: npx wxcoupon send --openid o-demo-user   (stock ${stockId}, appid ${appid})
Admin API: ${url}/admin (token in the data directory's admin-token). Ctrl-C stops.
`;
}
