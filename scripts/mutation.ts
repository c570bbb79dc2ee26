/**
 * `npm run mutation -- <model> [--concurrency N] [--incremental] [--files F[:from-to],…] [--resummarize] [--merge SLICE.json]`:
 * the mutation score of one model's properties (issue 15). `--files`
 * mutates only the named files of the model folder (e.g. `rules.ts`), to
 * iterate on one file or when the whole model would take too long; the
 * summary then says it covers only those files. A name may carry a line
 * range, `model.ts:1-400` (Stryker's own `mutate` syntax), to measure a
 * large file in slices on a busy machine. `--merge SLICE.json` puts a slice
 * run's results (saved from its `mutation.json`) into the whole run's report
 * — after the check gained a test, the mutants it was written for are re-run
 * instead of the whole model — and writes the summary again.
 *
 * StrykerJS mutates the model's own files, `model/<model>/**\/*.ts`, except
 * tests, the mutation check itself, `properties.ts` and `*-oracle.ts` (the
 * judges: a mutant there measures the tests of the properties, not the
 * properties), and `config.ts` (which configurations are checked — the
 * random generators, the validation of replay files, the configuration
 * constants, and `family.ts`, the family's members — not how the mechanism behaves; the family is what answers for
 * the configurations) — and never `model/kernel/`, shared by every model and
 * tested on its own. Trace text (`describe`) may be excluded in the model
 * with a `// Stryker disable` comment that gives the reason; those mutants
 * are counted as ignored. Each mutant runs `model/<model>/mutation.check.ts` through the
 * vitest runner with per-test coverage (a mutant runs only the explorations
 * that execute it). A mutant is killed when that check fails: the reference
 * or a harmless variant shows a violation or throws, or a buggy variant is
 * no longer caught with its declared property.
 *
 * Static mutants (in code that runs when a module is loaded: configuration
 * constants, flag tables, the ModelDef) are ignored: a Stryker worker loads
 * the model once, before any mutant is active, so they cannot be tested.
 *
 * Equivalent mutants are listed in `model/<model>/EQUIVALENT-MUTANTS.md`, a
 * table whose rows are `| file | line | mutator | replacement | why |`
 * (an empty replacement matches every replacement of that mutator there);
 * the score excludes exactly the surviving mutants those rows match, and
 * the summary names rows that match no survivor (stale). Output:
 * `reports/mutation/<model>/index.html` (Stryker's report),
 * `mutation.json`, and `summary.md`, also printed.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Stryker } from '@stryker-mutator/core';
import type { LogLevel, PartialStrykerOptions, MutantResult } from '@stryker-mutator/api/core';

interface Args {
  readonly model: string;
  readonly concurrency: number;
  readonly incremental: boolean;
  /** Only these files of the model folder (names relative to it); empty: all. */
  readonly files: readonly string[];
  /** Re-read the last run's mutation.json and write the summary again (after editing EQUIVALENT-MUTANTS.md). */
  readonly resummarize: boolean;
  /** A slice run's report whose results replace those of the same mutants in the whole run's report. */
  readonly merge: string | undefined;
}

function parseArgs(argv: readonly string[]): Args {
  let model: string | undefined;
  let concurrency = 2;
  let incremental = false;
  let files: string[] = [];
  let resummarize = false;
  let merge: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--concurrency') concurrency = Number(argv[++i]);
    else if (a === '--resummarize') resummarize = true;
    else if (a === '--merge') merge = argv[++i];
    else if (a === '--files') files = (argv[++i] ?? '').split(',').filter((x) => x !== '');
    else if (a === '--incremental') incremental = true;
    else if (a !== undefined && !a.startsWith('-') && model === undefined) model = a;
    else throw new Error(`mutation: unknown argument '${a}'`);
  }
  if (model === undefined) throw new Error('usage: npm run mutation -- <model> [--concurrency N] [--incremental] [--files F,…]');
  if (model === 'kernel' || !/^[a-z0-9-]+$/.test(model) || !existsSync(join('model', model))) throw new Error(`mutation: no model folder model/${model}`);
  if (!existsSync(join('model', model, 'mutation.check.ts'))) throw new Error(`mutation: model/${model}/mutation.check.ts is missing (the check each mutant runs)`);
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error('mutation: --concurrency wants a positive integer');
  for (const f of files) if (!existsSync(join('model', model, fileRange(f).file))) throw new Error(`mutation: no file model/${model}/${f}`);
  if (merge !== undefined && !existsSync(merge)) throw new Error(`mutation: no report ${merge} to merge`);
  return { model, concurrency, incremental, files, resummarize, merge };
}

/** A `--files` entry: a file of the model folder, optionally with a line range `name.ts:from-to`. */
export function fileRange(entry: string): { readonly file: string; readonly from: number; readonly to: number } {
  const m = /^(.*):(\d+)-(\d+)$/.exec(entry);
  return m ? { file: m[1] ?? entry, from: Number(m[2]), to: Number(m[3]) } : { file: entry, from: 1, to: Number.POSITIVE_INFINITY };
}

/** One row of EQUIVALENT-MUTANTS.md. */
export interface EquivalentEntry {
  readonly file: string;
  readonly line: number;
  readonly mutator: string;
  /** The replacement text, or empty to match any replacement of that mutator on that line. */
  readonly replacement: string;
  readonly why: string;
}

/** Reads the equivalent-mutant table; rows are `| file | line | mutator | replacement | why |`, backticks optional. */
export function readEquivalents(path: string): EquivalentEntry[] {
  if (!existsSync(path)) return [];
  const out: EquivalentEntry[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    // cells split on unescaped pipes; a replacement may contain `\|`
    const cells = line.trim().replace(/^\||\|$/g, '').split(/(?<!\\)\|/).map((c) => c.trim().replace(/^`(.*)`$/, '$1').replace(/\\\|/g, '|'));
    const [file, ln, mutator, replacement, why] = cells;
    if (cells.length < 5 || file === undefined || ln === undefined || !/^\d+$/.test(ln) || mutator === undefined) continue;
    out.push({ file, line: Number(ln), mutator, replacement: replacement ?? '', why: why ?? '' });
  }
  return out;
}

const UNDETECTED = new Set(['Survived', 'NoCoverage']);
const DETECTED = new Set(['Killed', 'Timeout']);

function matches(e: EquivalentEntry, m: MutantResult): boolean {
  const file = relative(process.cwd(), m.fileName);
  return file === e.file && m.location.start.line === e.line && m.mutatorName === e.mutator && (e.replacement === '' || (m.replacement ?? '') === e.replacement);
}

/** The Markdown summary of a run: counts, the score over non-equivalent mutants, survivors and stale rows. */
export function summarize(model: string, all: readonly MutantResult[], equivalents: readonly EquivalentEntry[], seconds: number, files: readonly string[] = []): string {
  // a static mutant no test ran is not tested (see the header): ignored, as Stryker's ignoreStatic does. One
  // that also runs inside tests (a function called at load and by the checks) was tested, and counts.
  const results = all.map((m) => (m.static === true && m.status !== 'Ignored' && !(m.testsCompleted !== undefined && m.testsCompleted > 0) ? { ...m, status: 'Ignored' as MutantResult['status'] } : m));
  const count = (s: string) => results.filter((m) => m.status === s).length;
  const equivalent = results.filter((m) => UNDETECTED.has(m.status) && equivalents.some((e) => matches(e, m)));
  const stale = equivalents.filter((e) => !results.some((m) => UNDETECTED.has(m.status) && matches(e, m)) && (files.length === 0 || files.map(fileRange).some((f) => e.file.endsWith(`/${f.file}`) && e.line >= f.from && e.line <= f.to)));
  const detected = results.filter((m) => DETECTED.has(m.status)).length;
  const undetected = results.filter((m) => UNDETECTED.has(m.status)).length - equivalent.length;
  const score = detected + undetected === 0 ? 100 : (100 * detected) / (detected + undetected);
  // two decimals, rounded down: 94.97 % must not print as 95.0 % against a 95 % target
  const lines = [
    `# Mutation score of model/${model}`,
    '',
    ...(files.length ? [`Only ${files.map((f) => `model/${model}/${f}`).join(', ')} mutated (--files): not the model's score.`, ''] : []),
    '| model | mutants | killed | timeout | survived | no coverage | ignored | errors | equivalent | score | time |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    `| ${model} | ${results.length} | ${count('Killed')} | ${count('Timeout')} | ${count('Survived')} | ${count('NoCoverage')} | ${count('Ignored')} | ${count('RuntimeError') + count('CompileError')} | ${equivalent.length} | ${(Math.floor(score * 100) / 100).toFixed(2)} % | ${Number.isNaN(seconds) ? '–' : `${Math.round(seconds)} s`} |`,
    '',
    'Score = (killed + timeout) / (killed + timeout + survived + no coverage − equivalent).',
  ];
  const gaps = results.filter((m) => UNDETECTED.has(m.status) && !equivalent.includes(m));
  if (gaps.length) {
    lines.push('', '## Surviving mutants not listed as equivalent', '', '| file | line | mutator | replacement | status |', '| --- | --- | --- | --- | --- |');
    for (const m of gaps) lines.push(`| ${relative(process.cwd(), m.fileName)} | ${m.location.start.line} | ${m.mutatorName} | \`${(m.replacement ?? '').replace(/\s+/g, ' ').replace(/\|/g, '\\|').slice(0, 80)}\` | ${m.status} |`);
  }
  if (stale.length) {
    lines.push('', '## Rows of EQUIVALENT-MUTANTS.md that match no surviving mutant (stale: fix or remove)', '');
    for (const e of stale) lines.push(`- ${e.file}:${e.line} ${e.mutator} \`${e.replacement}\``);
  }
  return lines.join('\n') + '\n';
}

/** A mutant of a report as Stryker's JSON reporter writes it (the fields read here). */
interface SchemaMutant {
  readonly id: string;
  readonly mutatorName: string;
  readonly replacement?: string;
  readonly location: unknown;
}

/** A report as Stryker's JSON reporter writes it (the fields read here). */
interface SchemaReport {
  readonly files: Record<string, { mutants: SchemaMutant[] }>;
}

/** The results of a report written by Stryker's JSON reporter (mutation-testing-report-schema). */
function readReport(path: string): MutantResult[] {
  const report = JSON.parse(readFileSync(path, 'utf8')) as { files: Record<string, { mutants: Omit<MutantResult, 'fileName'>[] }> };
  return Object.entries(report.files).flatMap(([fileName, f]) => f.mutants.map((m) => ({ ...m, fileName: join(process.cwd(), fileName) }) as MutantResult));
}

/**
 * The exclusions of `mutate` (see the header) that match a file of the model
 * folder: Stryker warns about a pattern that matches nothing (most models have
 * no `*-oracle.ts`, some no tests of their own).
 */
function excluded(dir: string): string[] {
  const files = readdirSync(dir, { recursive: true }).map((f) => String(f).split('\\').join('/'));
  const rules: readonly [string, (f: string) => boolean][] = [
    ['**/*.test.ts', (f) => f.endsWith('.test.ts')],
    ['*.check.ts', (f) => !f.includes('/') && f.endsWith('.check.ts')],
    ['properties.ts', (f) => f === 'properties.ts'],
    ['*-oracle.ts', (f) => !f.includes('/') && f.endsWith('-oracle.ts')],
    ['config.ts', (f) => f === 'config.ts'],
    ['family.ts', (f) => f === 'family.ts'],
  ];
  return rules.filter(([, hit]) => files.some(hit)).map(([pattern]) => `!${dir}/${pattern}`);
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const out = join('reports', 'mutation', args.model);
  mkdirSync(out, { recursive: true });
  if (args.merge !== undefined) {
    // a slice re-run after a check grew: its mutants' new results replace the old ones (the check only
    // gained tests, so a kill of the whole run still stands), then the summary is written again
    const whole = join(out, 'mutation.json');
    const report = JSON.parse(readFileSync(whole, 'utf8')) as SchemaReport;
    const slice = JSON.parse(readFileSync(args.merge, 'utf8')) as SchemaReport;
    const id = (m: SchemaMutant): string => JSON.stringify([m.mutatorName, m.replacement ?? '', m.location]);
    let replaced = 0;
    for (const [file, f] of Object.entries(slice.files)) {
      const into = report.files[file];
      if (!into) throw new Error(`mutation: ${file} of the slice is not in ${whole}`);
      const byId = new Map(f.mutants.map((m) => [id(m), m]));
      into.mutants = into.mutants.map((m) => {
        const n = byId.get(id(m));
        if (n === undefined) return m;
        replaced++;
        return { ...n, id: m.id };
      });
    }
    writeFileSync(whole, JSON.stringify(report));
    process.stdout.write(`merged ${replaced} mutants of ${args.merge} into ${whole}\n`);
  }
  if (args.resummarize || args.merge !== undefined) {
    const md = summarize(args.model, readReport(join(out, 'mutation.json')), readEquivalents(join('model', args.model, 'EQUIVALENT-MUTANTS.md')), Number.NaN, args.files);
    writeFileSync(join(out, 'summary.md'), md);
    process.stdout.write(md);
    return;
  }
  // Stryker's workers load vitest.mutation.config.ts, which reads the model from here
  process.env.MMCHECK_MUTATION_MODEL = args.model;
  const dir = `model/${args.model}`;
  const options: PartialStrykerOptions = {
    testRunner: 'vitest',
    plugins: ['@stryker-mutator/vitest-runner'],
    vitest: { configFile: 'vitest.mutation.config.ts', related: false },
    coverageAnalysis: 'perTest',
    mutate: [...(args.files.length ? args.files.map((f) => `${dir}/${f}`) : [`${dir}/**/*.ts`]), ...excluded(dir)],
    ignorePatterns: ['dist', 'mmcheck-out', 'reports/mutation', '.vitest-out', '*.log'],
    reporters: ['html', 'json', 'progress'],
    htmlReporter: { fileName: join(out, 'index.html') },
    jsonReporter: { fileName: join(out, 'mutation.json') },
    concurrency: args.concurrency,
    timeoutMS: 5_000,
    cleanTempDir: 'always',
    incremental: args.incremental,
    // a worker imports the model once, so module-level code (SMALL, FLAGS, the ModelDef) runs before any
    // mutant is active: such static mutants would "survive" without being tested. They are ignored instead.
    ignoreStatic: true,
    incrementalFile: join(out, 'stryker-incremental.json'),
    logLevel: 'warn' as LogLevel,
  };
  const t0 = performance.now();
  const results = await new Stryker(options).runMutationTest();
  const seconds = (performance.now() - t0) / 1000;
  const md = summarize(args.model, results, readEquivalents(join(dir, 'EQUIVALENT-MUTANTS.md')), seconds, args.files);
  writeFileSync(join(out, 'summary.md'), md);
  process.stdout.write(`\n${md}\nreport: ${join(out, 'index.html')}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(2);
});
