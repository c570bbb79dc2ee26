/** `mmcheck ci`: the gate (`cli/ci.ts`) over the models in play, with its profile, seed, shard and time limit. */
import { parseArgs } from 'node:util';
import { gateReport, parseShard, PROFILES, runItems, shardOf, withoutFindings, workItems } from '../ci.js';
import { soakMemoryLines, soakRun, WARM_UP } from '../soak.js';
import { randomOutcome } from '../../properties/outcome.js';
import { replayCommand, saveCounterexample } from '../../reports/counterexample.js';
import { foundOf } from '../../reports/found.js';
import type { Command, Session } from '../session.js';
import type { AnyModel } from '../../model/contract.js';
import { variantOf } from '../../model/contract.js';
import { nat, UsageError } from '../session.js';

/** The command's lines in `--help`. */
export const CI_USAGE = `  ci [MODEL] [--variant V] [--profile quick|ci|deep|soak] [--seed N] [--shard i/n] [--time-limit S]
     [--out DIR] [--counterexamples]
                                         gate: references hold, every known bug still caught;
                                         an unexpected violation's replay file goes to --out;
                                         --counterexamples: every counterexample found goes there,
                                         each known bug's too; no MODEL: every model;
                                         soak: 10⁶ random runs of each variant that must hold`;

/** Runs the gate's items of this shard; exit 0 when every variant behaves as declared, else the kind of the worst departure. */
export async function cmdCi(args: string[], s: Session): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      profile: { type: 'string' }, seed: { type: 'string' }, shard: { type: 'string' }, 'time-limit': { type: 'string' }, out: { type: 'string' },
      variant: { type: 'string' }, counterexamples: { type: 'boolean' },
    },
  });
  if (positionals.length > 1) throw new UsageError(`ci takes at most one model, got ${positionals.join(' ')}`);
  const models = positionals[0] !== undefined ? [s.pick(positionals[0])] : [...s.models];
  if (values.variant !== undefined && models.length !== 1) throw new UsageError('--variant needs a MODEL');
  // an unknown --variant is refused before any work
  const variant = values.variant !== undefined ? variantOf(models[0] as AnyModel, values.variant).name : undefined;
  const { out, stop } = s;
  const name = values.profile ?? 'ci';
  const profile = PROFILES[name];
  if (!profile) throw new UsageError(`unknown profile '${name}' (known: ${Object.keys(PROFILES).join(', ')})`);
  // never silently random: the seed is given, or the documented default, and always printed
  const seed = nat('seed', values.seed ?? process.env.MMCHECK_SEED, 1);
  const shard = values.shard !== undefined ? parseShard(values.shard) : { index: 1, count: 1 };
  const limit = values['time-limit'] !== undefined ? nat('time-limit', values['time-limit'], 0, 1) : undefined;
  const deadline = limit !== undefined ? Date.now() + limit * 1000 : undefined;
  // refused before the work, not after it
  const dir = s.outDir(values.out);
  const items = shardOf(workItems(models, profile, seed, variant), shard);
  out(`mmcheck ci: profile ${name}, seeds ${seed}…${seed + profile.seeds - 1}, shard ${shard.index}/${shard.count}: ${items.length} items`);
  const t0 = Date.now();
  // without --counterexamples only a departure's counterexample is written, so only a departure keeps one
  const hooks = { deadline, ...(stop ? { stop: stop.requested } : {}), ...(values.counterexamples ? {} : { keep: withoutFindings }) };
  // the soak runs a warm-up, then its items heaviest first with the memory read at each tenth
  // (cli/soak.ts); its report keeps the items' own order
  const soak = name === 'soak' ? await soakRun(items, workItems(models, WARM_UP, seed, variant), profile, hooks) : undefined;
  const at = new Map(items.map((it, i) => [it, i]));
  const results = soak ? [...soak.results].sort((a, b) => (at.get(a.item) ?? 0) - (at.get(b.item) ?? 0)) : runItems(items, profile, hooks);
  const { lines, code } = gateReport(results);
  for (const l of lines) out(l);
  // a long soak must not grow: the memory it keeps at each tenth, and the growth from the first to the end
  if (soak) for (const l of soakMemoryLines(soak)) out(l);
  // a departure the gate did not expect (a reference that violates, a bug caught under another
  // property) is saved as `run` saves it, so the CI log names a file to replay; with
  // --counterexamples every counterexample is saved (a known bug's too: the CI's record of how
  // each is still caught), the explorations' and lassos' as `explore` saves them
  let kept = 0;
  for (const r of results) {
    const f = r.search?.random.failure;
    // an exploration's or lasso's counterexample, or a seed's (minimized, as `run` saves it)
    const random = f !== undefined && r.search !== undefined ? randomOutcome(r.search.random, 'random').findings[0] : undefined;
    const found = r.found ?? (random && f ? { finding: random, preemptions: f.preemptions } : undefined);
    // without --counterexamples only a seed's unexpected departure is saved
    const unexpected = r.problems.length > 0 && r.found === undefined;
    if (found === undefined || !(values.counterexamples || unexpected)) continue;
    const saved = saveCounterexample(dir, foundOf(r.item.model, r.item.variant, found.finding, { modelPath: s.modelPath, ...(found.preemptions !== undefined ? { preemptions: found.preemptions } : {}) }));
    if (unexpected) out(`  ${r.item.model.name} ${r.item.variant}: replay: ${replayCommand(saved.json, s.modelPath)}`);
    kept++;
  }
  if (values.counterexamples) out(`--counterexamples: ${kept} counterexample(s) written to ${dir}`);
  const skipped = results.filter((r) => r.skipped).length;
  out(`${skipped || stop?.signal ? `INTERRUPTED by ${stop?.signal ?? '--time-limit'}: ${skipped} of ${results.length} items not run; ` : ''}${((Date.now() - t0) / 1000).toFixed(1)}s; ${code !== 0 ? `gate failed (exit ${code})` : skipped ? `gate passed on the ${results.length - skipped} items run only` : 'gate passed'}`);
  return code;
}

/** `mmcheck ci`. */
export const ci: Command = { usage: CI_USAGE, run: cmdCi };
