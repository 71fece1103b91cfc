import { join } from 'node:path';
import {
  type CloseResult,
  createPlatform,
  credentialsFile,
  type DemoCredentials,
  type ListenOptions,
  openFileLimit,
  type PlatformOptions,
} from '@wxcoupon/platform';

// What `wxcoupon serve` does once its settings are read, shared by the single process and the cluster's
// primary and workers: the first screen, the signal handling, the stop lines.

export interface ServeConfig {
  /** Never a rateLimiter: the default counts in the database, which every worker shares. */
  platform: PlatformOptions;
  listen: ListenOptions;
  drainTimeoutMs: number;
  /** The settings as they were written, for the first screen. */
  shown: {
    headersTimeout: string;
    bodyTimeout: string;
    keepAliveTimeout: string;
    drainTimeout: string;
    journalMaxAge: string;
  };
}

export interface Listening {
  url: string;
  tlsUrl: string | undefined;
  /** The connection cap of each listener (in each worker). */
  maxConnections: number;
}

/** Today's single process: `--workers 1`. */
export async function serveSingle(config: ServeConfig): Promise<number> {
  const platform = await createPlatform(config.platform);
  let listening: Listening;
  try {
    listening = await platform.listen(config.listen);
  } catch (err) {
    await platform.close({ drainTimeoutMs: 0 });
    throw err;
  }
  process.stdout.write(firstScreen(config, listening, platform.credentials, platform.context.dataDir));
  const signal = await firstSignal((sig) => process.exit(exitCodeOf(sig)));
  process.stdout.write(stoppingLine(config, signal));
  process.stdout.write(stoppedLine(await platform.close({ drainTimeoutMs: config.drainTimeoutMs })));
  return 0;
}

/**
 * Resolves with the first SIGINT or SIGTERM; a second one calls `again` (after a line saying so), which
 * must exit.
 */
export function firstSignal(again: (signal: NodeJS.Signals) => void): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    let received: NodeJS.Signals | undefined;
    const onSignal = (sig: NodeJS.Signals) => {
      if (received) {
        process.stderr.write(`wxcoupon: ${sig} again: exiting without waiting\n`);
        again(sig);
        return;
      }
      received = sig;
      resolve(sig);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

export function exitCodeOf(signal: NodeJS.Signals): number {
  return signal === 'SIGINT' ? 130 : 143;
}

export function stoppingLine(config: ServeConfig, signal: NodeJS.Signals): string {
  return `\nwxcoupon: ${signal}: stopping; answering the requests in flight (up to ${config.shown.drainTimeout}; a second signal exits at once)\n`;
}

export function stoppedLine({ inFlight, cut }: CloseResult): string {
  return `wxcoupon: stopped (${inFlight - cut} of ${inFlight} requests in flight answered${cut ? `, ${cut} cut off at the deadline` : ''})\n`;
}

/** Limits, journal, (workers,) then the quick start. */
export function firstScreen(
  config: ServeConfig,
  listening: Listening,
  credentials: DemoCredentials,
  dataDir: string,
  workers?: number,
): string {
  const files = openFileLimit();
  const { shown } = config;
  const journal = config.platform.journal;
  const log = config.platform.accessLog?.format ?? 'off';
  return [
    `limits: ${listening.maxConnections} connections per listener${files ? ` (open-file limit ${files})` : ''}; timeouts: headers ${shown.headersTimeout}, body ${shown.bodyTimeout}, keep-alive ${shown.keepAliveTimeout}, drain ${shown.drainTimeout}\n`,
    `journal: ${journal ? `the last ${journal.maxRows} requests, up to ${shown.journalMaxAge} (\`wxcoupon logs\`)` : 'off'}; access log: ${log === 'off' ? 'off' : `${log}, one line per request on stdout`}\n`,
    workers ? `workers: ${workers} processes serve the same ports and database, each with the limits above\n` : '',
    quickStart(listening.url, listening.tlsUrl, dataDir, credentials.favorStockId, credentials.appid),
  ].join('');
}

function quickStart(url: string, tlsUrl: string | undefined, dataDir: string, stockId: string, appid: string): string {
  const credentials = credentialsFile(dataDir);
  return `wxcoupon platform listening on ${url}${tlsUrl ? ` and ${tlsUrl} (HTTPS, mutual TLS for APIv2)` : ''}
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
Health:    ${url}/healthz
Console:   ${url}/console (sign in with the admin token below)
Admin API: ${url}/admin/health (and the rest of /admin/…) with the header
           Authorization: Bearer $(cat ${join(dataDir, 'admin-token')})
           (the wxcoupon commands send it for you). Ctrl-C stops.
`;
}
