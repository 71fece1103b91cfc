/** The command line itself is wrong (unknown command or option, missing value). Exit status 64. */
export class UsageError extends Error {
  override name = 'UsageError';
}
