import { printResult } from '../admin-client.js';
import { parseFlags, printUsage, subcommand } from '../args.js';
import { loadCliCredentials, SDK_FLAGS, sdkClient } from '../sdk-client.js';
import { UsageError } from '../usage-error.js';

const USAGE = `Usage:
  wxcoupon callback set --url https://merchant.example/notify [--family favor|busifavor] [--off]
  wxcoupon callback get [--family favor|busifavor]
Common: [--data ./.wxcoupon | --credentials FILE] [--json]

Sets or shows where the platform sends the credentials' merchant its notifications: favor (代金券,
POST|GET /v3/marketing/favor/callbacks: COUPON.USE) or busifavor (商家券, POST|GET
/v3/marketing/busifavor/callbacks: COUPON.SEND and the rest). The default family is favor. --off sets the favor
callback with switch=false (notifications stop; the URL is kept).
`;

export async function callback(argv: string[]): Promise<number> {
  const [sub, rest] = subcommand(argv);
  const { values } = parseFlags(
    rest,
    {
      ...SDK_FLAGS,
      url: { type: 'string' },
      family: { type: 'string', default: 'favor' },
      off: { type: 'boolean', default: false },
    },
    USAGE,
  );
  if (values.help || sub === undefined) return printUsage(USAGE, values.help);
  const family = values.family as string;
  if (family !== 'favor' && family !== 'busifavor')
    throw new UsageError(`--family must be favor or busifavor\n\n${USAGE}`);
  if (sub !== 'set' && sub !== 'get') throw new UsageError(`unknown callback command "${sub}"\n\n${USAGE}`);
  const creds = loadCliCredentials(values);
  const wxpay = sdkClient(creds);
  const json = Boolean(values.json);
  try {
    const callbacks = wxpay.v3.marketing[family].callbacks;
    if (sub === 'get') {
      printResult((await callbacks.get({ query: { mchid: creds.mchid } })).data, json);
      return 0;
    }
    const url = values.url;
    if (typeof url !== 'string' || url === '') throw new UsageError(`--url is required\n\n${USAGE}`);
    const res =
      family === 'favor'
        ? await wxpay.v3.marketing.favor.callbacks.post({
            json: { mchid: creds.mchid, notify_url: url, ...(values.off ? { switch: false } : {}) },
          })
        : await wxpay.v3.marketing.busifavor.callbacks.post({ json: { mchid: creds.mchid, notify_url: url } });
    printResult(res.data, json);
    return 0;
  } finally {
    wxpay.close();
  }
}
