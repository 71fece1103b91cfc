import { CampaignError } from '../command/campaign-error.js';

/** A recipient list that cannot be read as documented (no openid column, unterminated quote, unreadable file). */
export class InputError extends CampaignError {
  override name = 'InputError';

  constructor(message: string) {
    super(message, 'input');
  }
}
