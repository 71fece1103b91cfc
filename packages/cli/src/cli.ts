import { createRequire } from 'node:module';
import { PlatformStartError } from '@wxcoupon/platform';
import { WechatpayError } from '@wxcoupon/sdk';
import { AdminApiError } from './admin-client.js';
import { CampaignError } from './campaign/command/campaign-error.js';
import { commands } from './commands/index.js';
import { UsageError } from './usage-error.js';

// The one error policy of the CLI: errors a user can act on print one line and exit non-zero;
// anything else is a bug and prints its stack.

function usage(): string {
  const width = Math.max(...Object.keys(commands).map((k) => k.length));
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return `Usage: wxcoupon <command> [options]   (wxcoupon <command> --help for its options; wxcoupon --version)\n\n${lines.join('\n')}\n`;
}

/** The package's version, read from its package.json (one level above both src/ and dist/). */
function version(): string {
  return (createRequire(import.meta.url)('../package.json') as { version: string }).version;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(usage());
    return name === undefined ? 64 : 0;
  }
  if (name === '--version' || name === '-V' || name === 'version') {
    process.stdout.write(`wxcoupon ${version()}\n`);
    return 0;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(`wxcoupon: unknown command "${name}"\n\n${usage()}`);
    return 64;
  }
  try {
    return await command.run(rest);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`wxcoupon ${name}: ${err.message}\n`);
      return 64;
    }
    if (err instanceof CampaignError) {
      process.stderr.write(`wxcoupon ${name}: ${err.message}\n`);
      return err.kind === 'usage' ? 64 : 1;
    }
    if (err instanceof PlatformStartError || err instanceof AdminApiError || err instanceof WechatpayError) {
      process.stderr.write(`wxcoupon ${name}: ${err.message}\n`);
      return 1;
    }
    process.stderr.write(
      `wxcoupon ${name}: unexpected error\n${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    return 70;
  }
}
