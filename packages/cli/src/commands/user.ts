import { ADMIN_FLAGS, adminClient, printResult } from '../admin-client.js';
import { parseFlags, printUsage, subcommand } from '../args.js';
import { UsageError } from '../usage-error.js';

const USAGE = `Usage:
  wxcoupon user add --appid APPID [--openid OPENID] [--person ID] [--abnormal]
  wxcoupon user flag --openid OPENID [--appid APPID] [--clear]   flag a user abnormal (USER_ACCOUNT_ABNORMAL), or clear it
  wxcoupon user show --openid OPENID [--appid APPID]
Common: [--data ./.wxcoupon] [--url http://127.0.0.1:8080] [--json]
A user is an openid under one appid: the same openid under two appids is two users. flag and show
need --appid when the openid exists under more than one appid.
Users sharing --person count as one natural person (natural_person_limit).
`;

export async function user(argv: string[]): Promise<number> {
  const [sub, rest] = subcommand(argv);
  const { values } = parseFlags(
    rest,
    {
      ...ADMIN_FLAGS,
      appid: { type: 'string' },
      openid: { type: 'string' },
      person: { type: 'string' },
      abnormal: { type: 'boolean', default: false },
      clear: { type: 'boolean', default: false },
    },
    USAGE,
  );
  if (values.help || sub === undefined) return printUsage(USAGE, values.help);
  const call = adminClient(values);
  const json = Boolean(values.json);
  if (sub === 'add') {
    if (!values.appid) throw new UsageError(`--appid is required\n\n${USAGE}`);
    printResult(
      await call('POST', '/users', {
        appid: values.appid,
        ...(values.openid ? { openid: values.openid } : {}),
        ...(values.person ? { person_id: values.person } : {}),
        abnormal: Boolean(values.abnormal),
      }),
      json,
    );
    return 0;
  }
  if (!values.openid) throw new UsageError(`--openid is required\n\n${USAGE}`);
  const appid = values.appid ? `?appid=${encodeURIComponent(String(values.appid))}` : '';
  const path = `/users/${encodeURIComponent(String(values.openid))}${appid}`;
  if (sub === 'flag') {
    printResult(await call('PATCH', path, { abnormal: !values.clear }), json);
    return 0;
  }
  if (sub === 'show') {
    printResult(await call('GET', path), json);
    return 0;
  }
  throw new UsageError(`unknown user command "${sub}"\n\n${USAGE}`);
}
