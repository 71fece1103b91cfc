import {
  FormatRegistry,
  type Static,
  type TArray,
  type TBoolean,
  type TInteger,
  type TLiteral,
  type TNever,
  type TObject,
  type TOptional,
  type TProperties,
  type TSchema,
  type TString,
  type TUnion,
  Type,
} from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { parseRfc3339 } from '../clock.js';
import type { Text } from '../errors/messages.js';
import { FieldReader, parseJson } from './validator.js';

// Request schemas: one TypeBox declaration gives the handler's type, the JSON Schema of the API document
// and a compiled validator. Each schema also carries the FieldReader rule it stands for (under a symbol,
// so it never reaches the document): the compiled check decides, and only a request it refuses is read
// again by FieldReader with those rules, which names the first failing field with the validator's exact
// words, in the order the fields are declared. A null member counts as absent there, as FieldReader
// always had it, so a request the compiled check refused for a null alone is accepted without it.

const RULE = Symbol('wxcoupon.rule');

type Location = 'body' | 'query' | 'uri_template';

interface StringSpec {
  required?: boolean;
  requiredText?: Text;
  /** Free text that may hold line breaks and tabs. */
  text?: boolean;
  min?: number;
  max?: number;
  pattern?: RegExp;
  patternIssue?: string;
  /** An RFC 3339 date-time; `true` words a failure as the validator does, a Text as an API's table row. */
  time?: true | Text;
  /**
   * A rule of this field alone that JSON Schema cannot say: `problem` names what is wrong, if anything.
   * It becomes the format `wx-<name>`, so the compiled check applies it too.
   */
  must?: { name: string; problem: (v: string) => string | undefined };
}
interface IntegerSpec {
  required?: boolean;
  requiredText?: Text;
  min?: number;
  max?: number;
  maxText?: Text;
}

type Rule =
  | { kind: 'string'; spec: StringSpec & { oneOf?: readonly string[] } }
  | { kind: 'integer'; spec: IntegerSpec }
  | { kind: 'boolean'; spec: { required?: boolean } }
  | { kind: 'strings'; spec: { required?: boolean; minItems?: number; maxItems?: number; item: StringSpec } }
  | { kind: 'integers'; spec: { required?: boolean; maxItems?: number; item: IntegerSpec } }
  | { kind: 'object'; spec: { required?: boolean } }
  | { kind: 'refused'; issue: string }
  | { kind: 'ignored' };

type Field<T extends TSchema, R> = R extends { required: true } ? T : TOptional<T>;

// Strings refuse control characters (free text keeps TAB, LF, CR), lone surrogates and characters
// outside the BMP; with those gone, JSON Schema's UTF-16 lengths are FieldReader's character counts.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]|\p{Cs}/u;
const CONTROL_IN_TEXT = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]|\p{Cs}/u;
const SUPPLEMENTARY = /[\u{10000}-\u{10FFFF}]/u;
FormatRegistry.Set('wx-line', (v) => !CONTROL.test(v) && !SUPPLEMENTARY.test(v));
FormatRegistry.Set('wx-text', (v) => !CONTROL_IN_TEXT.test(v) && !SUPPLEMENTARY.test(v));
FormatRegistry.Set('wx-date-time', (v) => !CONTROL.test(v) && !SUPPLEMENTARY.test(v) && parseRfc3339(v) !== undefined);

const TIME_ISSUE = 'must be an RFC 3339 date-time with a zone, e.g. 2026-01-01T00:00:00+08:00';

function optional<T extends TSchema>(schema: T, required: boolean | undefined): TSchema {
  return required ? schema : Type.Optional(schema);
}

function stringKeywords(spec: StringSpec): Record<string, unknown> {
  const min = Math.max(spec.min ?? 0, spec.required ? 1 : 0);
  return {
    ...(min > 0 ? { minLength: min } : {}),
    ...(spec.max !== undefined ? { maxLength: spec.max } : {}),
    ...(spec.pattern ? { pattern: spec.pattern.source } : {}),
    format: format(spec),
  };
}

function format(spec: StringSpec): string {
  const base = spec.time ? 'wx-date-time' : spec.text ? 'wx-text' : 'wx-line';
  if (!spec.must) return base;
  const { name, problem } = spec.must;
  const own = `wx-${name}`;
  const check = FormatRegistry.Get(base) as (v: string) => boolean;
  if (!FormatRegistry.Has(own)) FormatRegistry.Set(own, (v) => check(v) && problem(v) === undefined);
  return own;
}

/** A string field. */
export function str<const R extends StringSpec>(spec: R): Field<TString, R> {
  const schema = Type.String({ ...stringKeywords(spec), [RULE]: { kind: 'string', spec } satisfies Rule });
  return optional(schema, spec.required) as Field<TString, R>;
}

/** A member the platform accepts and does not use: any text, unchecked. */
export function ignored(): TOptional<TString> {
  return Type.Optional(Type.String({ [RULE]: { kind: 'ignored' } satisfies Rule }));
}

/** A string that must be one of `values`. */
export function oneOf<const V extends readonly string[], const R extends Omit<StringSpec, 'must' | 'time'>>(
  values: V,
  spec: R,
): Field<TUnion<TLiteral<V[number]>[]>, R> {
  const rule: Rule = { kind: 'string', spec: { ...spec, oneOf: values } };
  const schema = Type.Union(
    values.map((v) => Type.Literal(v)),
    { [RULE]: rule },
  );
  return optional(schema, spec.required) as Field<TUnion<TLiteral<V[number]>[]>, R>;
}

/** An integer field; unbounded sides stop at the safe integers, as FieldReader does. */
export function int<const R extends IntegerSpec>(spec: R): Field<TInteger, R> {
  const schema = Type.Integer({
    minimum: spec.min ?? Number.MIN_SAFE_INTEGER,
    maximum: spec.max ?? Number.MAX_SAFE_INTEGER,
    [RULE]: { kind: 'integer', spec } satisfies Rule,
  });
  return optional(schema, spec.required) as Field<TInteger, R>;
}

export function bool<const R extends { required?: boolean }>(spec: R): Field<TBoolean, R> {
  return optional(Type.Boolean({ [RULE]: { kind: 'boolean', spec } satisfies Rule }), spec.required) as Field<
    TBoolean,
    R
  >;
}

/** An array of strings, each checked with `item`. */
export function strs<const R extends { required?: boolean; minItems?: number; maxItems?: number }>(
  spec: R,
  item: StringSpec & { oneOf?: readonly string[] } = {},
): Field<TArray<TString>, R> {
  const { oneOf: values, ...rest } = item;
  const itemSpec = { ...rest, required: true };
  const items = values
    ? oneOf(values, itemSpec)
    : Type.String({ ...stringKeywords(itemSpec), [RULE]: { kind: 'string', spec: itemSpec } satisfies Rule });
  const schema = Type.Array(items, {
    ...(spec.minItems !== undefined ? { minItems: spec.minItems } : {}),
    ...(spec.maxItems !== undefined ? { maxItems: spec.maxItems } : {}),
    [RULE]: { kind: 'strings', spec: { ...spec, item } } satisfies Rule,
  });
  return optional(schema, spec.required) as Field<TArray<TString>, R>;
}

/** An array of integers, each checked with `item`. */
export function ints<const R extends { required?: boolean; maxItems?: number }>(
  spec: R,
  item: IntegerSpec = {},
): Field<TArray<TInteger>, R> {
  const items = int({ ...item, required: true });
  const schema = Type.Array(items, {
    ...(spec.maxItems !== undefined ? { maxItems: spec.maxItems } : {}),
    [RULE]: { kind: 'integers', spec: { ...spec, item } } satisfies Rule,
  });
  return optional(schema, spec.required) as Field<TArray<TInteger>, R>;
}

/** A JSON object of `properties` (read in this order); in a body, members it does not define are refused. */
export function obj<T extends TProperties, const R extends { required?: boolean }>(
  properties: T,
  spec: R,
  open = false,
): Field<TObject<T>, R> {
  const schema = Type.Object(properties, {
    ...(open ? {} : { additionalProperties: false }),
    [RULE]: { kind: 'object', spec } satisfies Rule,
  });
  return optional(schema, spec.required) as Field<TObject<T>, R>;
}

/** A member the API knows but refuses in this request (`issue` says why). */
export function refused(issue: string): TOptional<TNever> {
  return Type.Optional(Type.Never({ [RULE]: { kind: 'refused', issue } satisfies Rule }));
}

/** The whole body, query or path: an object of `properties`. Query and path members beyond them are ignored. */
export function request<T extends TProperties>(properties: T, location: Location = 'body'): TObject<T> {
  return obj(properties, { required: true }, location !== 'body') as unknown as TObject<T>;
}

/** A compiled validator for one request part; throws `400 PARAM_ERROR` worded as FieldReader words it. */
export interface PartValidator<T> {
  (value: unknown): T;
  readonly schema: TSchema;
}

export function validator<T extends TObject>(schema: T, location: Location): PartValidator<Static<T>> {
  const compiled = TypeCompiler.Compile(schema);
  const coerce = location === 'body' ? undefined : textCoercion(schema);
  const validate = (input: unknown): Static<T> => {
    const value = coerce ? coerce(input as Record<string, string>) : input;
    if (compiled.Check(value)) return value;
    // The one place a refused request is explained: FieldReader, with each schema's own rule.
    const reader = new FieldReader(input, location);
    const read = readAs(reader, '', schema);
    if (location === 'body') reader.refuseUnknown();
    return read as Static<T>;
  };
  return Object.assign(validate, { schema });
}

/** A validator for a raw JSON body: not JSON, not an object or nested too deep is refused first. */
export function bodyValidator<T extends TObject>(schema: T): PartValidator<Static<T>> {
  const check = validator(schema, 'body');
  return Object.assign((raw: unknown) => check(parseJson(String(raw))), { schema });
}

// Query and path values arrive as text; FieldReader reads digits as integers and true/false as booleans.
function textCoercion(schema: TObject): ((value: Record<string, string>) => Record<string, unknown>) | undefined {
  const numeric = Object.entries(schema.properties).filter(([, s]) => ruleOf(s)?.kind === 'integer');
  const flags = Object.entries(schema.properties).filter(([, s]) => ruleOf(s)?.kind === 'boolean');
  if (numeric.length === 0 && flags.length === 0) return undefined;
  return (value) => {
    const out: Record<string, unknown> = { ...value };
    for (const [key] of numeric) {
      const v = out[key];
      if (typeof v === 'string' && /^-?\d{1,16}$/.test(v)) out[key] = Number(v);
    }
    for (const [key] of flags) if (out[key] === 'true' || out[key] === 'false') out[key] = out[key] === 'true';
    return out;
  };
}

function ruleOf(schema: TSchema): Rule | undefined {
  return (schema as { [RULE]?: Rule })[RULE];
}

/** Reads `pointer` with the FieldReader rule of `schema`, returning what FieldReader returns (nulls dropped). */
function readAs(b: FieldReader, pointer: string, schema: TSchema): unknown {
  const rule = ruleOf(schema);
  if (!rule) throw new Error(`schema at ${pointer || '/'} declares no rule`);
  switch (rule.kind) {
    case 'string': {
      const v = b.string(pointer, rule.spec);
      if (v !== undefined) extraStringRules(b, pointer, v, rule.spec);
      return v;
    }
    case 'integer':
      return b.integer(pointer, rule.spec);
    case 'boolean':
      return b.boolean(pointer, rule.spec);
    case 'strings': {
      const v = b.strings(pointer, rule.spec);
      v?.forEach((item, i) => {
        extraStringRules(b, `${pointer}/${i}`, item, rule.spec.item);
      });
      return v;
    }
    case 'integers':
      return b.integers(pointer, rule.spec);
    case 'ignored':
      return undefined;
    case 'refused':
      if (b.has(pointer)) b.fail(pointer, b.get(pointer), rule.issue);
      return undefined;
    case 'object': {
      if (!b.object(pointer, rule.spec)) return undefined;
      const out: Record<string, unknown> = {};
      for (const [key, child] of Object.entries((schema as TObject).properties)) {
        const v = readAs(b, `${pointer}/${key}`, child);
        if (v !== undefined) out[key] = v;
      }
      return out;
    }
  }
}

function extraStringRules(b: FieldReader, pointer: string, v: string, spec: StringSpec): void {
  const problem = spec.must?.problem(v);
  if (problem !== undefined) b.fail(pointer, v, problem);
  if (spec.time && parseRfc3339(v) === undefined) {
    if (spec.time === true) b.fail(pointer, v, TIME_ISSUE);
    b.answer(pointer, v, spec.time);
  }
}

/** A JSON Schema copy of `schema` without TypeBox's symbols (what the API document publishes). */
export function publish(schema: TSchema): Record<string, unknown> {
  return JSON.parse(JSON.stringify(schema));
}
