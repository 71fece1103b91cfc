import { ADMIN_FLAGS, adminClient, printResult } from '../admin-client.js';
import { intFlag, parseFlags, printUsage, subcommand } from '../args.js';
import { UsageError } from '../usage-error.js';

const USAGE = `Usage:
  wxcoupon notification list [--status PENDING|DELIVERED|FAILED] [--event COUPON.USE] [--mchid MCHID]
                             [--offset 0] [--limit 50]
  wxcoupon notification show ID
  wxcoupon notification redeliver ID
  wxcoupon notification trigger --coupon ID --event COUPON.USE|COUPON.SEND [--mchid MCHID]
Common: [--data ./.wxcoupon] [--url http://127.0.0.1:8080] [--json]

The platform's notification outbox (admin API): every notification with its delivery attempts (time, HTTP
status, duration, error). redeliver attempts a notification now, whatever its status (a pending one does not
wait for its next retry) and prints it with that attempt. trigger sends a new notification for an existing
coupon now, signed and encrypted as the real event, to the merchant's notification URL (to test a webhook
handler): COUPON.USE for a 代金券 (--coupon is its coupon_id), COUPON.SEND for a 商家券 (its coupon code);
--mchid, when given, must be the merchant that created the coupon's stock.
`;

interface NotificationView {
  id: string;
  mchid: string;
  event_type: string;
  status: string;
  attempts: number;
  create_time: string;
  notify_url: string;
  last_error?: string;
  attempt_log?: Array<{ http_status?: number; error?: string; duration_ms: number }>;
}

export async function notification(argv: string[]): Promise<number> {
  const [sub, rest] = subcommand(argv);
  const { values, positionals } = parseFlags(
    rest,
    {
      ...ADMIN_FLAGS,
      status: { type: 'string' },
      event: { type: 'string' },
      mchid: { type: 'string' },
      offset: { type: 'string' },
      limit: { type: 'string' },
      coupon: { type: 'string' },
    },
    USAGE,
  );
  if (values.help || sub === undefined) return printUsage(USAGE, values.help);
  const call = adminClient(values);
  const json = Boolean(values.json);
  if (sub === 'list') {
    const query = new URLSearchParams({
      offset: String(intFlag(values.offset as string | undefined, 'offset', 0)),
      limit: String(intFlag(values.limit as string | undefined, 'limit', 50, 1, 200)),
    });
    if (values.status) query.set('status', String(values.status).toUpperCase());
    if (values.event) query.set('event_type', String(values.event));
    if (values.mchid) query.set('mchid', String(values.mchid));
    const page = await call<{ data: NotificationView[] }>('GET', `/notifications?${query}`);
    if (json) printResult(page, true);
    else process.stdout.write(table(page.data));
    return 0;
  }
  if (sub === 'trigger') {
    if (!values.coupon) throw new UsageError(`trigger needs --coupon ID\n\n${USAGE}`);
    if (!values.event) throw new UsageError(`trigger needs --event COUPON.USE or COUPON.SEND\n\n${USAGE}`);
    const sent = await call<NotificationView>('POST', '/notifications/trigger', {
      coupon_id: String(values.coupon),
      event_type: String(values.event).toUpperCase(),
      ...(values.mchid ? { mchid: String(values.mchid) } : {}),
    });
    if (json) printResult(sent, true);
    else process.stdout.write(outcome(sent));
    return 0;
  }
  const id = positionals[0];
  if (sub !== 'show' && sub !== 'redeliver') throw new UsageError(`unknown notification command "${sub}"\n\n${USAGE}`);
  if (!id) throw new UsageError(`${sub} needs the notification id\n\n${USAGE}`);
  const path = `/notifications/${encodeURIComponent(id)}`;
  printResult(sub === 'show' ? await call('GET', path) : await call('POST', `${path}/redeliver`), true);
  return 0;
}

/** `<id> COUPON.USE to <url>: DELIVERED (HTTP 200, 12 ms)`, from the last attempt. */
function outcome(n: NotificationView): string {
  const last = n.attempt_log?.at(-1);
  const how = last
    ? ` (${last.http_status !== undefined ? `HTTP ${last.http_status}` : (last.error ?? 'no answer')}, ${last.duration_ms} ms)`
    : '';
  const error = n.status === 'DELIVERED' || !n.last_error ? '' : `\n  ${n.last_error}`;
  return `${n.id} ${n.event_type} to ${n.notify_url}: ${n.status}${how}${error}\n`;
}

/** One line per notification, newest first as the platform lists them. */
function table(rows: NotificationView[]): string {
  if (rows.length === 0) return 'no notifications\n';
  const cells = rows.map((r) => [
    r.id,
    r.create_time,
    r.event_type,
    r.mchid,
    r.status,
    String(r.attempts),
    r.last_error ?? '',
  ]);
  const head = ['ID', 'CREATED', 'EVENT', 'MCHID', 'STATUS', 'ATTEMPTS', 'LAST ERROR'];
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)));
  const line = (c: string[]) =>
    c
      .map((v, i) => (i === c.length - 1 ? v : v.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return `${[head, ...cells].map(line).join('\n')}\n`;
}
