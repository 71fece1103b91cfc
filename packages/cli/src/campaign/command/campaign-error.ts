/**
 * A campaign that cannot start or continue as asked: bad options, unreadable credentials, a journal that belongs
 * to another campaign or is in use. `kind` picks the exit status.
 */
export class CampaignError extends Error {
  override name = 'CampaignError';
  readonly kind: 'usage' | 'journal' | 'input';

  constructor(message: string, kind: 'usage' | 'journal' | 'input' = 'usage') {
    super(message);
    this.kind = kind;
  }
}
