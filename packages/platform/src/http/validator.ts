import { ApiError } from '../errors/api-error.js';
import { BODY, type RuleName, same, type Text, validatorText, WHY } from '../errors/messages.js';

// Reads request fields by JSON Pointer and fails with `400 PARAM_ERROR` worded as WeChat Pay's
// validator words it (input source, field, rule, reason), with `detail` naming the location, the
// value and the field. One reader per body, query or path.

type Location = 'body' | 'query' | 'uri_template';

interface Common {
  required?: boolean;
  /** The API's own text for a missing value (an error table row), instead of the validator's. */
  requiredText?: Text;
}
interface StringRule extends Common {
  /** Free text that may hold line breaks and tabs (descriptions, PEM); other control characters stay refused. */
  text?: boolean;
  min?: number;
  max?: number;
  pattern?: RegExp;
  patternIssue?: string;
  oneOf?: readonly string[];
}
interface IntegerRule extends Common {
  min?: number;
  max?: number;
  /** The API's own text for a value over `max` (an error table row), instead of the validator's. */
  maxText?: Text;
}

// Characters outside the Basic Multilingual Plane (4-byte UTF-8, e.g. emoji) are refused by the service.
const SUPPLEMENTARY = /[\u{10000}-\u{10FFFF}]/u;
// C0, DEL and C1 controls and lone surrogates (which no UTF-8 can carry, and PostgreSQL text cannot hold
// NUL) are refused in every string; free text keeps TAB, LF and CR.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]|\p{Cs}/u;
const CONTROL_IN_TEXT = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]|\p{Cs}/u;

/**
 * How deep a request body may nest (the body itself is level 1). The deepest documented body, a 商家券
 * weekly window (`/coupon_use_rule/coupon_available_time/available_week/available_day_time/0`), is 6.
 */
export const MAX_JSON_DEPTH = 8;

export class FieldReader {
  /** Every pointer a rule has read, with its parents: what the route knows. */
  private readonly known = new Set<string>();

  constructor(
    private readonly root: unknown,
    private readonly location: Location = 'body',
  ) {}

  /** A failed rule of `field`; `why` is the reason, in every language or (a value's own rule) as one text. */
  fail(field: string, value: unknown, why: string | Text, rule: RuleName = 'rule'): never {
    this.answer(field, value, validatorText(this.location, field, rule, typeof why === 'string' ? same(why) : why));
  }

  /** PARAM_ERROR with `message` as the text, detail in the validator's shape. */
  answer(field: string, value: unknown, message: Text): never {
    throw new ApiError('PARAM_ERROR', message, {
      field,
      location: this.location,
      ...(value === undefined ? {} : { value: summarize(value) }),
    });
  }

  /** The raw value at `pointer`, or undefined when it or a parent is absent. */
  get(pointer: string): unknown {
    let node: unknown = this.root;
    let walked = '';
    for (const part of pointer.split('/').slice(1)) {
      if (node === undefined || node === null) return undefined;
      if (typeof node !== 'object') this.fail(walked || '/', node, WHY.notObject, 'type');
      node = Array.isArray(node) ? node[Number(part)] : (node as Record<string, unknown>)[part];
      walked += `/${part}`;
      this.known.add(walked);
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
    if (typeof v !== 'string') this.fail(pointer, v, WHY.notString, 'type');
    if ((rule.text ? CONTROL_IN_TEXT : CONTROL).test(v)) this.fail(pointer, v, WHY.controls, 'characters');
    const length = [...v].length;
    if (rule.required && length === 0) {
      if (rule.requiredText) this.answer(pointer, v, rule.requiredText);
      this.fail(pointer, v, WHY.required, 'required');
    }
    if (rule.min !== undefined && length < rule.min) this.fail(pointer, v, WHY.minLength(rule.min), 'length');
    if (rule.max !== undefined && length > rule.max) this.fail(pointer, v, WHY.maxLength(rule.max), 'length');
    if (SUPPLEMENTARY.test(v)) this.fail(pointer, v, WHY.supplementary, 'characters');
    if (rule.oneOf && !rule.oneOf.includes(v)) this.fail(pointer, v, WHY.oneOf(rule.oneOf), 'enum');
    if (rule.pattern && !rule.pattern.test(v))
      this.fail(pointer, v, rule.patternIssue ? { ...WHY.pattern, en: rule.patternIssue } : WHY.pattern, 'format');
    return v;
  }

  integer(pointer: string, rule: IntegerRule & { required: true }): number;
  integer(pointer: string, rule?: IntegerRule): number | undefined;
  integer(pointer: string, rule: IntegerRule = {}): number | undefined {
    let v = this.get(pointer);
    if (v === undefined) return this.missing(pointer, rule);
    if (this.location !== 'body' && typeof v === 'string' && /^-?\d{1,16}$/.test(v)) v = Number(v);
    if (typeof v !== 'number' || !Number.isSafeInteger(v)) this.fail(pointer, v, WHY.notInteger, 'type');
    if (rule.min !== undefined && v < rule.min) this.fail(pointer, v, WHY.min(rule.min), 'range');
    if (rule.max !== undefined && v > rule.max) {
      if (rule.maxText) this.answer(pointer, v, rule.maxText);
      this.fail(pointer, v, WHY.max(rule.max), 'range');
    }
    return v;
  }

  boolean(pointer: string, rule: Common & { required: true }): boolean;
  boolean(pointer: string, rule?: Common): boolean | undefined;
  boolean(pointer: string, rule: Common = {}): boolean | undefined {
    let v = this.get(pointer);
    if (v === undefined) return this.missing(pointer, rule);
    if (this.location !== 'body' && (v === 'true' || v === 'false')) v = v === 'true';
    if (typeof v !== 'boolean') this.fail(pointer, v, WHY.notBoolean, 'type');
    return v;
  }

  object(pointer: string, rule: Common = {}): Record<string, unknown> | undefined {
    const v = this.get(pointer);
    if (v === undefined) return this.missing(pointer, rule);
    if (typeof v !== 'object' || Array.isArray(v)) this.fail(pointer, v, WHY.notObject, 'type');
    return v as Record<string, unknown>;
  }

  /** An array of strings, each checked with `item`. */
  strings(
    pointer: string,
    rule: Common & { minItems?: number; maxItems?: number; item?: StringRule } = {},
  ): string[] | undefined {
    const v = this.get(pointer);
    if (v === undefined) return this.missing(pointer, rule);
    if (!Array.isArray(v)) this.fail(pointer, v, WHY.notArray, 'type');
    if (rule.minItems !== undefined && v.length < rule.minItems)
      this.fail(pointer, v, WHY.minItems(rule.minItems), 'length');
    if (rule.maxItems !== undefined && v.length > rule.maxItems)
      this.fail(pointer, v, WHY.maxItems(rule.maxItems), 'length');
    return v.map((_, i) => this.string(`${pointer}/${i}`, { ...rule.item, required: true }));
  }

  /** An array of integers. */
  integers(pointer: string, rule: Common & { item?: IntegerRule; maxItems?: number } = {}): number[] | undefined {
    const v = this.get(pointer);
    if (v === undefined) return this.missing(pointer, rule);
    if (!Array.isArray(v)) this.fail(pointer, v, WHY.notArray, 'type');
    if (rule.maxItems !== undefined && v.length > rule.maxItems)
      this.fail(pointer, v, WHY.maxItems(rule.maxItems), 'length');
    return v.map((_, i) => this.integer(`${pointer}/${i}`, { ...rule.item, required: true }));
  }

  /**
   * Refuses the first member of an object that no rule has read: a field the API does not define is
   * not stored, echoed or digested. Array entries are reached through their array, so only object keys
   * need a rule of their own. Iterative: the walk's depth is bounded by the heap, not the stack.
   */
  refuseUnknown(): void {
    const stack: Array<[unknown, string]> = [[this.root, '']];
    for (let next = stack.pop(); next; next = stack.pop()) {
      const [node, pointer] = next;
      if (typeof node !== 'object' || node === null) continue;
      if (Array.isArray(node)) {
        for (let i = node.length - 1; i >= 0; i--) stack.push([node[i], `${pointer}/${i}`]);
        continue;
      }
      const keys = Object.keys(node);
      for (let i = keys.length - 1; i >= 0; i--) {
        const key = keys[i] as string;
        const child = `${pointer}/${key}`;
        if (!this.known.has(child))
          this.fail(
            escapePointer(pointer, key),
            (node as Record<string, unknown>)[key],
            WHY.undefinedField,
            'definition',
          );
        stack.push([(node as Record<string, unknown>)[key], child]);
      }
    }
  }

  private missing(pointer: string, rule: Common): undefined {
    if (rule.required) {
      if (rule.requiredText) this.answer(pointer, undefined, rule.requiredText);
      this.fail(pointer, undefined, WHY.required, 'required');
    }
    return undefined;
  }
}

/**
 * Reads a JSON request body with `read`, then refuses any field that `read` did not look at. Every
 * JSON route reads its body through here, so no route stores or digests a field it does not define.
 */
export function parseBody<T>(raw: string, read: (b: FieldReader) => T): T {
  const b = parseJsonObject(raw);
  const out = read(b);
  b.refuseUnknown();
  return out;
}

/** Parses a JSON request body; anything but a JSON object, or one nested too deep, is `PARAM_ERROR`. */
function parseJsonObject(raw: string): FieldReader {
  return new FieldReader(parseJson(raw), 'body');
}

/** A JSON request body as a value: anything but a JSON object, or one nested too deep, is `PARAM_ERROR`. */
export function parseJson(raw: string): object {
  if (raw.trim() === '') throw new ApiError('PARAM_ERROR', BODY.empty, { location: 'body' });
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (err) {
    throw new ApiError('PARAM_ERROR', BODY.notJson, {
      location: 'body',
      issue: err instanceof Error ? err.message : 'invalid JSON',
    });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ApiError('PARAM_ERROR', BODY.notObject, { location: 'body' });
  }
  const tooDeep = deeperThan(value, MAX_JSON_DEPTH);
  if (tooDeep) new FieldReader(value, 'body').fail(tooDeep.pointer, tooDeep.value, WHY.depth(MAX_JSON_DEPTH), 'depth');
  return value;
}

/** The first container nested deeper than `max` levels, found without recursion. */
function deeperThan(root: object, max: number): { pointer: string; value: unknown } | undefined {
  const stack: Array<[unknown, string, number]> = [[root, '', 1]];
  for (let next = stack.pop(); next; next = stack.pop()) {
    const [node, pointer, depth] = next;
    if (typeof node !== 'object' || node === null) continue;
    if (depth > max) return { pointer, value: node };
    for (const [key, child] of Object.entries(node)) stack.push([child, escapePointer(pointer, key), depth + 1]);
  }
  return undefined;
}

function escapePointer(parent: string, key: string): string {
  return `${parent}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`;
}

/** Request identifiers (`out_request_no` etc.): letters, digits and `|_*-` [coupon-api.md §1.6]. */
export const REQUEST_NO = /^[A-Za-z0-9|_*-]+$/;
export const REQUEST_NO_ISSUE = 'may contain only letters, digits and | _ * -';
export const MCHID = /^\d{1,20}$/;
/** An openid: 1–128 letters, digits, `_` or `-`, in every family (the form WeChat's openids take). */
export const OPENID = /^[A-Za-z0-9_-]{1,128}$/;
export const OPENID_RULE = {
  max: 128,
  pattern: OPENID,
  patternIssue: 'may contain only letters, digits, _ and -',
} as const;

function summarize(v: unknown): unknown {
  if (typeof v === 'string') return v.length > 256 ? `${v.slice(0, 256)}…` : v;
  if (typeof v === 'object' && v !== null) return Array.isArray(v) ? '[array]' : '[object]';
  return v;
}
