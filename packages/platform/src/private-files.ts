import {
  chmodSync,
  closeSync,
  fchmodSync,
  fstatSync,
  mkdirSync,
  openSync,
  renameSync,
  statSync,
  writeSync,
} from 'node:fs';
import { PlatformStartError } from './errors/platform-start-error.js';

// The data directory holds every merchant's APIv2/APIv3 keys, the platform's private keys, the CA key
// and the TLS key (in the database), the admin token and the demo merchant's key: only its owner may
// read any of it. Modes are set explicitly (chmod after create), so they do not depend on the umask.

const DIR_MODE = 0o700;
const FILE_MODE = 0o600;

export interface PrivateDirOptions {
  /** Accept a directory that group or other users can access (a container whose volume protects it). */
  insecurePermissions?: boolean | undefined;
}

/**
 * Creates `dir` (and missing parents) owner-only, or checks that an existing one is. A directory that
 * group or other users can open is refused unless `insecurePermissions`: widening it may have been
 * deliberate, so the owner decides with a chmod rather than the platform changing it behind them.
 */
export function preparePrivateDir(dir: string, options: PrivateDirOptions = {}): void {
  const created = mkdirSync(dir, { recursive: true, mode: DIR_MODE });
  if (created !== undefined) {
    chmodSync(dir, DIR_MODE);
    return;
  }
  const mode = statSync(dir).mode & 0o777;
  if ((mode & 0o077) === 0 || options.insecurePermissions) return;
  throw new PlatformStartError(
    `the data directory ${dir} is open to other users (mode ${octal(mode)}) and holds every merchant's keys: ` +
      `run \`chmod 700 ${dir}\`, or, where something else keeps other users out (a container's volume), ` +
      'start with --insecure-permissions (WXCOUPON_INSECURE_PERMISSIONS=1)',
  );
}

/**
 * Makes a directory inside the data directory owner-only, creating it if missing. One left open by an
 * earlier version is tightened: it sits inside a private directory that is ours, so nobody relied on it.
 */
export function privateSubdir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: DIR_MODE });
  tighten(dir, DIR_MODE);
}

/**
 * Writes `data` to `file`, owner-only whether the file is new or was left wider by an earlier version.
 * Written beside it and renamed over it, so a reader (a client reading credentials.json while another
 * instance on the same data directory starts) sees the old content or the new, never a truncated file.
 */
export function writePrivateFile(file: string, data: string): void {
  const temporary = `${file}.${process.pid}.tmp`;
  const fd = openSync(temporary, 'w', FILE_MODE);
  try {
    // Narrowed before anything is written, in case an earlier crash left a wider file under this name.
    fchmodSync(fd, FILE_MODE);
    writeSync(fd, data);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, file);
}

/**
 * Makes sure `file` exists owner-only without changing its content: for a database file before SQLite
 * opens it, since SQLite gives its -wal, -shm and -journal files the main file's mode.
 */
export function ensurePrivateFile(file: string): void {
  const fd = openSync(file, 'a', FILE_MODE);
  try {
    if ((fstatSync(fd).mode & 0o777) !== FILE_MODE) fchmodSync(fd, FILE_MODE);
  } finally {
    closeSync(fd);
  }
}

/** Narrows an existing file or directory to `mode` if it is wider (an earlier version's 0644). */
export function tighten(path: string, mode = FILE_MODE): void {
  let current: number;
  try {
    current = statSync(path).mode & 0o777;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  if ((current & ~mode) === 0) return;
  try {
    chmodSync(path, mode);
  } catch (err) {
    throw new PlatformStartError(
      `${path} is open to other users (mode ${octal(current)}) and cannot be narrowed ` +
        `(${(err as NodeJS.ErrnoException).code ?? 'error'}): run \`chmod ${octal(mode)} ${path}\` as its owner`,
    );
  }
}

function octal(mode: number): string {
  return `0${mode.toString(8).padStart(3, '0')}`;
}
