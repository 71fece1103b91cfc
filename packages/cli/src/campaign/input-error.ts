/** A recipient list that cannot be read as documented (no openid column, unterminated quote, ...). */
export class InputError extends Error {
  override name = 'InputError';
}
