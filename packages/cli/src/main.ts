import { main } from './cli.js';

// The process entry: runs one command and sets the exit status. Tests call main() from cli.ts in-process.
process.exitCode = await main(process.argv.slice(2));
