import { ApiError, ConfigError, NetworkError, TimeoutError, V2Error, VerificationError } from '@wxcoupon/sdk';
import type { Failure } from '../engine/failure.js';

/** Maps the SDK's error classes onto the campaign's failure kinds. */
export function describeError(error: unknown): Failure {
  if (error instanceof ApiError) {
    return { kind: 'api', status: error.status, code: error.code, message: apiMessage(error) };
  }
  if (error instanceof V2Error) {
    if (error.returnCode !== 'SUCCESS') {
      return {
        kind: 'v2',
        communication: true,
        code: error.errCode || 'RETURN_CODE_FAIL',
        message: error.returnMsg ?? error.message,
      };
    }
    return { kind: 'v2', code: error.errCode || 'RESULT_CODE_FAIL', message: error.errCodeDes ?? error.message };
  }
  if (error instanceof TimeoutError) return { kind: 'timeout', message: error.message };
  if (error instanceof NetworkError) {
    return { kind: 'network', message: error.message, ...(refused(error) ? { refused: true } : {}) };
  }
  if (error instanceof VerificationError) return { kind: 'verification', message: error.message };
  if (error instanceof ConfigError) return { kind: 'config', message: error.message };
  return { kind: 'unexpected', message: error instanceof Error ? error.message : String(error) };
}

/** The WeChat message alone (the SDK's own message repeats method and URL, which every row shares). */
function apiMessage(error: ApiError): string {
  const m = / HTTP \d+ [A-Z_]+: (.*?)(?: \(field|\s*\[Request-ID|$)/.exec(error.message);
  return m?.[1] ?? error.message;
}

/**
 * A refused connection (nothing listened at the address) carries ECONNREFUSED somewhere in its cause chain; the
 * transports wrap the system error once or twice.
 */
function refused(error: Error): boolean {
  let cause: unknown = error.cause;
  for (let depth = 0; cause instanceof Error && depth < 5; depth++) {
    if ((cause as NodeJS.ErrnoException).code === 'ECONNREFUSED') return true;
    const nested = cause as Error & { errors?: unknown[] };
    // Connecting to a host with several addresses fails with an AggregateError of one error each.
    if (nested.errors?.some((e) => (e as NodeJS.ErrnoException).code === 'ECONNREFUSED')) return true;
    cause = cause.cause;
  }
  return false;
}
