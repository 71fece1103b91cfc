import { RequestError } from '../errors/request-error.js';

// Path building for the chain: property names become URL segments, `_name_` becomes a template
// variable, and template values are encoded but never case-converted.

/** Turns one property name into a path segment: `productCoupons` → `product-coupons`, `_openid_` → `{openid}`. */
export function segmentOf(property: string): string {
  const template = /^([_$])(.+)\1$/.exec(property);
  if (template) return `{${template[2]}}`;
  return property.replace(/^[A-Z]/, (c) => c.toLowerCase()).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/**
 * Splits a property or a `chain()` argument into segments. A string holding `/` is a path written out
 * already, so it is kept as is; a bare name goes through {@link segmentOf}.
 */
export function segmentsOf(input: string): string[] {
  if (!input.includes('/')) return input === '' ? [] : [segmentOf(input)];
  return input.split('/').filter((s) => s !== '');
}

/** The template variables a path needs, in order: `v3/users/{openid}/coupons/{coupon_id}` → `['openid','coupon_id']`. */
export function templateNames(path: string): string[] {
  return [...path.matchAll(/\{([^}/]+)\}/g)].map((m) => m[1] as string);
}

/** Fills `{name}` from `values`, URL-encoding each value. Throws when a variable has no value. */
export function fillTemplate(path: string, values: Readonly<Record<string, unknown>>): string {
  return path.replace(/\{([^}/]+)\}/g, (_, name: string) => {
    const v = values[name];
    if (v === undefined || v === null || v === '') {
      throw new RequestError(`the path ${path} needs the option \`${name}\` (a template variable)`);
    }
    const text = String(v);
    // URL parsing collapses `.` and `..` segments (even percent-encoded), which would send the call elsewhere.
    if (text === '.' || text === '..') throw new RequestError(`the path variable \`${name}\` cannot be "${text}"`);
    return encodeURIComponent(text);
  });
}

/** `?a=1&b=2` from a query object, skipping undefined and null; arrays become comma-separated lists. */
export function queryString(query: Readonly<Record<string, unknown>> | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null) continue;
    params.append(k, Array.isArray(v) ? v.join(',') : String(v));
  }
  const s = params.toString();
  return s ? `?${s}` : '';
}
