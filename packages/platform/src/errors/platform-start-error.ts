/**
 * The platform cannot start for a reason the user must fix: a port in use, an unusable data directory,
 * an unsupported database URL. The message says what to do; the CLI prints only the message.
 */
export class PlatformStartError extends Error {
  override name = 'PlatformStartError';
}
