import { parseArgs } from 'node:util';
import { CAMPAIGN_APIS, type CampaignApi } from '../engine/request-key.js';
import { CampaignError } from './campaign-error.js';

/**
 * Default rates: 80% of the documented send limit. favor send is 500/s (§3.6). busifavor and product-coupon send
 * publish no figure, so they take 80% of the 500 QPS their family documents for its other write APIs (§4.0).
 * v2 send_coupon publishes none either and answers FREQ_OVER_LIMIT, so it starts lower.
 */
export const DEFAULT_QPS: Record<CampaignApi, number> = { favor: 400, busifavor: 400, product: 400, v2: 100 };

export interface RunCommandOptions {
  credentials: string;
  stock: string;
  input: string;
  journal: string;
  out: string | undefined;
  api: CampaignApi;
  qps: number;
  concurrency: number;
  campaign: string | undefined;
  appid: string | undefined;
  stockCreatorMchid: string | undefined;
  timeoutMs: number;
  maxAttempts: number;
  retryBaseMs: number;
  retryCapMs: number;
  json: boolean;
  quiet: boolean;
  progressIntervalMs: number;
}

export interface StatusCommandOptions {
  journal: string;
  out: string | undefined;
  json: boolean;
}

export const RUN_USAGE = `Usage: wxcoupon campaign run --credentials FILE --stock ID --input FILE|- --journal FILE [options]

Sends one coupon of a stock to every openid in a list, exactly once, resumable after any crash.

  --credentials FILE    credentials.json (the platform's, or a real merchant's with baseURL at WeChat Pay)
  --stock ID            the stock (批次) to issue
  --input FILE|-        one openid per line, or CSV with an openid column (and per-row fields); - reads stdin
  --journal FILE        SQLite journal; rerun the same command with it to resume
  --out FILE            write a CSV: openid,result,coupon,error_code,attempts,error_message
  --api NAME            favor (default) | busifavor | product | v2
  --qps N               requests per second (default: 80% of the API's documented limit)
  --concurrency N       requests in flight at most (default 64)
  --campaign NAME       a name that separates deliberate repeat campaigns on one stock
  --appid ID            the appid the openids belong to (default: the credentials' appid)
  --stock-creator-mchid ID  favor: the stock's creator, when issuing another merchant's stock
  --timeout MS          per request (default 10000); a timed-out send is retried with the same key
  --max-attempts N      attempts per recipient per run (default 8)
  --json                print events as JSON lines on stdout
  --quiet               no progress output, only the summary
`;

export const STATUS_USAGE = `Usage: wxcoupon campaign status --journal FILE [--out FILE] [--json]

Reports where a campaign stands: counts by result, the commonest errors, and whether a run is active.
`;

function positiveInt(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0)
    throw new CampaignError(`--${name} must be a positive whole number, got "${value}"`);
  return n;
}

function positiveNumber(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new CampaignError(`--${name} must be a positive number, got "${value}"`);
  return n;
}

export function parseRunOptions(argv: string[]): RunCommandOptions {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        credentials: { type: 'string' },
        stock: { type: 'string' },
        input: { type: 'string' },
        journal: { type: 'string' },
        out: { type: 'string' },
        api: { type: 'string' },
        qps: { type: 'string' },
        concurrency: { type: 'string' },
        campaign: { type: 'string' },
        appid: { type: 'string' },
        'stock-creator-mchid': { type: 'string' },
        timeout: { type: 'string' },
        'max-attempts': { type: 'string' },
        'retry-base-ms': { type: 'string' },
        'retry-cap-ms': { type: 'string' },
        'progress-interval': { type: 'string' },
        json: { type: 'boolean' },
        quiet: { type: 'boolean' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (cause) {
    throw new CampaignError(`${(cause as Error).message}\n\n${RUN_USAGE}`);
  }
  const str = (k: string) => values[k] as string | undefined;
  const missing = ['credentials', 'stock', 'input', 'journal'].filter((k) => !str(k));
  if (missing.length > 0) {
    throw new CampaignError(`missing ${missing.map((m) => `--${m}`).join(', ')}\n\n${RUN_USAGE}`);
  }
  const api = (str('api') ?? 'favor') as CampaignApi;
  if (!CAMPAIGN_APIS.includes(api)) {
    throw new CampaignError(`--api must be one of ${CAMPAIGN_APIS.join(', ')}, got "${str('api')}"`);
  }
  return {
    credentials: str('credentials')!,
    stock: str('stock')!,
    input: str('input')!,
    journal: str('journal')!,
    out: str('out'),
    api,
    qps: positiveNumber('qps', str('qps'), DEFAULT_QPS[api]),
    concurrency: positiveInt('concurrency', str('concurrency'), 64),
    campaign: str('campaign'),
    appid: str('appid'),
    stockCreatorMchid: str('stock-creator-mchid'),
    timeoutMs: positiveInt('timeout', str('timeout'), 10_000),
    maxAttempts: positiveInt('max-attempts', str('max-attempts'), 8),
    retryBaseMs: positiveInt('retry-base-ms', str('retry-base-ms'), 200),
    retryCapMs: positiveInt('retry-cap-ms', str('retry-cap-ms'), 10_000),
    json: values['json'] === true,
    quiet: values['quiet'] === true,
    progressIntervalMs: positiveInt('progress-interval', str('progress-interval'), 5000),
  };
}

export function parseStatusOptions(argv: string[]): StatusCommandOptions {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { journal: { type: 'string' }, out: { type: 'string' }, json: { type: 'boolean' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (cause) {
    throw new CampaignError(`${(cause as Error).message}\n\n${STATUS_USAGE}`);
  }
  const journal = values['journal'] as string | undefined;
  if (!journal) throw new CampaignError(`missing --journal\n\n${STATUS_USAGE}`);
  return { journal, out: values['out'] as string | undefined, json: values['json'] === true };
}
