import { MESSAGES, type Text } from './messages.js';

// Every error code the platform can answer, with its HTTP status and default message. Routes and
// services throw ApiError with a code from here; the transport edge turns it into the wire format.
// The default texts are the code's description in WeChat Pay's own tables (see messages.ts).

export const ERROR_CODES = {
  PARAM_ERROR: { status: 400, message: MESSAGES.paramError },
  INVALID_REQUEST: { status: 400, message: MESSAGES.invalidRequest },
  MCH_NOT_EXISTS: { status: 400, message: MESSAGES.mchNotExists },
  APPID_MCHID_NOT_MATCH: { status: 400, message: MESSAGES.appidMchidMismatch },
  RESOURCE_ALREADY_EXISTS: { status: 400, message: MESSAGES.resourceExists },
  SIGN_ERROR: { status: 401, message: MESSAGES.signError },
  NOAUTH: { status: 403, message: MESSAGES.noAuth },
  REQUEST_BLOCKED: { status: 403, message: MESSAGES.callerNoPermission },
  NOT_ENOUGH: { status: 403, message: MESSAGES.budgetNotEnough },
  USER_ACCOUNT_ABNORMAL: { status: 403, message: MESSAGES.userAbnormal },
  RULELIMIT: { status: 403, message: MESSAGES.ruleLimit },
  RESOURCE_NOT_EXISTS: { status: 404, message: MESSAGES.resourceNotExists },
  USER_NOT_EXISTS: { status: 404, message: MESSAGES.userNotExists },
  FREQUENCY_LIMIT_EXCEED: { status: 429, message: MESSAGES.rateLimited },
  FREQUENCY_LIMITED: { status: 429, message: MESSAGES.busifavorRateLimited },
  SYSTEM_ERROR: { status: 500, message: MESSAGES.systemError },
  // Admin API only (not a WeChat code): the admin token is missing or wrong.
  ADMIN_UNAUTHORIZED: {
    status: 401,
    message: {
      'zh-CN': 'admin token missing or wrong; see <data>/admin-token',
      'zh-HK': 'admin token missing or wrong; see <data>/admin-token',
      'zh-TW': 'admin token missing or wrong; see <data>/admin-token',
      en: 'admin token missing or wrong; see <data>/admin-token',
    },
  },
} as const satisfies Record<string, { status: number; message: Text }>;

export type ErrorCode = keyof typeof ERROR_CODES;
