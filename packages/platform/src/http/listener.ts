import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';

// What one HTTP or HTTPS listener does beyond answering: it bounds how long a client may take to send a
// request, keeps the number of open connections below what the process's file descriptors allow, and on
// close lets every request that reached a handler be answered before it lets go.
//
// Timeouts are Node's own (headersTimeout, requestTimeout, keepAliveTimeout), which count from the first
// byte of a request, so a client that trickles bytes cannot stretch them. The connection cap is kept here:
// when a connection would pass it, the one that has been idle longest (no request in a handler: a fresh
// connection still sending its headers, a keep-alive connection between requests, a TLS handshake, a body
// still arriving) is closed for it; one that has not sent a byte for a second goes first (a newcomer's
// first bytes may just not have been read yet). A flood of sockets that send nothing or trickle then costs
// the flood its own oldest sockets, not a well-behaved client its answer. Only when every connection has a request in a
// handler is the newcomer refused.

export interface ConnectionLimits {
  /** A request's headers must have arrived within this long of its first byte (or of the connection). */
  headersTimeoutMs: number;
  /** The whole request, body included, must have arrived within this long of its first byte. */
  bodyTimeoutMs: number;
  /** A keep-alive connection with no request is closed after this long. */
  keepAliveTimeoutMs: number;
  /** Open connections this listener keeps at most. */
  maxConnections: number;
}

/** A connection silent this long since it opened is the first to go when room is needed. */
const SILENT_GRACE_MS = 1000;

export const DEFAULT_TIMEOUTS = { headersTimeoutMs: 10_000, bodyTimeoutMs: 30_000, keepAliveTimeoutMs: 5_000 };

/** Node's options for an http/https server with these timeouts (some can only be given at creation). */
export function serverOptions(limits: ConnectionLimits): Record<string, number> {
  return {
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: Math.max(limits.bodyTimeoutMs, limits.headersTimeoutMs),
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    // How often Node looks for requests past their deadline (default 30 s, which would let one live
    // up to 30 s past it).
    connectionsCheckingInterval: Math.min(1000, Math.max(50, Math.floor(limits.headersTimeoutMs / 4))),
    // HTTPS only: a TLS handshake is part of getting the headers in.
    handshakeTimeout: limits.headersTimeoutMs,
  };
}

interface Connection {
  /** The TCP socket (the one accepted). */
  raw: Socket;
  /** The socket HTTP reads from: `raw`, or the TLS socket once the handshake is done. */
  http: Socket | undefined;
  /** Requests on it that have not been answered yet, with their responses. */
  requests: Map<IncomingMessage, ServerResponse>;
  /** When it last became idle (accepted, or its last answer finished). */
  idleSince: number;
}

export interface DrainResult {
  /** Requests in a handler when draining began. */
  inFlight: number;
  /** Requests still unanswered at the deadline, whose connections were then closed. */
  cut: number;
}

export class Listener {
  private readonly connections = new Set<Connection>();
  private readonly byHttpSocket = new Map<Socket, Connection>();
  /** TLS connections still in their handshake, by remote address and port (what both sockets share). */
  private readonly handshaking = new Map<string, Connection>();
  private draining = false;
  private readonly settled = new Set<() => void>();
  /** Connections closed to make room for others (for figures and tests). */
  evicted = 0;
  /** Connections refused because every open one had a request in a handler. */
  refused = 0;

  constructor(
    readonly server: Server | HttpsServer,
    private readonly limits: ConnectionLimits,
    private readonly tls: boolean,
  ) {
    server.on('connection', (raw: Socket) => this.accept(raw));
    if (tls) server.on('secureConnection', (socket: TLSSocket) => this.secured(socket));
    server.on('request', (req: IncomingMessage, res: ServerResponse) => this.request(req, res));
  }

  /** Open connections (TCP), as counted against the cap. */
  get open(): number {
    return this.connections.size;
  }

  private accept(raw: Socket): void {
    const conn: Connection = { raw, http: this.tls ? undefined : raw, requests: new Map(), idleSince: Date.now() };
    if (this.draining) {
      raw.destroy();
      return;
    }
    if (this.connections.size >= this.limits.maxConnections && !this.evictOne()) {
      this.refused++;
      raw.destroy();
      return;
    }
    this.connections.add(conn);
    if (conn.http) this.byHttpSocket.set(conn.http, conn);
    else this.handshaking.set(addressKey(raw), conn);
    const forget = () => this.forget(conn);
    raw.once('close', forget);
  }

  private secured(socket: TLSSocket): void {
    const key = addressKey(socket);
    const conn = this.handshaking.get(key);
    if (!conn) return;
    this.handshaking.delete(key);
    conn.http = socket;
    this.byHttpSocket.set(socket, conn);
    socket.once('close', () => this.forget(conn));
  }

  private forget(conn: Connection): void {
    if (!this.connections.delete(conn)) return;
    if (conn.http) this.byHttpSocket.delete(conn.http);
    else this.handshaking.delete(addressKey(conn.raw));
    conn.requests.clear();
    this.notify();
  }

  private request(req: IncomingMessage, res: ServerResponse): void {
    const conn = this.byHttpSocket.get(req.socket);
    if (this.draining) res.setHeader('Connection', 'close');
    if (!conn) return;
    conn.requests.set(req, res);
    res.once('close', () => {
      conn.requests.delete(req);
      if (conn.requests.size > 0) return;
      conn.idleSince = Date.now();
      // Draining: the answer is out, and no other request will come on this connection.
      if (this.draining) this.close(conn);
      this.notify();
    });
  }

  /**
   * Closes a connection to make room: one that has sent nothing for a while if there is one, else the
   * one idle longest. False when every connection has a request in a handler (a request whose body is
   * still arriving has not reached one: it can wait for a retry).
   */
  private evictOne(): boolean {
    const silentBefore = Date.now() - SILENT_GRACE_MS;
    let oldest: Connection | undefined;
    let oldestSilent: Connection | undefined;
    for (const c of this.connections) {
      if (busy(c)) continue;
      if (!oldest || c.idleSince < oldest.idleSince) oldest = c;
      if (c.raw.bytesRead === 0 && c.idleSince < silentBefore) {
        if (!oldestSilent || c.idleSince < oldestSilent.idleSince) oldestSilent = c;
      }
    }
    const victim = oldestSilent ?? oldest;
    if (!victim) return false;
    this.evicted++;
    this.close(victim);
    return true;
  }

  private close(conn: Connection): void {
    this.forget(conn);
    conn.http?.destroy();
    conn.raw.destroy();
  }

  /**
   * Stops accepting, closes every connection without a request in a handler, and waits until every
   * request in one has been answered, or until `deadlineMs` (epoch ms), when the rest are closed too.
   * Answers given meanwhile carry `Connection: close`, so clients do not reuse the connection.
   */
  async drain(deadlineMs: number): Promise<DrainResult> {
    this.draining = true;
    const closed = new Promise<void>((ok) => this.server.close(() => ok()));
    let inFlight = 0;
    for (const c of [...this.connections]) {
      if (!busy(c)) {
        this.close(c);
        continue;
      }
      for (const res of c.requests.values()) {
        inFlight++;
        if (!res.headersSent) res.setHeader('Connection', 'close');
      }
    }
    let cut = 0;
    if (this.pending() > 0) {
      await new Promise<void>((ok) => {
        const timer = setTimeout(done, Math.max(0, deadlineMs - Date.now()));
        const check = () => {
          if (this.pending() === 0) done();
        };
        function done() {
          clearTimeout(timer);
          ok();
        }
        this.settled.add(check);
        closed.then(done);
        check();
      });
      this.settled.clear();
      cut = this.pending();
    }
    for (const c of [...this.connections]) this.close(c);
    await closed;
    return { inFlight, cut };
  }

  /** Requests not answered yet, on any connection. */
  private pending(): number {
    let n = 0;
    for (const c of this.connections) n += c.requests.size;
    return n;
  }

  private notify(): void {
    for (const f of this.settled) f();
  }
}

/** A connection with a request whose body has fully arrived and that is not answered yet. */
function busy(c: Connection): boolean {
  for (const req of c.requests.keys()) if (req.complete) return true;
  return false;
}

function addressKey(socket: Socket): string {
  return `${socket.remoteAddress}|${socket.remotePort}`;
}
