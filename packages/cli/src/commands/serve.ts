import cluster from 'node:cluster';
import { availableParallelism } from 'node:os';
import { DEFAULT_DRAIN_TIMEOUT_MS, RATE_LIMIT_APIS } from '@wxcoupon/platform';
import { parseFlags } from '../args.js';
import { WORKER_ENV } from '../serve/messages.js';
import { servePrimary } from '../serve/primary.js';
import { type ServeConfig, serveSingle } from '../serve/run.js';
import { serveWorker } from '../serve/worker.js';
import { UsageError } from '../usage-error.js';

// Every setting of `serve` is a flag and an environment variable (services are configured through the
// environment in containers); a flag wins. One row per setting: the usage text is built from this table.

interface Setting {
  flag: string;
  env: string;
  type: 'string' | 'boolean';
  /** What the value looks like in the usage text. */
  arg?: string;
  default?: string;
  help: string;
}

const SETTINGS = [
  {
    flag: 'host',
    env: 'WXCOUPON_HOST',
    type: 'string',
    arg: 'ADDR',
    default: '127.0.0.1',
    help: 'address to listen on',
  },
  { flag: 'port', env: 'WXCOUPON_PORT', type: 'string', arg: 'N', default: '8080', help: 'HTTP port (HTTPS: N + 1)' },
  {
    flag: 'workers',
    env: 'WXCOUPON_WORKERS',
    type: 'string',
    arg: 'N',
    default: 'one per core',
    help: 'processes serving the same ports and database (1: a single process)',
  },
  { flag: 'data', env: 'WXCOUPON_DATA', type: 'string', arg: 'DIR', default: './.wxcoupon', help: 'data directory' },
  {
    flag: 'database',
    env: 'WXCOUPON_DATABASE_URL',
    type: 'string',
    arg: 'URL',
    default: 'sqlite:platform.sqlite',
    help: 'sqlite:<path> or postgres://…',
  },
  {
    flag: 'rate-limits',
    env: 'WXCOUPON_RATE_LIMITS',
    type: 'string',
    arg: 'API=N,…',
    default: "WeChat's",
    help: 'calls per second per merchant and API',
  },
  {
    flag: 'headers-timeout',
    env: 'WXCOUPON_HEADERS_TIMEOUT',
    type: 'string',
    arg: 'TIME',
    default: '10s',
    help: 'a request’s headers must arrive within this',
  },
  {
    flag: 'body-timeout',
    env: 'WXCOUPON_BODY_TIMEOUT',
    type: 'string',
    arg: 'TIME',
    default: '30s',
    help: 'the whole request, body included, within this',
  },
  {
    flag: 'keep-alive-timeout',
    env: 'WXCOUPON_KEEP_ALIVE_TIMEOUT',
    type: 'string',
    arg: 'TIME',
    default: '5s',
    help: 'idle keep-alive connections close after this',
  },
  {
    flag: 'max-connections',
    env: 'WXCOUPON_MAX_CONNECTIONS',
    type: 'string',
    arg: 'N',
    default: 'open-file limit',
    help: 'open connections per listener',
  },
  {
    flag: 'drain-timeout',
    env: 'WXCOUPON_DRAIN_TIMEOUT',
    type: 'string',
    arg: 'TIME',
    default: `${DEFAULT_DRAIN_TIMEOUT_MS / 1000}s`,
    help: 'on SIGTERM/SIGINT, time to answer requests in flight',
  },
  {
    flag: 'insecure-permissions',
    env: 'WXCOUPON_INSECURE_PERMISSIONS',
    type: 'boolean',
    default: 'off',
    help: 'start on a data directory other users can open (containers)',
  },
  {
    flag: 'allow-fault-headers',
    env: 'WXCOUPON_ALLOW_FAULT_HEADERS',
    type: 'boolean',
    default: 'off',
    help: "honour a request's Wxcoupon-Fault header (headers are not signed: a sandbox only)",
  },
  {
    flag: 'log-format',
    env: 'WXCOUPON_LOG_FORMAT',
    type: 'string',
    arg: 'FORMAT',
    default: 'pretty on a terminal, else json',
    help: 'access log on stdout, one line per request: json (pino), pretty or off',
  },
  {
    flag: 'no-journal',
    env: 'WXCOUPON_NO_JOURNAL',
    type: 'boolean',
    default: 'off',
    help: 'keep no request journal (`wxcoupon logs`, GET /admin/requests)',
  },
  {
    flag: 'journal-max-rows',
    env: 'WXCOUPON_JOURNAL_MAX_ROWS',
    type: 'string',
    arg: 'N',
    default: '100000',
    help: 'requests the journal keeps, newest first',
  },
  {
    flag: 'journal-max-age',
    env: 'WXCOUPON_JOURNAL_MAX_AGE',
    type: 'string',
    arg: 'AGE',
    default: '7d',
    help: 'journaled requests older than this are deleted (e.g. 12h, 30d)',
  },
] as const satisfies readonly Setting[];

type SettingName = (typeof SETTINGS)[number]['flag'];

const USAGE = `Usage: wxcoupon serve [options]

Starts the platform. The first start on an empty data directory provisions a demo merchant and a
running 代金券 stock and writes <data>/demo/credentials.json. --database takes sqlite:<path> (relative
to the data directory) or postgres://user:pass@host:port/db; the default is SQLite in the data directory.
--rate-limits sets calls per second per merchant and API (e.g. favor.coupons.send=5000; default: WeChat's,
500 for sends). The API names:
${rateLimitNames()}
 The data directory holds every merchant's keys: it is created 0700 with its files 0600,
and one that group or other users can access is refused unless --insecure-permissions (or
WXCOUPON_INSECURE_PERMISSIONS=1) is given, for containers whose volume keeps other users out.

Options (flag, environment variable, default); a flag wins over the environment:
${SETTINGS.map((s) => `  ${`--${s.flag}${s.type === 'string' ? ` ${s.arg}` : ''}`.padEnd(32)}${s.env.padEnd(29)}${s.default ?? ''}\n      ${s.help}`).join('\n')}

Times are like 500ms, 10s or 2m (a bare number is seconds). A slow client cannot stretch the timeouts:
they count from a request's first byte. Beyond --max-connections (default: a share of the open-file
limit) the connection idle longest is closed to make room.

SIGTERM or SIGINT stops accepting connections, answers every request in flight (up to --drain-timeout;
answers then carry Connection: close), lets notification deliveries finish, and exits 0. A second
signal exits at once. GET /healthz (alive) and GET /readyz (database and schema ready) need no
authentication.

Environment also: UV_THREADPOOL_SIZE, the threads that sign answers (default: one per core);
WXCOUPON_POOL_NICE, how many nice levels below the event loop they run on Linux (default 4; 0 = same).
`;

export async function serve(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, Object.fromEntries(SETTINGS.map((s) => [s.flag, { type: s.type }])), USAGE);
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const settings = readSettings(values);
  const port = whole(settings, 'port', 0, 65535);
  const headersTimeoutMs = duration(settings, 'headers-timeout');
  const bodyTimeoutMs = duration(settings, 'body-timeout');
  if (headersTimeoutMs > bodyTimeoutMs)
    throw new UsageError(
      `${settings['headers-timeout'].source} (${settings['headers-timeout'].text}) is longer than the body timeout (${settings['body-timeout'].text}), which includes the headers`,
    );
  const keepAliveTimeoutMs = duration(settings, 'keep-alive-timeout');
  const drainTimeoutMs = duration(settings, 'drain-timeout');
  const maxConnections = settings['max-connections'].given
    ? whole(settings, 'max-connections', 1, 1_000_000)
    : undefined;
  const rateLimits = settings['rate-limits'].given ? parseRateLimits(settings['rate-limits']) : undefined;
  const database = settings.database.given ? settings.database.text : undefined;
  const logFormat = accessLogFormat(settings['log-format']);
  const journal = switchOn(settings, 'no-journal')
    ? false
    : {
        maxRows: whole(settings, 'journal-max-rows', 1, 100_000_000),
        maxAgeMs: age(settings['journal-max-age']),
      };

  const workers = settings.workers.given ? whole(settings, 'workers', 1, 1024) : availableParallelism();

  const config: ServeConfig = {
    platform: {
      dataDir: settings.data.text,
      ...(database ? { database } : {}),
      ...(rateLimits ? { rateLimits } : {}),
      insecurePermissions: switchOn(settings, 'insecure-permissions'),
      allowFaultHeaders: switchOn(settings, 'allow-fault-headers'),
      journal,
      ...(logFormat !== 'off' ? { accessLog: { format: logFormat } } : {}),
    },
    listen: {
      host: settings.host.text,
      port,
      headersTimeoutMs,
      bodyTimeoutMs,
      keepAliveTimeoutMs,
      ...(maxConnections ? { maxConnections } : {}),
    },
    drainTimeoutMs,
    shown: {
      headersTimeout: settings['headers-timeout'].text,
      bodyTimeout: settings['body-timeout'].text,
      keepAliveTimeout: settings['keep-alive-timeout'].text,
      drainTimeout: settings['drain-timeout'].text,
      journalMaxAge: settings['journal-max-age'].text,
    },
  };
  if (cluster.isWorker && process.env[WORKER_ENV]) return serveWorker(config);
  return workers > 1 ? servePrimary(config, workers) : serveSingle(config);
}

interface SettingValue {
  text: string;
  /** Where it came from, for messages: `--port`, `WXCOUPON_PORT` or `the default`. */
  source: string;
  /** False when it is the default. */
  given: boolean;
}

function readSettings(flags: Record<string, string | boolean | undefined>): Record<SettingName, SettingValue> {
  const out = {} as Record<SettingName, SettingValue>;
  for (const s of SETTINGS) {
    const flag = flags[s.flag];
    const env = process.env[s.env];
    if (flag !== undefined) out[s.flag] = { text: String(flag), source: `--${s.flag}`, given: true };
    else if (env !== undefined && env !== '') out[s.flag] = { text: env, source: s.env, given: true };
    else out[s.flag] = { text: s.default, source: 'the default', given: false };
  }
  return out;
}

function whole(settings: Record<SettingName, SettingValue>, name: SettingName, min: number, max: number): number {
  const { text, source } = settings[name];
  const n = Number(text);
  if (text.trim() === '' || !Number.isInteger(n) || n < min || n > max)
    throw new UsageError(`${source} must be a whole number between ${min} and ${max} (got "${text}")`);
  return n;
}

/** A boolean setting: the flag, or the environment's 1/true (0/false/off: off). */
function switchOn(settings: Record<SettingName, SettingValue>, name: SettingName): boolean {
  const { text, source, given } = settings[name];
  if (!given) return false;
  const v = text.trim().toLowerCase();
  if (v === 'true' || v === '1' || v === 'yes' || v === 'on') return true;
  if (v === 'false' || v === '0' || v === 'no' || v === 'off') return false;
  throw new UsageError(`${source} must be 1 or 0 (got "${text}")`);
}

/** `500ms`, `10s`, `2m`, or a bare number of seconds; in milliseconds. */
function duration(settings: Record<SettingName, SettingValue>, name: SettingName): number {
  const { text, source } = settings[name];
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  const ms = m?.[1] ? Number(m[1]) * (m[2] === 'ms' ? 1 : m[2] === 'm' ? 60_000 : 1000) : Number.NaN;
  if (!Number.isFinite(ms) || ms < 0 || ms > 3_600_000)
    throw new UsageError(`${source} must be a time such as 500ms, 10s or 2m, at most 1 hour (got "${text}")`);
  return Math.round(ms);
}

/** `json`, `pretty` or `off`; by default pretty for a person at a terminal, JSON for a log collector. */
function accessLogFormat({ text, source, given }: SettingValue): 'json' | 'pretty' | 'off' {
  if (!given) return process.stdout.isTTY ? 'pretty' : 'json';
  const v = text.trim().toLowerCase();
  if (v === 'json' || v === 'pretty' || v === 'off') return v;
  throw new UsageError(`${source} must be json, pretty or off (got "${text}")`);
}

/** `30m`, `12h`, `7d` (a bare number is seconds), at least a minute; in milliseconds. */
function age({ text, source }: SettingValue): number {
  const m = /^(\d+(?:\.\d+)?)(s|m|h|d)?$/.exec(text.trim());
  const unit = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[(m?.[2] ?? 's') as 's'];
  const ms = m?.[1] ? Number(m[1]) * unit : Number.NaN;
  if (!Number.isFinite(ms) || ms < 60_000 || ms > 3650 * 86_400_000)
    throw new UsageError(`${source} must be an age such as 12h or 7d, at least 1m (got "${text}")`);
  return Math.round(ms);
}

/** `api=perSecond,…`, e.g. `favor.coupons.send=5000`. */
function parseRateLimits({ text, source }: SettingValue): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of text.split(',')) {
    const m = /^([a-z0-9._-]+)=(\d+)$/.exec(part.trim());
    if (!m?.[1] || !m[2])
      throw new UsageError(`${source}: "${part}" is not api=callsPerSecond (e.g. favor.coupons.send=5000)`);
    if (!RATE_LIMIT_APIS.includes(m[1]))
      throw new UsageError(`${source}: no API is named "${m[1]}"; the names are:\n${rateLimitNames()}`);
    out[m[1]] = Number(m[2]);
  }
  return out;
}

/** The API names a limit can take, wrapped for the terminal. */
function rateLimitNames(): string {
  const lines: string[] = [];
  let line = ' ';
  for (const name of RATE_LIMIT_APIS) {
    if (line.length + name.length > 100) {
      lines.push(line);
      line = ' ';
    }
    line += ` ${name}`;
  }
  return [...lines, line].join('\n');
}
