// A lean HTTP/1.1 client for load generators: keep-alive connections that write requests built in
// advance as one buffer each and read back status, headers and a Content-Length body. A load
// generator shares the machine with the server it measures, so every microsecond it spends is taken
// from the server; node:http's client costs several times what this does per request.
import { connect, type Socket } from 'node:net';

export interface RawResponse {
  status: number;
  /** Header names in lower case. */
  headers: Map<string, string>;
  body: Buffer;
}

/** The bytes of one request: request line, headers (Host and Content-Length added), body. */
export function rawRequest(
  method: string,
  host: string,
  path: string,
  headers: Record<string, string>,
  body = '',
): Buffer {
  const bodyBytes = Buffer.from(body, 'utf8');
  let head = `${method} ${path} HTTP/1.1\r\nHost: ${host}\r\n`;
  for (const [name, value] of Object.entries(headers)) head += `${name}: ${value}\r\n`;
  head += `Content-Length: ${bodyBytes.length}\r\n\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), bodyBytes]);
}

const HEAD_END = Buffer.from('\r\n\r\n');

/** One keep-alive connection with one request in flight at a time. */
export class RawConnection {
  readonly #socket: Socket;
  #buffer: Buffer = Buffer.alloc(0);
  #waiting: { resolve: (r: RawResponse) => void; reject: (e: Error) => void } | undefined;
  #failure: Error | undefined;

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
      this.#parse();
    });
    const fail = (err: Error) => {
      this.#failure ??= err;
      this.#waiting?.reject(this.#failure);
      this.#waiting = undefined;
    };
    socket.on('error', fail);
    socket.on('close', () => fail(new Error('the server closed the connection')));
  }

  static open(host: string, port: number): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port }, () => {
        socket.off('error', reject);
        resolve(new RawConnection(socket));
      });
      socket.once('error', reject);
    });
  }

  send(request: Buffer): Promise<RawResponse> {
    if (this.#failure) return Promise.reject(this.#failure);
    if (this.#waiting) return Promise.reject(new Error('one request at a time on a connection'));
    return new Promise((resolve, reject) => {
      this.#waiting = { resolve, reject };
      this.#socket.write(request);
    });
  }

  close(): void {
    this.#failure ??= new Error('closed');
    this.#socket.destroy();
  }

  #parse(): void {
    const end = this.#buffer.indexOf(HEAD_END);
    if (end < 0) return;
    const lines = this.#buffer.toString('latin1', 0, end).split('\r\n');
    const status = Number((lines[0] ?? '').split(' ')[1]);
    const headers = new Map<string, string>();
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i] as string;
      const colon = line.indexOf(':');
      headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
    }
    const length = headers.get('content-length');
    if (length === undefined || !Number.isInteger(status)) {
      this.#socket.destroy(new Error(`unsupported response (status line ${lines[0]}, no Content-Length)`));
      return;
    }
    const bodyStart = end + HEAD_END.length;
    const total = bodyStart + Number(length);
    if (this.#buffer.length < total) return;
    const body = this.#buffer.subarray(bodyStart, total);
    if (this.#buffer.length > total) {
      this.#socket.destroy(new Error('the server sent more than one answer'));
      return;
    }
    this.#buffer = Buffer.alloc(0);
    const waiting = this.#waiting;
    this.#waiting = undefined;
    waiting?.resolve({ status, headers, body });
  }
}
