import { type Compilable, CompiledQuery, type Kysely, type QueryResult } from 'kysely';
import type { Database } from './schema.js';

// Hot queries built once. Kysely builds and compiles every query on every call, which costs more main-
// thread time than SQLite takes to run it. A prepared query is built with named placeholders and
// compiled once per database engine (the compiled SQL is the engine's own, so it stays portable);
// each call only fills in the parameter values.

type Params = Record<string, unknown>;

/** SQL and the values bound to it; `R` is the row type it answers. */
export interface BoundQuery<R = unknown> {
  sql: string;
  parameters: unknown[];
  /** Never set: carries the row type. */
  readonly row?: R;
}

/** A query built once by {@link prepared}: call it to run it, or `compile` it for a driver's own use. */
export type PreparedQuery<P extends Params, R = unknown> = ReturnType<typeof prepared<P, R>>;
type Placeholder = <K extends string>(name: K) => never;

const MARK = '\u0000wxcoupon-param:';

export function prepared<P extends Params, R = unknown>(
  build: (db: Kysely<Database>, p: Placeholder) => Compilable<R>,
) {
  // Per engine: the SQL, and for each bound value either the name of a parameter or a value of its own.
  const compiled = new WeakMap<object, { sql: string; names: Array<string | undefined>; fixed: unknown[] }>();
  /** The SQL for `db`'s engine and its values with `params` bound; throws when one is missing. */
  const compile = (db: Kysely<Database>, params: P): BoundQuery<R> => {
    const adapter = db.getExecutor().adapter;
    let entry = compiled.get(adapter);
    if (!entry) {
      const query = build(db, ((name: string) => `${MARK}${name}`) as Placeholder).compile();
      const named = (v: unknown) => typeof v === 'string' && v.startsWith(MARK);
      entry = {
        sql: query.sql,
        names: query.parameters.map((v) => (named(v) ? (v as string).slice(MARK.length) : undefined)),
        fixed: query.parameters.map((v) => (named(v) ? undefined : v)),
      };
      compiled.set(adapter, entry);
    }
    const { names, fixed } = entry;
    const values = new Array<unknown>(names.length);
    for (let i = 0; i < names.length; i++) {
      const name = names[i];
      if (name === undefined) values[i] = fixed[i];
      else if (name in params) values[i] = params[name];
      else throw new Error(`prepared query: no value for parameter ${name}`);
    }
    return { sql: entry.sql, parameters: values } as BoundQuery<R>;
  };
  const run = (db: Kysely<Database>, params: P): Promise<QueryResult<R>> => {
    let query: BoundQuery<R>;
    try {
      query = compile(db, params);
    } catch (err) {
      return Promise.reject(err);
    }
    return db.executeQuery<R>(CompiledQuery.raw(query.sql, query.parameters));
  };
  // `compile` serves statements run without Kysely's executor (GroupCommitDriver.atomically).
  return Object.assign(run, { compile });
}
