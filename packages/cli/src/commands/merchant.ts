import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ADMIN_FLAGS, adminClient, printResult } from '../admin-client.js';
import { parseFlags } from '../args.js';
import { UsageError } from '../usage-error.js';

const USAGE = `Usage:
  wxcoupon merchant add [--mchid 1900000001] [--name NAME] [--appid wx…] [--out DIR]
  wxcoupon merchant list
Common: [--data ./.wxcoupon] [--url http://127.0.0.1:8080] [--json]

add generates the merchant's API key pair and certificate, APIv3 and APIv2 keys; with --out the private
key, certificate and a credentials.json for the SDK are written to DIR.
`;

export async function merchant(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  const { values } = parseFlags(
    rest,
    {
      ...ADMIN_FLAGS,
      mchid: { type: 'string' },
      name: { type: 'string' },
      appid: { type: 'string' },
      out: { type: 'string' },
    },
    USAGE,
  );
  if (values.help || sub === undefined) {
    process.stdout.write(USAGE);
    return sub === undefined ? 64 : 0;
  }
  const call = adminClient(values);
  if (sub === 'list') {
    printResult(await call('GET', '/merchants'), true);
    return 0;
  }
  if (sub !== 'add') throw new UsageError(`unknown merchant command "${sub}"\n\n${USAGE}`);
  const created = await call<Record<string, string>>('POST', '/merchants', {
    ...(values.mchid ? { mchid: values.mchid } : {}),
    ...(values.name ? { name: values.name } : {}),
  });
  if (values.appid) await call('POST', `/merchants/${created.mchid}/appids`, { appid: values.appid });
  if (values.out) {
    const dir = resolve(String(values.out));
    mkdirSync(dir, { recursive: true });
    const keyFile = join(dir, 'apiclient_key.pem');
    const certFile = join(dir, 'apiclient_cert.pem');
    writeFileSync(keyFile, created.private_key ?? '', { mode: 0o600 });
    writeFileSync(certFile, created.certificate ?? '');
    process.stderr.write(`wrote ${keyFile} and ${certFile}\n`);
  }
  const { private_key: _secret, certificate: _cert, ...shown } = created;
  printResult(values.out ? shown : created, Boolean(values.json));
  return 0;
}
