import { ADMIN_FLAGS, adminClient, printResult } from '../admin-client.js';
import { intFlag, parseFlags, printUsage, subcommand } from '../args.js';
import { UsageError } from '../usage-error.js';

const USAGE = `Usage:
  wxcoupon fault add --api NAME (--error CODE | --latency MS | --close | --drop-after-commit)
                     [--times N] [--probability P [--seed S]]
                     [--mchid MCHID] [--stock STOCK_ID] [--openid OPENID] [--out-request-no NO]
  wxcoupon fault list
  wxcoupon fault rm ID
  wxcoupon fault clear
Common: [--data ./.wxcoupon] [--url http://127.0.0.1:8080] [--json]

Fault rules of a running platform (admin API), to test how a client copes with failures:
  --error CODE         answer a documented error of the API (SYSTEM_ERROR, FREQUENCY_LIMIT_EXCEED, NOT_ENOUGH, …;
                       APIv2 codes such as STOCK_AMOUNT_NOT_ENOUGH for v2coupon.send_coupon)
  --latency MS         wait MS milliseconds, then answer as usual
  --close              close the connection before the request runs
  --drop-after-commit  run and commit the request, then close the connection instead of answering
  --times N            fire at most N times (counted across instances)
  --probability P      fault a share P of the matching requests, in the sequence --seed S fixes
--api takes the names of the rate limits: favor.coupons.send, busifavor.coupons.send,
busifavor.product-coupons.send, v2coupon.send_coupon, … (\`fault list\` shows them all); --api may be left out
for the actions other than --error. The matchers narrow a rule to one merchant, stock, openid or request number
(APIv2: partner_trade_no).
`;

interface FaultView {
  id: string;
  api?: string;
  mchid?: string;
  stock_id?: string;
  openid?: string;
  out_request_no?: string;
  action: string;
  error_code?: string;
  latency_ms?: number;
  times?: number;
  probability?: number;
  seed?: number;
  matched: number;
  fired: number;
}

export async function fault(argv: string[]): Promise<number> {
  const [sub, rest] = subcommand(argv);
  const { values, positionals } = parseFlags(
    rest,
    {
      ...ADMIN_FLAGS,
      api: { type: 'string' },
      error: { type: 'string' },
      latency: { type: 'string' },
      close: { type: 'boolean' },
      'drop-after-commit': { type: 'boolean' },
      times: { type: 'string' },
      probability: { type: 'string' },
      seed: { type: 'string' },
      mchid: { type: 'string' },
      stock: { type: 'string' },
      openid: { type: 'string' },
      'out-request-no': { type: 'string' },
    },
    USAGE,
  );
  if (values.help || sub === undefined) return printUsage(USAGE, values.help);
  const call = adminClient(values);
  const json = Boolean(values.json);
  switch (sub) {
    case 'add': {
      const created = await call<FaultView>('POST', '/faults', ruleBody(values));
      if (json) printResult(created, true);
      else process.stdout.write(`${created.id}: ${describe(created)}\n`);
      return 0;
    }
    case 'list': {
      const page = await call<{ data: FaultView[]; apis: string[] }>('GET', '/faults');
      if (json) printResult(page, true);
      else process.stdout.write(table(page.data));
      return 0;
    }
    case 'rm': {
      const id = positionals[0];
      if (!id) throw new UsageError(`rm needs the rule id (see \`wxcoupon fault list\`)\n\n${USAGE}`);
      printResult(await call('DELETE', `/faults/${encodeURIComponent(id)}`), json);
      return 0;
    }
    case 'clear':
      printResult(await call('DELETE', '/faults'), json);
      return 0;
    default:
      throw new UsageError(`unknown fault command "${sub}"\n\n${USAGE}`);
  }
}

/** The admin API body for `fault add`; the platform checks the API name and the code. */
function ruleBody(v: Record<string, string | boolean | undefined>): Record<string, unknown> {
  const actions = [
    v.error !== undefined && { action: 'error', error_code: String(v.error) },
    v.latency !== undefined && {
      action: 'latency',
      latency_ms: intFlag(v.latency as string, 'latency', 0, 1, 120_000),
    },
    v.close === true && { action: 'close' },
    v['drop-after-commit'] === true && { action: 'drop_after_commit' },
  ].filter((a) => a !== false);
  if (actions.length !== 1)
    throw new UsageError(`give exactly one of --error, --latency, --close, --drop-after-commit\n\n${USAGE}`);
  const body: Record<string, unknown> = { ...actions[0] };
  if (v.times !== undefined) body.times = intFlag(v.times as string, 'times', 1, 1);
  if (v.probability !== undefined) {
    const p = Number(v.probability);
    if (!(p > 0 && p <= 1)) throw new UsageError('--probability must be a number greater than 0 and at most 1');
    body.probability = p;
  }
  if (v.seed !== undefined) body.seed = intFlag(v.seed as string, 'seed', 0, 0, 2 ** 31 - 1);
  for (const [flag, field] of [
    ['api', 'api'],
    ['mchid', 'mchid'],
    ['stock', 'stock_id'],
    ['openid', 'openid'],
    ['out-request-no', 'out_request_no'],
  ] as const) {
    if (v[flag] !== undefined) body[field] = String(v[flag]);
  }
  return body;
}

function describe(r: FaultView): string {
  const what =
    r.action === 'error'
      ? r.error_code
      : r.action === 'latency'
        ? `latency ${r.latency_ms} ms`
        : r.action.replace(/_/g, '-');
  const when =
    r.probability !== undefined
      ? ` with probability ${r.probability} (seed ${r.seed})`
      : r.times !== undefined
        ? ` ${r.times} time(s)`
        : '';
  return `${what} on ${r.api ?? 'every API'}${matchers(r) ? ` for ${matchers(r)}` : ''}${when}`;
}

function matchers(r: FaultView): string {
  return [
    r.mchid && `mchid ${r.mchid}`,
    r.stock_id && `stock ${r.stock_id}`,
    r.openid && `openid ${r.openid}`,
    r.out_request_no && `out_request_no ${r.out_request_no}`,
  ]
    .filter(Boolean)
    .join(', ');
}

/** One line per rule, in the order they are tried. */
function table(rows: FaultView[]): string {
  if (rows.length === 0) return 'no fault rules\n';
  const cells = rows.map((r) => [
    r.id,
    r.api ?? '*',
    r.action === 'error' ? `error ${r.error_code}` : r.action === 'latency' ? `latency ${r.latency_ms}ms` : r.action,
    r.probability !== undefined ? `p=${r.probability} seed=${r.seed}` : r.times !== undefined ? `${r.times}` : 'always',
    `${r.fired}/${r.matched}`,
    matchers(r),
  ]);
  const head = ['ID', 'API', 'ACTION', 'TIMES', 'FIRED/MATCHED', 'MATCH'];
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)));
  const line = (c: string[]) =>
    c
      .map((v, i) => (i === c.length - 1 ? v : v.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return `${[head, ...cells].map(line).join('\n')}\n`;
}
