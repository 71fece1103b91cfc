import type { WechatpayResponse } from '../core/types.js';
import type { Endpoints } from './endpoints.js';

// Chain types derived from the endpoint map with template-literal recursion: each known path
// becomes nested properties (`product-coupons` → `productCoupons`, `{openid}` → `_openid_`) whose
// verbs are typed; any other property falls back to a loosely typed node.

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
type VerbName = 'get' | 'post' | 'put' | 'patch' | 'delete';

type PathOf<K> = K extends `${Method} /${infer P}` ? P : never;
/** Every path in the map, without the leading slash: `v3/marketing/favor/users/{openid}/coupons`. */
export type KnownPath = PathOf<keyof Endpoints>;

type ParamNames<P extends string> = P extends `${string}{${infer N}}${infer R}` ? N | ParamNames<R> : never;
/** The template variables of a path, each required. */
export type PathParams<P extends string> = { [K in ParamNames<P>]: string | number };

interface CommonOptions {
  headers?: Record<string, string>;
  /** Present the merchant API certificate (mutual TLS). */
  security?: boolean;
}

type RequiredKeys<T> = { [K in keyof T]-?: object extends Pick<T, K> ? never : K }[keyof T];

type BodyOptions<E> = (E extends { json: infer J } ? { json: J } : unknown) &
  (E extends { xml: infer X } ? { xml: X } : unknown) &
  (E extends { query: infer Q } ? ([RequiredKeys<Q>] extends [never] ? { query?: Q } : { query: Q }) : unknown);

/** The options of one typed call: body, query, template variables, headers. */
export type EndpointOptions<K extends keyof Endpoints> = BodyOptions<Endpoints[K]> &
  PathParams<PathOf<K>> &
  CommonOptions;

/** What a typed call resolves to. */
export type EndpointResponse<K extends keyof Endpoints> = WechatpayResponse<Endpoints[K]['response']>;

/** Options of a call outside the map. */
export interface LooseOptions extends CommonOptions {
  json?: unknown;
  xml?: Record<string, unknown>;
  query?: Record<string, unknown>;
  [templateVariable: string]: unknown;
}
export type LooseVerb = <T = unknown>(options?: LooseOptions) => Promise<WechatpayResponse<T>>;

type TypedVerb<K extends keyof Endpoints> = [RequiredKeys<EndpointOptions<K>>] extends [never]
  ? (options?: EndpointOptions<K>) => Promise<EndpointResponse<K>>
  : (options: EndpointOptions<K>) => Promise<EndpointResponse<K>>;

type VerbFor<M extends Method, P extends string> = `${M} /${P}` extends infer K extends keyof Endpoints
  ? TypedVerb<K>
  : LooseVerb;

type Verbs<P extends string> = { [V in VerbName]: VerbFor<Uppercase<V>, P> };

/** A node outside the map: any property is another node, any verb is loosely typed. */
export type LooseNode = { [V in VerbName]: LooseVerb } & { readonly [segment: string]: LooseNode };

/** The node for a path: typed verbs where the map knows them. */
export type ChainNode<P extends string> = Verbs<P> & { readonly [segment: string]: LooseNode };

type Camel<S extends string> = S extends `${infer H}-${infer T}` ? `${H}${Capitalize<Camel<T>>}` : S;
type Prop<S extends string> = S extends `{${infer N}}` ? `_${N}_` : Camel<S>;
type Join<A extends string, B extends string> = A extends '' ? B : `${A}/${B}`;

type Build<Rest extends string, Prefix extends string> = Rest extends `${infer H}/${infer T}`
  ? { readonly [K in Prop<H>]: ChainNode<Join<Prefix, H>> & Build<T, Join<Prefix, H>> }
  : { readonly [K in Prop<Rest>]: ChainNode<Join<Prefix, Rest>> };

type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;

type AllBuilds<P> = P extends string ? Build<P, ''> : never;

/** Every known path as nested properties, plus each full path as one property. */
export type ChainRoot = UnionToIntersection<AllBuilds<KnownPath>> & {
  readonly [P in KnownPath]: ChainNode<P>;
} & { readonly [segment: string]: LooseNode };

/** The node `chain(path)` returns: typed when the path is in the map. */
export type ChainFor<P extends string> = P extends KnownPath ? ChainNode<P> : LooseNode;
