/** One CLI command: a summary for `wxcoupon help` and a function from arguments to an exit status. */
export interface Command {
  summary: string;
  run(argv: string[]): Promise<number>;
}
