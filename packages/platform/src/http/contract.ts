import type { Static, TObject, TSchema } from '@sinclair/typebox';
import type { Endpoints } from '@wxcoupon/sdk';
import type { Context, MiddlewareHandler } from 'hono';
import { bodyValidator, validator } from './contract-schema.js';
import type { V3Env, V3Router } from './env.js';
import { noContent, ok } from './reply.js';
import { servesApi } from './request-note.js';

// The SDK's endpoint map is the contract of both sides: a v3 route is registered by its key, its
// request parts are validated against declared schemas before the handler runs, and the compiler
// holds the schemas' types to the map's `json`, `query` and `response` (a mismatch fails typecheck).

/** The map's APIv3 keys (`METHOD /v3/…`). */
export type V3Key = Extract<keyof Endpoints, `${string} /v3/${string}`>;

type PathParams<P extends string> = P extends `${string}{${infer N}}${infer Rest}` ? N | PathParams<Rest> : never;
/** The `{param}` names of a key's path. */
export type ParamsOf<K extends string> = K extends `${string} ${infer P}` ? PathParams<P> : never;

type Part<E, F extends string> = E extends { [P in F]: infer T } ? T : undefined;
/** What a key's handler answers: the map's `response` (`undefined` is a 204). */
export type Answer<K extends V3Key> = Endpoints[K]['response'];

type Leaf = string | number | boolean | bigint | symbol | null | undefined;
// Every member path of a type, nested objects and array entries included; members typed never (a
// refused member) are no field of the type.
type DeepKeys<T, P extends string = ''> = T extends Leaf
  ? never
  : T extends readonly (infer U)[]
    ? DeepKeys<U, `${P}[]`>
    : {
        [K in keyof T & string]-?: [NonNullable<T[K]>] extends [never]
          ? never
          : `${P}/${K}` | DeepKeys<NonNullable<T[K]>, `${P}/${K}`>;
      }[keyof T & string];

type SameKeys<S, J> = [DeepKeys<S>] extends [DeepKeys<J>]
  ? [DeepKeys<J>] extends [DeepKeys<S>]
    ? true
    : false
  : false;

/**
 * A schema's type agrees with the map's when every value it admits is one of the map's type and both
 * name the same members at every depth (enums may be narrower: the SDK's are open). Where the map
 * allows several shapes, the schema names one of them.
 */
export type Agrees<S, J> = [S] extends [J]
  ? true extends (J extends unknown ? SameKeys<S, J> : never)
    ? true
    : false
  : false;

type Mismatch<Name extends string> = { [P in Name]: never };
type Check<Ok, Name extends string> = Ok extends true ? unknown : Mismatch<Name>;
type Schema<S> = S extends TSchema ? Static<S> : undefined;

/** What the compiler holds a route's schemas to (an unmet rule is a required member of type never). */
export type Contract<K extends V3Key, P, Q, B, R> = Check<
  P extends TObject
    ? [keyof Static<P>] extends [ParamsOf<K>]
      ? [ParamsOf<K>] extends [keyof Static<P>]
        ? true
        : false
      : false
    : true,
  'params must declare exactly the path parameters of the key'
> &
  Check<
    Q extends TObject ? Agrees<Static<Q>, Part<Endpoints[K], 'query'>> : true,
    'query does not agree with Endpoints query'
  > &
  Check<
    B extends TObject ? Agrees<Static<B>, Part<Endpoints[K], 'json'>> : true,
    'body does not agree with Endpoints json'
  > &
  Check<
    R extends TSchema ? Agrees<Static<R>, Answer<K>> : [Answer<K>] extends [undefined] ? true : false,
    'response does not agree with Endpoints response'
  >;

export interface RouteSpec<P, Q, B, R> {
  params?: P;
  query?: Q;
  body?: B;
  /** The 200 answer's schema; null for a 204 without a body. */
  response: R;
  /** What runs first (rate limit, then faults), marked with the API's name. */
  before?: MiddlewareHandler<V3Env>;
  /** The API's name for a route without `before`. */
  api?: string;
  summary: string;
  /** Error statuses beyond those every v3 route can answer. */
  errors?: readonly number[];
  /** Documented examples: a request body and its answer. */
  example?: { request?: unknown; response?: unknown };
}

export interface RouteInput<P, Q, B> {
  params: Schema<P>;
  query: Schema<Q>;
  body: Schema<B>;
}

/** A registered route, as the API document describes it. */
export interface DeclaredRoute {
  key: V3Key;
  method: string;
  /** The key's path, `/v3/…` with `{param}`s. */
  path: string;
  spec: RouteSpec<TObject | undefined, TObject | undefined, TObject | undefined, TSchema | null>;
}

const declared = new WeakMap<object, DeclaredRoute[]>();

/** Every route registered on `router` with route(), in registration order. */
export function declaredRoutes(router: object): readonly DeclaredRoute[] {
  return declared.get(router) ?? [];
}

/**
 * Registers the route of `key` on the v3 router (mounted at /v3): `{x}` becomes Hono's `:x`. Path,
 * query and body are validated in that order before `handler`; its answer is sent as the signed 200
 * JSON (or 204 when the map's response is undefined).
 */
export function route<
  K extends V3Key,
  P extends TObject | undefined = undefined,
  Q extends TObject | undefined = undefined,
  B extends TObject | undefined = undefined,
  R extends TSchema | null = null,
>(
  router: V3Router,
  key: K,
  spec: RouteSpec<P, Q, B, R> & Contract<K, P, Q, B, R>,
  handler: (input: RouteInput<P, Q, B>, c: Context<V3Env>) => Answer<K> | Promise<Answer<K>>,
): void {
  const space = key.indexOf(' ');
  const method = key.slice(0, space);
  const path = key.slice(space + 1);
  const params = spec.params && validator(spec.params, 'uri_template');
  const query = spec.query && validator(spec.query, 'query');
  const body = spec.body && bodyValidator(spec.body);
  const run = async (c: Context<V3Env>) => {
    const input = {
      params: params ? params(c.req.param()) : undefined,
      query: query ? query(c.req.query()) : undefined,
      body: body ? body(c.get('rawBody')) : undefined,
    } as RouteInput<P, Q, B>;
    const answer = await handler(input, c);
    return spec.response === null ? noContent(c) : ok(c, answer);
  };
  const honoPath = path.slice('/v3'.length).replace(/\{(\w+)\}/g, ':$1');
  if (spec.before) router.on(method, honoPath, spec.before, run);
  else router.on(method, honoPath, spec.api ? servesApi(spec.api, run) : run);
  const list = declared.get(router) ?? [];
  list.push({ key, method, path, spec: spec as unknown as DeclaredRoute['spec'] });
  declared.set(router, list);
}
