import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A merchant's notification endpoint on 127.0.0.1. It refuses the first delivery of about a third
 * of the notifications (HTTP 500), so that retries are pending whenever an instance is killed.
 */
export class Receiver {
  readonly received = new Map<string, number>();
  /** Notifications whose first delivery was answered 500 on purpose. */
  readonly refused = new Set<string>();
  private readonly server: Server;

  private constructor(server: Server) {
    this.server = server;
  }

  static async start(): Promise<Receiver & { url: string }> {
    let self: Receiver | undefined;
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => {
        body += d.toString();
      });
      req.on('end', () => {
        const id = (JSON.parse(body) as { id: string }).id;
        const seen = self?.received.get(id) ?? 0;
        const refuse = seen === 0 && (createHash('sha256').update(id).digest()[0] ?? 0) % 3 === 0;
        if (refuse) self?.refused.add(id);
        self?.received.set(id, seen + 1);
        res.writeHead(refuse ? 500 : 204).end();
      });
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    self = new Receiver(server);
    const { port } = server.address() as AddressInfo;
    return Object.assign(self, { url: `http://127.0.0.1:${port}/wxpay/notify` });
  }

  /** Deliveries beyond one per notification (plus the one refused on purpose). */
  extraDeliveries(): number {
    let extra = 0;
    for (const [id, n] of this.received) extra += Math.max(0, n - (this.refused.has(id) ? 2 : 1));
    return extra;
  }

  close(): Promise<void> {
    return new Promise((ok) => {
      this.server.close(() => ok());
      this.server.closeAllConnections();
    });
  }
}
