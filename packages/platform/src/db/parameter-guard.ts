import type { DatabaseConnection, Dialect, Driver } from 'kysely';
import { ApiError } from '../errors/api-error.js';

// The last line behind the request validators: no statement is sent with a string that the database
// cannot hold as sent. PostgreSQL text cannot contain NUL (it fails the whole statement), and a lone
// surrogate has no UTF-8 form (the driver would store U+FFFD instead). The validators refuse both
// with the field's name; anything that reaches a query another way is refused here, on both engines.

const UNSTORABLE = /\u0000|\p{Cs}/u;

/** `dialect` with every statement's parameters checked before it is sent. */
export function guardParameters(dialect: Dialect): Dialect {
  return {
    createAdapter: () => dialect.createAdapter(),
    createIntrospector: (db) => dialect.createIntrospector(db),
    createQueryCompiler: () => dialect.createQueryCompiler(),
    createDriver: () => guardDriver(dialect.createDriver()),
  };
}

function guardDriver(driver: Driver): Driver {
  const guarded = new WeakSet<DatabaseConnection>();
  // The driver's own connections are handed out (patched once each), because its transaction methods
  // are given them back; every other method is the driver's own.
  return new Proxy(driver, {
    get(target, prop) {
      if (prop === 'acquireConnection')
        return async () => {
          const connection = await target.acquireConnection();
          if (!guarded.has(connection)) {
            const execute = connection.executeQuery.bind(connection);
            connection.executeQuery = (query) => {
              checkParameters(query.parameters);
              return execute(query);
            };
            guarded.add(connection);
          }
          return connection;
        };
      const value = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** Refuses a string parameter the database cannot hold as sent (see above). */
export function checkParameters(parameters: readonly unknown[]): void {
  for (const p of parameters)
    if (typeof p === 'string' && UNSTORABLE.test(p))
      throw new ApiError('PARAM_ERROR', '参数不得包含 NUL 字符或不成对的代理项', {
        value: p.length > 256 ? `${p.slice(0, 256)}…` : p,
        issue: 'NUL or lone surrogate',
      });
}
