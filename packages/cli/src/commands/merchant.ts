import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readCredentials, tlsBaseUrlFor } from '@wxcoupon/platform';
import { ADMIN_FLAGS, adminClient, printResult } from '../admin-client.js';
import { parseFlags, printUsage, subcommand } from '../args.js';
import { UsageError } from '../usage-error.js';

const USAGE = `Usage:
  wxcoupon merchant add [--mchid 1900000001] [--name NAME] [--appid wx…] [--out DIR]
  wxcoupon merchant list
  wxcoupon merchant v2-decimal-err-code --mchid 1900000001 [--off]
Common: [--data ./.wxcoupon] [--url http://127.0.0.1:8080] [--json]

add generates the merchant's API key pair and certificate, APIv3 and APIv2 keys; with --out DIR it writes
DIR/credentials.json (the same shape as the demo merchant's: usable by \`campaign run --credentials\`,
\`send --credentials\` and any SDK) with the merchant's private key and certificate, the platform's
public key and certificate and the local CA beside it. Sends need an appid: pass --appid.
v2-decimal-err-code answers the merchant's APIv2 business failures (result_code=FAIL) with decimal err_codes,
as WeChat Pay's own samples show (268456007 for USER_AL_GET_COUPON), or with the symbolic names again with
--off (the default). The numbers are listed in the platform's v2coupon README.
`;

export async function merchant(argv: string[]): Promise<number> {
  const [sub, rest] = subcommand(argv);
  const { values } = parseFlags(
    rest,
    {
      ...ADMIN_FLAGS,
      mchid: { type: 'string' },
      name: { type: 'string' },
      appid: { type: 'string' },
      out: { type: 'string' },
      off: { type: 'boolean' },
    },
    USAGE,
  );
  if (values.help || sub === undefined) return printUsage(USAGE, values.help);
  const call = adminClient(values);
  if (sub === 'list') {
    printResult(await call('GET', '/merchants'), true);
    return 0;
  }
  if (sub === 'v2-decimal-err-code') {
    if (!values.mchid) throw new UsageError(`--mchid is required\n\n${USAGE}`);
    const path = `/merchants/${encodeURIComponent(String(values.mchid))}/v2-decimal-err-code`;
    printResult(await call('PUT', path, { enabled: !values.off }), Boolean(values.json));
    return 0;
  }
  if (sub !== 'add') throw new UsageError(`unknown merchant command "${sub}"\n\n${USAGE}`);
  const created = await call<Record<string, string>>('POST', '/merchants', {
    ...(values.mchid ? { mchid: values.mchid } : {}),
    ...(values.name ? { name: values.name } : {}),
  });
  if (values.appid) await call('POST', `/merchants/${created.mchid}/appids`, { appid: values.appid });
  if (values.out) {
    // The addresses the CLI reached the platform at: --url, else those the running platform wrote for its demo.
    const demo = typeof values.url === 'string' ? undefined : readCredentials(resolve(String(values.data)));
    const baseURL = typeof values.url === 'string' ? values.url : (demo?.baseURL ?? 'http://127.0.0.1:8080');
    const platform = await call<PlatformInfo>('GET', '/platform');
    const written = writeMerchantCredentials(String(values.out), created, platform, {
      baseURL,
      tlsBaseURL: demo?.tlsBaseURL ?? tlsBaseUrlFor(baseURL),
      ...(values.appid ? { appid: String(values.appid) } : {}),
    });
    process.stderr.write(`wrote ${written} (and the key and certificate files beside it)\n`);
  }
  const { private_key: _secret, certificate: _cert, ...shown } = created;
  printResult(values.out ? shown : created, Boolean(values.json));
  return 0;
}

interface PlatformInfo {
  public_key_id: string;
  public_key: string;
  certificate_serial: string;
  certificate: string;
  ca_certificate: string;
}

/** Writes DIR/credentials.json and the files it names; returns the credentials file's path. */
function writeMerchantCredentials(
  out: string,
  created: Record<string, string>,
  platform: PlatformInfo,
  where: { baseURL: string; tlsBaseURL: string; appid?: string },
): string {
  const dir = resolve(out);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = (name: string, text: string, secret = false) => {
    const path = join(dir, name);
    writeFileSync(path, text, { mode: secret ? 0o600 : 0o644 });
    return path;
  };
  const credentials = {
    baseURL: where.baseURL,
    mchid: created.mchid,
    serial: created.serial,
    privateKeyFile: file('apiclient_key.pem', created.private_key ?? '', true),
    certificateFile: file('apiclient_cert.pem', created.certificate ?? ''),
    platformPublicKeyId: platform.public_key_id,
    platformPublicKeyFile: file('pub_key.pem', platform.public_key),
    platformCertificateSerial: platform.certificate_serial,
    platformCertificateFile: file('platform_cert.pem', platform.certificate),
    apiV3Key: created.api_v3_key,
    apiV2Key: created.api_v2_key,
    ...(where.appid ? { appid: where.appid } : {}),
    tlsBaseURL: where.tlsBaseURL,
    caCertificateFile: file('ca_cert.pem', platform.ca_certificate),
  };
  return file('credentials.json', `${JSON.stringify(credentials, null, 2)}\n`, true);
}
