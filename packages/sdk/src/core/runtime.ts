/**
 * Whether this is Node itself, where undici and its keep-alive pools are the default transport. Bun
 * and Deno report a Node version for compatibility, and Workers with `nodejs_compat` provide `process`,
 * but none of them runs undici's dispatcher, so they send with their own `fetch`.
 */
export function isNode(): boolean {
  const versions: Partial<Record<string, string>> | undefined = globalThis.process?.versions;
  if (!versions?.['node'] || versions['bun'] || versions['deno']) return false;
  const agent = (globalThis as { navigator?: { userAgent?: string } }).navigator?.userAgent;
  return agent === undefined || agent.startsWith('Node.js');
}
