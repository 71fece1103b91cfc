import { ApiError } from '../errors/api-error.js';

// Reads request fields by JSON Pointer and fails with `400 PARAM_ERROR` whose detail names the
// field, the value and the issue, as WeChat Pay does. One reader per body, query or path.

type Location = 'body' | 'query' | 'uri_template';

interface Common {
  required?: boolean;
}
interface StringRule extends Common {
  min?: number;
  max?: number;
  pattern?: RegExp;
  patternIssue?: string;
  oneOf?: readonly string[];
}
interface IntegerRule extends Common {
  min?: number;
  max?: number;
}

// Characters outside the Basic Multilingual Plane (4-byte UTF-8, e.g. emoji) are refused by the service.
const SUPPLEMENTARY = /[\u{10000}-\u{10FFFF}]/u;

export class FieldReader {
  constructor(
    private readonly root: unknown,
    private readonly location: Location = 'body',
  ) {}

  fail(field: string, value: unknown, issue: string): never {
    throw new ApiError('PARAM_ERROR', `${field.replace(/^\//, '')}: ${issue}`, {
      field,
      value: summarize(value),
      issue,
      location: this.location,
    });
  }

  /** The raw value at `pointer`, or undefined when it or a parent is absent. */
  get(pointer: string): unknown {
    let node: unknown = this.root;
    let walked = '';
    for (const part of pointer.split('/').slice(1)) {
      if (node === undefined || node === null) return undefined;
      if (typeof node !== 'object') this.fail(walked || '/', node, 'must be an object');
      node = Array.isArray(node) ? node[Number(part)] : (node as Record<string, unknown>)[part];
      walked += `/${part}`;
    }
    return node === null ? undefined : node;
  }

  has(pointer: string): boolean {
    return this.get(pointer) !== undefined;
  }

  string(pointer: string, rule: StringRule & { required: true }): string;
  string(pointer: string, rule?: StringRule): string | undefined;
  string(pointer: string, rule: StringRule = {}): string | undefined {
    const v = this.get(pointer);
    if (v === undefined) return this.missing(pointer, rule);
    if (typeof v !== 'string') this.fail(pointer, v, 'must be a string');
    const length = [...v].length;
    if (rule.required && length === 0) this.fail(pointer, v, 'is required and must not be empty');
    if (rule.min !== undefined && length < rule.min) this.fail(pointer, v, `must be at least ${rule.min} characters`);
    if (rule.max !== undefined && length > rule.max) this.fail(pointer, v, `must be at most ${rule.max} characters`);
    if (SUPPLEMENTARY.test(v))
      this.fail(pointer, v, 'characters outside the Basic Multilingual Plane are not supported');
    if (rule.oneOf && !rule.oneOf.includes(v)) this.fail(pointer, v, `must be one of ${rule.oneOf.join(', ')}`);
    if (rule.pattern && !rule.pattern.test(v)) this.fail(pointer, v, rule.patternIssue ?? `must match ${rule.pattern}`);
    return v;
  }

  integer(pointer: string, rule: IntegerRule & { required: true }): number;
  integer(pointer: string, rule?: IntegerRule): number | undefined;
  integer(pointer: string, rule: IntegerRule = {}): number | undefined {
    let v = this.get(pointer);
    if (v === undefined) return this.missing(pointer, rule);
    if (this.location !== 'body' && typeof v === 'string' && /^-?\d{1,16}$/.test(v)) v = Number(v);
    if (typeof v !== 'number' || !Number.isSafeInteger(v)) this.fail(pointer, v, 'must be an integer');
    if (rule.min !== undefined && v < rule.min) this.fail(pointer, v, `must be at least ${rule.min}`);
    if (rule.max !== undefined && v > rule.max) this.fail(pointer, v, `must be at most ${rule.max}`);
    return v;
  }

  boolean(pointer: string, rule: Common & { required: true }): boolean;
  boolean(pointer: string, rule?: Common): boolean | undefined;
  boolean(pointer: string, rule: Common = {}): boolean | undefined {
    let v = this.get(pointer);
    if (v === undefined) return this.missing(pointer, rule);
    if (this.location !== 'body' && (v === 'true' || v === 'false')) v = v === 'true';
    if (typeof v !== 'boolean') this.fail(pointer, v, 'must be true or false');
    return v;
  }

  object(pointer: string, rule: Common = {}): Record<string, unknown> | undefined {
    const v = this.get(pointer);
    if (v === undefined) return this.missing(pointer, rule);
    if (typeof v !== 'object' || Array.isArray(v)) this.fail(pointer, v, 'must be an object');
    return v as Record<string, unknown>;
  }

  /** An array of strings, each checked with `item`. */
  strings(
    pointer: string,
    rule: Common & { minItems?: number; maxItems?: number; item?: StringRule } = {},
  ): string[] | undefined {
    const v = this.get(pointer);
    if (v === undefined) return this.missing(pointer, rule);
    if (!Array.isArray(v)) this.fail(pointer, v, 'must be an array');
    if (rule.minItems !== undefined && v.length < rule.minItems)
      this.fail(pointer, v, `must have at least ${rule.minItems} entries`);
    if (rule.maxItems !== undefined && v.length > rule.maxItems)
      this.fail(pointer, v, `must have at most ${rule.maxItems} entries`);
    return v.map((_, i) => this.string(`${pointer}/${i}`, { ...rule.item, required: true }));
  }

  /** An array of integers. */
  integers(pointer: string, rule: Common & { item?: IntegerRule; maxItems?: number } = {}): number[] | undefined {
    const v = this.get(pointer);
    if (v === undefined) return this.missing(pointer, rule);
    if (!Array.isArray(v)) this.fail(pointer, v, 'must be an array');
    if (rule.maxItems !== undefined && v.length > rule.maxItems)
      this.fail(pointer, v, `must have at most ${rule.maxItems} entries`);
    return v.map((_, i) => this.integer(`${pointer}/${i}`, { ...rule.item, required: true }));
  }

  private missing(pointer: string, rule: Common): undefined {
    if (rule.required) this.fail(pointer, undefined, 'is required');
    return undefined;
  }
}

/** Parses a JSON request body; anything but a JSON object is `PARAM_ERROR`. */
export function parseJsonObject(raw: string): FieldReader {
  if (raw.trim() === '')
    throw new ApiError('PARAM_ERROR', 'request body is empty; a JSON object is expected', { location: 'body' });
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (err) {
    throw new ApiError('PARAM_ERROR', 'request body is not valid JSON', {
      location: 'body',
      issue: err instanceof Error ? err.message : 'invalid JSON',
    });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ApiError('PARAM_ERROR', 'request body must be a JSON object', { location: 'body' });
  }
  return new FieldReader(value, 'body');
}

/** Request identifiers (`out_request_no` etc.): letters, digits and `|_*-` [coupon-api.md §1.6]. */
export const REQUEST_NO = /^[A-Za-z0-9|_*-]+$/;
export const REQUEST_NO_ISSUE = 'may contain only letters, digits and | _ * -';
export const MCHID = /^\d{1,20}$/;

function summarize(v: unknown): unknown {
  if (typeof v === 'string') return v.length > 256 ? `${v.slice(0, 256)}…` : v;
  if (typeof v === 'object' && v !== null) return Array.isArray(v) ? '[array]' : '[object]';
  return v;
}
