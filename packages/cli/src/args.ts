import { type ParseArgsConfig, parseArgs } from 'node:util';
import { UsageError } from './usage-error.js';

type Options = NonNullable<ParseArgsConfig['options']>;

export interface ParsedFlags {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

/** node:util parseArgs with usage errors in our own words. */
export function parseFlags(argv: string[], options: Options, usage: string): ParsedFlags {
  try {
    return parseArgs({
      // every option is declared as string or boolean, so the values are exactly these types

      args: argv,
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    }) as ParsedFlags;
  } catch (err) {
    throw new UsageError(`${err instanceof Error ? err.message : String(err)}\n\n${usage}`);
  }
}

/** A flag value that must be a whole number in [min, max]. */
export function intFlag(
  value: string | undefined,
  name: string,
  fallback: number,
  min = 0,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new UsageError(`--${name} must be a whole number between ${min} and ${max}`);
  return n;
}

/**
 * Splits `wxcoupon <command> <sub> [flags]` into the subcommand and its flags. A first word that is a
 * flag (`stock --help`) is no subcommand, so it reaches the flag parser instead of being taken as one.
 */
export function subcommand(argv: string[]): [sub: string | undefined, rest: string[]] {
  const [first, ...rest] = argv;
  return first === undefined || first.startsWith('-') ? [undefined, argv] : [first, rest];
}

/** Prints a command's usage; the exit status is 0 when help was asked for, 64 (a usage error) otherwise. */
export function printUsage(usage: string, help: unknown): number {
  process.stdout.write(usage);
  return help ? 0 : 64;
}
