import cluster, { type Worker } from 'node:cluster';
import { type CloseResult, createPlatform, PlatformStartError } from '@wxcoupon/platform';
import { BASE_URL_ENV, isWorkerMessage, WORKER_ENV, type WorkerMessage } from './messages.js';
import {
  exitCodeOf,
  firstScreen,
  firstSignal,
  type Listening,
  type ServeConfig,
  stoppedLine,
  stoppingLine,
} from './run.js';

// The primary of `serve --workers N`. It prepares what every start would otherwise race to create (data
// directory, schema, platform keys and TLS material, demo merchant, admin token) by starting the platform
// once without listening, then forks N workers that run the platform on the same database and serve the
// same ports: node:cluster opens the listening sockets in the primary and shares them with the workers,
// which accept from them directly. (Not node:cluster's round-robin, where the primary accepts and passes each
// connection on: one passed to a worker that has just died stays open in the primary, unanswered, forever.
// Accepting from the shared socket, a worker that dies takes only its own connections with it, which the
// kernel resets, and a busy worker accepts less often than an idle one.)
// Everything that must hold across workers is kept in the database (budgets, idempotency, per-user limits,
// rate limits, the test clock and faults, notification leases, the journal); the rest of a worker's state is
// caches that re-read within seconds (the clock and faults every 1 s, a merchant's certificate after 5 s).

/** A worker that dies is replaced after this, doubled for each death in a row, up to MAX_BACKOFF_MS. */
const BASE_BACKOFF_MS = 250;
const MAX_BACKOFF_MS = 10_000;
/** A worker that has served this long without dying clears its slot's backoff. */
const STABLE_MS = 30_000;
/** After reporting its stop, a worker that has not exited within this is killed. */
const EXIT_GRACE_MS = 5000;

interface Slot {
  n: number;
  worker: Worker | undefined;
  /** Deaths in a row, for the backoff. */
  deaths: number;
  stable: NodeJS.Timeout | undefined;
  restart: NodeJS.Timeout | undefined;
  stopped: CloseResult | undefined;
}

export async function servePrimary(config: ServeConfig, workers: number): Promise<number> {
  // No access log: the primary answers no request.
  const { accessLog: _accessLog, ...options } = config.platform;
  const prepared = await createPlatform(options);
  const { credentials } = prepared;
  const dataDir = prepared.context.dataDir;
  await prepared.close({ drainTimeoutMs: 0 });

  const slots: Slot[] = Array.from({ length: workers }, (_, i) => ({
    n: i + 1,
    worker: undefined,
    deaths: 0,
    stable: undefined,
    restart: undefined,
    stopped: undefined,
  }));
  let stopping = false;
  /** Past the first start: from now on a worker that ends is replaced rather than failing the start. */
  let serving = false;
  let baseURL: string | undefined;
  const exits: Array<() => void> = [];
  const allExited = () => slots.every((s) => !s.worker);

  function fork(slot: Slot): Promise<Listening> {
    const worker = cluster.fork({ [WORKER_ENV]: String(slot.n), ...(baseURL ? { [BASE_URL_ENV]: baseURL } : {}) });
    slot.worker = worker;
    slot.stopped = undefined;
    return new Promise((resolve, reject) => {
      let ready = false;
      worker.on('message', (m: unknown) => {
        if (!isWorkerMessage(m)) return;
        const message = m as WorkerMessage;
        if (message.type === 'listening') {
          ready = true;
          slot.stable = setTimeout(() => (slot.deaths = 0), STABLE_MS);
          resolve(message);
        } else if (message.type === 'failed') {
          reject(message.startError ? new PlatformStartError(message.message) : new Error(message.message));
        } else {
          slot.stopped = { inFlight: message.inFlight, cut: message.cut };
          setTimeout(() => worker.process.kill('SIGKILL'), EXIT_GRACE_MS).unref();
        }
      });
      worker.once('exit', (code, signal) => {
        clearTimeout(slot.stable);
        slot.worker = undefined;
        if (!ready) reject(new Error(`worker ${slot.n} exited (${signal ?? `code ${code}`}) before it listened`));
        if (stopping) {
          if (allExited()) for (const done of exits.splice(0)) done();
          return;
        }
        if (serving)
          replace(slot, `${ready ? 'exited unexpectedly' : 'exited before it listened'} (${signal ?? `code ${code}`})`);
      });
    });
  }

  function replace(slot: Slot, why: string): void {
    slot.deaths++;
    const delay = Math.min(MAX_BACKOFF_MS, BASE_BACKOFF_MS * 2 ** (slot.deaths - 1));
    process.stderr.write(`wxcoupon: worker ${slot.n} ${why}; starting another in ${delay / 1000} s\n`);
    slot.restart = setTimeout(() => {
      slot.restart = undefined;
      if (stopping) return;
      fork(slot).then(
        (l) => process.stderr.write(`wxcoupon: worker ${slot.n} serving again on ${l.url}\n`),
        (err: Error) => {
          // Its exit follows and schedules the next try, with a longer backoff.
          process.stderr.write(`wxcoupon: worker ${slot.n} could not start: ${err.message}\n`);
        },
      );
    }, delay);
  }

  /** Forwards the signal to every worker (each drains as a single process does) and resolves once all have exited. */
  function stopAll(signal: NodeJS.Signals): Promise<void> {
    stopping = true;
    for (const s of slots) clearTimeout(s.restart);
    const done = new Promise<void>((resolve) => (allExited() ? resolve() : exits.push(resolve)));
    for (const s of slots) s.worker?.process.kill(signal);
    return done;
  }

  cluster.schedulingPolicy = cluster.SCHED_NONE;
  const signal = firstSignal((sig) => {
    for (const s of slots) s.worker?.process.kill('SIGKILL');
    process.exit(exitCodeOf(sig));
  });
  const started = Promise.all(slots.map(fork));
  // Settled by the race below or by a signal first; either way handled there.
  started.catch(() => {});
  const first = await Promise.race([started, signal.then((sig) => ({ signal: sig }))]).catch(async (err) => {
    await stopAll('SIGTERM');
    throw err;
  });
  if ('signal' in first) {
    await stopAll(first.signal);
    return 0;
  }
  const listening = first[0] as Listening;
  serving = true;
  baseURL = listening.url;
  process.stdout.write(firstScreen(config, listening, credentials, dataDir, workers));

  const received = await signal;
  process.stdout.write(stoppingLine(config, received));
  await stopAll(received);
  const results = slots.map((s) => s.stopped ?? { inFlight: 0, cut: 0 });
  const lost = slots.filter((s) => !s.stopped).map((s) => s.n);
  if (lost.length > 0) process.stderr.write(`wxcoupon: worker ${lost.join(', ')} exited without reporting its stop\n`);
  process.stdout.write(
    stoppedLine({
      inFlight: results.reduce((n, r) => n + r.inFlight, 0),
      cut: results.reduce((n, r) => n + r.cut, 0),
    }),
  );
  return 0;
}
