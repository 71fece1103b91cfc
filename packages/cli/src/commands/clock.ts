import { ADMIN_FLAGS, adminClient, printResult } from '../admin-client.js';
import { parseFlags, printUsage, subcommand } from '../args.js';
import { UsageError } from '../usage-error.js';

const USAGE = `Usage:
  wxcoupon clock show
  wxcoupon clock advance DURATION     e.g. 25h, 1d2h, 90m, 30s (days, hours, minutes, seconds, in that order)
  wxcoupon clock set TIME             RFC 3339 with its zone, e.g. 2026-12-12T00:00:00+08:00 (may go back)
  wxcoupon clock resume               back to real time
Common: [--data ./.wxcoupon] [--url http://127.0.0.1:8080] [--json]

The platform's test clock (admin API): real time plus an offset, shared by every instance on the database and
kept across restarts. Stock windows, Beijing-day budgets, coupon expiry, the times in answers and notifications
and the notification retry schedule follow it; signatures, Wechatpay-Timestamp and rate limits stay on real
time, so SDKs keep working. A move answers once its consequences are applied: notifications that came due
have been attempted, and stocks whose end has passed read stopped with their unused coupons EXPIRED.
`;

interface ClockView {
  now: string;
  now_ms: number;
  offset_seconds: number;
  real_now: string;
}

export async function clock(argv: string[]): Promise<number> {
  const [sub, rest] = subcommand(argv);
  const { values, positionals } = parseFlags(rest, ADMIN_FLAGS, USAGE);
  if (values.help || sub === undefined) return printUsage(USAGE, values.help);
  const call = adminClient(values);
  let view: ClockView;
  switch (sub) {
    case 'show':
      view = await call<ClockView>('GET', '/clock');
      break;
    case 'advance': {
      const by = positionals[0];
      if (!by) throw new UsageError(`advance needs a duration, e.g. \`wxcoupon clock advance 25h\`\n\n${USAGE}`);
      view = await call<ClockView>('POST', '/clock/advance', { by });
      break;
    }
    case 'set': {
      const time = positionals[0];
      if (!time)
        throw new UsageError(`set needs a time, e.g. \`wxcoupon clock set 2026-12-12T00:00:00+08:00\`\n\n${USAGE}`);
      view = await call<ClockView>('POST', '/clock/set', { time });
      break;
    }
    case 'resume':
      view = await call<ClockView>('POST', '/clock/resume');
      break;
    default:
      throw new UsageError(`unknown clock command "${sub}"\n\n${USAGE}`);
  }
  if (values.json) printResult(view, true);
  else process.stdout.write(`now:  ${view.now} (${describeOffset(view.offset_seconds)})\nreal: ${view.real_now}\n`);
  return 0;
}

/** `1d 1h ahead of real time`, `2h 30m behind real time`, `real time`. */
export function describeOffset(seconds: number): string {
  if (seconds === 0) return 'real time';
  let left = Math.abs(seconds);
  const parts: string[] = [];
  for (const [unit, size] of [
    ['d', 86_400],
    ['h', 3600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    const n = Math.floor(left / size);
    left -= n * size;
    if (n > 0) parts.push(`${n}${unit}`);
  }
  return `${parts.join(' ')} ${seconds > 0 ? 'ahead of' : 'behind'} real time`;
}
