import { type Compilable, CompiledQuery, type Kysely, type QueryResult } from 'kysely';
import type { Database } from './schema.js';

// Hot queries built once. Kysely builds and compiles every query on every call, which costs more main-
// thread time than SQLite takes to run it. A prepared query is built with named placeholders and
// compiled once per database engine (the compiled SQL is the engine's own, so it stays portable);
// each call only fills in the parameter values.

type Params = Record<string, unknown>;
type Placeholder = <K extends string>(name: K) => never;

const MARK = '\u0000wxcoupon-param:';

export function prepared<P extends Params, R = unknown>(
  build: (db: Kysely<Database>, p: Placeholder) => Compilable<R>,
) {
  const compiled = new WeakMap<object, { sql: string; slots: Array<{ name: string } | { value: unknown }> }>();
  return async (db: Kysely<Database>, params: P): Promise<QueryResult<R>> => {
    const adapter = db.getExecutor().adapter;
    let entry = compiled.get(adapter);
    if (!entry) {
      const query = build(db, ((name: string) => `${MARK}${name}`) as Placeholder).compile();
      entry = {
        sql: query.sql,
        slots: query.parameters.map((v) =>
          typeof v === 'string' && v.startsWith(MARK) ? { name: v.slice(MARK.length) } : { value: v },
        ),
      };
      compiled.set(adapter, entry);
    }
    const values = entry.slots.map((s) => {
      if (!('name' in s)) return s.value;
      if (!(s.name in params)) throw new Error(`prepared query: no value for parameter ${s.name}`);
      return params[s.name];
    });
    return db.executeQuery<R>(CompiledQuery.raw(entry.sql, values));
  };
}
