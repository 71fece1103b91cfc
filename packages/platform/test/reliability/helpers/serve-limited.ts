import { spawnSync } from 'node:child_process';

// The `wxcoupon` command under an open-file limit that starts once its modules are loaded: loads the CLI (every
// module the command imports), lowers this process's limit (soft and hard) to WXCOUPON_TEST_OPEN_FILES, then runs
// the command, which reads the lowered limit when it sizes its listeners (and prints it, which the tests check). Not
// `ulimit -n` before the start: loading the modules from source reads hundreds of files at once, and under 256 open
// files a slow disk made the start itself fail with EMFILE before the server had opened a single socket.

const n = Number(process.env.WXCOUPON_TEST_OPEN_FILES);
if (!Number.isInteger(n) || n < 1) throw new Error('WXCOUPON_TEST_OPEN_FILES must be a whole number of files');
const { main } = await import('../../../../cli/src/cli.js');
const run = spawnSync('prlimit', ['--pid', String(process.pid), `--nofile=${n}:${n}`], { encoding: 'utf8' });
if (run.error || run.status !== 0) {
  throw new Error(`prlimit (util-linux) could not limit this process to ${n} open files: ${run.error ?? run.stderr}`);
}
process.exitCode = await main(process.argv.slice(2));
