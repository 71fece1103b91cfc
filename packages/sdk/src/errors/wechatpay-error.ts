// Node's util.inspect finds a custom view under this registered symbol, and passes itself in.
const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/**
 * The root of every error the SDK throws, so callers can catch SDK failures with one `instanceof`.
 * Subclasses carry only redacted data: no private key, APIv2/APIv3 key or full `Authorization` header
 * can reach a log through `message`, `toString()`, `util.inspect` or `JSON.stringify`.
 */
export class WechatpayError extends Error {
  override name = 'WechatpayError';

  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = { name: this.name, message: this.message };
    for (const [k, v] of Object.entries(this)) {
      if (k !== 'cause' && k !== 'stack') out[k] = v;
    }
    return out;
  }

  [INSPECT](_depth: number, options: object, inspect: (value: unknown, options: object) => string): string {
    return `${this.stack ?? `${this.name}: ${this.message}`}\n${inspect(this.toJSON(), { ...options, depth: 4 })}`;
  }
}
