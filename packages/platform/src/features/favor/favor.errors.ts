import { ApiError } from '../../errors/api-error.js';
import { MESSAGES } from '../../errors/messages.js';
import type { SendRefusal } from './favor.repository.js';
import type { SendInput } from './favor.schema.js';

// The 代金券 answers shared by its parts, each a code and text of the error registry.

export function conflict(field: string): ApiError {
  return new ApiError('INVALID_REQUEST', MESSAGES.requestNoReused, {
    field: `/${field}`,
    issue: 'the same request number was used before with different parameters',
    location: 'body',
  });
}

/** The error table lists the illegal state change under PARAM_ERROR (coupon-api.md §8.2). */
export function illegalState(status: string): ApiError {
  return new ApiError('PARAM_ERROR', MESSAGES.illegalStockState, { field: 'status', value: status });
}

/** The answer to a refused send, on either engine's path. */
export function sendRefused(why: SendRefusal, input: SendInput): ApiError {
  switch (why) {
    case 'unknown_user':
      return new ApiError('INVALID_REQUEST', MESSAGES.openidAppidMismatch);
    case 'no_stock':
      return new ApiError('RESOURCE_NOT_EXISTS', MESSAGES.stockNotExists);
    case 'wrong_creator':
      // A stock that exists under another creator than named (coupon-api.md §8.4).
      return new ApiError('INVALID_REQUEST', MESSAGES.stockLookupFailed, {
        field: '/stock_creator_mchid',
        value: input.stockCreatorMchid,
        location: 'body',
      });
    // A stock shared with other merchants, but not with this one, versus a stock shared with none.
    case 'not_a_sender':
      return new ApiError('REQUEST_BLOCKED', MESSAGES.noRightToSend);
    case 'not_shared':
      return new ApiError('REQUEST_BLOCKED', MESSAGES.noCrossMerchant);
    case 'not_running':
      return new ApiError('INVALID_REQUEST', MESSAGES.stockNotActive);
    case 'abnormal_user':
      return new ApiError('USER_ACCOUNT_ABNORMAL', MESSAGES.userAbnormal);
    case 'user_limit':
      return new ApiError('REQUEST_BLOCKED', MESSAGES.userLimited);
    // The table has one text for every budget, the daily one included.
    case 'stock_budget':
    case 'day_budget':
      return new ApiError('NOT_ENOUGH', MESSAGES.budgetNotEnough);
    case 'specified_value':
      throw new Error('a 指定面额 stock is sent by the general path, not refused');
  }
}
