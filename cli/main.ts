/**
 * The `mmcheck` command line: argument dispatch only. Each command lives in
 * `commands/<command>.ts` with its usage text and works on the
 * {@link Session} made here once per invocation (the models in play, the
 * output folder, the progress sink, the stop request).
 *
 * Exit codes by kind (`exit.ts`): 0 ok, 1 safety, 2 bad usage or input (one
 * line on stderr, no stack trace), 3 deadlock, 4 liveness, 5 vacuity, 6 gate,
 * 130 stopped by SIGINT, 143 stopped by SIGTERM (`entry.ts` catches them).
 */
import type { ProgressSink } from '../reports/progress.js';
import { stderrProgress } from '../reports/progress.js';
import { printable } from '../reports/text.js';
import { ci } from './commands/ci.js';
import { exploreCommand } from './commands/explore.js';
import { list } from './commands/list.js';
import { newCommand } from './commands/new.js';
import { litmus } from './commands/litmus.js';
import { racesCommand } from './commands/races.js';
import { report } from './commands/report.js';
import { repro } from './commands/repro.js';
import { run } from './commands/run.js';
import { EXIT, EXIT_HELP } from './exit.js';
import type { Command } from './session.js';
import { Session, UsageError } from './session.js';
import type { StopRequest } from './stop.js';

export { EXIT } from './exit.js';

/** The commands by name, in the order `--help` lists them. */
const COMMANDS: ReadonlyMap<string, Command> = new Map([
  ['list', list],
  ['run', run],
  ['explore', exploreCommand],
  ['repro', repro],
  ['report', report],
  ['ci', ci],
  ['litmus', litmus],
  ['races', racesCommand],
  ['new', newCommand],
]);

const HELP = `usage: mmcheck <command> [options]

commands:
${[...COMMANDS.values()].map((c) => c.usage).join('\n')}

  every command takes --model PATH: check a model module (.ts or .js) instead of the built-in ones

options:
  --variant V     one variant (default: all for run, reference for explore)
  --seed N        seed of the random engine (default 1); printed with every failure
  --runs N        random runs per variant (default 1000)
  --scheduler S   run: random (uniform choice among enabled steps, default) or pct (priorities
                  with d-1 change points; prints its guaranteed bound and the runs for 99%)
  --depth D       run --scheduler pct: bug depth d (default 3)
  --property P    run: search for violations of P only (others met on the way are tallied, runs go on)
                  explore: look for P instead of the variant's declared property; if another is
                  violated instead, its shortest trace is written and the output says what was not searched
  --out DIR       where counterexamples are written (default mmcheck-out)
  --junit FILE    run: JUnit XML, one test case per (model, variant, property)
  --summary FILE  run: Markdown summary table and each counterexample as a lane table
  --html DIR      run: one HTML trace view per counterexample and an index.html
  --config C      explore, run: configuration fields (a JSON object, inline or in a file) that replace
                  those of the variant's small configuration, e.g. --config '{"creates":2}';
                  run then draws no random configuration: every run uses that one
  --max-states N  state budget of explore (default 5000000)
  --max-depth N   depth bound of explore (default none)
  --exact         explore: store full canonical state keys instead of 64-bit fingerprints
                  (no collision risk, about 10x the memory per state)
  --no-symmetry   explore: do not apply the model's symmetry reduction (states counted one by one)
  --workers N     explore: expand each BFS level on N worker threads (same states, same shortest trace)
  --keep-going    explore: do not stop at a violation; save the shortest trace of every property violated
  --check-model   run, explore: first check on a random walk that the model does not mutate its input
                  states and that actions and next depend on the state alone (exit 2 naming the step)
  --check-fast-path  explore: first compare the fast path (the model's rules on plain copies, which
                  the exhaustive engines take) with immer on 10,000 random transitions: states, keys,
                  property verdicts; a disagreement exits 2 naming the step and the field
  --immer-path    explore: take every step through immer instead of the fast path (to compare)
  --family        explore: each member of the model's family of configurations, bounded by the
                  member's state budget (--max-states lowers it); "holds on the family (k of n
                  members complete)", or the members that catch a buggy variant
  --liveness      explore: the liveness engine (weak fairness, environment eventually stopping);
                  a violation is a lasso (prefix, then a cycle repeated forever) or a stuck state
  --profile P     ci budget: quick (1 seed x 2,000 runs, explorations bounded at 50k states),
                  ci (3 seeds x 5,000 runs, complete explorations), deep (10 seeds x 10,000 runs,
                  plus the liveness check of the bugs declared as safety properties). Every profile
                  checks the eventually-properties of what must hold, and judges a bug declared only
                  as an eventually-property with the liveness engine alone
  --shard i/n     ci: run every n-th work item starting at the i-th; n shards cover one run exactly
  --time-limit S  run, ci: stop after S seconds; counterexamples found so far and every report
                  are still written, and the output says what was interrupted
                  explore: stop after S seconds with an "incomplete: ... time limit" verdict

${EXIT_HELP}`;

/** Takes `--model PATH` / `--model=PATH` out of the arguments. */
function takeModelFlag(args: string[]): { path?: string; rest: string[] } {
  const rest: string[] = [];
  let path: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a === '--model') {
      path = args[++i];
      if (path === undefined) throw new UsageError('--model needs a PATH');
    } else if (a.startsWith('--model=')) path = a.slice('--model='.length);
    else rest.push(a);
  }
  return path !== undefined ? { path, rest } : { rest };
}

/**
 * Runs the CLI with `argv` (without `node` and the script) and returns the
 * exit code. Output goes to `out`, one-line errors to `err`, the progress
 * of `run` to `progress` (stderr by default; `null` for none). `stop`, set
 * by a signal (see `entry.ts`), stops the engines at their next step; the
 * command still writes its reports, marked interrupted, and exits 130
 * (SIGINT) or 143 (SIGTERM). `onLoaded` is called once the models are
 * loaded (entry.ts times a `--model` module's import with it).
 */
export async function main(argv: string[], out: (s: string) => void = (s) => process.stdout.write(s + '\n'), err: (s: string) => void = (s) => process.stderr.write(s + '\n'), progress: ProgressSink | null = stderrProgress(), stop?: StopRequest, onLoaded?: () => void): Promise<number> {
  // names come from models and files the user did not write: nothing reaches the terminal raw
  const code = await dispatch(argv, (s) => out(printable(s)), (s) => err(printable(s)), progress, stop, onLoaded);
  // a command a signal stopped exits as a shell reports it (130 SIGINT, 143 SIGTERM), whatever it found so far
  return stop?.exitCode ?? code;
}

async function dispatch(argv: string[], out: (s: string) => void, err: (s: string) => void, progress: ProgressSink | null, stop: StopRequest | undefined, onLoaded?: () => void): Promise<number> {
  const [cmd, ...args] = argv;
  // `mmcheck CMD --help` (or `help CMD`): the command's own lines and the exit codes, before any model loads
  const asked = cmd === 'help' ? COMMANDS.get(args[0] ?? '') : cmd !== undefined && (args.includes('--help') || args.includes('-h')) ? COMMANDS.get(cmd) : undefined;
  if (asked) {
    out(`usage:\n${asked.usage}\n\n(every option: mmcheck --help)\n\n${EXIT_HELP}`);
    return EXIT.ok;
  }
  try {
    const { path, rest } = takeModelFlag(args);
    const session = await Session.open(path, out, err, progress, stop);
    onLoaded?.();
    // node's parseArgs calls '--runs -1' ambiguous; say what is wrong with the value instead
    rest.forEach((a, i) => {
      const v = rest[i + 1];
      if (/^--(seed|runs|depth|max-states|max-depth|time-limit|workers)$/.test(a) && v !== undefined && /^-\d/.test(v)) throw new UsageError(`${a} must be a non-negative integer, got '${v}'`);
    });
    const command = cmd !== undefined ? COMMANDS.get(cmd) : undefined;
    if (command) return await command.run(rest, session);
    switch (cmd) {
      case '--help':
      case '-h':
      case 'help':
        out(HELP);
        return EXIT.ok;
      case undefined:
        err('mmcheck: missing command (try: mmcheck --help)');
        return EXIT.usage;
      default:
        err(`mmcheck: unknown command '${cmd}' (try: mmcheck --help)`);
        return EXIT.usage;
    }
  } catch (e) {
    const msg = e instanceof Error ? e.message.split('\n')[0] : String(e);
    err(`mmcheck: ${msg}`);
    return EXIT.usage;
  }
}
