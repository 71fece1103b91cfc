import { ADMIN_FLAGS, adminClient, printResult } from '../admin-client.js';
import { parseFlags, printUsage, subcommand } from '../args.js';
import { UsageError } from '../usage-error.js';

const USAGE = `Usage: wxcoupon coupon use --coupon-id ID [--transaction-id ID] [--consume-mchid MCHID] [--data DIR] [--url URL] [--json]
Marks a 代金券 used, as a payment with it would (and triggers the COUPON.USE notification).
`;

export async function coupon(argv: string[]): Promise<number> {
  const [sub, rest] = subcommand(argv);
  const { values } = parseFlags(
    rest,
    {
      ...ADMIN_FLAGS,
      'coupon-id': { type: 'string' },
      'transaction-id': { type: 'string' },
      'consume-mchid': { type: 'string' },
    },
    USAGE,
  );
  if (values.help || sub === undefined) return printUsage(USAGE, values.help);
  if (sub !== 'use') throw new UsageError(`unknown coupon command "${sub}"\n\n${USAGE}`);
  const id = values['coupon-id'];
  if (!id) throw new UsageError(`--coupon-id is required\n\n${USAGE}`);
  const body = {
    ...(values['transaction-id'] ? { transaction_id: values['transaction-id'] } : {}),
    ...(values['consume-mchid'] ? { consume_mchid: values['consume-mchid'] } : {}),
  };
  printResult(
    await adminClient(values)('POST', `/favor/coupons/${encodeURIComponent(String(id))}/use`, body),
    Boolean(values.json),
  );
  return 0;
}
