import { ADMIN_FLAGS, adminClient, printResult } from '../admin-client.js';
import { parseFlags } from '../args.js';

const USAGE = `Usage: wxcoupon reset [--data DIR] [--url URL] [--json]
Deletes every issued coupon and counter (merchants, appids, users and stocks stay; budgets start over).
`;

export async function reset(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, { ...ADMIN_FLAGS }, USAGE);
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  printResult(await adminClient(values)('POST', '/reset'), Boolean(values.json));
  return 0;
}
