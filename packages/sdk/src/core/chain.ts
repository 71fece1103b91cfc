import { segmentsOf } from './url.js';

const INSPECT = Symbol.for('nodejs.util.inspect.custom');

export const VERBS = ['get', 'post', 'put', 'patch', 'delete'] as const;
export type Verb = (typeof VERBS)[number];

export type Caller = (method: Uppercase<Verb>, path: string, options: Record<string, unknown>) => Promise<unknown>;

/**
 * A chain node: property access appends a segment, the five verbs call. It is deliberately not
 * thenable (`then` is undefined), so `await node` yields the node instead of firing a request.
 */
export function chainNode(segments: readonly string[], call: Caller): unknown {
  const path = segments.join('/');
  const cache = new Map<string, unknown>();
  const target = Object.create(null) as object;
  // util.inspect looks at a proxy's target, not through its traps (and finds its hook by this symbol).
  Object.defineProperty(target, INSPECT, { value: () => `[Chain ${path}]` });
  return new Proxy(target, {
    get(_, property) {
      if (typeof property === 'symbol') {
        if (property === INSPECT || property === Symbol.toStringTag) return () => `[Chain ${path}]`;
        if (property === Symbol.toPrimitive) return () => path;
        return undefined;
      }
      if (property === 'then') return undefined;
      if ((VERBS as readonly string[]).includes(property)) {
        return (options: Record<string, unknown> = {}) =>
          call(property.toUpperCase() as Uppercase<Verb>, path, options ?? {});
      }
      let child = cache.get(property);
      if (child === undefined) {
        child = chainNode([...segments, ...segmentsOf(property)], call);
        cache.set(property, child);
      }
      return child;
    },
    has: () => true,
  });
}
