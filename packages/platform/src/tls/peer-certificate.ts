import type { X509Certificate } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { Context } from 'hono';

/** What the TLS layer learned about the client of one request. */
export interface PeerCertificate {
  /** False when the request did not arrive over TLS (plain HTTP or an in-process fetch). */
  tls: boolean;
  /** The client certificate, when one was presented. */
  certificate: X509Certificate | undefined;
}

/**
 * The client certificate of the connection a request came in on. @hono/node-server passes the
 * Node request as `c.env.incoming`; an in-process `fetch` has no connection and so no certificate.
 */
export function peerCertificate(c: Context): PeerCertificate {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  const socket = incoming?.socket as Partial<TLSSocket> | undefined;
  if (socket?.encrypted !== true || typeof socket.getPeerX509Certificate !== 'function') {
    return { tls: false, certificate: undefined };
  }
  return { tls: true, certificate: socket.getPeerX509Certificate() };
}
