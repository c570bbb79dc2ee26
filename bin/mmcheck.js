#!/usr/bin/env node
// Thin launcher: the TypeScript sources are compiled to dist/ by `npm install` (the `prepare` script).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// A reader that goes away (`mmcheck run | head -1`) is not an error of the
// run: what is left to print is dropped, the command finishes its work
// (reports and replay files are still written whole) and exits with its own
// code, instead of dying on an unhandled EPIPE with a stack trace.
for (const stream of [process.stdout, process.stderr])
  stream.on('error', (e) => {
    if (e && (e.code === 'EPIPE' || e.code === 'ERR_STREAM_DESTROYED')) return;
    throw e;
  });

const entry = new URL('../dist/cli/entry.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write('mmcheck: not built yet; run `npm install` (or `npm run build`) in the mmcheck folder\n');
  process.exit(2);
}
// the command runs on a worker thread so that this one can take Ctrl-C and
// SIGTERM while the engines compute (see cli/entry.ts): 130 or 143, reports written
// a Ctrl-C or SIGTERM while the CLI is still loading is remembered and
// handed to it (the command then stops at once and writes its reports),
// instead of killing the process by the signal with no report
const early = [];
const remember = (signal) => early.push(signal);
for (const s of ['SIGINT', 'SIGTERM']) process.on(s, remember);
const { runCli } = await import(entry.href);
for (const s of ['SIGINT', 'SIGTERM']) process.off(s, remember);
process.exitCode = await runCli(process.argv.slice(2), early[0]);
