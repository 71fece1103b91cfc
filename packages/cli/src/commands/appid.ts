import { ADMIN_FLAGS, adminClient, printResult } from '../admin-client.js';
import { parseFlags, printUsage, subcommand } from '../args.js';
import { UsageError } from '../usage-error.js';

const USAGE = `Usage: wxcoupon appid add --mchid MCHID --appid APPID [--data DIR] [--url URL] [--json]
Binds an appid to a merchant (creating the appid if new).
`;

export async function appid(argv: string[]): Promise<number> {
  const [sub, rest] = subcommand(argv);
  const { values } = parseFlags(rest, { ...ADMIN_FLAGS, mchid: { type: 'string' }, appid: { type: 'string' } }, USAGE);
  if (values.help || sub === undefined) return printUsage(USAGE, values.help);
  if (sub !== 'add') throw new UsageError(`unknown appid command "${sub}"\n\n${USAGE}`);
  if (!values.mchid || !values.appid) throw new UsageError(`--mchid and --appid are required\n\n${USAGE}`);
  printResult(
    await adminClient(values)('POST', `/merchants/${values.mchid}/appids`, { appid: values.appid }),
    Boolean(values.json),
  );
  return 0;
}
