import type { SendOutcome } from '../engine/sender.js';

/** A per-row field that cannot be sent as given: fails that row only, before any request. */
export function invalidField(name: string, value: string, expected: string): SendOutcome {
  return {
    ok: false,
    failure: {
      kind: 'api',
      status: 400,
      code: 'PARAM_ERROR',
      message: `column ${name}="${value}" must be ${expected}`,
    },
  };
}

/** A 2xx answer without the coupon it should carry. */
export function unexpectedAnswer(field: string, data: unknown): SendOutcome {
  return {
    ok: false,
    failure: { kind: 'unexpected', message: `the answer has no ${field}: ${JSON.stringify(data).slice(0, 200)}` },
  };
}
