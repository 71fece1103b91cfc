// Building blocks for the endpoint types. Enums are literal unions that still accept new values.

/** A literal union that also accepts any other string, because WeChat Pay keeps adding values. */
export type OpenEnum<T extends string> = T | (string & {});
/** Money in integer fen (分). */
export type Fen = number;
/** RFC 3339 time, e.g. `2026-01-01T00:00:00+08:00`. */
export type Rfc3339 = string;
