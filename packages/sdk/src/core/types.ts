import type { Buffer } from 'node:buffer';
// The request and response shapes that flow through the middleware and the transport.

/** A request on its way out. Middleware may add headers or replace the body before it is sent. */
export interface OutgoingRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Absolute URL as it goes on the wire. */
  url: URL;
  headers: Record<string, string>;
  /** The exact bytes to send (signers sign these). */
  body?: Buffer | undefined;
  /** Present the merchant API certificate (mutual TLS). */
  security: boolean;
  /** `v2` paths speak XML, the rest JSON. */
  protocol: 'v2' | 'v3';
  /** Parsed v2 fields, for the v2 middleware to complete and sign before serializing. */
  xml?: Record<string, unknown> | undefined;
}

/** A response as read from the wire; `data` is filled in by the middleware that decodes it. */
export interface IncomingResponse {
  status: number;
  /** Lower-case header names. */
  headers: Record<string, string>;
  body: Buffer;
  data?: unknown;
}

/** Sends bytes and reads bytes; knows nothing about signatures. */
export type Transport = (req: OutgoingRequest) => Promise<IncomingResponse>;

export type Next = (req: OutgoingRequest) => Promise<IncomingResponse>;

/** A named step around the transport: sign on the way out, verify and decode on the way back. */
export interface Middleware {
  readonly name: string;
  handle(req: OutgoingRequest, next: Next): Promise<IncomingResponse>;
}

/** What every verb resolves to. */
export interface WechatpayResponse<T = unknown> {
  status: number;
  headers: Record<string, string>;
  data: T;
  requestId: string | undefined;
}

/** Runs `middleware` in order around `transport`. */
export function compose(middleware: readonly Middleware[], transport: Transport): Next {
  return middleware.reduceRight<Next>((next, m) => (req) => m.handle(req, next), transport);
}
