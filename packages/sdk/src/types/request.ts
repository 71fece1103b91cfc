import type { WechatpayResponse } from '../core/types.js';
import type { KnownPath, PathParams } from './chain.js';
import type { EndpointKey, Endpoints } from './endpoints.js';

// The types of `request(route, options)`, derived from the endpoint map: a mapped route has its body,
// query, path parameters and answer typed; any other route is loosely typed, except one whose path
// the map knows (under another method or with other parameter names), which is almost always a typo.

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

type RequiredKeys<T> = { [K in keyof T]-?: object extends Pick<T, K> ? never : K }[keyof T];

interface CommonRequestOptions {
  headers?: Record<string, string>;
  /** Present the merchant API certificate (mutual TLS). */
  security?: boolean;
}

type PathOf<K> = K extends `${Method} /${infer P}` ? P : never;

type ParamsOption<P extends string> = [keyof PathParams<P>] extends [never] ? unknown : { params: PathParams<P> };

type BodyOption<E> = E extends { json: infer J } ? { body: J } : E extends { xml: infer X } ? { body: X } : unknown;

type QueryOption<E> = E extends { query: infer Q }
  ? [RequiredKeys<Q>] extends [never]
    ? { query?: Q }
    : { query: Q }
  : unknown;

/** The options of `request()` for a route in the map. */
export type RouteOptions<K extends EndpointKey> = ParamsOption<PathOf<K>> &
  BodyOption<Endpoints[K]> &
  QueryOption<Endpoints[K]> &
  CommonRequestOptions;

/** The options argument, optional when nothing in it is required. */
export type RouteArgs<K extends EndpointKey> = [RequiredKeys<RouteOptions<K>>] extends [never]
  ? [options?: RouteOptions<K>]
  : [options: RouteOptions<K>];

/** What `request()` resolves to for a route in the map. */
export type RouteResponse<K extends EndpointKey> = WechatpayResponse<Endpoints[K]['response']>;

/** The options of `request()` for a route outside the map. */
export interface LooseRouteOptions extends CommonRequestOptions {
  params?: Record<string, string | number>;
  /** The JSON body (v3; a string or Buffer is sent as is) or the XML fields (v2). */
  body?: unknown;
  query?: Record<string, unknown>;
}

type Shape<P extends string> = P extends `${infer H}{${string}}${infer R}` ? `${H}{}${Shape<R>}` : P;

/** The form of every route: an upper-case method, a space, a path from `/v2/` or `/v3/`. */
export type RouteShape = `${Method} /${'v2' | 'v3'}/${string}`;

/**
 * A route outside the map. Written as a literal, it must also have a path the map does not know in
 * any spelling of its parameters (a known path under another method, or with `{open_id}` for
 * `{openid}`, is a typo). When the answer's type is given (`request<T>(…)`) the route is not inferred,
 * so only its form is checked.
 */
export type LooseRoute<R extends string> = string extends R
  ? RouteShape
  : R extends `${Method} /${infer P extends `v2/${string}` | `v3/${string}`}`
    ? Shape<P> extends Shape<KnownPath>
      ? never
      : R
    : never;
