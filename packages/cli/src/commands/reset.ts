import { createInterface } from 'node:readline/promises';
import { ADMIN_FLAGS, adminClient, printResult } from '../admin-client.js';
import { parseFlags } from '../args.js';
import { UsageError } from '../usage-error.js';

const USAGE = `Usage: wxcoupon reset [--yes] [--data DIR] [--url URL] [--json]
Deletes every issued coupon and counter (merchants, appids, users and stocks stay; budgets start over).
On a terminal it asks first; --yes skips the question (for scripts, which are never asked).
`;

export async function reset(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, { ...ADMIN_FLAGS, yes: { type: 'boolean', short: 'y', default: false } }, USAGE);
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const call = adminClient(values);
  if (!values.yes && process.stdin.isTTY && process.stdout.isTTY && !(await confirmed())) {
    throw new UsageError('nothing reset (answer y to reset, or pass --yes)');
  }
  printResult(await call('POST', '/reset'), Boolean(values.json));
  return 0;
}

async function confirmed(): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    const answer = await rl.question('Delete every issued coupon and counter on this platform? [y/N] ');
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}
