/** The CLI run in-process for a test: exit code, stdout and stderr lines joined, no progress output. */
import { main } from '../cli/main.js';

/** Runs `mmcheck ARGV…` in this process (as the built binary would) and collects what it prints. */
export async function runCli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, (s) => out.push(s), (s) => err.push(s), null);
  return { code, out: out.join('\n'), err: err.join('\n') };
}
