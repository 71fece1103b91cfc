// A TCP proxy between platform instances and PostgreSQL for benchmarks: it delays every chunk by a fixed
// latency in each direction (as a real network between an application host and its database would) and
// reads the frontend protocol as it passes, to count
//  - round trips: a client write that follows a server answer on the same connection (a pipelined
//    Parse/Bind/Execute/Sync batch is one round trip, as it costs one network wait);
//  - how long a watched row stays locked: from the server's answer to a statement matching `lockStart` (the
//    lock is held from then; time spent waiting for it is not holding it) to the moment the transaction ends
//    (COMMIT or ROLLBACK sent), plus one latency at each end, since the server took the lock one latency
//    before its answer reached the proxy and releases it one latency after the COMMIT left it. A statement
//    that takes the lock and commits by itself (autocommit) holds it for no round trip at all: it counts as
//    zero round trips; for those the proxy also times the statement at the database (from the moment it
//    wrote the statement upstream to the first byte of the answer), which bounds how long the row can
//    have been locked by it.
// Only what the benchmark needs of the protocol is parsed: startup (and an SSL request, answered by the
// server), simple Query, Parse and Bind. Everything is forwarded unchanged.
import { connect, createServer, type Server, type Socket } from 'node:net';

export interface ProxyStats {
  roundTrips: number;
  statements: number;
  /** Milliseconds from a `lockStart` statement to the end of its transaction, one entry per transaction. */
  lockHolds: number[];
  /** Milliseconds the database took for each autocommit `lockStart` statement: the most the row was locked. */
  statementHolds: number[];
}

export interface PgProxy {
  url: string;
  stats(): ProxyStats;
  reset(): void;
  close(): Promise<void>;
}

export async function startPgProxy(options: {
  /** postgres://user@host:port/db of the real server */
  target: string;
  /** one-way delay in milliseconds added to every chunk */
  latencyMs: number;
  /** a statement that takes the watched lock, e.g. /update "favor_stocks"/i */
  lockStart: RegExp;
}): Promise<PgProxy> {
  const target = new URL(options.target);
  let stats: ProxyStats = { roundTrips: 0, statements: 0, lockHolds: [], statementHolds: [] };
  const sockets = new Set<Socket>();

  const server: Server = createServer((client) => {
    const upstream = connect(Number(target.port || 5432), target.hostname);
    sockets.add(client);
    sockets.add(upstream);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    const reader = frontendReader();
    let serverSpokeLast = true;
    const named = new Map<string, string>();
    let inTransaction = false;
    let lockAsked = false;
    let lockSince: number | undefined;
    let timeStatement = false;
    let statementSince: number | undefined;

    const onStatement = (text: string) => {
      stats.statements++;
      const now = performance.now();
      if (/^\s*(begin|start transaction)\b/i.test(text)) inTransaction = true;
      else if (/^\s*(commit|rollback|end)\b/i.test(text)) {
        if (lockSince !== undefined) stats.lockHolds.push(now - lockSince + 2 * options.latencyMs);
        inTransaction = false;
        lockAsked = false;
        lockSince = undefined;
      } else if (options.lockStart.test(text)) {
        if (inTransaction) lockAsked = lockSince === undefined;
        else {
          stats.lockHolds.push(0);
          timeStatement = true;
        }
      }
    };

    client.on('data', (chunk) => {
      if (serverSpokeLast) {
        stats.roundTrips++;
        serverSpokeLast = false;
      }
      for (const m of reader(chunk)) {
        if (m.type === 'Q') onStatement(cstring(m.body, 0).text);
        else if (m.type === 'P') {
          const name = cstring(m.body, 0);
          const text = cstring(m.body, name.end).text;
          if (name.text) named.set(name.text, text);
          else onStatement(text);
        } else if (m.type === 'B') {
          const portal = cstring(m.body, 0);
          const statement = cstring(m.body, portal.end).text;
          if (statement) onStatement(named.get(statement) ?? '');
        }
      }
      const timed = timeStatement;
      timeStatement = false;
      delayed(chunk, upstream, () => {
        if (timed) statementSince = performance.now();
      });
    });
    upstream.on('data', (chunk) => {
      serverSpokeLast = true;
      if (statementSince !== undefined) {
        stats.statementHolds.push(performance.now() - statementSince);
        statementSince = undefined;
      }
      if (lockAsked) {
        lockSince = performance.now();
        lockAsked = false;
      }
      delayed(chunk, client);
    });
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('close', end);
    upstream.on('close', end);
    client.on('error', end);
    upstream.on('error', end);
  });

  // Chunks keep their order: each is written `latencyMs` after it arrived, and timers of equal delay fire in
  // the order they were set.
  function delayed(chunk: Buffer, to: Socket, written?: () => void): void {
    setTimeout(() => {
      if (to.destroyed) return;
      to.write(chunk);
      written?.();
    }, options.latencyMs);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('proxy: no address');
  const url = new URL(options.target);
  url.hostname = '127.0.0.1';
  url.port = String(address.port);
  return {
    url: url.toString(),
    stats: () => stats,
    reset: () => {
      stats = { roundTrips: 0, statements: 0, lockHolds: [], statementHolds: [] };
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

interface Message {
  type: string;
  body: Buffer;
}

/** Splits a client's byte stream into protocol messages; the first one (startup) has no type byte. */
function frontendReader(): (chunk: Buffer) => Message[] {
  let pending: Buffer = Buffer.alloc(0);
  let started = false;
  return (chunk) => {
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    const out: Message[] = [];
    for (;;) {
      if (!started) {
        if (pending.length < 8) break;
        const length = pending.readInt32BE(0);
        if (pending.length < length) break;
        // 80877103 asks for SSL and 80877104 for GSSAPI: the real startup message follows.
        const code = pending.readInt32BE(4);
        if (code !== 80877103 && code !== 80877104) started = true;
        pending = pending.subarray(length);
        continue;
      }
      if (pending.length < 5) break;
      const length = pending.readInt32BE(1);
      if (pending.length < 1 + length) break;
      out.push({ type: String.fromCharCode(pending[0] ?? 0), body: pending.subarray(5, 1 + length) });
      pending = pending.subarray(1 + length);
    }
    return out;
  };
}

function cstring(buf: Buffer, from: number): { text: string; end: number } {
  const zero = buf.indexOf(0, from);
  const to = zero < 0 ? buf.length : zero;
  return { text: buf.toString('utf8', from, to), end: to + 1 };
}
